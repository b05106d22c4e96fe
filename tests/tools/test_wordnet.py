"""The antonym table's rule, on a WordNet of three adjectives (the real table is built from
Debian's wordnet-base by a maintainer: `python -m rag.tools.wordnet`)."""
from dataclasses import dataclass, field

from rag.tools.wordnet import antonym_pairs


@dataclass(eq=False)
class Synset:
    kind: str
    words: list = field(default_factory=list)
    similar: list = field(default_factory=list)

    def pos(self):
        return self.kind

    def lemmas(self):
        return self.words

    def similar_tos(self):
        return self.similar


@dataclass(eq=False)
class Lemma:
    word: str
    synset_of: Synset
    opposite: list = field(default_factory=list)

    def name(self):
        return self.word

    def synset(self):
        return self.synset_of

    def antonyms(self):
        return self.opposite


class WordNet:
    def __init__(self, synsets):
        self.synsets = synsets

    def all_synsets(self):
        return self.synsets


def test_an_adjective_is_opposed_to_its_antonym_and_to_the_words_like_its_antonym():
    real, unreal, imaginary = Synset("a"), Synset("a"), Synset("s")
    real.words, unreal.words, imaginary.words = [Lemma("real", real)], [Lemma("unreal", unreal)], [
        Lemma("imaginary", imaginary), Lemma("make_believe", imaginary)]
    real.words[0].opposite, unreal.words[0].opposite = [unreal.words[0]], [real.words[0]]
    unreal.similar, imaginary.similar = [imaginary], [unreal]
    pairs = antonym_pairs(WordNet([real, unreal, imaginary]))
    assert pairs == [("imaginary", "real"), ("real", "unreal")]  # never two words both like the antonyms


def test_a_phrasal_verb_has_a_key_of_its_own_and_other_phrases_none():
    from rag.language.words import stem
    from rag.tools.wordnet import _key

    assert _key("break_up", "v", stem) == "break_up" and _key("breaking", "v", stem) == "break"
    assert _key("break_up", "n", stem) is None and _key("turn_on_a_dime", "v", stem) is None
