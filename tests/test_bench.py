"""`rag bench` at small size on both backends: it runs end to end and reports the same figures."""
import json
import os
import subprocess
import sys

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.slow
SCIFACT = ROOT.parent / "shared" / "bench" / "scifact"


def bench(store):
    result = subprocess.run([sys.executable, "-m", "rag.cli", "bench", "--beir", SCIFACT, "--max-docs", "40",
                             "--scale", "3000", "--queries", "5", "--store", store, "--json"],
                            capture_output=True, text=True, timeout=900, env={**os.environ})
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


def test_bench_reports_the_same_figures_for_the_local_and_the_milvus_store():
    if not SCIFACT.exists():
        pytest.skip("../shared/bench/scifact is not beside the checkout")
    local, milvus = bench("local"), bench("milvus")
    assert (local["store"], milvus["store"]) == ("local", "milvus")
    assert set(local) == set(milvus) and local["chunks"] == milvus["chunks"] > 40
    for report in (local, milvus):
        assert report["queries"] == 5 and report["query_p50_ms"] > 0 and report["incremental_add_one_s"] > 0
        assert report["rss_mb"] > 0 and report["scale"][0]["vectors"] == 3000
        assert report["scale"][0]["recall@10"] == report["scale"][0]["gaussian"]["recall@10"] == 1.0  # exact
