"""`rag bench` end to end at a small size, on both stores (CI's run of the benchmark)."""
import pytest

from tests.conftest import shared_bench
from tests.tools.test_evaluation import SCIFACT, run_cli


@pytest.mark.slow
def test_rag_bench_small():
    shared_bench("scifact")
    report = run_cli("bench", "--beir", SCIFACT, "--max-docs", 40, "--scale", "2000,52000", "--store-scale", 10000,
                     "--queries", 10, "--ocr-pages", 2, "--collections", 3,
                     "--clients", 2, "--pdf-files", 1, "--ray", 2, "--json")
    for key in ("ingest_chunks_per_s", "raw_encode_chunks_per_s", "ingest_vs_raw", "ingest_peak_rss_mb", "incremental_add_one_s",
                "full_build_s", "incremental_vs_full", "query_p50_ms", "query_p95_ms", "answer_p50_ms",
                "ask_p50_ms_observed", "ask_p50_ms_unobserved"):
        assert report[key] > 0, key
    small, large = report["scale"]
    assert small["chosen_index"] == "flat" and large["chosen_index"] == "ivf"
    assert large["recall@10"] >= 0.9 and large["gaussian"]["recall@10"] >= 0.9  # easy and hard data
    (store,) = report["store_scale"]  # the local store at 10,000 chunks, read by a process of its own
    assert store["chunks"] == 10000 and store["segments_after_add"] == 2 and store["add_one_s"] > 0
    assert store["dense_recall@10"] == 1.0  # exact search below ANN_FROM, through the store's own path
    assert store["query_p50_ms"] > 0 and store["index_rss_mb"] > 0
    assert report["ocr_engine"] == "tesserocr" and report["ocr_pages"] == 2 and report["ocr_word_match"] >= 0.95
    assert report["ocr_s_per_page_one_worker"] > 0 and report["ocr_s_per_page_all_cores"] > 0
    assert report["collections"] == 3 and report["across_vs_one"] > 0 and report["ask_p50_ms_one_collection"] > 0
    assert report["asked_during_rebuild"] > 0 and report["failed_during_rebuild"] == 0
    assert report["pdf_pages"] == 20 and report["pdf_read_pages_per_s"] > 0 and report["pdf_overlap"] > 0
    assert report["upload_state"] == "done" and report["upload_cited"] and report["upload_answered_s"] > 0
    assert "embedding" in report["upload_phases_s"]  # polled: a phase of a few ms can pass unseen
    assert report["ray_1_workers_chunks_per_s"] > 0 and report["ray_scaling"] > 0
    milvus = run_cli("bench", "--beir", SCIFACT, "--max-docs", 40, "--scale", "", "--queries", 10, "--store", "milvus",
                     "--ocr-pages", 0, "--collections", 0, "--pdf-files", 0, "--json")  # the same through Milvus (scale, OCR and
    assert (report["store"], milvus["store"]) == ("local", "milvus")  # collections aside)
    library = {"collections", "ask_p50_ms_one_collection", "ask_p50_ms_across_collections", "across_vs_one",
               "rebuild_s_while_asked", "asked_during_rebuild", "failed_during_rebuild"}
    assert set(milvus) == {k for k in report if not k.startswith(("ocr_", "pdf_", "upload_", "ray_"))} - library
    assert milvus["chunks"] == report["chunks"] and milvus["scale"] == [] and milvus["rss_mb"] > 0
    for key in ("ingest_chunks_per_s", "incremental_add_one_s", "query_p50_ms", "answer_p50_ms"):
        assert milvus[key] > 0, key
