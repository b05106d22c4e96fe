"""The local index on disk: a damaged one is reported with the fix, and the indexer repairs it."""
import json
import shutil

import pytest

from rag.stores import versions
from rag.errors import CorruptIndexError, NoIndexError

from tests.conftest import live_view


def test_missing_index(tmp_path):
    with pytest.raises(NoIndexError):
        live_view(tmp_path / "none")


def _version(index):
    return versions.versions_dir(index) / f"{versions.current_name(index)}.json"


def _segment(index):
    name = json.loads(_version(index).read_text())["segments"][0]["name"]
    return versions.segments_dir(index) / name


@pytest.mark.parametrize("damage", ["truncate-vectors", "delete-chunks", "garbage-manifest", "drop-chunk",
                                    "delete-segment", "older-format"])
def test_corrupt_index_gives_a_clear_message_naming_the_fix(fake_service, damage):
    fake_service.index.run()
    index = fake_service.index.index_dir
    segment = _segment(index)
    if damage == "truncate-vectors":
        path = segment / "vectors.faiss"
        path.write_bytes(path.read_bytes()[:100])
    elif damage == "delete-chunks":
        (segment / "chunks.jsonl").unlink()
    elif damage == "garbage-manifest":
        _version(index).write_text("{not json")
    elif damage == "drop-chunk":
        lines = (segment / "chunks.jsonl").read_text().splitlines()
        (segment / "chunks.jsonl").write_text("\n".join(lines[1:]))
    elif damage == "delete-segment":
        shutil.rmtree(segment)
    else:  # an index written before segments: each version a folder
        (versions.versions_dir(index) / "old").mkdir()
        (index / "CURRENT").write_text("old")
    with pytest.raises(CorruptIndexError, match="rag index --rebuild"):
        live_view(index)


def test_indexer_repairs_a_corrupt_index(fake_service):
    first = fake_service.index.run()
    _version(fake_service.index.index_dir).write_text("{not json")
    repaired = fake_service.index.run()
    assert repaired.added == 1 and repaired.chunks_total == first.chunks_total
    assert live_view(fake_service.index.index_dir).count() == first.chunks_total
