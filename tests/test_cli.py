"""The CLI contract, run as a user runs it: real subprocesses, real model, FAISS on disk."""
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from tests.conftest import SEED_FILE

pytestmark = pytest.mark.slow
INDEX_KEYS = {"added", "updated", "removed", "unchanged", "skipped", "chunks_embedded", "chunks_total", "seconds"}
FIRST_INDEX: dict = {}
CITATION_KEYS = {"id", "source", "title", "date", "quote", "start", "end", "chunk_id", "text", "score"}


def rag(*args, cwd=None, env=None, check=True, drop=()):
    environ = {k: v for k, v in {**os.environ, **(env or {})}.items() if k not in drop}
    result = subprocess.run(
        [sys.executable, "-m", "rag.cli", *map(str, args)],
        capture_output=True, text=True, cwd=cwd, env=environ, timeout=300,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"rag {args} failed: {result.stderr}")
    return result


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    (root / "seeds").mkdir()
    shutil.copy(SEED_FILE, root / "seeds")
    FIRST_INDEX.update(index_json(root))
    return root


def index_json(ws):
    out = rag("index", "--seeds", ws / "seeds", "--index", ws / "index", "--json").stdout
    data = json.loads(out)
    assert set(data) == INDEX_KEYS
    return data


def ask_json(ws, question):
    return json.loads(rag("ask", question, "--index", ws / "index", "--json").stdout)


def test_index_then_ask_names_both_remarks_with_sentence_quotes(workspace):
    summary = FIRST_INDEX
    assert (summary["added"], summary["removed"], summary["skipped"]) == (1, 0, [])
    assert summary["chunks_embedded"] == summary["chunks_total"] > 0

    answer = ask_json(workspace, "What did Xi tell Biden?")
    assert not answer["not_found"]
    text = SEED_FILE.read_text(encoding="utf-8")
    markers = {int(m) for m in re.findall(r"\[(\d+)\]", answer["answer"])}
    assert markers == {c["id"] for c in answer["citations"]}
    for c in answer["citations"]:
        assert set(c) >= CITATION_KEYS
        assert text[c["start"] : c["end"]] == c["quote"] and c["quote"] in c["text"]
        assert c["source"] == SEED_FILE.name and c["date"] == "2024-11-20"
    quotes = " ".join(c["quote"] for c in answer["citations"])
    assert "core interests" in quotes and "conflict and turmoil" in quotes
    for phrase in ("core interests", "conflict and turmoil"):
        cited = [c for c in answer["citations"] if phrase in c["quote"]][0]
        assert f"[{cited['id']}]" in answer["answer"]
        assert cited["quote"].endswith(".") and "Biden" in cited["quote"]


def test_question_the_documents_do_not_answer(workspace):
    answer = ask_json(workspace, "What is the population of Brazil?")
    assert answer["not_found"] is True and answer["citations"] == []
    assert "do not contain" in answer["answer"]


def test_plain_output_lists_numbered_sources(workspace):
    out = rag("ask", "What did Xi tell Biden?", "--index", workspace / "index").stdout
    assert "Sources:" in out and "[1] Chinese, Russian FMs discuss Korea tensions" in out
    assert "core interests" in out


def test_add_edit_delete_reports_exactly_that_change(workspace):
    seeds = workspace / "seeds"
    (seeds / "tea.md").write_text("# Tea notes\n\nThe Darjeeling harvest was blessed by heavy monsoon rain this year.\n")
    added = index_json(workspace)
    assert (added["added"], added["updated"], added["removed"], added["unchanged"]) == (1, 0, 0, 1)
    assert added["chunks_embedded"] == 1
    answer = ask_json(workspace, "What was the Darjeeling harvest blessed by?")
    assert any(c["source"] == "tea.md" and "monsoon" in c["quote"] for c in answer["citations"])

    (seeds / "tea.md").write_text("# Tea notes\n\nThe Darjeeling harvest suffered from a long drought this year.\n")
    edited = index_json(workspace)
    assert (edited["added"], edited["updated"], edited["removed"], edited["unchanged"]) == (0, 1, 0, 1)
    assert edited["chunks_embedded"] == 1
    answer = ask_json(workspace, "What did the Darjeeling harvest suffer from?")
    quotes = " ".join(c["quote"] for c in answer["citations"])
    assert "drought" in quotes and "monsoon" not in quotes

    (seeds / "tea.md").unlink()
    removed = index_json(workspace)
    assert (removed["added"], removed["updated"], removed["removed"], removed["unchanged"]) == (0, 0, 1, 1)
    assert removed["chunks_embedded"] == 0
    answer = ask_json(workspace, "What did the Darjeeling harvest suffer from?")
    assert all(c["source"] != "tea.md" for c in answer["citations"])


def test_errors_are_one_line_without_traceback(workspace, tmp_path):
    cases = [
        (["ask", "What?", "--index", tmp_path / "no-index"], "No index found"),
        (["ask", "   ", "--index", workspace / "index"], "question is empty"),
        (["index", "--seeds", tmp_path / "missing", "--index", tmp_path / "i"], "Seeds folder not found"),
        (["ask", "x", "--config", tmp_path / "nope.yaml"], "Config file not found"),
    ]
    for args, message in cases:
        result = rag(*args, check=False)
        assert result.returncode == 1, args
        assert message in result.stderr and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_env_vars_name_the_folders(workspace):
    env = {"RAG_INDEX_DIR": str(workspace / "index"), "RAG_SEEDS_DIR": str(workspace / "seeds")}
    result = rag("ask", "Who did Wang Yi meet?", "--json", env=env)
    assert "Lavrov" in json.loads(result.stdout)["answer"]


def test_cloud_model_without_key_gives_one_line_reason_and_extractive_answer(workspace):
    args = ("ask", "--model", "openai/gpt-4o-mini", "--index", workspace / "index", "What did Xi tell Biden?")
    answer = json.loads(rag(*args, "--json", drop=("OPENAI_API_KEY",)).stdout)
    assert answer["model"] == "extractive" and answer["citations"]
    assert answer["note"].startswith("Model openai/gpt-4o-mini needs an API key: set OPENAI_API_KEY")
    plain = rag(*args, drop=("OPENAI_API_KEY",)).stdout
    assert "Note: Model openai/gpt-4o-mini needs an API key" in plain and "[1]" in plain


def test_local_model_answers_offline_with_checked_citations(workspace):
    answer = ask_json_with(workspace, "--model", "local/smollm2-135m")
    assert not answer["not_found"] and answer["citations"]
    markers = {int(m) for m in re.findall(r"\[(\d+)\]", answer["answer"])}
    assert markers == {c["id"] for c in answer["citations"]}
    text = SEED_FILE.read_text(encoding="utf-8")
    assert all(text[c["start"] : c["end"]] == c["quote"] for c in answer["citations"])


def test_stream_flag_prints_tokens_then_the_checked_answer(workspace):
    out = rag("ask", "--stream", "--index", workspace / "index", "What did Xi tell Biden?").stdout
    assert "--- checked answer ---" in out and "Sources:" in out


def test_history_flag_condenses_a_follow_up(workspace):
    history = json.dumps([{"role": "user", "content": "What did Xi tell Biden?"},
                          {"role": "assistant", "content": "..."}])
    answer = ask_json_with(workspace, "--history", history, question="Where did they meet?")
    assert answer["query"] == "Where did they meet? (Xi Biden)"
    assert any("Peru" in c["quote"] for c in answer["citations"])


def ask_json_with(ws, *flags, question="What did Xi tell Biden?"):
    return json.loads(rag("ask", question, "--index", ws / "index", "--json", *flags).stdout)


def test_an_unsupported_sentence_is_listed_with_its_reason():
    from rag.cli_format import format_sources

    result = {"note": None, "citations": [], "parts": [
        {"text": "Xi spoke.", "citations": [1], "unsupported": False, "reason": None},
        {"text": "Biden told Xi.", "citations": [], "unsupported": True,
         "reason": "The passage closest to this sentence has its names the other way round: “Xi told Biden.”"}]}
    assert format_sources(result) == ("Unsupported: “Biden told Xi.” (The passage closest to this sentence has its "
                                      "names the other way round: “Xi told Biden.”)")


def test_a_rated_cli_answer_is_exported_as_a_qa_check_and_rechecked(workspace, tmp_path):
    from rag.observe.answer_log import AnswerLog

    answer = ask_json(workspace, "What did Xi tell Biden?")
    AnswerLog(workspace / "index" / "answers.sqlite3").rate(answer["answer_id"], "up")
    rag("feedback", "export", "--out", tmp_path / "rated.jsonl", "--index", workspace / "index")
    (check,) = [json.loads(line) for line in (tmp_path / "rated.jsonl").read_text().splitlines()]
    assert check == {"question": "What did Xi tell Biden?", "answerable": True,
                     "support": [c["quote"] for c in answer["citations"]]}
    report = json.loads(rag("eval", "--feedback", "--index", workspace / "index", "--seeds", workspace / "seeds",
                            "--json").stdout)
    assert (report["rated"], report["held"], report["moved"]) == (1, 1, [])
    qa = json.loads(rag("eval", "--qa", tmp_path / "rated.jsonl", "--index", workspace / "index", "--seeds",
                        workspace / "seeds", "--json").stdout)
    assert qa["answer_hit_rate"] == 1.0 and qa["citation_precision"] == 1.0


def test_add_url_then_refresh_then_ask_cites_the_page(tmp_path):
    from tests.web_stub import WebStub

    web = WebStub()
    try:
        story = ("<html><head><title>Night ferry</title></head><body><nav>Home | Subscribe</nav><article>"
                 "<h1>The night ferry returns</h1><p>The harbour board said that the night ferry to Lindholm will "
                 "run again from March, after two years without a service.</p></article></body></html>")
        url = web.page("/news/night-ferry.html", story)
        config = tmp_path / "config.yaml"
        config.write_text("fetch:\n  allow_private: true\n")
        where = ["--seeds", tmp_path / "seeds", "--index", tmp_path / "index"]
        refused = rag("add", url, *where, check=False)  # the project's own config: loopback is refused
        assert refused.returncode == 1 and "fetch.allow_private" in refused.stderr and web.requests == []
        added = json.loads(rag("add", url, *where, "--config", config, "--json").stdout)
        assert added["name"] == "127.0.0.1-night-ferry.html" and added["added"] == 1
        assert rag("refresh", *where, "--config", config).stdout.strip() == "127.0.0.1-night-ferry.html: unchanged"
        web.page("/news/night-ferry.html", story.replace("from March", "from April"))
        assert "changed, re-indexed" in rag("refresh", *where, "--config", config).stdout
        answer = json.loads(rag("ask", "When will the night ferry to Lindholm run again?", *where, "--json").stdout)
        assert answer["citations"][0]["url"] == url and "from April" in answer["citations"][0]["quote"]
        plain = rag("ask", "When will the night ferry to Lindholm run again?", *where).stdout
        assert url in plain
    finally:
        web.close()


def test_where_narrows_the_documents_asked(workspace):
    where = ["--seeds", workspace / "seeds", "--index", workspace / "index"]
    question = "What did Xi tell Biden?"
    kept = json.loads(rag("ask", question, *where, "--where", f"documents={SEED_FILE.name[:4]}*", "--json").stdout)
    assert not kept["not_found"] and kept["filters"]["documents"] == [SEED_FILE.name[:4] + "*"]
    none = json.loads(rag("ask", question, *where, "--where", "tags=ferry,harbour", "--json").stdout)
    assert none["not_found"] and none["filters"]["tags"] == ["ferry", "harbour"]
    bad = rag("ask", question, *where, "--where", "colour", check=False)
    assert bad.returncode == 1 and "key=value" in bad.stderr and "Traceback" not in bad.stderr


def test_collections_are_made_asked_listed_and_deleted_from_the_cli(tmp_path):
    where = ["--index", tmp_path / "index"]
    (tmp_path / "seeds").mkdir()
    made = json.loads(rag("collections", "create", "handbook", *where, "--json").stdout)
    seeds = tmp_path / "index" / "collections" / "handbook" / "seeds"
    assert made["name"] == "handbook" and made["seeds"] == str(seeds)
    (seeds / "rules.md").write_text("# Rules\n\nThe canteen opens at noon.\n")
    rag("index", "--collection", "handbook", "--seeds", tmp_path / "seeds", *where)
    answer = json.loads(rag("ask", "When does the canteen open?", "--collection", "handbook", "--seeds",
                            tmp_path / "seeds", *where, "--json").stdout)
    assert answer["citations"][0]["source"] == "rules.md"
    listed = json.loads(rag("collections", "list", *where, "--json").stdout)
    assert [(c["name"], c["documents"]) for c in listed][1:] == [("handbook", 1)]
    qa = tmp_path / "qa.jsonl"
    qa.write_text(json.dumps({"question": "When does the canteen open?", "expected": ["noon"], "support": ["noon"]})
                  + "\n")
    scored = json.loads(rag("eval", "--qa", qa, "--collection", "handbook", *where, "--json").stdout)
    assert scored["answer_hit_rate"] == 1.0
    missing = rag("ask", "x", "--collection", "nope", *where, check=False)
    assert missing.returncode == 1 and "No collection named 'nope'" in missing.stderr
    assert "documents are kept" in rag("collections", "delete", "handbook", *where).stdout
    assert (seeds / "rules.md").exists()
