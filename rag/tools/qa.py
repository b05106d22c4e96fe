"""`rag eval --qa FILE`: answer hit rate, citation precision and refusal accuracy on a JSONL of
question checks ({"question", "answerable"?, "expected"?: [...], "support"?: ...}), through the
service's own `answers.ask`."""
from __future__ import annotations

import time
from pathlib import Path

from rag.tools.beir import read_jsonl


def evaluate_qa(service, path: Path) -> dict:
    """Answer hit rate, citation precision and refusal accuracy on a JSONL of checks."""
    from rag.errors import RagError

    try:
        checks = list(read_jsonl(path))
    except (OSError, ValueError) as exc:
        raise RagError(f"Cannot read QA file {path}: {exc}") from None
    if not service.index.has_index():  # a QA set shipped with its own documents: index them first
        service.index.run()
    started, rows = time.perf_counter(), []
    for check in checks:
        answer = service.answers.ask(check["question"]).model_dump(mode="json")
        rows.append(_grade(check, answer))
    answerable = [r for r in rows if r["answerable"]]
    cited = [c for r in answerable for c in r["citations_ok"]]
    return {
        "questions": len(rows),
        "answer_hit_rate": _mean(r["hit"] for r in answerable),
        "citation_precision": _mean(cited),
        "refusal_accuracy": _mean(r["refusal_ok"] for r in rows),
        "failures": [r for r in rows if not (r["hit"] and r["refusal_ok"] and all(r["citations_ok"]))],
        "seconds": round(time.perf_counter() - started, 2),
    }


def _grade(check: dict, answer: dict) -> dict:
    answerable = check.get("answerable", True)
    text = answer["answer"].lower()
    expected = [p.lower() for p in check.get("expected", [])]
    support = [s.lower() for s in _as_list(check.get("support"))]
    return {
        "question": check["question"],
        "answerable": answerable,
        "hit": (not answer["not_found"] and all(p in text for p in expected)) if answerable else True,
        "refusal_ok": answer["not_found"] != answerable,
        "citations_ok": [any(s in c["quote"].lower() for s in support) for c in answer["citations"]] if support else [],
        "answer": answer["answer"],
    }


def _as_list(value) -> list:
    return [] if value is None else value if isinstance(value, list) else [value]


def _mean(values) -> float:
    values = [float(v) for v in values]
    return round(sum(values) / len(values), 4) if values else 0.0
