"""Cross-validating a setting chosen from a sweep: how a threshold picked on some paragraphs (or
documents) does on the others, beside the same pick made on all of them (in-sample).

Each variant of the sweep has one graded row per item (a question, a claim), in the same order;
`group` names the unit held out (a SQuAD paragraph, a claim set). Groups go to folds in turn; each
fold's setting is chosen on the other folds by `choose`, and its rows are then read under that
setting. The held-out rows together are summarised as the cross-validated figure.
"""
from __future__ import annotations

from typing import Callable

Rows = list[dict]


def cross_validate(variants: list[dict], graded: list[Rows], groups: list[str], summarise: Callable[[Rows], dict],
                   choose: Callable[[list[dict]], int], folds: int = 5) -> dict:
    """{"folds", "chosen": the variant each fold picked, "cross_validated": the summary of the
    held-out rows, "in_sample": the variant picked on every row and its summary}."""
    names = sorted(set(groups))
    fold_of = {name: i % folds for i, name in enumerate(names)}
    held_out: Rows = []
    chosen = []
    for fold in range(min(folds, len(names))):
        train = [i for i, g in enumerate(groups) if fold_of[g] != fold]
        test = [i for i, g in enumerate(groups) if fold_of[g] == fold]
        pick = choose([summarise([rows[i] for i in train]) for rows in graded])
        chosen.append(variants[pick])
        held_out += [graded[pick][i] for i in test]
    best = choose([summarise(rows) for rows in graded])
    return {"folds": len(chosen), "chosen": chosen, "cross_validated": summarise(held_out),
            "in_sample": {**variants[best], **summarise(graded[best])}}


def most_refusals_at(cite_hit: float) -> Callable[[list[dict]], int]:
    """The variant refusing most unanswerable questions while citing at least `cite_hit` of the
    answerable ones (the most accurate when none reaches it)."""
    def choose(summaries: list[dict]) -> int:
        able = [i for i, s in enumerate(summaries) if s["cite_hit"] >= cite_hit]
        if able:
            return max(able, key=lambda i: (summaries[i]["refusal"], summaries[i]["cite_hit"]))
        return max(range(len(summaries)), key=lambda i: summaries[i]["accuracy"])
    return choose
