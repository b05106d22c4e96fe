"""Bulk ingestion on a local Ray (ray.init(num_cpus=2)) into milvus-lite: the same chunks, ids and
catalogue as the in-process path into the local store, with the real model."""
import shutil

import pytest

from rag.config import Chunking, Embedding, Ingest, Store
from rag.embedding import make_embedder
from rag.indexer import Indexer
from rag.ray_ingest import RayIngest
from rag.stores import open_store

from .conftest import SEED_FILE
from .test_end_to_end import _many_documents

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ray_local(tmp_path_factory):
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False,
             _temp_dir=str(tmp_path_factory.mktemp("ray")))
    yield ray
    ray.shutdown()


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
                     bulk=RayIngest(Ingest(engine="ray", workers=2), settings, Chunking()))
    try:
        seen = []
        summary = on_ray.run(seeds, milvus, progress=lambda phase, done, total: seen.append((phase, done, total)))
        assert (summary.added, summary.chunks_total, summary.chunks_embedded) == (31, here.chunks_total, here.chunks_total)
        assert [s.path for s in summary.skipped] == [s.path for s in here.skipped] == ["broken.pdf"]
        assert ("embedding", 32, 32) in seen  # every file (the broken one too) reported done
        a, b = local.open(tmp_path / "local").latest(), milvus.latest()
        assert {s: {k: v for k, v in e.items() if k != "chunk_ids"} for s, e in a.documents.items()} == b.documents
        ids = list(a.chunks)
        assert b.get(ids) == a.get(ids) and b.count() == len(ids)
        for vid in ids[::10]:  # the same vectors: each chunk's own vector finds it first
            chunk = a.chunks[vid]
            assert b.dense(embedder.embed_batch([chunk.text])[0], 1) == [(vid, chunk.source)]
        again = on_ray.run(seeds, milvus)
        assert again.chunks_embedded == 0 and again.version == summary.version
    finally:
        milvus.close()
