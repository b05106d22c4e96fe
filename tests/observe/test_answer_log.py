"""The answer log: every answer kept with what it cited, rated once (the latest rating wins), pruned
by age, and without any text when log.questions is off."""
import sqlite3

import pytest

from rag.errors import NotFoundError, UserInputError
from rag.observe.answer_log import AnswerLog


@pytest.fixture
def asked(fake_service):
    fake_service.index.run()
    seen = []
    fake_service.answers.observers.append(seen.append)
    fake_service.answers.ask("What did Xi tell Biden?")
    return fake_service, seen[-1]


def test_an_answer_is_kept_with_what_it_cited_and_rated_once(asked):
    service, one = asked
    log = service.answer_log
    assert log.get(one.answer.answer_id)["question"] == "What did Xi tell Biden?"
    log.rate(one.answer.answer_id, "up")
    log.rate(one.answer.answer_id, "down", "wrong sentence", "other.txt")
    (rated,) = log.rated()
    assert (rated["rating"], rated["comment"], rated["correct_source"]) == ("down", "wrong sentence", "other.txt")
    cited = one.answer.citations[0]
    assert rated["citations"][0] == {"n": 1, "source": cited.source, "start": cited.start, "end": cited.end,
                                     "quote": cited.quote}


def test_a_bad_rating_or_an_unknown_answer_is_refused_with_a_reason(asked):
    service, one = asked
    with pytest.raises(UserInputError, match="rating must be one of: up, down"):
        service.answer_log.rate(one.answer.answer_id, "meh")
    with pytest.raises(NotFoundError, match="No answer with id 'nope'"):
        service.answer_log.rate("nope", "up")
    with pytest.raises(UserInputError, match="limit is 2000"):
        service.answer_log.rate(one.answer.answer_id, "up", "x" * 2001)


def test_without_questions_only_ids_offsets_and_timings_are_kept(asked, tmp_path):
    _, one = asked
    log = AnswerLog(tmp_path / "a.sqlite3", keep_text=False)
    log.record(one)
    log.flush()
    with sqlite3.connect(tmp_path / "a.sqlite3") as db:
        row = db.execute("SELECT question, query, answer, citations, seconds FROM answers").fetchone()
    assert row[:3] == (None, None, None) and "quote" not in row[3] and row[4] > 0
    assert one.answer.citations[0].source in row[3]


def test_answers_older_than_the_retention_are_dropped_with_their_ratings(asked, tmp_path):
    _, one = asked
    log = AnswerLog(tmp_path / "a.sqlite3", retention_days=1)
    log.record(one)
    log.rate(one.answer.answer_id, "up")
    with sqlite3.connect(tmp_path / "a.sqlite3") as db:
        db.execute("UPDATE answers SET at = at - 2 * 86400")
    log = AnswerLog(tmp_path / "a.sqlite3", retention_days=1)  # the next start prunes (then once an hour)
    log.record(one.__class__(**{**one.__dict__, "answer": one.answer.model_copy(update={"answer_id": "new"})}))
    assert log.get(one.answer.answer_id) is None and log.rated() == [] and log.get("new") is not None
