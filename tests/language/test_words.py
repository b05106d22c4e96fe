"""The key terms that measure a sentence's coverage of a question."""
from rag.language.words import key_terms


def test_key_terms_are_stemmed_content_words_without_question_filler():
    assert key_terms("What did Xi tell Biden about the peninsulas?") == ["xi", "biden", "peninsula"]
    assert key_terms("How many tonnes were harvested in 2023?") == ["tonn", "harvest", "2023"]


def test_key_terms_ignore_accents():
    assert key_terms("his fiancée Berengaria") == key_terms("his fiancee Berengaria")


def test_opposites_come_from_wordnet_by_stem():
    from rag.language.words import opposites

    assert "weaken" in opposites("strengthen") and "strengthen" in opposites("weaken")
    assert key_terms("willing")[0] in opposites(key_terms("unwilling")[0])
    assert opposites("zeppelin") == frozenset()
    assert key_terms("imaginary")[0] in opposites("real")  # indirect: "imaginary" is like "unreal"


def test_related_stems_share_a_wordnet_sense_or_a_neighbour():
    from rag.language.words import adverb_only, related, stem

    assert related(stem("protect"), stem("defend")) and related(stem("met"), stem("meeting"))
    assert related(stem("threatened"), stem("threat")) and related(stem("sank"), stem("sink"))
    assert not related(stem("signed"), stem("met")) and not related(stem("resigned"), stem("said"))
    assert adverb_only(stem("also")) and not adverb_only(stem("compared"))
    assert related(stem("highest"), stem("high")) and related(stem("widest"), stem("wide"))  # not WordNet's words
    assert not related(stem("highest"), stem("low")) and not related(stem("water"), stem("wat"))


def test_akin_reaches_an_agent_noun_through_its_verb():
    from rag.language.words import akin

    assert akin("run", "director") and akin("director", "run")  # director -> direct, which WordNet relates to run
    assert not akin("run", "harbour") and not akin("2019", "2020")


def test_an_acronym_is_spelled_out_by_the_initials_of_a_run_of_capitalised_words():
    from rag.language.words import spelled_out

    assert spelled_out("NATO", "The North Atlantic Treaty Organization met in Brussels.")
    assert spelled_out("APEC", "at the Asia-Pacific Economic Cooperation summit")
    assert not spelled_out("NATO", "The North Sea and the Atlantic Ocean")
    assert not spelled_out("EU", "They met in the Emergency Room.")
