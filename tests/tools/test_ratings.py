"""Ratings as regression cases: re-asked, a thumbs-up must cite what it cited, a thumbs-down must change."""
import json

import pytest

from rag.errors import ConfigError
from rag.tools.qa import evaluate_qa
from rag.tools.ratings import evaluate_feedback, export_feedback


@pytest.fixture
def rated(fake_service):
    fake_service.index.run()
    up = fake_service.answers.ask("What did Xi tell Biden?")
    down = fake_service.answers.ask("When did Russia invade Ukraine?")
    fake_service.rate(up.answer_id, "up")
    fake_service.rate(down.answer_id, "down", "that is not when")
    return fake_service, up, down


def test_an_unchanged_index_holds_the_thumbs_up_and_flags_the_thumbs_down(rated):
    service, up, down = rated
    report = evaluate_feedback(service)
    assert (report["rated"], report["rechecked"], report["held"]) == (2, 2, 1)
    (moved,) = report["moved"]
    assert moved["rating"] == "down" and moved["question"] == "When did Russia invade Ukraine?"
    assert moved["comment"] == "that is not when" and moved["after"] == down.answer
    assert len(service.answer_log.rated()) == 2 and service.answer_log.get(up.answer_id)  # re-asking logged nothing


def test_once_the_documents_change_the_thumbs_down_holds_and_the_thumbs_up_moves(rated):
    service, _, _ = rated
    for path in service.settings.paths.seeds.iterdir():
        path.write_text("Penguins waddle across Antarctic ice in winter.\n", encoding="utf-8")
    service.index.run()
    report = evaluate_feedback(service)
    assert report["held"] == 1 and [m["rating"] for m in report["moved"]] == ["up"]


def test_export_writes_a_qa_set_that_eval_qa_reads(rated, tmp_path):
    service, up, _ = rated
    assert export_feedback(service, tmp_path / "rated.jsonl") == 2
    checks = [json.loads(line) for line in (tmp_path / "rated.jsonl").read_text().splitlines()]
    assert checks[0] == {"question": "What did Xi tell Biden?", "answerable": True,
                         "support": [c.quote for c in up.citations]}
    assert checks[1]["answerable"] is False and checks[1]["rated_down"]["comment"] == "that is not when"
    report = evaluate_qa(service, tmp_path / "rated.jsonl")
    assert report["questions"] == 2 and report["citation_precision"] == 1.0 and report["refusal_accuracy"] == 0.5


def test_without_the_answer_log_there_is_nothing_to_rate_and_it_says_how_to_fix_it(fake_service):
    quiet = fake_service.reconfigured(log__answers=False)
    with pytest.raises(ConfigError, match="log.answers: true"):
        evaluate_feedback(quiet)
    with pytest.raises(ConfigError, match="log.answers: true"):
        quiet.rate("x", "up")
