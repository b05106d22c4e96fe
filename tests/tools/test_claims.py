"""`rag eval --claims DIR`: each set over its own documents, the thresholds cross-validated across sets."""
import json
from types import SimpleNamespace

from rag.tools import claims as claims_eval


class Service:
    """Claims ending in "true" are kept whatever the thresholds; the rest are caught unless the term
    overlap demanded is below 0.4 (then the set named "loose" lets them through)."""

    def __init__(self, seeds, index, overlap=0.5):
        self.settings = SimpleNamespace(paths=SimpleNamespace(seeds=seeds, index=index))
        self.seen = seeds
        self.index = SimpleNamespace(has_index=lambda: True, run=lambda: None)
        self.answers = SimpleNamespace(search=lambda q: [], grounder=Judge(overlap, seeds))

    def reconfigured(self, paths__seeds, paths__index):
        return Service(paths__seeds, paths__index)


class Judge:
    def __init__(self, overlap, seeds):
        self.overlap, self.seeds = overlap, seeds

    def judge(self, text, hits):
        claim = text.removesuffix(" [1]")
        kept = claim.endswith("true") or (self.overlap < 0.4 and "loose" in str(self.seeds))
        return [(claim, [object()] if kept else None, None if kept else SimpleNamespace(check="novel", reason="no"))]


def test_every_set_is_read_against_its_own_documents_and_the_thresholds_are_cross_validated(tmp_path, monkeypatch):
    for name in ("tight", "loose"):
        (tmp_path / name).mkdir()
        rows = [{"claim": "it is true", "true": True, "category": "paraphrase"},
                {"claim": "it is false", "true": False, "category": "roles"}]
        (tmp_path / f"{name}_claims.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    monkeypatch.setattr(claims_eval, "_grounder", lambda service, v: Judge(v["min_term_overlap"], service.seen))
    report = claims_eval.evaluate_claim_sets(Service(tmp_path / "seeds", None), tmp_path, tmp_path / "work")
    assert report["claims"] == 4 and report["true_kept"] == 1.0 and report["false_caught"] == 1.0
    assert set(report["sets"]) == {"tight", "loose"}
    cv = report["thresholds_cross_validated"]
    # "loose" held out: "tight" cannot tell the settings apart and the first (0.3) is taken, which
    # lets "loose"'s false claim through; "tight" held out: "loose" shows 0.3 to be too lenient.
    assert cv["folds"] == 2 and [c["min_term_overlap"] for c in cv["chosen"]] == [0.3, 0.4]
    assert cv["cross_validated"]["false_caught"] == 0.5 and cv["in_sample"]["false_caught"] == 1.0
    assert [g["false_caught"] for g in report["grid"] if g["min_term_overlap"] == 0.3] == [0.5, 0.5, 0.5]
