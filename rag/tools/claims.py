"""`rag eval --claims FILE`: how the grounding check treats sentences an LLM might write.

Each line is {"claim", "true": bool, "category", "question"?}: the claim is grounded exactly as an
LLM's one-sentence answer would be (retrieval for the question, or the claim itself, then
`Grounder.ground` with its verifier). A true claim should be kept (supported), a false one caught
(marked unsupported); the report gives both per category, and which check caught what.
"""
from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from rag.errors import RagError
from rag.tools.beir import read_jsonl


def evaluate_claims(service, path: Path) -> dict:
    try:
        claims = list(read_jsonl(path))
    except (OSError, ValueError) as exc:
        raise RagError(f"Cannot read claims file {path}: {exc}") from None
    if not service.index.has_index():
        service.index.run()
    started, rows = time.perf_counter(), []
    for claim in claims:
        rows.append(_judge(service, claim))
    return {"claims": len(rows), **_summary(rows), "categories": _by_category(rows),
            "missed": [r for r in rows if not r["right"]], "seconds": round(time.perf_counter() - started, 2)}


def _judge(service, claim: dict) -> dict:
    hits = service.answers.search(claim.get("question") or claim["claim"])
    judged = service.answers.grounder.judge(f"{claim['claim']} [1]", hits)
    verdicts = [why for _, cand, why in judged if cand is None]
    kept = bool(judged) and not verdicts
    return {"claim": claim["claim"], "true": bool(claim["true"]), "category": claim.get("category", "?"),
            "kept": kept, "right": kept == bool(claim["true"]),
            "check": verdicts[0].check if verdicts else None, "reason": verdicts[0].reason if verdicts else None}


def _summary(rows: list[dict]) -> dict:
    true, false = [r for r in rows if r["true"]], [r for r in rows if not r["true"]]
    return {"true_kept": _share(true, "kept"), "false_caught": _share(false, "kept", invert=True),
            "caught_by": dict(Counter(r["check"] for r in false if not r["kept"]))}


def _by_category(rows: list[dict]) -> dict:
    out = {}
    for category in sorted({r["category"] for r in rows}):
        mine = [r for r in rows if r["category"] == category]
        out[category] = {"claims": len(mine), "right": _share(mine, "right")}
    return out


def _share(rows: list[dict], key: str, invert: bool = False) -> float:
    if not rows:
        return 0.0
    return round(sum((not r[key]) if invert else r[key] for r in rows) / len(rows), 4)
