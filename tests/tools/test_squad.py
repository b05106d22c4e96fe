"""`rag eval --squad` pieces: loading, SQuAD's normalisation, grading and the summary."""
import json
from types import SimpleNamespace

import pytest

from rag.errors import RagError
from rag.tools.squad import (LENGTHS, evaluate_squad, grade, holds_answer, load_squad, normalize, summarise,
                             sweep_table, write_articles)

SAMPLE = {"data": [{"title": "Tea_history", "paragraphs": [
    {"context": "Tea reached Europe in 1606. The Dutch brought it.",
     "qas": [{"id": "1", "question": "When did tea reach Europe?", "is_impossible": False,
              "answers": [{"text": "1606", "answer_start": 22}]},
             {"id": "2", "question": "When did tea reach Japan?", "is_impossible": True, "answers": []}]}]}]}


def test_load_and_write_one_document_an_article(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps(SAMPLE))
    articles = load_squad(path)
    assert [q.impossible for q in articles[0].questions] == [False, True]
    write_articles(articles, tmp_path / "seeds")
    (doc,) = (tmp_path / "seeds").iterdir()
    assert doc.read_text() == "Tea history\nTea reached Europe in 1606. The Dutch brought it.\n"


def test_a_file_that_is_not_squad_is_a_clear_error(tmp_path):
    (tmp_path / "x.json").write_text("{}")
    with pytest.raises(RagError, match="not a SQuAD 2.0 JSON"):
        load_squad(tmp_path / "x.json")


def test_squad_normalisation():
    assert normalize("The  Dutch, in 1606!") == "dutch in 1606"
    assert holds_answer("Tea reached Europe in 1606.", ["1606"]) and not holds_answer("In 16060.", ["1606"])
    assert holds_answer("Dyrrachium—one of the bases—fell.", ["Dyrrachium"]) and normalize("Norse–Gaels") == "norse gaels"
    assert normalize("Rollo's") == "rollos"  # (ASCII marks are dropped, as SQuAD's script does)


CITED = {"answer": "Tea reached Europe in 1606. [1]", "not_found": False,
         "citations": [{"quote": "Tea reached Europe in 1606."}]}
REFUSED = {"answer": "The documents do not contain an answer.", "not_found": True, "citations": []}


@pytest.fixture
def questions(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps(SAMPLE))
    return load_squad(path)[0].questions


def test_grading_and_summary(questions):
    answerable, impossible = questions
    report = summarise([grade(answerable, CITED), grade(impossible, REFUSED)])
    assert report["cite_hit"] == report["refusal"] == report["accuracy"] == 1.0
    assert report["false_refusal"] == 0.0 and report["mean_answer_words"] == 5
    assert summarise([grade(answerable, REFUSED), grade(impossible, CITED)])["accuracy"] == 0.0


def test_short_answers_are_counted_and_matched_after_normalisation(questions):
    answerable, _ = questions
    right = grade(answerable, {**CITED, "short_answer": {"text": "1606"}})
    wrong = grade(answerable, {**CITED, "short_answer": {"text": "Europe"}})
    report = summarise([right, wrong, grade(answerable, CITED)])
    assert report["short_answers"] == 2 and report["short_answer_hit"] == 0.5


class ShortWhenTold:
    """A service that cites the gold sentence unless a variant asks for more than it allows:
    min_score above 0.65 refuses everything, max_sentences 1 quotes a shorter sentence."""
    def __init__(self):
        self.index = SimpleNamespace(run=lambda: None)
        self.answers = SimpleNamespace(ask=lambda question: self._answer(question, {}))

    def answers_under(self, question, variants):
        return [self._answer(question, v) for v in variants]

    def _answer(self, question, variant):
        if variant.get("min_score", 0.6) > 0.65:
            return Reply(REFUSED)
        text = "Tea reached Europe in 1606." if variant.get("max_sentences", 3) > 1 else "Tea reached 1606."
        return Reply({**CITED, "answer": text + " [1]"})


class Reply(dict):  # stands in for records.Answer
    def model_dump(self, mode=None):
        return self


def test_the_sweeps_vary_one_setting_each_and_say_what_it_cost(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps(SAMPLE))
    fake = ShortWhenTold()
    report = evaluate_squad(fake, load_squad(path), sweep=(0.6, 0.7), under=fake.answers_under)
    assert [(r["min_score"], r["refusal"], r["cite_hit"]) for r in report["sweep"]] == [(0.6, 0.0, 1.0), (0.7, 1.0, 0.0)]
    assert [r["mean_answer_words"] for r in report["lengths"]] == [5, 5, 3, 5, 5]
    assert [{k: r[k] for k in v} for r, v in zip(report["lengths"], LENGTHS)] == list(LENGTHS)
    table = sweep_table(report["lengths"]).splitlines()
    assert table[0].split()[:2] == ["setting", "cite_hit"] and table[3].split()[:3] == ["max_sentences", "1", "1.000"]
