"""Citation checking with a fake embedder: out-of-range markers, missing markers, unsupported claims."""
import pytest

from rag.ingest.chunker import Chunker
from rag.answering.grounding import Grounder, claims, is_refusal
from rag.records import Document, Hit

from tests.conftest import FakeEmbedder

TEA = "Tea guide\nGreen tea is steamed soon after picking. Black tea is fully oxidised in the factory."
COFFEE = "Coffee guide\nArabica beans grow at high altitude. Robusta beans carry more caffeine."


def hits():
    emb = FakeEmbedder()
    out = []
    for source, text in (("tea.txt", TEA), ("coffee.txt", COFFEE)):
        doc = Document(source=source, text=text, title=source)
        out += [Hit(c, 1.0) for c in Chunker(emb.token_spans, 200, 0).split(doc)]
    return out


def ground(text):
    return Grounder(FakeEmbedder()).ground(text, hits(), "q")


def test_claims_split_sentences_and_collect_markers():
    found = claims("Green tea is steamed [1]. Robusta has caffeine [2, 3]. [4]")
    assert [(c.text, c.markers) for c in found] == [
        ("Green tea is steamed.", [1]), ("Robusta has caffeine.", [2, 3, 4])]


def test_correct_marker_is_kept_with_the_exact_sentence_as_quote():
    answer = ground("Green tea is steamed soon after picking [1].")
    assert answer.answer == "Green tea is steamed soon after picking. [1]"
    [c] = answer.citations
    assert c.source == "tea.txt" and c.quote == "Green tea is steamed soon after picking."
    assert TEA[c.start : c.end] == c.quote


def test_out_of_range_marker_is_dropped_and_support_found():
    answer = ground("Robusta beans carry more caffeine [9].")
    assert "[9]" not in answer.answer and answer.answer.endswith("[1]")
    assert answer.citations[0].source == "coffee.txt"


def test_wrong_marker_is_repaired_to_the_supporting_source():
    answer = ground("Arabica beans grow at high altitude [1].")  # [1] is the tea chunk
    assert answer.citations[0].source == "coffee.txt"
    assert answer.citations[0].quote == "Arabica beans grow at high altitude."


def test_missing_marker_gets_a_citation_attached():
    answer = ground("Black tea is fully oxidised in the factory.")
    assert answer.answer == "Black tea is fully oxidised in the factory. [1]"


def test_unsupported_sentence_is_flagged_not_silently_kept():
    answer = ground("Green tea is steamed soon after picking [1]. Penguins waddle across Antarctic ice [2].")
    assert [p.unsupported for p in answer.parts] == [False, True]
    assert "ice. (unsupported)" in answer.answer
    assert len(answer.citations) == 1


def test_a_claim_the_passage_denies_is_unsupported():
    doc = Document(source="coffee.txt", text="Coffee guide\nArabica beans do not grow at sea level.", title="coffee.txt")
    found = [Hit(c, 1.0) for c in Chunker(FakeEmbedder().token_spans, 200, 0).split(doc)]
    grounder = Grounder(FakeEmbedder())
    assert grounder.ground("Arabica beans grow at sea level [1].", found, "q") is None
    kept = grounder.ground("Arabica beans do not grow at sea level [1].", found, "q")
    assert [c.quote for c in kept.citations] == ["Arabica beans do not grow at sea level."]


def test_a_claim_with_the_passage_names_in_each_other_roles_is_unsupported():
    doc = Document(source="h.txt", text="History\nIn 1066 Duke William conquered England and killed Harold.", title="h.txt")
    found = [Hit(c, 1.0) for c in Chunker(FakeEmbedder().token_spans, 200, 0).split(doc)]
    grounder = Grounder(FakeEmbedder())
    assert grounder.ground("Harold conquered England in 1066 [1].", found, "q") is None
    assert grounder.ground("William conquered England in 1066 [1].", found, "q").citations


def test_nothing_supported_returns_none():
    assert ground("Penguins live in Antarctica [1]. Volcanoes erupt lava [2].") is None


def test_citations_never_point_outside_the_retrieved_set():
    retrieved = {h.chunk.id for h in hits()}
    answer = ground("Green tea is steamed soon after picking [7]. Robusta beans carry more caffeine [0].")
    assert answer.citations and all(c.chunk_id in retrieved for c in answer.citations)
    assert [c.id for c in answer.citations] == list(range(1, len(answer.citations) + 1))


def test_refusal_detection():
    assert is_refusal("The documents do not contain an answer to this question.")
    assert not is_refusal("Green tea is steamed.")


# -- with the real model: paraphrases are supported, near misses are not ----------------------


def seed_hits(embedder):
    from rag.ingest.readers import parse_document

    from tests.conftest import SEED_FILE

    doc = parse_document(SEED_FILE.name, SEED_FILE.read_bytes())
    return [Hit(c, 1.0) for c in Chunker(embedder.token_spans, 200, 0).split(doc)]


@pytest.mark.slow
@pytest.mark.parametrize("claim, supported_by", [
    ("Xi told Biden that Beijing would defend its core interests on the Korean peninsula.", "core interests"),
    ("According to Xinhua, Xi said Beijing will not let conflict and turmoil happen on the Korean Peninsula.",
     "conflict and turmoil"),
    ("Wang Yi and Sergey Lavrov met in Rio de Janeiro.", "Rio de Janeiro"),
])
def test_a_paraphrase_is_supported_by_the_sentence_it_restates(real_embedder, claim, supported_by):
    answer = Grounder(real_embedder).ground(claim + " [1]", seed_hits(real_embedder), "q")
    assert answer is not None and not answer.parts[0].unsupported
    assert supported_by in answer.citations[0].quote


@pytest.mark.slow
@pytest.mark.parametrize("claim", [
    "The G20 summit in Brazil was cancelled because of the Ukraine crisis.",
    "Xi told Biden that China would send troops to the Korean peninsula.",  # troops: what it does not say
    "Wang Yi met Sergey Lavrov in Moscow to sign a trade agreement.",  # a place the passage does not hold
    "Xi told Biden at the summit in 2019 that Beijing would protect its core interests.",  # a year it does not
    "Biden told Xi at the summit in Peru that Beijing does not allow conflict on the Korean Peninsula.",  # swapped
])
def test_a_near_miss_that_shares_words_is_unsupported(real_embedder, claim):
    answer = Grounder(real_embedder).ground(f"{claim} [1]", seed_hits(real_embedder), "q")
    assert answer is None or answer.parts[0].unsupported


def test_an_unsupported_sentence_says_why():
    answer = ground("Green tea is steamed soon after picking [1]. Penguins waddle across Antarctic ice [2].")
    assert answer.parts[0].reason is None
    assert answer.parts[1].reason == "No retrieved sentence says anything close to this."


@pytest.mark.slow
def test_the_reason_names_the_check_that_failed(real_embedder):
    text = ("Biden told Xi at the summit in Peru that Beijing does not allow conflict on the Korean Peninsula [1]. "
            "Wang Yi and Sergey Lavrov met in Rio de Janeiro [2]. "
            "Xi told Biden at the summit in 2019 that Beijing would protect its core interests [1].")
    parts = Grounder(real_embedder).ground(text, seed_hits(real_embedder), "q").parts
    assert [p.unsupported for p in parts] == [True, False, True]
    assert "other way round" in parts[0].reason and parts[1].reason is None and "“2019”" in parts[2].reason


def doc_hits(embedder, text: str, source: str = "news.txt"):
    doc = Document(source=source, text=text, title=source)
    return [Hit(c, 1.0) for c in Chunker(embedder.token_spans, 200, 0).split(doc)]


MUSEUM = ("Tunisia attack\nGunmen stormed the Bardo National Museum in Tunis on Wednesday. "
          "At least 19 people were killed by the gunmen, most of them foreign tourists.")


@pytest.mark.slow
def test_a_claim_joining_two_sentences_cites_both(real_embedder):
    answer = Grounder(real_embedder).ground("Gunmen killed at least 19 people at the Bardo National Museum [1].",
                                            doc_hits(real_embedder, MUSEUM), "q")
    assert not answer.parts[0].unsupported
    assert sorted(c.quote[:12] for c in answer.citations) == ["At least 19 ", "Gunmen storm"]
    assert answer.parts[0].citations == [1, 2]


@pytest.mark.slow
def test_a_second_sentence_never_supplies_the_relation(real_embedder):
    text = ("Debt\nThe deficit is soaring now as the economy booms. "
            "Lawmakers might feel compelled to cut spending as tax revenue falls and shrinks.")
    answer = Grounder(real_embedder).ground("The deficit is shrinking now as the economy booms [1].",
                                            doc_hits(real_embedder, text), "q")
    assert answer is None or answer.parts[0].unsupported


@pytest.mark.slow
def test_a_name_the_cited_sentence_leaves_out_comes_from_the_sentence_nearest_that_holds_it(real_embedder):
    text = ("Ferry sale\nThe Port Gazette, a weekly paper, wrote on Friday that three ferries would go to a yard abroad. "
            "Timetables on the island route changed twice during the winter. "
            "The report did not name the buyers.")
    answer = Grounder(real_embedder).ground("The Port Gazette report did not name the buyers [1].",
                                            doc_hits(real_embedder, text), "q")
    assert not answer.parts[0].unsupported
    assert sorted(c.quote[:14] for c in answer.citations) == ["The Port Gazet", "The report did"]


@pytest.mark.slow
def test_no_other_sentence_stands_in_for_a_name_the_claim_replaced(real_embedder):
    text = ("Ferry sale\nThe City Herald, a weekly paper, wrote on Friday that three ferries would go to a yard abroad. "
            "The Port Gazette report did not name the buyers.")
    answer = Grounder(real_embedder).ground("The City Herald report did not name the buyers [1].",
                                            doc_hits(real_embedder, text), "q")
    assert answer is None or answer.parts[0].unsupported


@pytest.mark.slow
def test_a_year_the_cited_sentence_leaves_out_comes_from_a_sentence_that_gives_it(real_embedder):
    text = ("Bridge history\nA great flood struck the town in 1953. Most of the harbour wall survived it.\n\n"
            "Repairs\nThe main span was rebuilt after the flood. It reopened to traffic in the spring.")
    kept = Grounder(real_embedder).ground("The main span was rebuilt after the 1953 flood [1].",
                                          doc_hits(real_embedder, text), "q")
    assert not kept.parts[0].unsupported and len(kept.citations) == 2
    other = Grounder(real_embedder).ground("The main span was rebuilt after the 1962 flood [1].",
                                           doc_hits(real_embedder, text), "q")
    assert other is None or other.parts[0].unsupported


@pytest.mark.slow
def test_a_claim_citing_the_wrong_chunk_is_checked_against_the_retrieved_sentence_most_like_it(real_embedder):
    castles = doc_hits(real_embedder, "Castles\nThe Normans gave their name to Normandy. They built stone castles.")
    names = doc_hits(real_embedder, "Names\nIn the 10th century the Normans gave their name to Normandy, a region "
                     "in France.", source="names.txt")
    answer = Grounder(real_embedder).ground("The Normans gave their name to Normandy in the 10th century [1].",
                                            castles + names, "q")
    assert not answer.parts[0].unsupported
    assert answer.citations[0].source == "names.txt" and "10th century" in answer.citations[0].quote


@pytest.mark.slow
def test_the_doer_of_a_sentence_opening_with_a_pronoun_comes_from_the_sentence_before(real_embedder):
    text = ("Ferry loss\nThe old ferry sank near the reef on Monday, the Harbour Authority said in a statement. "
            "It said most of the cargo washed up on Gull Island but some drifted to Tern Point. "
            "Divers will search the wreck next week. Gull Island is a nature reserve with a large colony of gulls. "
            "Volunteers from Gull Island cleaned the beaches after the storm last winter.")
    claim = "The Harbour Authority said most of the cargo washed up on Gull Island [1]."
    answer = Grounder(real_embedder).ground(claim, doc_hits(real_embedder, text), "q")
    assert not answer.parts[0].unsupported
    assert [c.quote[:10] for c in answer.citations] == ["It said mo", "The old fe"]
    other = Grounder(real_embedder).ground("The Coast Guard said most of the cargo washed up on Gull Island [1].",
                                           doc_hits(real_embedder, text), "q")
    assert other is None or other.parts[0].unsupported


def test_a_long_sentence_is_read_clause_by_clause():
    from rag.answering.grounding import _clauses

    sentence = ("As the Gazette reports, the operator announced on Monday that it would charge a minimum of 20 euros "
                "to take passengers off the island during the storm, and fares rose by as much as four times "
                "the standard amount.")
    assert _clauses(sentence)[-1] == "fares rose by as much as four times the standard amount."
    assert _clauses("The ferry (the oldest in the fleet) sank.") == []  # a short sentence is read whole


@pytest.mark.slow
def test_a_claim_restating_one_clause_of_a_long_sentence_is_supported(real_embedder):
    text = ("Storm fares\nAs the Gazette reported on Monday, the ferry operator announced that it would charge every "
            "traveller a minimum of 20 euros to be taken off the island while the storm closed the harbour road, and "
            "fares increased by as much as four times the standard amount. The harbour stayed open.")
    answer = Grounder(real_embedder).ground("Fares rose by as much as four times the standard amount [1].",
                                            doc_hits(real_embedder, text), "q")
    assert answer is not None and not answer.parts[0].unsupported
    assert answer.citations[0].quote.startswith("As the Gazette reported")


@pytest.mark.slow
def test_a_sentence_ending_in_a_colon_is_read_with_the_list_it_introduces(real_embedder):
    text = ("Ferry tools\nThe harbour office lends the following tools to crews:\nA tide table for the week.\n"
            "A spare life jacket for each passenger.\nThe office opens at eight.")
    claim = "The harbour office lends crews a tide table and spare life jackets [1]."
    answer = Grounder(real_embedder).ground(claim, doc_hits(real_embedder, text), "q")
    assert answer is not None and not answer.parts[0].unsupported
    other = Grounder(real_embedder).ground("The harbour office lends crews a tide table and a radio [1].",
                                           doc_hits(real_embedder, text), "q")
    assert other is None or other.parts[0].unsupported
