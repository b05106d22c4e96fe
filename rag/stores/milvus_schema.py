"""The two Milvus collections each index generation writes: chunks (vector id, record, dense
vector) and document parts (key, part, catalogue entry), both with BM25 over their terms and the
version range (added, removed) every read filters on. Imported by rag/stores/milvus.py only."""
from __future__ import annotations

HNSW = {"index_type": "HNSW", "metric_type": "IP", "params": {"M": 16, "efConstruction": 200}}


def create_collections(client, chunk_names: str, doc_names: str, dim: int) -> None:
    from pymilvus import DataType, Function, FunctionType

    def schema(key, fields):
        s = client.create_schema(auto_id=False, enable_dynamic_field=False)
        s.add_field(key[0], key[1], is_primary=True, **key[2])
        s.add_field("source", DataType.VARCHAR, max_length=4096)
        s.add_field("added", DataType.INT64)
        s.add_field("removed", DataType.INT64)
        s.add_field("terms", DataType.VARCHAR, max_length=65535, enable_analyzer=True,
                    analyzer_params={"tokenizer": "standard"})
        s.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        s.add_function(Function(name="bm25", function_type=FunctionType.BM25, input_field_names=["terms"],
                                output_field_names=["sparse"]))
        for name, kind, extra in fields:
            s.add_field(name, kind, **extra)
        return s

    def indexes(dense: bool):
        index = client.prepare_index_params()
        index.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
        if dense:
            index.add_index("dense", **HNSW)
        return index

    chunks = schema(("vid", DataType.INT64, {}), [("record", DataType.JSON, {}),
                                                  ("dense", DataType.FLOAT_VECTOR, {"dim": dim})])
    documents = schema(("key", DataType.VARCHAR, {"max_length": 64}),
                       [("part", DataType.INT64, {}), ("entry", DataType.JSON, {})])
    client.create_collection(chunk_names, schema=chunks, index_params=indexes(True), consistency_level="Strong")
    client.create_collection(doc_names, schema=documents, index_params=indexes(False), consistency_level="Strong")
