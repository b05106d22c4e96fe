"""What a statement says of its names, compared with what a sentence says of them, by their parses:
roles exchanged ("Medicaid will overtake interest payments" against "Interest payments will
overtake Medicaid"), a describing word moved to another noun ("the regional budget and a national
fund" against "the national budget and a regional fund"), a negation added or taken away ("There
is a guarantee" against "There's no guarantee", "unable" against "able")."""
from __future__ import annotations

from dataclasses import dataclass

from rag.language.parse import LIGHT_VERBS, OBJECT, SUBJECT, Argument, arguments, asked_slot, lemma, modifiers, parse, predicates, stems
from rag.language.words import extends, fold, opposites, related, spelled_out, stem

# Verbs whose subject and object can change places without changing what is said: "Biden met Xi".
RECIPROCAL = {"meet", "marry", "wed", "talk", "speak", "fight", "battle", "clash", "negotiate", "ally", "merge",
              "trade", "compete", "collaborate", "correspond", "agree", "argue", "divorce", "play", "discuss"}
# Verbs too light to carry a negation a reader would notice apart from the verb they help.
_LIGHT = {"be", "have", "do", "will", "would", "can", "could", "may", "might", "shall", "should", "must"}
MATCH = 0.5  # the share of a phrase's words another must share to be the same phrase


def swapped_roles(claim: str, sentence: str) -> str | None:
    """The claim's phrase that the sentence puts in another of the claim's phrases' place, as
    "“A” and “B”", or None. Each phrase of the claim is matched to the sentence's phrase sharing
    most of its words; two phrases whose places (role and verb) are exchanged have been swapped."""
    mine, theirs = arguments(claim), arguments(sentence)
    matched = [(a, _match(a, theirs)) for a in mine]
    for i, (a, at) in enumerate(matched):
        for b, bt in matched[i + 1:]:
            if at is None or bt is None or a.words == b.words or a.slot == b.slot or at is bt:
                continue
            if a.verb == b.verb and a.verb in RECIPROCAL:
                continue
            if at.slot == b.slot and bt.slot != b.slot and at.slot != a.slot:
                return f"“{_name(a)}” and “{_name(b)}”"
    return None


def asked_in_place(question: str, sentence: str) -> str | None:
    """The question's own phrase that the sentence puts where the question's answer should be:
    "Who did the Normans encourage?" against "Norman mercenaries were encouraged by the Lombards"
    (the Normans are the ones encouraged); the phrase, or None."""
    slot = asked_slot(question)
    if slot is None or slot[1] in _LIGHT or slot[1] in LIGHT_VERBS or slot[1] in RECIPROCAL:
        return None
    theirs = arguments(sentence)
    for a in arguments(question):
        if a.verb == slot[1] and a.slot != slot:
            found = _match(a, theirs)
            if found is not None and found.slot == slot:
                return a.text
    return None


def substituted_subject(claim: str, sentence: str) -> str | None:
    """Someone else doing it: the sentence gives the claim's verb a named subject that the claim does not
    name, and has the claim's own subject nowhere or only acted upon ("Lavrov said" against "Wang
    said"; "Harold conquered" against "William conquered England and killed Harold")."""
    mine, theirs = arguments(claim), arguments(sentence)
    for a in mine:
        if a.role != SUBJECT or not a.name:
            continue
        found = _match(a, theirs, least=0.01)
        if found is not None and found.role == SUBJECT:  # acting there too ("Beijing would" for "China would")
            continue
        for t in theirs:
            if t.name and t.slot == a.slot and _match(t, mine, least=0.01) is None:
                return f"“{t.text}” where it says “{a.text}”"
    return None


def renamed(claim: str, sentence: str) -> str | None:
    """A phrase of the claim whose name the sentence's same phrase (the same head in the same place)
    gives as another name it lacks: "Senate Republicans introduced" against "House Republicans
    introduced". "“B” where it says “A”", or None."""
    held, theirs = _lemmas(sentence), arguments(sentence)
    for a in arguments(claim):
        own = {n for n in a.names if n not in held and n != a.head and not spelled_out(n.upper(), sentence)}
        if not own:
            continue
        for t in theirs:
            other = t.names - a.names - {t.head}
            if t.slot == a.slot and t.head == a.head and other:
                return f"“{t.text}” where it says “{a.text}”"
    return None


def replaced_name(claim: str, sentence: str, words: set[str]) -> bool:
    """Whether a phrase of the claim holding some of `words` (names the sentence lacks) stands
    where the sentence has a name the claim does not give: "named after Werner Heisenberg" against
    "named after Charles Hermite"."""
    claim_names = set().union(*(a.names for a in arguments(claim)))
    theirs = arguments(sentence)
    return any(t.slot == a.slot and t.names - claim_names
               for a in arguments(claim) if a.names & words for t in theirs)


def moved_modifier(claim: str, sentence: str) -> str | None:
    """A describing word the claim puts on one noun and the sentence on another noun the claim
    also names ("national budget" where the sentence says "national infrastructure fund")."""
    said, held = modifiers(claim), set(modifiers(sentence))
    nouns = {noun for _, noun in said}
    claim_words, sentence_words = _lemmas(claim), _lemmas(sentence)
    for word, noun in said:
        if (word, noun) in held:
            continue
        elsewhere = sorted(n for w, n in held if w == word and n != noun and n in nouns)
        if elsewhere and any(n == noun for _, n in held):
            return f"“{word} {noun}” (it says “{word} {elsewhere[0]}”)"
        # the two describing words exchanged: "the first winter ... the second" against "the second winter ... the first"
        other = sorted(w for w, n in held if n == noun and w != word and (w, noun) not in said
                       and w in claim_words and word in sentence_words)
        if other:
            return f"“{word} {noun}” (it says “{other[0]} {noun}”)"
    return None


def reattached(claim: str, sentence: str) -> str | None:
    """What the claim says after one of two opposite words that the sentence says after the other:
    "smallest on the steepest farm" against "largest on the steepest farm, and smallest on the flat
    farm"; "rose in the north" against "fell in the north and rose in the south". Read from word
    order (the words after each, up to the next of the two), as the parser does not reliably attach
    such phrases. "“A” (it says “B”)"."""
    mine, theirs = parse(claim), parse(sentence)
    for i, word in enumerate(mine):
        if word.pos_ not in ("ADJ", "VERB", "ADV"):
            continue
        term = stem(lemma(word))
        held = {stem(lemma(t)): t for t in theirs}
        for other in sorted(opposites(term)):
            if term not in held or other not in held or other in {stem(lemma(t)) for t in mine}:
                continue
            said = _after(mine, i, {term, other})
            own, opposite = (_after(theirs, held[w].i, {term, other}) for w in (term, other))
            if len(said & opposite) > len(said & own):
                return f"“{word.text} {_phrase(mine, i)}” (it says “{held[other].text} {_phrase(mine, i)}”)"
    return None


_REACH = 8  # the words after a word that can be what it says of


def _after(doc, i: int, stops: set[str]) -> set[str]:
    """The content lemmas after token `i`, up to the next of `stops`, a semicolon or _REACH words."""
    found = set()
    for t in doc[i + 1:i + 1 + _REACH]:
        if stem(lemma(t)) in stops or t.text in (";", ":"):
            break
        if t.pos_ in ("NOUN", "PROPN", "NUM", "ADJ"):
            found.add(lemma(t))
    return found


def _phrase(doc, i: int) -> str:
    words = []
    for t in doc[i + 1:i + 1 + _REACH]:
        if t.is_punct and t.text != "'":
            break
        words.append(t.text)
    return " ".join(words)


def changed_modifier(claim: str, sentence: str) -> str | None:
    """A noun the claim and the sentence both describe by an adjective, each by one the other does
    not use and WordNet does not relate: "modern Europe" against "medieval Europe", "the English
    words" against "the French words". "“A” (it says “B”)", or None."""
    held = [(t.lemma_.lower(), lemma(t.head)) for t in parse(sentence) if _describes(t)]
    claim_words, sentence_words = _lemmas(claim), _lemmas(sentence)
    for t in parse(claim):
        word, noun = t.lemma_.lower(), lemma(t.head)
        if not _describes(t) or any(related(stem(word), stem(w)) for w in sentence_words):
            continue  # the sentence has the word, or one WordNet relates to it ("architecture", "distinct")
        other = sorted(w for w, n in held if n == noun and fold(w) not in claim_words)
        if other:
            return f"“{t.text} {t.head.text}” (it says “{other[0]} {t.head.text}”)"
    return None


def _describes(token) -> bool:
    """An adjective (or a name used as one: "French", "Byzantine") describing a noun."""
    return token.dep_ == "amod" and token.pos_ in ("ADJ", "PROPN") and token.head.pos_ in ("NOUN", "PROPN") \
        and token.lower_ not in _QUANTIFIERS


_QUANTIFIERS = {"several", "many", "few", "other", "various", "numerous", "some", "certain", "own", "same", "such"}


def changed_number(claim: str, sentence: str) -> str | None:
    """A number the claim puts in a place (role, verb and noun) where the sentence has only another
    number: "a slope of 5 degrees" against "a slope of 9 degrees, Broad Acre 5 degrees" (a phrase
    naming someone the claim does not, Broad Acre, is theirs, not the claim's). "“9” for “5”"."""
    mine, theirs = arguments(claim), arguments(sentence)
    claim_names = set().union(*(a.names for a in mine))
    for a in mine:
        numbers = {w for w in a.count if _numeric(w)}
        same = [t for t in theirs if t.slot == a.slot and t.head == a.head and not t.names - claim_names]
        given = sorted({w for t in same for w in t.count if _numeric(w)})
        if numbers and given and not numbers & set(given):
            return f"“{given[0]}” for “{sorted(numbers)[0]}”"
    return None


def _numeric(word: str) -> bool:
    return word.replace(".", "").replace(",", "").isdigit()


def _lemmas(text: str) -> set[str]:
    return {lemma(t) for t in parse(text)}


def flipped_negation(claim: str, sentence: str) -> str | None:
    """A verb, adjective or noun both say, negated in one and not in the other; the word, or None."""
    mine, theirs = predicates(claim), predicates(sentence)
    for word, negated in mine.items():
        if word not in _LIGHT and word in theirs and theirs[word] != negated:
            return word
    return None


def _match(argument: Argument, others: tuple[Argument, ...], least: float = MATCH) -> Argument | None:
    """The phrase among `others` sharing the largest share of `argument`'s words (a longer form of a
    name counts: "Syria" for "Syrians"), if it shares at least MATCH of them and no other shares as many."""
    scored = sorted(((_overlap(argument.words, o.words), i) for i, o in enumerate(others)), reverse=True)
    if not scored or scored[0][0] < least or (len(scored) > 1 and scored[1][0] == scored[0][0]):
        return None
    return others[scored[0][1]]


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    shared = sum(any(extends(w, v, shortest=4) for v in b) for w in a)
    return shared / max(len(a), len(b))


def _name(argument: Argument) -> str:
    return argument.text


# Verbs that put what they report before or after themselves at will ("X, Lavrov said").
_REPORTING = {"say", "tell", "report", "state", "add", "note", "announce", "claim", "write", "reply", "explain"}


def exchanged_around(claim: str, sentence: str) -> str | None:
    """Two of the claim's nouns on opposite sides of a verb (or "than") that the sentence has them
    the other way round of, "“A” and “B”", or None: "Dinner costs less than brunch" against
    "Brunch costs less than dinner"; "the vetch established quickly, while the rye grew" against
    "the rye established quickly, while the vetch grew". Read from word order, so that it holds
    where the parser misreads a phrase; a passive on one side only, a verb of saying, a reciprocal
    verb and an opposite word between the two ("more" for "less", "after" for "before") leave it alone."""
    mine, theirs = parse(claim), parse(sentence)
    if _converse(mine, theirs):
        return None
    for pivot in (t for t in mine if _pivot(t)):
        same = [t for t in theirs if _pivot(t) and lemma(t) == lemma(pivot)]
        if len(same) != 1 or _passive(pivot) != _passive(same[0]):
            continue
        moved_back = moved_ahead = None
        for word, before in _anchors(mine, pivot):
            sides = {t.i < same[0].i for t in theirs if _anchor(t) and lemma(t) == word.lemma}
            if len(sides) == 1 and before not in sides:
                moved_back, moved_ahead = (word.text, moved_ahead) if before else (moved_back, word.text)
        if moved_back and moved_ahead:
            return f"“{moved_back}” and “{moved_ahead}”"
    return None


@dataclass(frozen=True)
class _Word:
    lemma: str
    text: str


def _anchors(doc, pivot) -> list[tuple[_Word, bool]]:
    """The nouns of `doc` named once in it, each with whether it stands before `pivot`."""
    counts: dict[str, int] = {}
    for t in doc:
        if _anchor(t):
            counts[lemma(t)] = counts.get(lemma(t), 0) + 1
    return [(_Word(lemma(t), t.text), t.i < pivot.i) for t in doc if _anchor(t) and counts[lemma(t)] == 1]


def _anchor(token) -> bool:
    return token.pos_ in ("NOUN", "PROPN")


def _pivot(token) -> bool:
    if token.lower_ == "than":
        return True
    word = lemma(token)
    return token.pos_ == "VERB" and word not in LIGHT_VERBS and word not in RECIPROCAL and word not in _REPORTING \
        and not any(c.dep_ in ("ccomp", "parataxis") for c in token.children) and token.dep_ != "parataxis"


def _passive(token) -> bool:
    return any(c.dep_ in ("auxpass", "nsubjpass", "agent") for c in token.children)


def _converse(mine, theirs) -> bool:
    """Whether one text holds an opposite of a word of the other ("less" against "more"): then an
    exchange of places may say the same ("A costs more than B", "B costs less than A")."""
    said, held = stems(mine.text), stems(theirs.text)
    return any(opposites(term) & held for term in said - held)
