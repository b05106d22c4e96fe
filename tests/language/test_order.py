"""Word-order checks: nouns exchanged around a verb, and what follows one of two opposites."""
import pytest

from rag.language.order import exchanged_around, reattached


@pytest.mark.parametrize("claim, sentence", [
    ("Tea costs more than coffee at the station.", "Coffee costs more than tea at the station."),
    ("Smith defeated Jones in the final.", "Jones defeated Smith in the final."),
    ("The council sold the land to the developer in 2019.", "In 2019 the developer sold the land to the council."),
    ("The barley ripened early and filled the barn, while the oats failed in the rain.",
     "The oats ripened early and filled the barn, while the barley failed in the rain."),
])
def test_two_nouns_on_the_other_sides_of_a_verb_are_exchanged(claim, sentence):
    assert exchanged_around(claim, sentence)


@pytest.mark.parametrize("claim, sentence", [
    ("Smith defeated Jones in the final.", "In the final, Jones was defeated by Smith."),  # a passive
    ("The council sold the land to the developer in 2019.",
     "The land, which the council sold to the developer in 2019, is now a park."),
    ("Coffee costs less than tea.", "Tea costs more than coffee."),  # the converse
    ("The mayor said the bridge would open in May.", "The bridge would open in May, the mayor said."),
    ("Xi met Biden in Lima.", "Biden met Xi in Lima."),
    ("The storm hit the coast before the ferry left.", "The ferry left after the storm hit the coast."),
])
def test_a_restatement_in_another_order_is_no_exchange(claim, sentence):
    assert exchanged_around(claim, sentence) is None


def test_what_is_said_after_one_of_two_opposites_is_not_said_after_the_other():
    turnout = "Turnout was highest in the northern district and lowest in the southern district."
    assert reattached("Turnout was highest in the southern district.", turnout)
    assert reattached("Turnout was lowest in the northern district.", turnout)
    assert reattached("Turnout was highest in the northern district.", turnout) is None
    assert reattached("Prices rose in the north.", "Prices fell in the north and rose in the south.")
    assert reattached("Prices rose in the south.", "Prices fell in the north and rose in the south.") is None


def test_a_film_starring_an_actor_is_the_actor_starring_in_the_film():
    from rag.language.order import exchanged_around

    assert exchanged_around("Kumail Nanjiani stars as himself in The Big Sick.",
                            "The Big Sick stars Nanjiani as a version of himself.") is None


def test_respectively_pairs_two_lists_in_order():
    from rag.language.order import paired_otherwise

    rail = ("KiwiRail now operates the railways, with the exception of commuter services in Auckland and "
            "Wellington which are operated by Transdev and Metlink, respectively.")
    assert paired_otherwise("Commuter services in Wellington are operated by Transdev.", rail) == "“Wellington” with “Metlink”"
    assert paired_otherwise("Commuter services in Wellington are operated by Metlink.", rail) is None
    assert paired_otherwise("Commuter services in Wellington are operated by Transdev.", rail.replace(", respectively", "")) is None
