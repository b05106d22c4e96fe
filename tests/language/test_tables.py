from rag.language.tables import cells, misplaced_value

ROW = "Dataset: scifact; BM25S: 952.92; Elastic: 20.81; BM25-PT: 184.3"


def test_a_row_as_the_readers_write_it_has_its_cells():
    assert cells(ROW)[:2] == [("Dataset", "scifact"), ("BM25S", "952.92")]
    assert cells("Note: this is it.") == []  # one "key: value" is a statement, not a row
    assert cells("The Normans (Norman: Nourmands; French: Normands) were a people.") == []


def test_a_value_under_another_header_than_the_claim_names():
    assert misplaced_value("On scifact, Elastic reaches 952.92 queries per second.", ROW) == "“952.92” under “BM25S”"
    assert misplaced_value("On scifact, BM25S reaches 20.81 queries per second.", ROW) == "“20.81” under “Elastic”"
    assert misplaced_value("On scifact, BM25S reaches 952.92 queries per second.", ROW) is None
    assert misplaced_value("Elastic gets 20.81 while BM25S gets 952.92.", ROW) is None
    assert misplaced_value("Scifact was run at 952.92 queries per second.", ROW) is None  # no header named
