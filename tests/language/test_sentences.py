"""Sentence boundaries: abbreviations, quotes, lower case, offsets."""
from rag.language.sentences import split_sentences

from tests.conftest import SEED_FILE


def texts(text):
    return [text[a:b] for a, b in split_sentences(text)]


def test_splits_sentences_and_keeps_abbreviations():
    text = "Mr. Smith went to the U.S. on Monday. He met Dr. Jones! Did it work? Yes.\nA new line"
    assert texts(text) == [
        "Mr. Smith went to the U.S. on Monday.",
        "He met Dr. Jones!",
        "Did it work?",
        "Yes.",
        "A new line",
    ]


def test_quotes_close_sentences():
    text = "He said “we agree.” Then he left. e.g. this stays"
    assert texts(text) == ["He said “we agree.”", "Then he left. e.g. this stays"]


def test_lowercase_after_period_does_not_split():
    assert texts("Version 2. of the plan was late.") == ["Version 2. of the plan was late."]


def test_sentence_offsets_point_into_the_text():
    text = SEED_FILE.read_text()
    for start, end in split_sentences(text):
        assert text[start:end].strip() == text[start:end] and text[start:end]




def test_footnote_marks_end_the_sentence_they_follow():
    text = "It is divided by the Southern Alps.[146] There are 18 peaks.[147][148] Note one.[n 1] As shown [12]. Done."
    assert texts(text) == ["It is divided by the Southern Alps.[146]", "There are 18 peaks.[147][148]",
                           "Note one.[n 1]", "As shown [12].", "Done."]
