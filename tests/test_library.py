"""Collections in one service: made, listed, asked and deleted, each apart from the others."""
import pytest

from rag.errors import ConflictError, NotFoundError, UserInputError
from rag.library import Library
from tests.conftest import FakeEmbedder, make_settings


@pytest.fixture
def library(tmp_path):
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "lobby.txt").write_text("The lobby opens at eight.\n")
    handbook = tmp_path / "handbook"
    handbook.mkdir()
    (handbook / "rules.md").write_text("# Rules\n\nThe canteen opens at noon.\n")
    settings = make_settings(tmp_path / "seeds", tmp_path / "index",
                             collections={"handbook": {"seeds": handbook, "retrieval": {"top_k": 2}}})
    made = Library(settings, embedder=FakeEmbedder())
    yield made
    made.close()


def test_default_and_configured_collections_answer_each_from_their_own(library):
    for name in ("default", "handbook"):
        library.get(name).index.run()
    assert library.names() == ["default", "handbook"]
    assert library.get("handbook").settings.retrieval.top_k == 2 and library.get("default").settings.retrieval.top_k == 5
    answer = library.get("handbook").answers.ask("When does the canteen open?")
    assert {c.source for c in answer.citations} == {"rules.md"}
    assert {c.source for c in library.get("default").answers.ask("When does the canteen open?").citations} <= {"lobby.txt"}
    assert library.get("handbook").embedder is library.get("default").embedder  # one model in memory


def test_create_validates_names_and_delete_keeps_files_unless_asked(library, tmp_path):
    for bad in ("Default", "default", "has space", "../up", "", "x" * 41):
        with pytest.raises(UserInputError):
            library.create(bad)
    made = library.create("team-a")
    seeds = library.get("team-a").settings.paths.seeds
    (seeds / "a.txt").write_text("Team A ships on Tuesdays.\n")
    library.get("team-a").index.run()
    assert made["documents"] == 0 and library.describe("team-a")["documents"] == 1
    with pytest.raises(ConflictError):
        library.create("team-a")
    library.delete("team-a")
    assert "team-a" not in library.names() and (seeds / "a.txt").exists()
    assert not (tmp_path / "index" / "collections" / "team-a" / "index").exists()
    library.create("team-b")
    library.delete("team-b", files=True)
    assert not (tmp_path / "index" / "collections" / "team-b").exists()
    with pytest.raises(NotFoundError):
        library.get("team-b")
    with pytest.raises(UserInputError, match="config.yaml"):
        library.delete("handbook")


def test_a_collection_with_its_own_folder_never_loses_it(library, tmp_path):
    outside = tmp_path / "shared-docs"
    outside.mkdir()
    (outside / "x.txt").write_text("Shared text.\n")
    library.create("shared", outside)
    library.delete("shared", files=True)
    assert (outside / "x.txt").exists()


@pytest.mark.slow
def test_on_milvus_each_collection_is_its_own_set_of_milvus_collections(tmp_path):
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "lobby.txt").write_text("The lobby opens at eight.\n")
    settings = make_settings(tmp_path / "seeds", tmp_path / "index", store__backend="milvus",
                             store__milvus__uri=str(tmp_path / "milvus.db"))
    library = Library(settings, embedder=FakeEmbedder())
    try:
        library.create("team-a")
        (library.get("team-a").settings.paths.seeds / "a.txt").write_text("Team A ships on Tuesdays.\n")
        for name in ("default", "team-a"):
            library.get(name).index.run()
        assert set(library.get("team-a").index.snapshot().documents) == {"a.txt"}
        assert set(library.get("default").index.snapshot().documents) == {"lobby.txt"}
        hits = library.get("team-a").answers.search("When does the lobby open?")
        assert {h.chunk.source for h in hits} == {"a.txt"}
        library.delete("team-a")
        assert set(library.get("default").index.snapshot().documents) == {"lobby.txt"}
        left = library.get("default").index.store.client.list_collections()
        assert left and not [n for n in left if "team_a" in n]  # its Milvus collections dropped, default's kept
    finally:
        library.close()
