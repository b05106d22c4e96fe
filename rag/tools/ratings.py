"""Ratings as regression cases. `rag eval --feedback` re-asks every rated question: a thumbs-up answer
must still cite a sentence it cited, a thumbs-down one must change (cite other sentences, or refuse).
`rag feedback export` writes the rated questions as the QA-set JSONL `rag eval --qa` reads."""
from __future__ import annotations

import json
from pathlib import Path

from rag.errors import ConfigError


def evaluate_feedback(service) -> dict:
    rated = _rated(service)
    quiet = service.reconfigured(log__answers=False)  # re-asking must not log (or rate) new answers
    rows = [_recheck(quiet, case) for case in rated if case["question"]]
    held = [r for r in rows if r["held"]]
    return {"rated": len(rated), "rechecked": len(rows), "held": len(held),
            "skipped_without_text": len(rated) - len(rows),
            "moved": [r for r in rows if not r["held"]]}


def export_feedback(service, out: Path) -> int:
    cases = [_as_check(case) for case in _rated(service) if case["question"]]
    out.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases), encoding="utf-8")
    return len(cases)


def _rated(service) -> list[dict]:
    if service.answer_log is None:
        raise ConfigError("There is no answer log to read ratings from: set log.answers: true in config.yaml.")
    return service.answer_log.rated()


def _recheck(service, case: dict) -> dict:
    answer = service.answers.ask(case["question"])
    before = {_span(c) for c in case["citations"]}
    after = {(c.source, c.start, c.end) for c in answer.citations}
    if case["rating"] == "up":
        held = not answer.not_found and bool(before & after)  # still cites a sentence the user approved
    elif case["not_found"]:
        held = not answer.not_found  # a refusal rated down: the documents should have answered
    else:
        held = answer.not_found or after != before  # anything but the same sentences again
    return {"question": case["question"], "rating": case["rating"], "held": held, "comment": case["comment"],
            "before": case["answer"], "after": answer.answer, "not_found": answer.not_found}


def _span(citation: dict) -> tuple:
    return citation["source"], citation["start"], citation["end"]


def _as_check(case: dict) -> dict:
    """A thumbs-up becomes an answerable question whose citations must quote what was cited; a
    thumbs-down one the documents should not answer as they did (exported as unanswerable)."""
    if case["rating"] == "up":
        quotes = [c["quote"] for c in case["citations"] if c.get("quote")]
        return {"question": case["question"], "answerable": True, "support": quotes}
    check = {"question": case["question"], "answerable": False}
    if case["comment"] or case["correct_source"]:
        check["rated_down"] = {"comment": case["comment"], "correct_source": case["correct_source"]}
    return check
