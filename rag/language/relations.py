"""What a statement says of its names, compared with what a sentence says of them, by their parses:
roles exchanged ("Medicaid will overtake interest payments" against "Interest payments will
overtake Medicaid"), a describing word moved to another noun ("the regional budget and a national
fund" against "the national budget and a regional fund"), a negation added or taken away ("There
is a guarantee" against "There's no guarantee", "unable" against "able")."""
from __future__ import annotations

from rag.language.parse import (LIGHT_VERBS, OBJECT, REPORTING, SUBJECT, Argument, arguments, asked_slot, lemma,
                                modifiers, parse, predicates)
from rag.language.words import content_words, extends, fold, related, spelled_out, stem

# Verbs whose subject and object can change places without changing what is said: "Biden met Xi".
RECIPROCAL = {"meet", "marry", "wed", "talk", "speak", "fight", "battle", "clash", "negotiate", "ally", "merge",
              "trade", "compete", "collaborate", "correspond", "agree", "argue", "divorce", "play", "discuss",
              "star"}  # "The film stars Nanjiani": "Nanjiani stars in the film"
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
            if a.verb == b.verb and (a.verb in RECIPROCAL or _identity(a, b)):
                continue
            if at.slot == b.slot and bt.slot != b.slot and at.slot != a.slot:
                return f"“{_name(a)}” and “{_name(b)}”"
    return None


def _identity(a: Argument, b: Argument) -> bool:
    """Subject and complement of "be", which say the same either way: "Ardern is the prime minister"."""
    return a.verb == "be" and {a.role, b.role} == {SUBJECT, OBJECT}


def asked_in_place(question: str, sentence: str) -> str | None:
    """The question's own phrase that the sentence puts where the question's answer should be:
    "Who did the Normans encourage?" against "Norman mercenaries were encouraged by the Lombards"
    (the Normans are the ones encouraged); the phrase, or None. A subject counts only where the
    sentence's verb has an object too: "the vault opens" is the vault opened."""
    slot = asked_slot(question)
    if slot is None or not _telling(slot[1]):
        return None
    theirs = arguments(sentence)
    for a in arguments(question):
        if a.verb == slot[1] and a.slot != slot:
            found = _match(a, theirs)
            if found is not None and found.slot == slot and (found.role != SUBJECT or _transitive(slot[1], theirs)):
                return a.text
    return None


def _transitive(verb: str, arguments_: tuple[Argument, ...]) -> bool:
    """Whether the sentence gives `verb` an object: "The vault opens with the word" has the vault
    undergo the opening, so it is no answer to "Which word opens the vault?" turned round."""
    return any(t.verb == verb and t.role == OBJECT for t in arguments_)


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


def acted_upon(claim: str, sentence: str) -> str | None:
    """The claim's subject that the sentence has only as the object of the claim's own verbs, with
    the doer left to a pronoun: "Drivers monitor and control the company" against "It monitors
    and controls its drivers". A relative clause ("hired workers who hired") or a passive ("the
    tablets were believed to contain") leaves it alone: the noun may act in the clause it opens."""
    mine, theirs = arguments(claim), arguments(sentence)
    verbs, opening = {a.verb for a in mine}, _opening(sentence)
    for a in mine:
        if a.role != SUBJECT or not _telling(a.verb) or a.head in opening:
            continue
        same = [t for t in theirs if t.head == a.head]
        if same and all(t.role == OBJECT and t.verb in verbs for t in same):
            return f"“{a.text}”"
    return None


def _telling(verb: str) -> bool:
    """Whether who does it to whom is told by the verb: not an auxiliary, a light verb ("have",
    "make") or a reciprocal one ("meet": each does it to the other)."""
    return verb not in _LIGHT and verb not in LIGHT_VERBS and verb not in RECIPROCAL


def _opening(text: str) -> set[str]:
    """The nouns a relative clause describes ("workers" in "workers who hired") and the subjects of
    passives ("tablets" in "the tablets were believed to contain")."""
    doc = parse(text)
    return {lemma(t.head) for t in doc if t.dep_ == "relcl"} | {lemma(t) for t in doc if t.dep_ == "nsubjpass"}


def renamed(claim: str, sentence: str) -> str | None:
    """A phrase of the claim whose name the sentence's same phrase (the same head in the same place)
    gives as another name it lacks: "Senate Republicans introduced" against "House Republicans
    introduced"; or, the sentence naming the claim's name elsewhere, gives as another name only:
    "brokered the buyout of WhatsApp" against "the acquisition of WhatsApp, he brokered its buyout
    of Instagram". "“B” where it says “A”", or None."""
    held, theirs = _lemmas(sentence), arguments(sentence)
    for a in arguments(claim):
        own = {n for n in a.names if n not in held and n != a.head and not spelled_out(n.upper(), sentence)}
        same = [t for t in theirs if t.slot == a.slot and t.head == a.head]
        for t in same:
            other = t.names - a.names - {t.head}
            if own and other:
                return f"“{t.text}” where it says “{a.text}”"
        mine = a.names - {a.head}
        if mine and not own and mine <= held and not any(t.names & mine for t in same):
            other = sorted(set().union(*(t.names - {t.head} for t in same)))
            if other:
                return f"“{other[0]}” where it says “{sorted(mine)[0]}”"
    return None


def replaced_name(claim: str, sentence: str, words: set[str]) -> bool:
    """Whether a phrase of the claim holding some of `words` (names the sentence lacks) stands
    where the sentence has a name the claim does not give: "named after Werner Heisenberg" against
    "named after Charles Hermite"), or another noun than a pronoun ("the Harbour Authority said"
    against "fishermen say"); or one of them describes a noun the sentence describes by a word
    the claim lacks: "the Vale Trust laboratory" against "the university laboratory"."""
    claim_names = set().union(*(a.names for a in arguments(claim)))
    theirs = arguments(sentence)
    # (a pronoun is no argument, so "It said" leaves the place open; "one", read as a number, does too)
    if any(t.slot == a.slot and (t.names - claim_names or t.head not in (a.head, "one"))
           for a in arguments(claim) if a.names & words for t in theirs):
        return True
    own = _lemmas(claim)
    described = {noun for word, noun in modifiers(claim) if word in words}
    return any(noun in described and word not in own for word, noun in modifiers(sentence))


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


def changed_modifier(claim: str, sentence: str) -> str | None:
    """A noun the claim and the sentence both describe by an adjective, each by one the other does
    not use: "modern Europe" against "medieval Europe", "the English words" against "the French
    words"; the claim's word WordNet does not relate to any of the sentence's, or there describing
    another noun only ("Christian spirit" against "martial spirit and Christian piety").
    "“A” (it says “B”)", or None."""
    terms = {term for _, term in content_words(sentence)}
    describing = [t for t in parse(claim) if _describes(t) and _may_differ(t, sentence, terms)]
    if not describing:  # nothing the sentence could describe otherwise: it need not be parsed
        return None
    held = [(t.lemma_.lower(), lemma(t.head)) for t in parse(sentence) if _describes(t)]
    claim_words, sentence_words = _lemmas(claim), _lemmas(sentence)
    for t in describing:
        word, noun = t.lemma_.lower(), lemma(t.head)
        if (word, noun) in held:
            continue
        elsewhere = t.pos_ == "ADJ" and any(w == word for w, _ in held) \
            and sum(lemma(x) == fold(word) for x in parse(sentence)) == 1
        if not elsewhere and any(related(stem(word), stem(w)) for w in sentence_words):
            continue  # the sentence has the word, or one WordNet relates to it ("architecture", "distinct")
        other = sorted(w for w, n in held if n == noun and fold(w) not in claim_words)
        if other:
            return f"“{t.text} {t.head.text}” (it says “{other[0]} {t.head.text}”)"
    return None


def _may_differ(token, sentence: str, terms: set[str]) -> bool:
    """Read from the words alone (`terms`: the sentence's stems): whether the sentence might describe
    `token`'s noun otherwise. Not where it has the two words side by side as the claim does; yes
    where it has no word WordNet relates to the describing one, or has that word and the noun apart."""
    if token.head.i == token.i + 1 and fold(f"{token.text} {token.head.text}") in fold(sentence):
        return False
    word, noun = stem(token.lemma_.lower()), stem(lemma(token.head))
    if not any(term == word or related(word, term) for term in terms):
        return True
    return token.pos_ == "ADJ" and word in terms and noun in terms


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


def moved_number(claim: str, sentence: str) -> str | None:
    """A number the claim gives its verb where the sentence gives that verb (or a clause it hangs
    from) another number of the same kind only: "granted women the vote in 1894" against "in 1893 was
    the first to grant all women the right to vote and in 1894 pioneered arbitration". "“B” for “A”"."""
    doc, theirs = parse(sentence), arguments(sentence)
    for a in arguments(claim):
        numbers = {w for w in a.count if _numeric(w)}
        verbs = [t for t in doc if t.pos_ in ("VERB", "AUX") and lemma(t) == a.verb]
        if not numbers or not verbs:
            continue
        governing = {lemma(t) for v in verbs for t in _governing(v) if t.pos_ in ("VERB", "AUX")}
        given = {w for t in theirs if t.verb in governing for w in t.count if _numeric(w)}
        alike = sorted(w for w in given if any(_year(w) == _year(n) for n in numbers))
        if alike and not numbers & given:
            return f"“{alike[0]}” for “{sorted(numbers)[0]}”"
    return None


def _governing(verb) -> list:
    """`verb` and the words it hangs from, up to the clause it is joined to by "and" (which is not its own)."""
    chain = [verb]
    while chain[-1].dep_ != "conj" and chain[-1].head.i != chain[-1].i:
        chain.append(chain[-1].head)
    return chain


def _year(word: str) -> bool:
    return len(word) == 4 and word.isdigit() and 1000 <= int(word) <= 2100


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


# Heads under which an event is only meant, expected or tried, not said to have happened: "was set
# to dock", "plans to sell", "hoped to win"; and the auxiliaries of what will or may happen.
_INTENDED = {"set", "schedule", "plan", "expect", "hope", "intend", "aim", "want", "seek", "try", "attempt",
             "propose", "prepare", "threaten", "promise", "vow", "pledge", "due", "likely", "poise", "mean"}
_UNREAL = {"will", "would", "could", "may", "might", "shall"}


def intended_only(claim: str, sentence: str) -> str | None:
    """A verb the claim says happened that the sentence has only as meant or expected ("docked"
    against "was set to dock"): the sentence's phrase, or None."""
    theirs = parse(sentence)
    for verb in parse(claim):
        if verb.pos_ != "VERB" or _unreal(verb):
            continue
        same = [t for t in theirs if lemma(t) == lemma(verb)]  # a noun too: "limiting the use of" is a use
        if same and all(t.pos_ == "VERB" and _unreal(t) for t in same):
            first = same[0]
            start = min([first.i, first.head.i] + [c.i for c in first.children if c.dep_ == "aux"])
            return first.doc[start:first.i + 1].text
    return None


def _unreal(verb) -> bool:
    """Whether `verb` (or the verb it is the infinitive of) is only meant, expected or possible."""
    while True:
        if any(c.dep_ == "aux" and lemma(c) in _UNREAL and not _reported(verb, c) for c in verb.children):
            return True
        if verb.dep_ != "xcomp" or verb.head is verb:
            return False
        if lemma(verb.head) in _INTENDED:
            return True
        verb = verb.head


def _reported(verb, aux) -> bool:
    """A "would" in what someone said is the past of their "will" ("announced that it would charge"),
    what they said they do, not a condition."""
    return lemma(aux) == "would" and verb.dep_ == "ccomp" and lemma(verb.head) in REPORTING


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
