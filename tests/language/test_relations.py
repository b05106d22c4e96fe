import pytest

from rag.language.relations import flipped_negation, moved_modifier, substituted_subject, swapped_roles


@pytest.mark.parametrize("claim, sentence", [
    ("Medicaid will overtake interest payments in 2020.", "Interest payments will overtake Medicaid in 2020."),
    ("Thousands of Syrians have flocked to join jihadist groups in Tunisia.",
     "Thousands of Tunisians have flocked to join jihadist groups in Syria."),
    ("A Hermitian matrix is a special case of a real symmetric matrix.",  # "be" reads both ways, "of" does not
     "A real symmetric matrix is a special case of a Hermitian matrix."),
    ("Most respondents said that speed mattered more to them than reliability.",
     "Most respondents said that reliability mattered more to them than speed."),
    ("Tunisian authorities condemned the attack and said they were willing to assist the U.S. government.",
     "Josh Earnest condemned the attack and said the U.S. government was willing to assist Tunisian authorities."),
])
def test_phrases_in_each_other_places_are_swapped(claim, sentence):
    assert swapped_roles(claim, sentence)


@pytest.mark.parametrize("claim, sentence", [
    ("Xi met Biden in Lima.", "Biden met Xi in Lima."),  # meeting goes both ways
    ("The report was released by Stanford University.", "Stanford University released the report on Monday."),
    ("Interest payments will overtake Medicaid in 2020.",
     "Interest payments will overtake Medicaid in 2020 and the Department of Defense budget in 2023."),
    ("Jacinda Ardern has been prime minister since 2017.", "The current prime minister is Jacinda Ardern."),
])
def test_a_restatement_is_not_a_swap(claim, sentence):
    assert swapped_roles(claim, sentence) is None


def test_a_describing_word_moved_to_another_noun():
    sentence = "The repairs were paid for by the regional budget and a grant from the national infrastructure fund."
    assert moved_modifier("The repairs were paid for by the national budget and a grant from the regional "
                          "infrastructure fund.", sentence)
    assert moved_modifier("The repairs were paid for by the regional budget.", sentence) is None


def test_someone_else_doing_it():
    said = "Wang said China was willing to work with the Russian side, CCTV said."
    assert substituted_subject("Lavrov said Russia was willing to work with the Chinese side.", said)
    assert substituted_subject("Harold conquered England.", "In 1066 William conquered England and killed Harold.")
    assert substituted_subject("Xi told Biden that China would not allow conflict.",
                               "Chinese President Xi Jinping told U.S. President Joe Biden that China would not "
                               "allow conflict.") is None


def test_a_negation_on_one_side_only():
    assert flipped_negation("There is a guarantee that the forecasts will prove accurate.",
                            "There's no guarantee that these forecasts will prove accurate.") == "guarantee"
    assert flipped_negation("The authority was able to agree.", "The authority was unable to agree.") == "able"
    assert flipped_negation("China will not send troops.", "China would not send troops.") is None


def test_describing_words_exchanged_between_two_mentions():
    sentence = "The second winter was wetter than the first, with 412 millimetres of rain against 318."
    assert moved_modifier("The first winter was wetter than the second.", sentence)
    assert moved_modifier("The second winter was wetter than the first.", sentence) is None
    assert moved_modifier("The study was funded by the Vale Catchment Trust.",
                          "The work was funded by the Vale Catchment Trust and the farmers.") is None


def test_a_number_in_a_place_where_the_sentence_has_another():
    from rag.language.relations import changed_number

    slopes = ("Slopes were measured with a laser level: Hollins has an average slope of 9 degrees, "
              "Broad Acre 5 degrees and Marsh End 2 degrees.")
    assert changed_number("Hollins has an average slope of 5 degrees.", slopes) == "“9” for “5”"
    assert changed_number("Hollins has an average slope of 9 degrees.", slopes) is None
    assert changed_number("Broad Acre has a slope of 5 degrees.", slopes) is None  # Broad Acre's own phrase


def test_a_number_moved_to_another_clause():
    from rag.language.relations import moved_number

    votes = ("In 1893 New Zealand was the first nation in the world to grant all women the right to vote[51] "
             "and in 1894 pioneered the adoption of compulsory arbitration between employers and unions.")
    assert moved_number("New Zealand granted all women the right to vote in 1894.", votes) == "“1893” for “1894”"
    assert moved_number("New Zealand pioneered compulsory arbitration in 1893.", votes) == "“1894” for “1893”"
    assert moved_number("New Zealand granted all women the right to vote in 1893.", votes) is None
    assert moved_number("New Zealand pioneered compulsory arbitration in 1894.", votes) is None


def test_a_name_given_in_place_of_the_sentence_own():
    from rag.language.relations import renamed, replaced_name

    sentence = "House Republicans introduced a bill this month that would cut the tax."
    assert renamed("Senate Republicans introduced a bill that would cut the tax.", sentence)
    assert renamed("House Republicans introduced a bill that would cut the tax.", sentence) is None
    assert renamed("President Xi told Biden.", "Chinese President Xi Jinping told U.S. President Joe Biden.") is None
    assert renamed("Ministers met at the APEC summit.", "Ministers met at the Asia-Pacific Economic Cooperation summit.") is None
    deals = "Globex led the takeover of Initech, and it financed the purchase of Acme and the sale of Hooli."
    assert renamed("Globex financed the purchase of Initech.", deals) == "“acme” where it says “initech”"
    assert renamed("Globex financed the purchase of Acme.", deals) is None
    assert renamed("Globex led the takeover of Initech.", deals) is None
    named = "The prize is named after Ada Lovelace, who wrote the first program."
    assert replaced_name("The prize is named after Alan Turing.", named, {"alan", "turing"})
    assert not replaced_name("The prize of the Turing Society is named after Ada Lovelace.", named, {"turing", "society"})
    lab = "The samples were weighed at the university laboratory."
    assert replaced_name("The samples were weighed at the Hale Institute laboratory.", lab, {"hale", "institute"})
    assert not replaced_name("The samples were weighed at the Hale university laboratory.", lab, {"hale"})


def test_a_question_whose_own_phrase_stands_where_its_answer_should_be():
    from rag.language.relations import asked_in_place

    sentence = "The mayor was thanked for the repairs by the ferry crews."
    assert asked_in_place("Who did the mayor thank for the repairs?", sentence) == "mayor"
    assert asked_in_place("Who thanked the mayor for the repairs?", sentence) is None
    replaced = "In 1990 the new ferries replaced the old paddle steamers."
    assert asked_in_place("What replaced the new ferries?", replaced)
    assert asked_in_place("What did the new ferries replace?", replaced) is None
    assert asked_in_place("Which word opens the vault?", "The vault opens with the word QUOKKA.") is None


def test_a_noun_described_by_another_adjective():
    from rag.language.relations import changed_modifier

    sentence = "The medieval town walls were rebuilt with local stone."
    assert changed_modifier("When were the modern town walls rebuilt?", sentence)
    assert changed_modifier("When were the medieval town walls rebuilt?", sentence) is None
    assert changed_modifier("What were the old walls rebuilt with?", "The ancient walls were rebuilt with stone.") is None
    assert changed_modifier("What stone were the walls rebuilt with?", "The walls were rebuilt with several stones.") is None
    # the question's word there, but on another noun only
    both = "The monks were known for their plain chant and for their royal patrons."
    assert changed_modifier("Who were the monks with the royal chant?", both)
    assert changed_modifier("Who were the monks with the plain chant?", both) is None


def test_the_claims_doer_only_acted_upon_in_the_sentence():
    from rag.language.relations import acted_upon

    sentence = "It inspects and licenses its vendors, demanding that they pay a yearly fee."
    assert acted_upon("The vendors inspect and license the market.", sentence) == "“vendors”"
    assert acted_upon("The market inspects its vendors.", sentence) is None
    assert acted_upon("Vendors are inspected by the market.", "The market inspects vendors.") is None
    assert acted_upon("Workers hired contractors.", "The firm hired workers who then hired contractors.") is None
    assert acted_upon("The council thought the tablets contained lead.",
                      "The tablets were thought by the council to contain lead.") is None


def test_an_event_the_sentence_has_only_as_meant_or_possible():
    from rag.language.relations import intended_only

    sentence = "The ferry was set to dock at Ashby on Saturday."
    assert intended_only("The ferry docked at Ashby on Saturday.", sentence) == "set to dock"
    assert intended_only("The ferry was set to dock at Ashby.", sentence) is None
    assert intended_only("Fares rise in May.", "Fares could rise in May.") == "could rise"
    assert intended_only("Crews cooled the engine.", "Crews tried to cool the engine.") == "tried to cool"
    assert intended_only("The firm charged a fee.", "The firm announced that it would charge a fee.") is None
    assert intended_only("The firm charged a fee.", "The firm planned to charge a fee, and charged it.") is None
    assert intended_only("Play uses the patches for updates.",  # the use stated, if not by the verb
                         "We limit the use of the patches to updates, when you are not likely to be using it.") is None
