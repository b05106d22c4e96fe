import json
from importlib import resources

from rag.language.parse import MODEL, arguments, empty_words, names, predicates, stems

# From explosion/spacy-models meta/en_core_web_sm-3.8.0.json, the official release's metadata.
OFFICIAL = {"version": "3.8.0", "spacy_git_version": "5010fcbd3", "tag_acc": 0.972937262,
            "dep_las": 0.8991533598, "ents_f": 0.8433119744}


def _meta() -> dict:
    package = resources.files(MODEL)
    return json.loads(next(p for p in package.iterdir() if p.name.startswith(MODEL + "-")).joinpath("meta.json")
                      .read_text())


def test_the_packaged_parser_is_the_official_small_english_model():
    meta = _meta()
    performance = meta["performance"]
    assert (meta["version"], meta["spacy_git_version"], meta["license"]) == ("3.8.0", "5010fcbd3", "MIT")
    assert [performance[k] for k in ("tag_acc", "dep_las", "ents_f")] == [OFFICIAL[k] for k in ("tag_acc", "dep_las", "ents_f")]
    assert meta["pipeline"] == ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner"]


def _slots(text: str) -> dict[str, tuple[str, str]]:
    return {a.head: a.slot for a in arguments(text)}


def test_arguments_give_each_phrase_its_role_and_verb():
    slots = _slots("Medicaid will overtake interest payments in 2020.")
    assert slots == {"medicaid": ("subject", "overtake"), "payment": ("object", "overtake"), "2020": ("in", "overtake")}


def test_become_is_read_as_be():
    assert _slots("In 1642 Abel Tasman became the first European to sight it.")["tasman"] == ("subject", "be")
    assert "became" in empty_words("Tasman became the first European.")


def test_footnote_marks_are_not_read_as_words():
    assert _slots("Cartographers renamed it after the province of Zeeland.[14][15]") == \
        _slots("Cartographers renamed it after the province of Zeeland.")


def test_a_passive_is_read_as_its_active():
    assert _slots("The report was released by Stanford University.") == _slots("Stanford University released the report.")


def test_negation_is_read_from_the_parse_and_from_an_opposite_prefix():
    assert predicates("China would not send troops.")["send"] is True
    assert predicates("China would send troops.")["send"] is False
    assert predicates("There is no guarantee.")["guarantee"] is True
    assert predicates("The authority was unable to agree.")["able"] is True
    assert "form" not in predicates("They informed the press.")  # "inform" is no negated "form"


def test_a_superlative_says_most_and_its_ending_comes_off():
    assert {"slow", "most"} <= stems("the slowest-growing expense")
    assert "most" not in stems("the least deadly attack")


def test_names_and_empty_words():
    assert "Roger I" in names("Norman adventurers founded the Kingdom of Sicily under Roger I.")
    assert {"since", "every", "went"} <= empty_words("It went up every year since 2015.")


def test_what_a_question_asks_for_is_a_place_of_its_verb():
    from rag.language.parse import OBJECT, SUBJECT, asked_slot

    assert asked_slot("Who thanked the mayor for the repairs?") == (SUBJECT, "thank")
    assert asked_slot("Who did the mayor thank for the repairs?") == (OBJECT, "thank")
    assert asked_slot("Which ferry replaced the paddle steamer?") == (SUBJECT, "replace")


def test_a_phrasal_verb_is_keyed_by_its_lemma_and_particle():
    from rag.language.parse import phrasal_verbs

    assert phrasal_verbs("The ship broke up over the sea and they turned the offer down.") == {
        "broke": "break_up", "turned": "turn_down"}
    assert phrasal_verbs("The ship broke the record.") == {}
