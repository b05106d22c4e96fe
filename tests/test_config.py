from pathlib import Path

import pytest

from rag.config import DEFAULT_CONFIG, Settings, load_settings
from rag.errors import ConfigError


def test_project_config_matches_code_defaults():
    """config.yaml documents every setting; its values are the code's defaults."""
    assert load_settings(DEFAULT_CONFIG).model_dump(exclude={"paths"}) == Settings().model_dump(exclude={"paths"})


def test_paths_are_relative_to_the_config_file(tmp_path):
    cfg = tmp_path / "conf.yaml"
    cfg.write_text("paths:\n  seeds: docs\n")
    settings = load_settings(cfg)
    assert settings.paths.seeds == tmp_path / "docs"
    assert settings.paths.index == tmp_path / "index"


def test_env_overrides_file(tmp_path, monkeypatch):
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("RAG_MODEL", "openai/gpt-4o-mini")
    settings = load_settings(DEFAULT_CONFIG)
    assert settings.paths.index == tmp_path / "elsewhere"
    assert settings.generation.model == "openai/gpt-4o-mini"


def test_rag_config_env_names_the_file(tmp_path, monkeypatch):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("retrieval:\n  top_k: 9\n")
    monkeypatch.setenv("RAG_CONFIG", str(cfg))
    assert load_settings().retrieval.top_k == 9


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("retrieval:\n  top_k: zero\n", "retrieval.top_k"),
        ("retrieval:\n  topk: 3\n", "retrieval.topk"),
        ("- a list\n", "mapping"),
        ("paths: [unclosed\n", "Cannot read"),
    ],
)
def test_bad_config_gives_one_clear_error(tmp_path, text, fragment):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text(text)
    with pytest.raises(ConfigError, match=fragment.replace(".", r"\.")):
        load_settings(cfg)


def test_missing_config_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.yaml")


def test_overrides_ignore_none():
    s = Settings().with_overrides(retrieval__top_k=None, paths__index=Path("/x"))
    assert s.retrieval.top_k == 5 and s.paths.index == Path("/x")


def test_config_yaml_documents_every_setting_at_its_default():
    """config.yaml is the one documented source: every field, each at the code's default."""
    import yaml

    from rag.config import DEFAULT_CONFIG, Settings

    assert yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8")) == Settings().model_dump(mode="json")


def test_old_flat_store_keys_still_work_with_a_warning(tmp_path, monkeypatch):
    cfg = tmp_path / "old.yaml"
    cfg.write_text("store:\n  backend: milvus\n  uri: http://127.0.0.1:19530\n  vectors: faiss\n")
    with pytest.warns(FutureWarning, match=r"store\.uri is now store\.milvus\.uri"):
        settings = load_settings(cfg)
    assert settings.store.milvus.uri == "http://127.0.0.1:19530" and settings.store.local.vectors == "faiss"
    monkeypatch.setenv("RAG_STORE_URI", "http://127.0.0.1:1")  # the env var still wins over the file
    with pytest.warns(FutureWarning):
        assert load_settings(cfg).store.milvus.uri == "http://127.0.0.1:1"


def test_a_users_own_backend_gets_its_own_section(tmp_path):
    cfg = tmp_path / "own.yaml"
    cfg.write_text("store:\n  backend: mydb.store:Backend\n  mydb.store:Backend:\n    dsn: sqlite://x\n")
    assert load_settings(cfg).store.section("mydb.store:Backend") == {"dsn": "sqlite://x"}
    cfg.write_text("store:\n  bakend: local\n")
    with pytest.raises(ConfigError, match="store.bakend"):
        load_settings(cfg)


def test_nested_overrides():
    s = Settings().with_overrides(store__milvus__collection_prefix="rag_bench_")
    assert s.store.milvus.collection_prefix == "rag_bench_" and s.store.section("milvus") is s.store.milvus
