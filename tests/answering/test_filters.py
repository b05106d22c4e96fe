"""Filters on what a question searches: names or globs, a folder, a date range, tags. Checked
here as rules, then as a property over random filters on a generated corpus through the real
stores: every hit and citation inside the filter, and top_k filled whenever enough chunks match."""
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from rag.answering.filters import check_filters, matching
from rag.errors import UserInputError
from rag.records import Filters
from rag.service import build_service
from tests.conftest import FakeEmbedder, make_settings

CATALOGUE = {
    "notes.md": {"date": None, "tags": ["ferry"]},
    "reports/2023/ferry.pdf": {"date": "2023-05-02", "tags": ["Ferry", "budget"]},
    "reports/2024/ferry.pdf": {"date": "2024-03-10", "tags": []},
    "reports/2024/bikes.docx": {"date": "2024-11-20", "tags": ["bikes"]},
}


@pytest.mark.parametrize("filters, expected", [
    ({"documents": ["notes.md"]}, {"notes.md"}),
    ({"documents": ["reports/*/ferry.pdf"]}, {"reports/2023/ferry.pdf", "reports/2024/ferry.pdf"}),
    ({"documents": ["*.pdf", "*.md"]}, {"notes.md", "reports/2023/ferry.pdf", "reports/2024/ferry.pdf"}),
    ({"folder": "reports/2024"}, {"reports/2024/ferry.pdf", "reports/2024/bikes.docx"}),
    ({"folder": "reports/"}, set(CATALOGUE) - {"notes.md"}),
    ({"folder": "report"}, set()),  # a folder is a whole path part, not a prefix of letters
    ({"date_from": "2024-01-01"}, {"reports/2024/ferry.pdf", "reports/2024/bikes.docx"}),
    ({"date_to": "2024-03-10"}, {"reports/2023/ferry.pdf", "reports/2024/ferry.pdf"}),
    ({"tags": ["ferry"]}, {"notes.md", "reports/2023/ferry.pdf"}),  # tags match whatever their case
    ({"tags": ["ferry"], "date_from": "2023-01-01"}, {"reports/2023/ferry.pdf"}),
])
def test_each_filter_narrows_and_together_they_all_must_hold(filters, expected):
    assert matching(CATALOGUE, check_filters(filters)) == expected


@pytest.mark.parametrize("filters, message", [
    ({"date_from": "last May"}, "date_from must be a date"), ({"colour": "red"}, "colour"),
    ({"documents": "notes.md"}, "documents"), ({"tags": [3]}, "tags"),
])
def test_bad_filters_are_refused_with_what_is_wrong(filters, message):
    with pytest.raises(UserInputError, match=message):
        check_filters(filters)


def test_no_filters_or_empty_ones_search_everything():
    assert check_filters(None) is None and check_filters({}) is None and check_filters(Filters(documents=[])) is None


TOPICS = ["ferry", "bridge", "harbour", "tram"]
FOLDERS = ["", "a/", "a/b/", "c/"]


def corpus(seeds):
    """24 documents, each of 3 chunks, in folders, with dates and tags (front matter)."""
    for n in range(24):
        topic, folder = TOPICS[n % 4], FOLDERS[n % 3]
        path = seeds / f"{folder}doc{n:02d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = [f"The {topic} report number {n} says item {i} of the {topic} costs {n * 10 + i} euros."
                 for i in range(3)]
        path.write_text(f"---\ntags: [{topic}, t{n % 5}]\n---\n# Report {n} ({2020 + n % 6}-0{1 + n % 9}-15)\n\n"
                        + "\n\n".join(lines) + "\n")


FILTERS = st.fixed_dictionaries({}, optional={
    "documents": st.lists(st.sampled_from(["doc0*.md", "a/*", "*/doc1?.md", "doc05.md", "c/doc2*.md"]), min_size=1,
                          max_size=2),
    "folder": st.sampled_from(["a", "a/b", "c"]),
    "date_from": st.sampled_from(["2021-01-01", "2023-06-30"]),
    "date_to": st.sampled_from(["2022-12-31", "2025-01-01"]),
    "tags": st.lists(st.sampled_from(TOPICS + ["t1", "t3"]), min_size=1, max_size=2),
})


def _service(tmp_path_factory, backend):
    root = tmp_path_factory.mktemp(f"filters-{backend}")
    corpus(root / "seeds")
    service = build_service(make_settings(root / "seeds", root / "index", store__backend=backend,
                                          store__milvus__uri=str(root / "milvus.db"), chunking__chunk_tokens=24,
                                          chunking__overlap_tokens=0), FakeEmbedder())
    service.index.run()
    return service


@pytest.fixture(scope="module", params=["local", pytest.param("milvus", marks=pytest.mark.slow)])
def filtered(request, tmp_path_factory):
    service = _service(tmp_path_factory, request.param)
    yield service
    getattr(service.index.store, "close", lambda: None)()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(filters=FILTERS, question=st.sampled_from(["What does the ferry cost?", "tram item 2 euros", "report 7"]))
def test_every_hit_and_citation_stays_inside_the_filter_and_top_k_is_filled(filtered, filters, question):
    view = filtered.index.snapshot()
    allowed = matching(view.documents, Filters(**filters))
    chunks = sum(view.documents[s]["chunks"] for s in allowed)
    hits = filtered.answers.search(question, top_k=5, filters=filters)
    assert {h.chunk.source for h in hits} <= allowed
    assert len(hits) == min(5, chunks)
    answer = filtered.answers.ask(question, top_k=5, filters=filters)
    assert {c.source for c in answer.citations} <= allowed
    assert answer.filters == (Filters(**filters) if filters else None)
    if not allowed:
        assert answer.not_found and "No document matches" in answer.note
