"""The folders are the architecture: each wing may import only what its place allows, and every
registry entry names something that loads."""
import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "rag"
# what each part of the package may import from the rest of it (besides itself)
ALLOWED = {
    "language": set(),
    "embedding": {"config", "errors", "registry"},
    "stores": {"config", "errors", "registry", "records", "language"},
    "ingest": {"config", "errors", "registry", "records", "language", "embedding", "stores"},
    "answering": {"config", "errors", "registry", "records", "language", "embedding", "stores"},
    "api": {"config", "errors", "registry", "records", "service", "observe", "access", "library"},
    "tools": {"config", "errors", "registry", "records", "language", "embedding", "stores", "answering", "ingest",
              "library"},
    "service": {"config", "errors", "registry", "records", "embedding", "ingest", "answering", "observe"},
    "observe": {"config", "errors", "records"},
    "access": {"config", "errors"},
    "library": {"config", "errors", "service", "access", "stores"},
    "records": set(),
    "config": {"errors"},
    "errors": set(),
    "registry": {"errors"},
    "cli": {"config", "errors", "service", "api", "ingest", "tools", "cli_format", "cli_documents", "cli_bench", "cli_options",
            "cli_access", "library", "observe"},
    "cli_access": {"cli_options", "library"},
    "cli_documents": {"cli_options", "errors", "ingest"},
    "cli_bench": {"cli_options", "errors", "tools"},
    "cli_options": {"config", "errors", "service", "library"},
    "cli_format": set(),
}


def imports(path: Path) -> set[str]:
    """The rag.* modules a file imports, at any depth (imports inside functions count too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "rag":
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "rag"}
    return found


def part(module: str) -> str | None:
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 else None


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, part("rag." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts))


@pytest.mark.parametrize("path, wing", list(modules()), ids=lambda v: str(v).replace(str(PACKAGE) + "/", ""))
def test_each_module_imports_only_what_its_wing_may(path, wing):
    if wing in ("__init__",):
        return
    used = {part(m) for m in imports(path)} - {wing, None, "__init__"}
    names = {p for p in used if (PACKAGE / p).is_dir() or (PACKAGE / f"{p}.py").exists()}
    assert names <= ALLOWED[wing], f"{path.relative_to(ROOT)} imports {sorted(names - ALLOWED[wing])}"


def test_the_package_never_imports_the_ui_or_the_tests():
    for path, _ in modules():
        text = path.read_text(encoding="utf-8")
        assert "import ui" not in text and "from ui" not in text and "from tests" not in text, path


def test_every_module_has_a_package_and_stays_short():
    for path, _ in modules():
        assert (path.parent / "__init__.py").exists(), f"{path.parent} is not a package"
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 420, f"{path} is over ~400 lines"


def test_no_two_modules_share_a_name():
    names = [p.stem for p, _ in modules() if p.stem != "__init__"]
    repeated = {n for n in names if names.count(n) > 1}
    assert not repeated, repeated


def test_no_two_classes_share_a_name():
    names = [node.name for path, _ in modules() for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.ClassDef) and not node.name.startswith("_")]
    repeated = {n for n in names if names.count(n) > 1}
    assert not repeated, repeated


def registries():
    from rag.answering.generation import PROVIDERS
    from rag.answering.pipeline import ANSWERERS
    from rag.answering.retrieval import RERANKERS
    from rag.answering.verifier import CHECKS
    from rag.api.app import ROUTES
    from rag.embedding import EMBEDDERS
    from rag.ingest.engines import INGEST_ENGINES
    from rag.ingest.formats import READERS
    from rag.stores import BACKENDS
    from rag.stores.segment import LEXICAL_INDEXES, VECTOR_INDEXES

    return {"READERS": READERS, "EMBEDDERS": EMBEDDERS, "INGEST_ENGINES": INGEST_ENGINES, "BACKENDS": BACKENDS,
            "VECTOR_INDEXES": VECTOR_INDEXES, "LEXICAL_INDEXES": LEXICAL_INDEXES, "RERANKERS": RERANKERS,
            "ANSWERERS": ANSWERERS, "CHECKS": CHECKS, "PROVIDERS": PROVIDERS, "ROUTES": ROUTES}


def test_every_registry_entry_loads_and_the_registry_doc_lists_them_all():
    from rag import registry

    for name, found in registries().items():
        assert found and all(callable(value) for value in found.load_all().values()), name
        assert name in registry.__doc__, f"rag/registry.py does not list {name}"
