"""The service wiring with a fake embedder: validation, snapshot swaps, index summaries."""
import pytest

from rag.errors import NoIndexError, UserInputError


def test_ask_before_index_is_a_clear_error(fake_service):
    with pytest.raises(NoIndexError, match="rag index"):
        fake_service.answers.ask("What did Xi tell Biden?")


@pytest.mark.parametrize("question", ["", "   \n\t", None, 42, "\x00\x01\x02", "x" * 5000])
def test_bad_questions_are_refused(fake_service, question):
    fake_service.index.run()
    with pytest.raises(UserInputError):
        fake_service.answers.ask(question)


@pytest.mark.parametrize("top_k", [0, -1, 101, 2.5, True, "3"])
def test_bad_top_k_is_refused(fake_service, top_k):
    fake_service.index.run()
    with pytest.raises(UserInputError, match="top_k"):
        fake_service.answers.ask("Xi", top_k=top_k)


def test_control_characters_are_cleaned_not_fatal(fake_service):
    fake_service.index.run()
    answer = fake_service.answers.ask("What did Xi\x07 tell Biden?")
    assert answer.query == "What did Xi  tell Biden?"


def test_citations_come_from_the_live_version(fake_service, seeds_copy):
    first = fake_service.index.run()
    answer = fake_service.answers.ask("Xi Biden")
    assert answer.index_version == first.version
    (seeds_copy / "tea.txt").write_text("Tea\nGreen tea is steamed.")
    second = fake_service.index.run()
    assert fake_service.answers.ask("Green tea steamed").index_version == second.version != first.version


def test_service_sees_a_version_swapped_in_by_another_process(fake_service, seeds_copy, fake_embedder):
    from rag.ingest.indexer import Indexer

    fake_service.index.run()
    old = fake_service.index.snapshot().name
    (seeds_copy / "more.txt").write_text("More text here.")
    s = fake_service.settings
    Indexer(fake_embedder, s.chunking.chunk_tokens, s.chunking.overlap_tokens).run(s.paths.seeds, s.paths.index)
    assert fake_service.index.snapshot().name != old
