"""`rag eval --claims FILE | DIR`: how the grounding check treats sentences an LLM might write.

Each line of a claims file is {"claim", "true": bool, "category", "question"?}: the claim is
grounded exactly as an LLM's one-sentence answer citing the first hit would be (retrieval for the
question, or the claim itself, then `Grounder.judge` with its verifier). A true claim should be
kept (supported), a false one caught (marked unsupported); the report gives both per category, and
which check caught what.

Given a folder, every set in it: `NAME_claims.jsonl` beside the folder `NAME/` of the documents its
claims are about (a set without a folder is read against the service's own seeds, `paths.seeds`),
each indexed under `work_dir/NAME`. Every claim is then also grounded under each setting of `GRID`
(min_term_overlap x min_similarity_with_terms) from the same retrieval, and the report adds the
setting chosen on the other sets for each set held out (the best mean of true kept and false
caught there), beside the same choice made on all of them.
"""
from __future__ import annotations

import itertools
import time
from collections import Counter
from pathlib import Path

from rag.answering.grounding import Grounder
from rag.errors import RagError
from rag.tools.beir import read_jsonl
from rag.tools.crossval import cross_validate

GRID = [{"min_term_overlap": overlap, "min_similarity_with_terms": similarity}
        for overlap, similarity in itertools.product((0.3, 0.4, 0.5), (0.4, 0.45, 0.5))]


def evaluate_claims(service, path: Path) -> dict:
    if not service.index.has_index():
        service.index.run()
    started = time.perf_counter()
    rows, _ = _judge_set(service, path, grid=[])
    return {"claims": len(rows), **_summary(rows), "categories": _by_category(rows),
            "missed": [r for r in rows if not r["right"]], "seconds": round(time.perf_counter() - started, 2)}


def evaluate_claim_sets(service, folder: Path, work_dir: Path) -> dict:
    sets = sorted(folder.glob("*_claims.jsonl"))
    if not sets:
        raise RagError(f"No NAME_claims.jsonl in {folder}.")
    started, configured, grid_rows, groups, per_set = time.perf_counter(), [], [[] for _ in GRID], [], {}
    for path in sets:
        name = path.name.removesuffix("_claims.jsonl")
        documents = folder / name if (folder / name).is_dir() else service.settings.paths.seeds
        mine = service.reconfigured(paths__seeds=documents, paths__index=work_dir / name)
        if not mine.index.has_index():
            mine.index.run()
        rows, under_grid = _judge_set(mine, path, GRID)
        per_set[name] = _summary(rows)
        configured += rows
        for kept, graded in zip(grid_rows, under_grid):
            kept += graded
        groups += [name] * len(rows)
    return {"claims": len(configured), **_summary(configured), "categories": _by_category(configured),
            "sets": per_set,
            "grid": [{**v, **{k: s for k, s in _summary(g).items() if k != "caught_by"}} for v, g in zip(GRID, grid_rows)],
            "thresholds_cross_validated": cross_validate(GRID, grid_rows, groups, _summary, _best_mean,
                                                         folds=len(sets)),
            "missed": [r for r in configured if not r["right"]], "seconds": round(time.perf_counter() - started, 2)}


def _judge_set(service, path: Path, grid: list[dict]) -> tuple[list[dict], list[list[dict]]]:
    try:
        claims = list(read_jsonl(path))
    except (OSError, ValueError) as exc:
        raise RagError(f"Cannot read claims file {path}: {exc}") from None
    grounders = [_grounder(service, variant) for variant in grid]
    rows, under_grid = [], [[] for _ in grid]
    for claim in claims:
        hits = service.answers.search(claim.get("question") or claim["claim"])
        rows.append(judged(service.answers.grounder, claim, hits))
        for graded, grounder in zip(under_grid, grounders):
            graded.append(judged(grounder, claim, hits))
    return rows, under_grid


def _grounder(service, variant: dict) -> Grounder:
    base = service.answers.grounder
    return Grounder(base.embedder, base.settings.model_copy(update=variant), base.cache, base.verifier)


def judged(grounder, claim: dict, hits) -> dict:
    """The claim grounded as an LLM's one-sentence answer citing the first hit would be."""
    judgement = grounder.judge(f"{claim['claim']} [1]", hits)
    verdicts = [why for _, cand, why in judgement if cand is None]
    kept = bool(judgement) and not verdicts
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


def _best_mean(summaries: list[dict]) -> int:
    return max(range(len(summaries)), key=lambda i: summaries[i]["true_kept"] + summaries[i]["false_caught"])
