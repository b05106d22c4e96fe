"""Cross-validating a threshold from a sweep: each fold's pick is made without its own rows."""
from rag.tools.crossval import cross_validate, most_refusals_at


def summary(rows):
    answerable = [r for r in rows if not r["impossible"]]
    impossible = [r for r in rows if r["impossible"]]
    share = lambda items, key: sum(r[key] for r in items) / len(items) if items else 0.0  # noqa: E731
    return {"cite_hit": share(answerable, "cite_hit"), "refusal": share(impossible, "refused"),
            "accuracy": (sum(r["cite_hit"] for r in answerable) + sum(r["refused"] for r in impossible)) / len(rows)}


def row(impossible, ok):
    return {"impossible": impossible, "cite_hit": ok and not impossible, "refused": ok and impossible}


def test_each_fold_is_judged_under_the_setting_the_other_folds_chose():
    # Four paragraphs of one answerable and one unanswerable question each. The strict setting
    # refuses everything unanswerable but loses paragraph "d"'s answer; the lenient one refuses nothing.
    groups = [g for g in "abcd" for _ in range(2)]
    lenient = [row(False, True), row(True, False)] * 4
    strict = [row(False, True), row(True, True)] * 3 + [row(False, False), row(True, True)]
    result = cross_validate([{"t": 0}, {"t": 1}], [lenient, strict], groups, summary, most_refusals_at(0.6), folds=4)
    assert result["in_sample"]["t"] == 1 and result["in_sample"]["cite_hit"] == 0.75
    assert [c["t"] for c in result["chosen"]] == [1, 1, 1, 1]
    assert result["cross_validated"]["refusal"] == 1.0 and result["cross_validated"]["cite_hit"] == 0.75
    # At 0.7 the strict setting qualifies only where "d" is held out: in-sample it looks better than it is.
    stricter = cross_validate([{"t": 0}, {"t": 1}], [lenient, strict], groups, summary, most_refusals_at(0.7), folds=4)
    assert stricter["in_sample"]["t"] == 1 and stricter["in_sample"]["refusal"] == 1.0
    assert [c["t"] for c in stricter["chosen"]] == [0, 0, 0, 1]
    assert stricter["cross_validated"]["cite_hit"] == 0.75 and stricter["cross_validated"]["refusal"] == 0.25
