"""The extractive answerer with a fake embedder: selection, ordering, markers, refusal."""
import re

import pytest

from rag.answering.extractive import NOT_FOUND, ExtractiveAnswerer
from rag.answering.candidates import candidates
from rag.config import AnswerSettings
from rag.ingest.chunker import Chunker
from rag.ingest.readers import parse_document
from rag.records import Hit

from tests.conftest import FakeEmbedder

DOC = ("Tea guide\nGreen tea is steamed soon after picking. Black tea is fully oxidised. "
       "Oolong tea is partly oxidised. Coffee is a different plant.")


def hits_for(text=DOC, source="tea.txt", chunk_tokens=12):
    emb = FakeEmbedder()
    doc = parse_document(source, text.encode())  # the reader marks "Tea guide" as a heading
    chunks = Chunker(emb.token_spans, chunk_tokens, 4).split(doc)
    return [Hit(c, 1.0 / (i + 1)) for i, c in enumerate(chunks)]


def answerer(**kw):
    settings = AnswerSettings(**{"min_score": 0.6, "coverage_weight": 0.35, "min_similarity": 0.2, **kw})
    return ExtractiveAnswerer(FakeEmbedder(), settings)


def test_candidates_are_unique_sentences_of_retrieved_chunks():
    hits = hits_for()
    found = candidates(hits)
    keys = [(c.chunk.source, c.start, c.end) for c in found]
    assert len(keys) == len(set(keys)) == 4  # overlap repeats sentences; each is kept once; no title
    for c in found:
        assert c.chunk.text[c.start - c.chunk.start : c.end - c.chunk.start] == c.text


def test_answer_quotes_supporting_sentences_with_matching_markers():
    hits = hits_for()
    answer = answerer().answer("Is oolong tea oxidised?", hits)
    assert not answer.not_found
    markers = [int(m) for m in re.findall(r"\[(\d+)\]", answer.answer)]
    assert markers == [c.id for c in answer.citations] == list(range(1, len(markers) + 1))
    quotes = [c.quote for c in answer.citations]
    assert "Oolong tea is partly oxidised." in quotes
    retrieved = {h.chunk.id: h.chunk for h in hits}
    for c in answer.citations:
        chunk = retrieved[c.chunk_id]
        assert DOC[c.start : c.end] == c.quote and c.text == chunk.text
        assert chunk.start <= c.start < c.end <= chunk.end


def test_the_best_sentence_leads_and_others_only_add_what_it_lacks():
    settings = dict(max_sentences=3, min_score=0.3, margin=0.5)
    one = answerer(**settings).answer("Is black tea oxidised?", hits_for())
    assert [c.quote for c in one.citations] == ["Black tea is fully oxidised."]  # oolong adds no term
    both = answerer(**settings).answer("Which tea is oxidised?", hits_for())
    assert len(both.citations) == 2  # black and oolong tea: each holds every term, each a whole answer
    two = answerer(**settings).answer("Which tea is steamed and which is oxidised?", hits_for())
    quotes = [c.quote for c in two.citations]
    assert len(quotes) == 2 and {"Green tea is steamed soon after picking."} & set(quotes)
    found = answerer(**settings).evidence("Which tea is steamed and which is oxidised?", hits_for())
    best = max(found, key=lambda c: c.score)
    assert quotes[0] == best.text


def test_one_scoring_is_decided_under_other_settings_for_a_sweep():
    ask, question = answerer(max_sentences=3, min_score=0.3, margin=0.5), "Which tea is steamed and which is oxidised?"
    found = ask.evidence(question, hits_for())
    assert len(ask.decide(question, found).citations) == 2
    assert len(ask.decide(question, found, ask.settings.model_copy(update={"max_sentences": 1})).citations) == 1
    assert ask.decide(question, found, ask.settings.model_copy(update={"min_score": 9.0})).not_found
    assert len(ask.decide(question, found).citations) == 2  # its own settings untouched


def test_a_specific_the_passages_do_not_hold_is_not_answered():
    answer = answerer().answer("Was oolong tea oxidised in 1850?", hits_for())
    assert answer.not_found and "1850" in answer.note
    assert not answerer(check_specifics=False).answer("Was oolong tea oxidised in 1850?", hits_for()).not_found


SCOTLAND = ("Scotland\nKing Malcolm III of Scotland married Edgar's sister Margaret. "
            "Malcolm came into opposition to William over the southern borders.")


def test_a_question_that_swaps_who_did_what_to_whom_is_not_answered():
    answer = answerer().answer("Who did Edgar marry?", hits_for(SCOTLAND, chunk_tokens=60))
    assert answer.not_found and "Edgar's sister" in answer.note
    assert "Margaret" in answerer().answer("Who did Malcolm marry?", hits_for(SCOTLAND, chunk_tokens=60)).answer
    assert not answerer(check_specifics=False).answer("Who did Edgar marry?", hits_for(SCOTLAND, chunk_tokens=60)).not_found


def test_a_question_whose_subject_the_passage_has_acted_upon_is_not_answered():
    hits = hits_for("England\nIn 1066, Duke William II of Normandy conquered England killing King Harold II "
                    "at the Battle of Hastings.", chunk_tokens=60)
    answer = answerer().answer("When did King Harold II conquer England?", hits)
    assert answer.not_found and "other way round" in answer.note
    assert answerer().answer("When did William conquer England?", hits).short_answer.text == "1066"


def test_a_wh_question_the_best_sentence_denies_is_not_answered_but_a_yes_no_one_is():
    text = "Harbour\nThe old ferry did not reach the harbour in the storm. Crews waited on the quay."
    hits = hits_for(text, chunk_tokens=60)
    answer = answerer().answer("When did the old ferry reach the harbour?", hits)
    assert answer.not_found and "did not reach" in answer.note
    asked = answerer().answer("Did the old ferry reach the harbour in the storm?", hits)
    assert [c.quote for c in asked.citations] == ["The old ferry did not reach the harbour in the storm."]


def test_a_when_question_whose_best_passages_give_no_time_is_not_answered():
    text = "Harbour\nThe ferry returned to service in March. The authority's director, Marta Kovacs, praised the crew."
    answer = answerer().answer("When was the director Marta Kovacs appointed?", hits_for(text, chunk_tokens=60))
    assert answer.not_found and "no date or time" in answer.note
    assert not answerer(check_specifics=False).answer("When was the director Marta Kovacs appointed?",
                                                      hits_for(text, chunk_tokens=60)).not_found
    assert "March" in answerer().answer("When did the ferry return to service?", hits_for(text, chunk_tokens=60)).answer


def test_a_term_the_passage_states_counts_for_a_sentence_that_leaves_it_implicit():
    text = ("Harbour news\nThe regional transport authority said fares would rise. "
            "The agency's director, Marta Kovacs, said the ferry returns in spring.")
    found = answerer().evidence("Who is the director of the regional transport authority?", hits_for(text, chunk_tokens=60))
    director = next(c for c in found if "Kovacs" in c.text)
    assert director.context_coverage == 1.0 and director.coverage < 0.5


LEANING = ("Art guide\nThe most famous work of the period is the Bayeux Tapestry. "
           "It was commissioned by Odo, the bishop. Oolong tea is partly oxidised.")


def test_a_sentence_opening_with_a_pronoun_is_read_with_the_one_before():
    found = answerer().evidence("Who commissioned the Tapestry?", hits_for(LEANING, chunk_tokens=60))
    odo = next(c for c in found if "Odo" in c.text)
    assert odo.lead is not None and "Tapestry" in odo.lead.text
    assert odo.own_terms == {"commiss"} and odo.coverage == 1.0 and odo.needs_lead
    assert next(c for c in found if "Oolong" in c.text).lead is None  # no pronoun: stands alone


def test_an_answer_that_needs_the_sentence_before_cites_both_in_order():
    answer = answerer().answer("Who commissioned the Tapestry?", hits_for(LEANING, chunk_tokens=60))
    assert [c.quote for c in answer.citations] == [
        "The most famous work of the period is the Bayeux Tapestry.", "It was commissioned by Odo, the bishop."]
    assert re.fullmatch(r"The most famous .*Tapestry\. \[1\] It was commissioned .* \[2\]", answer.answer)


def test_a_leaning_sentence_is_read_alone_across_a_paragraph_break():
    text = "Art guide\nThe Bayeux Tapestry hangs in Bayeux.\nIt was commissioned by Odo, the bishop."
    odo = next(c for c in candidates(hits_for(text, chunk_tokens=60)) if "Odo" in c.text)
    assert odo.lead is None


def test_nothing_supporting_means_not_found():
    answer = answerer().answer("What is the population of Brazil?", hits_for())
    assert answer.not_found and answer.answer == NOT_FOUND and answer.citations == []


def test_no_hits_means_not_found():
    assert answerer().answer("Anything?", []).not_found


def test_max_sentences_is_respected():
    answer = answerer(max_sentences=1, min_score=0.0, min_similarity=0.0).answer("tea", hits_for())
    assert len(answer.citations) == 1


def test_titles_and_datelines_never_answer():
    text = "Tea guide\nDepartment of Leaves 20-11-2024\nGreen tea is steamed soon after picking."
    found = candidates(hits_for(text, chunk_tokens=60))
    assert [c.text for c in found] == ["Green tea is steamed soon after picking."]


def test_a_when_question_gets_the_date_as_a_short_answer_inside_its_cited_sentence():
    text = "Tea guide\nThe first tea shop opened in 1657 in London. Oolong tea is partly oxidised."
    hits = hits_for(text, chunk_tokens=60)
    answer = answerer().answer("When did the first tea shop open?", hits)
    short, chunk = answer.short_answer, hits[0].chunk
    assert short.text == "1657" and answer.citations[short.citation - 1].quote.startswith("The first tea shop")
    assert chunk.text[short.start - chunk.start : short.end - chunk.start] == "1657"  # offsets into the document
    assert answer.model_dump(mode="json")["short_answer"]["text"] == "1657"


@pytest.mark.parametrize("first, question, short", [
    ("The first tea shop opened in 1657.", "When did the first tea shop in London open?", "1657"),
    ("The tea shop sold 40 kinds of tea.", "How many kinds of tea did the London tea shop sell?", "40"),
    ("The first tea shop was opened by Thomas Garway.", "Who opened the first tea shop in London?", "Thomas Garway"),
])
def test_a_best_sentence_holding_the_date_number_or_name_asked_for_answers_alone(first, question, short):
    hits = hits_for(f"Tea guide\n{first} The shop stood in London.", chunk_tokens=60)
    ask = answerer(min_score=0.3, margin=0.5)
    assert len(ask.select(ask.evidence(question, hits))) == 2  # the second adds "London"...
    answer = ask.answer(question, hits)
    assert [c.quote for c in answer.citations] == [first]  # ...but not the answer
    assert answer.short_answer.text == short


def test_a_question_without_a_clear_span_gets_none():
    answer = answerer().answer("Is oolong tea oxidised?", hits_for())
    assert not answer.not_found and answer.short_answer is None


def test_sentence_vectors_kept_from_indexing_are_used_and_give_the_same_answer():
    question = "Is oolong tea oxidised?"
    asked_fresh = answerer().answer(question, hits_for())
    hits = hits_for()
    emb = FakeEmbedder()
    for hit in hits:
        hit.chunk.sentence_vectors = emb.embed_batch([hit.chunk.sentence_text(a, b) for a, b in hit.chunk.sentences])
    kept = answerer()
    answer = kept.answer(question, hits)
    assert kept.embedder.calls == [1]  # the question alone
    assert answer.answer == asked_fresh.answer and not answer.not_found


def test_a_sentence_holding_every_key_term_is_considered_below_min_similarity():
    ask, question = answerer(min_score=0.3, min_similarity=0.99), "Which tea is steamed soon after picking?"
    found = ask.evidence(question, hits_for())
    complete = [c for c in found if c.coverage >= 0.999]
    assert complete and all(c.similarity < 0.99 for c in complete)
    assert ask.decide(question, found).citations[0].quote == "Green tea is steamed soon after picking."
    assert ask.decide("Which tea is picked by hand?", ask.evidence("Which tea is picked by hand?", hits_for())).not_found


def test_a_caption_repeating_the_question_is_never_the_answer():
    text = ("# Costs\n\nTable 2: What the hull repairs cost, by item.\n\nHull repairs cost 1.4 million euros in all. "
            "The engines were overhauled in March.\n")
    found = candidates(hits_for(text, source="costs.md", chunk_tokens=40))
    assert [c.text for c in found][:1] == ["Hull repairs cost 1.4 million euros in all."]
    assert not any(c.text.startswith("Table 2") for c in found)


LISTING = ("# Tea guide\n\nThe shop sells the following teas:\n\n* Green tea from Uji\n* Black tea from Assam\n\n"
           "Prices change every spring. The shop opens at nine.\n")


def test_a_sentence_ending_in_a_colon_answers_with_the_list_it_introduces():
    hits = hits_for(LISTING, source="tea.md", chunk_tokens=60)
    lead = next(c for c in candidates(hits) if c.text.endswith(":"))
    assert [c.text for c in lead.listed] == ["Green tea from Uji", "Black tea from Assam"]  # not the paragraph after
    answer = answerer().answer("Which teas does the shop sell?", hits)
    assert [c.quote for c in answer.citations][:3] == [
        "The shop sells the following teas:", "Green tea from Uji", "Black tea from Assam"]


def test_a_list_running_into_the_next_retrieved_chunk_is_read_on_there():
    text = ("# Tea guide\n\nThe shop sells the following teas:\n\n* Green tea from Uji\n* Black tea from Assam\n"
            "* White tea from Fujian\n* Oolong tea from Taiwan\n")
    hits = hits_for(text, source="tea.md", chunk_tokens=14)
    assert len(hits) > 1
    lead = next(c for c in candidates(hits) if c.text.endswith(":"))
    assert [c.text for c in lead.listed] == ["Green tea from Uji", "Black tea from Assam", "White tea from Fujian",
                                             "Oolong tea from Taiwan"]
    assert [c.text for c in next(c for c in candidates(hits[:1]) if c.text.endswith(":")).listed][-1] != \
        "Oolong tea from Taiwan"  # a chunk not retrieved is not read
