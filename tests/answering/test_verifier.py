"""The one verifier both paths use: each check alone, the order, the names and the registry."""
import pytest

from rag.answering.verifier import CHECKS, Claim, Evidence, Verdict, Verifier
from rag.errors import ConfigError

XI = ("Last week, Xi told Biden at the summit in Peru that Beijing would protect its core interests.")


def evidence(best, *more, passage=None):
    return Evidence(best=best, sentences=(best, *more), passage=passage or " ".join((best, *more)))


def verify(text, ev, question=False, checks=None):
    return Verifier(checks or list(CHECKS)).verify(Claim(text, question=question), ev)


def test_a_true_statement_is_supported():
    assert verify("Xi told Biden at the summit in Peru about Beijing's core interests.", evidence(XI)).supported


def test_swapped_roles_are_contradicted():
    verdict = verify("Biden told Xi at the summit in Peru that Beijing would protect its core interests.",
                     evidence(XI))
    assert (verdict.status, verdict.check) == ("contradicted", "roles") and "other way round" in verdict.reason


def test_the_questions_own_name_in_the_answer_slot_is_contradicted_for_questions_only():
    sentence = "King Malcolm III of Scotland married Edgar's sister Margaret."
    assert verify("Who did Edgar marry?", evidence(sentence), question=True).check == "roles"
    assert verify("Malcolm married Margaret.", evidence(sentence)).supported


def test_negation_contradicts_a_statement_and_a_wh_question_but_not_a_yes_no_question():
    sentence = "The Normans did not have the rich and distinctive traditions of the Franks."
    assert verify("The Normans have rich traditions.", evidence(sentence)).check == "negation"
    assert verify("What kind of art did the Normans have a rich tradition of?", evidence(sentence),
                  question=True).check == "negation"
    assert verify("Did the Normans have a rich tradition of art?", evidence(sentence), question=True).supported


def test_a_when_question_needs_a_time_in_any_cited_sentence():
    no_time = evidence("The abbey was founded by monks.")
    assert verify("When was the abbey founded?", no_time, question=True).status == "unsupported"
    lead = evidence("The abbey was founded by monks.", "It happened in 1066.")
    assert verify("When was the abbey founded?", lead, question=True).supported
    assert verify("When the abbey was founded, monks came.", no_time, checks=["time"]).supported  # it asks nothing


def test_a_number_or_name_missing_from_the_passage_is_unsupported():
    verdict = verify("Xi told Biden in 2019 that Beijing would protect its core interests.", evidence(XI))
    assert (verdict.status, verdict.check) == ("unsupported", "specifics") and "“2019”" in verdict.reason
    assert verify("Xi told Biden in 2019.", evidence(XI, passage=XI + " It was 2019.")).supported


def test_the_first_failing_check_speaks_and_the_list_is_configurable():
    claim = "Biden told Xi in 2019 that Beijing would protect its core interests."
    assert verify(claim, evidence(XI)).check == "roles"
    assert verify(claim, evidence(XI), checks=["specifics", "roles"]).check == "specifics"
    assert verify(claim, evidence(XI), checks=["time"]).supported


def test_a_check_of_your_own_is_one_function_and_one_entry(monkeypatch):
    monkeypatch.setitem(CHECKS, "no-maybe", f"{__name__}:no_maybe")
    assert verify("Xi maybe told Biden.", evidence(XI), checks=["no-maybe"]).check == "no-maybe"
    with pytest.raises(ConfigError, match="verifier.checks"):
        Verifier(["nope"])


def no_maybe(claim, evidence):
    return Verdict("unsupported", "It hedges.") if "maybe" in claim.text else None


def test_a_statement_holding_the_opposite_word_is_contradicted_a_question_is_left_alone():
    sentence = "Off-peak departures leave every 40 minutes, and the last crossing leaves the north pier."
    verdict = verify("The last crossing leaves the south pier.", evidence(sentence))
    assert (verdict.status, verdict.check) == ("contradicted", "opposite") and "“north”" in verdict.reason
    assert verify("The last crossing leaves the north pier.", evidence(sentence)).supported
    assert verify("Which crossing leaves the south pier?", evidence(sentence), question=True, checks=["opposite"]).supported


def test_a_word_of_a_name_opposes_nothing():
    sentence = "Foreign tourists visited the National Gallery on Monday."  # "national" and "foreign" are opposites
    assert verify("Tourists visited the National Gallery on Monday.", evidence(sentence)).supported
    assert verify("Domestic tourists visited the National Gallery on Monday.", evidence(sentence)).check == "opposite"


def test_a_statement_whose_negation_the_passage_lacks_is_contradicted_a_question_is_not():
    sentence = "Monthly passes are not affected by the change."
    assert verify("Monthly passes are affected by the change.", evidence(sentence)).check == "negation"
    assert verify("Monthly passes are not affected by the change.", evidence(sentence)).supported
    assert verify("Which passes are affected by the change?", evidence(sentence), question=True).supported


def test_a_word_the_cited_sentence_does_not_hold_or_mean_is_unsupported():
    met = evidence("Foreign Minister Wang Yi met his Russian counterpart Sergey Lavrov in Rio de Janeiro.")
    verdict = verify("Wang Yi and Sergey Lavrov signed a trade agreement in Rio de Janeiro.", met)
    assert (verdict.status, verdict.check) == ("unsupported", "novel")
    assert "“signed”, “trade”, “agreement”" in verdict.reason
    assert verify("Wang Yi had a meeting with Sergey Lavrov in Rio de Janeiro.", met).supported  # met: meeting
    assert verify("Xi told Biden that Beijing would defend its core interests.", evidence(XI)).supported  # protect
    assert verify("Wang Yi also met Sergey Lavrov in Rio de Janeiro.", met).supported  # an adverb qualifies
    assert verify("Did Wang Yi sign a deal with Lavrov?", met, question=True, checks=["novel"]).supported


def test_a_name_matches_itself_only_never_a_word_it_stems_like():
    united = evidence("Xi told his United States counterpart Joe Biden that Beijing would protect the peninsula.")
    verdict = verify("Xi told Biden that China would send troops to the peninsula.", united, checks=["novel"])
    assert verdict.check == "novel" and "“send”, “troops”" in verdict.reason  # "United" is no military unit
    assert verify("Xi told Biden about the Korean peninsula.", evidence("Xi spoke to Biden about Korea."),
                  checks=["novel"]).check == "novel"  # "told ... about" is fine, "peninsula" is new
    assert verify("Xi told Biden about Korean security.", evidence("Xi told Biden about security in Korea."),
                  checks=["novel"]).supported


def test_the_title_and_section_a_sentence_is_read_with_count_as_held():
    row = Evidence(best="Cost: 2.3 million euros", sentences=("Cost: 2.3 million euros",), passage="",
                   context="Harbour ferry returns after repairs\nCosts")
    assert verify("The repairs cost 2.3 million euros.", row, checks=["novel"]).supported


def test_a_question_about_a_noun_the_passage_describes_otherwise_is_refused():
    sentence = "The medieval town walls were rebuilt with local stone in 1820."
    verdict = verify("When were the modern town walls rebuilt?", evidence(sentence), question=True)
    assert (verdict.status, verdict.check) == ("unsupported", "describing") and "“modern walls”" in verdict.reason
    assert verify("When were the medieval town walls rebuilt?", evidence(sentence), question=True).supported


def test_another_verb_of_saying_or_the_document_as_speaker_is_no_new_word():
    said = evidence("Lavrov said the talks in Rio de Janeiro were useful.")
    assert verify("Lavrov testified that the talks in Rio de Janeiro were useful.", said, checks=["novel"]).supported
    assert verify("The author argues that the talks in Rio de Janeiro were useful.", said, checks=["novel"]).supported
    denial = verify("Lavrov denied that the talks in Rio de Janeiro were useful.", said, checks=["novel"])
    assert denial.check == "novel" and "“denied”" in denial.reason
    assert verify("The author of the talks in Rio de Janeiro was Lavrov.", said, checks=["novel"]).check == "novel"


def test_a_name_in_a_clause_another_verb_negates_is_not_contradicted():
    sentence = "The tactic didn't work on Acme CEO Jane Roe, who rejected a $2 million offer from Globex in 2019."
    assert verify("Acme CEO Jane Roe turned down a $2 million offer from Globex in 2019.", evidence(sentence),
                  checks=["negation"]).supported
    assert verify("The tactic worked on Acme CEO Jane Roe.", evidence(sentence), checks=["negation"]).check == "negation"


def test_an_event_the_passage_has_only_as_planned_is_unsupported_for_statements():
    sentence = "The ferry was set to dock at Ashby on Saturday."
    verdict = verify("The ferry docked at Ashby on Saturday.", evidence(sentence))
    assert (verdict.status, verdict.check) == ("unsupported", "intended") and "“set to dock”" in verdict.reason
    assert verify("The ferry was set to dock at Ashby on Saturday.", evidence(sentence)).supported
    assert verify("When did the ferry dock at Ashby?", evidence(sentence), question=True).check != "intended"


def test_a_verb_wordnet_gives_for_a_phrasal_verb_is_no_novel_word():
    assert verify("The old ferry disintegrated over the reef.", evidence("The old ferry broke up over the reef.")).supported
    assert verify("The old ferry broke up over the reef.", evidence("The old ferry disintegrated over the reef.")).supported
    assert verify("The old ferry docked over the reef.", evidence("The old ferry broke up over the reef.")).check == "novel"


def test_a_table_row_needs_no_verb_but_its_values_stay_under_their_headers():
    row = "Dataset: scifact; BM25S: 952.92; Elastic: 20.81"
    ev = Evidence(best=row, sentences=(row,), passage=f"Queries per second\n{row}", context="Queries per second")
    assert verify("On scifact, BM25S reaches 952.92 queries per second.", ev).supported
    assert verify("On scifact, Elastic reaches 952.92 queries per second.", ev).check == "specifics"
    assert verify("On scifact, BM25S reaches 952.92.", evidence("BM25S: 952.92 on scifact.")).check == "novel"
