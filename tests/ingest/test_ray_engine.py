"""Bulk ingestion on a local Ray into milvus-lite, with the real model: `rag index --ray` end to end,
and the pipeline (ray.init(num_cpus=2)) giving the same chunks, ids and catalogue as the in-process
path into the local store."""
import json
import shutil
import tempfile
from pathlib import Path

import pytest

from rag.config import Embedding, Ingest, Settings, Store
from rag.embedding import make_embedder
from rag.errors import RagError
from rag.ingest.indexer import Indexer
from rag.ingest.ray_engine import START_ATTEMPTS, RayIngest
from rag.stores import open_store

from tests.conftest import SEED_FILE, chunk_ids, live_chunks
from tests.test_cli import rag
from tests.test_end_to_end import _many_documents


@pytest.mark.slow
def test_index_on_ray_into_milvus_then_ask(tmp_path, real_embedder):
    """`rag index --ray` (a local Ray started and stopped by the command) into milvus-lite. It runs
    before the module's own Ray starts, and in this file so no other test worker starts a Ray at
    the same time (Ray waits a fixed 30 s for its raylet)."""
    (tmp_path / "seeds").mkdir()
    shutil.copy(SEED_FILE, tmp_path / "seeds")
    env = {"RAG_STORE_BACKEND": "milvus", "RAG_INDEX_DIR": str(tmp_path / "index")}
    sessions = set(Path(tempfile.gettempdir()).glob("rag-ray-*"))
    summary = json.loads(rag("index", "--seeds", tmp_path / "seeds", "--ray", "--json", env=env).stdout)
    assert set(Path(tempfile.gettempdir()).glob("rag-ray-*")) <= sessions  # its session folder went with it
    assert summary["added"] == 1 and summary["chunks_total"] == len(chunk_ids(tmp_path / "seeds", real_embedder))
    assert (tmp_path / "index" / "milvus.db").is_dir() and not (tmp_path / "index" / "CURRENT").exists()
    answer = json.loads(rag("ask", "What did Xi tell Biden?", "--json", env=env).stdout)
    assert answer["citations"] and "Biden" in answer["answer"]


@pytest.fixture(scope="module")
def ray_local(tmp_path_factory):
    import os
    import secrets

    import ray

    os.environ.setdefault("RAY_AUTH_TOKEN", secrets.token_hex(32))  # not the shared ~/.ray token file
    for attempt in range(3):  # Ray waits a fixed 30 s for its raylet; the other test worker may be busy
        try:
            ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False,
                     _temp_dir=str(tmp_path_factory.mktemp("ray")))
            break
        except Exception:
            ray.shutdown()
            if attempt == 2:
                raise
    yield ray
    ray.shutdown()


@pytest.mark.slow
def test_ray_pipeline_into_milvus_matches_the_in_process_path(ray_local, tmp_path):
    seeds = tmp_path / "seeds"
    _many_documents(seeds, 30)
    shutil.copy(SEED_FILE, seeds)
    (seeds / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    settings = Embedding()  # the product's default model; the actors build theirs from the same settings
    embedder = make_embedder(settings)
    local = Indexer(embedder, 200, 32)
    here = local.run(seeds, tmp_path / "local")
    milvus = open_store(Store(backend="milvus"), tmp_path / "milvus")
    on_ray = Indexer(embedder, 200, 32, Store(backend="milvus"),
                     engine=RayIngest(Settings(ingest=Ingest(engine="ray", workers=2), embedding=settings)))
    try:
        seen = []
        summary = on_ray.run(seeds, milvus, progress=lambda phase, done, total: seen.append((phase, done, total)))
        assert (summary.added, summary.chunks_total, summary.chunks_embedded) == (31, here.chunks_total, here.chunks_total)
        assert [s.path for s in summary.skipped] == [s.path for s in here.skipped] == ["broken.pdf"]
        assert ("embedding", 32, 32) in seen  # every file (the broken one too) reported done
        a, b = local.open(tmp_path / "local").latest(), milvus.latest()
        assert {s: {k: v for k, v in e.items() if k != "chunk_ids"} for s, e in a.documents.items()} == b.documents
        chunks = live_chunks(a)
        ids = list(chunks)
        assert b.get(ids) == a.get(ids) and b.count() == len(ids)
        on_milvus = b.get(ids[::10])
        for vid in ids[::10]:  # the same vectors: each chunk's own vector finds it first
            chunk = chunks[vid]
            assert b.dense(embedder.embed_batch([chunk.text])[0], 1) == [(vid, chunk.source)]
            same = (on_milvus[vid].sentence_vectors * chunk.sentence_vectors).sum(axis=1)  # int8 activations: per batch
            assert len(same) == len(chunk.sentences) and same.min() > 0.98
        again = on_ray.run(seeds, milvus)
        assert again.chunks_embedded == 0 and again.version == summary.version
    finally:
        milvus.close()


def test_a_ray_that_will_not_start_is_tried_again_then_a_clear_error(tmp_path, monkeypatch):
    class Stuck:  # what ray.init raised under load in CI: a bare Exception after its 30 s wait
        calls, shutdowns = 0, 0

        def is_initialized(self):
            return False

        def init(self, **kwargs):
            self.calls += 1
            raise Exception("The current node timed out during startup.")

        def shutdown(self):
            self.shutdowns += 1

    stuck = Stuck()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with pytest.raises(RagError, match="timed out during startup.*index without --ray"):
        RayIngest(Settings(ingest=Ingest(engine="ray")))._start(stuck)
    assert stuck.calls == stuck.shutdowns == START_ATTEMPTS > 1
    assert not list(tmp_path.glob("rag-ray-*"))  # no session folder left behind by a failed start
