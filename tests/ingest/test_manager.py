"""The index manager of one seeds folder: runs, the live version, documents, uploads and deletes."""
import pytest

from rag.errors import NotFoundError, PayloadTooLargeError, UserInputError

from tests.conftest import make_settings


def test_a_run_swaps_in_the_new_version_and_status_counts_it(fake_service):
    manager = fake_service.index
    assert not manager.has_index() and manager.status()["documents"] == 0
    summary = manager.run()
    status = manager.status()
    assert summary.added == 1 and status["documents"] == 1 and status["chunks"] == summary.chunks_total
    assert status["index_version"] == manager.snapshot().name == summary.version and status["built"]


def test_documents_and_their_text_are_what_citations_point_into(fake_service):
    manager = fake_service.index
    manager.run()
    (row,) = manager.documents()
    doc = manager.document(row["name"])
    answer = fake_service.answers.ask("What did Xi tell Biden?")
    assert all(doc["text"][c.start:c.end] == c.quote for c in answer.citations)
    data, kind = manager.document_file(row["name"])
    assert data and kind.startswith("text/plain")
    with pytest.raises(NotFoundError):
        manager.document("../config.yaml")


def test_an_upload_is_saved_at_once_and_indexed_by_its_job(fake_service):
    manager = fake_service.index
    manager.run()
    name, job = manager.upload("notes.md", b"# Notes\n\nThe ferry leaves at nine.\n")
    assert name == "notes.md" and (manager.seeds_dir / name).exists()
    assert manager.jobs.result(job.id)["added"] == 1
    assert "notes.md" in manager.snapshot().documents
    delete = manager.remove("notes.md")
    assert manager.jobs.result(delete.id)["removed"] == 1 and not (manager.seeds_dir / name).exists()


def test_bad_uploads_are_refused_and_nothing_is_written(seeds_copy, tmp_path, fake_embedder):
    from rag.service import build_service

    manager = build_service(make_settings(seeds_copy, tmp_path / "index", server__max_upload_mb=0.001),
                            fake_embedder).index
    before = sorted(p.name for p in seeds_copy.iterdir())
    with pytest.raises(PayloadTooLargeError):
        manager.upload("big.txt", b"x" * 5000)
    with pytest.raises(UserInputError):
        manager.upload("image.exe", b"MZ")
    assert sorted(p.name for p in seeds_copy.iterdir()) == before
