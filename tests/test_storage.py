import json

import pytest

from rag import storage
from rag.errors import CorruptIndexError, NoIndexError


def test_missing_index(tmp_path):
    with pytest.raises(NoIndexError):
        storage.load_snapshot(tmp_path / "none")


@pytest.mark.parametrize("damage", ["truncate-vectors", "delete-chunks", "garbage-manifest", "drop-chunk"])
def test_corrupt_index_gives_a_clear_message_naming_the_fix(fake_service, damage):
    fake_service.index()
    folder = storage.versions_dir(fake_service.index_dir) / storage.current_name(fake_service.index_dir)
    if damage == "truncate-vectors":
        path = folder / "vectors.faiss"
        path.write_bytes(path.read_bytes()[:100])
    elif damage == "delete-chunks":
        (folder / "chunks.jsonl").unlink()
    elif damage == "garbage-manifest":
        (folder / "manifest.json").write_text("{not json")
    else:
        lines = (folder / "chunks.jsonl").read_text().splitlines()
        (folder / "chunks.jsonl").write_text("\n".join(lines[1:]))
    with pytest.raises(CorruptIndexError, match="rag index --rebuild"):
        storage.load_snapshot(fake_service.index_dir)


def test_indexer_repairs_a_corrupt_index(fake_service):
    first = fake_service.index()
    folder = storage.versions_dir(fake_service.index_dir) / first.version
    (folder / "manifest.json").write_text("{not json")
    repaired = fake_service.index()
    assert repaired.added == 1 and repaired.chunks_total == first.chunks_total
    assert json.loads((storage.versions_dir(fake_service.index_dir) / repaired.version / "manifest.json").read_text())
