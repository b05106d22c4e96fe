"""Build the two tables the verifier reads from WordNet 3.0 (Debian's wordnet-base: `apt-get
install wordnet-base`) through nltk's reader: rag/language/antonyms.tsv (opposites, for the
`opposite` check) and rag/language/related.tsv.gz (which words mean the same or nearly, for the
`novel` check). Run once by a maintainer: `python -m rag.tools.wordnet [/usr/share/wordnet]`; users
need neither. WordNet's licence travels with the tables (rag/language/WORDNET-LICENSE)."""
from __future__ import annotations

import gzip
import io
import shutil
import sys
import tempfile
from pathlib import Path

from rag.language.parse import PARTICLES

# WordNet's lexicographer files (lexnames(5WN)); Debian's wordnet-base leaves this index out
LEXNAMES = ["adj.all", "adj.pert", "adv.all", "noun.Tops", "noun.act", "noun.animal", "noun.artifact",
            "noun.attribute", "noun.body", "noun.cognition", "noun.communication", "noun.event", "noun.feeling",
            "noun.food", "noun.group", "noun.location", "noun.motive", "noun.object", "noun.person",
            "noun.phenomenon", "noun.plant", "noun.possession", "noun.process", "noun.quantity", "noun.relation",
            "noun.shape", "noun.state", "noun.substance", "noun.time", "verb.body", "verb.change", "verb.cognition",
            "verb.communication", "verb.competition", "verb.consumption", "verb.contact", "verb.creation",
            "verb.emotion", "verb.motion", "verb.perception", "verb.possession", "verb.social", "verb.stative",
            "verb.weather", "adj.ppl"]
LANGUAGE = Path(__file__).resolve().parent.parent / "language"


def reader(source: Path, tmp: str):
    import nltk
    from nltk.corpus.reader.wordnet import WordNetCorpusReader

    root = Path(tmp) / "wordnet"
    shutil.copytree(source, root)
    kinds = {"adj": 3, "adv": 4, "noun": 1, "verb": 2}
    (root / "lexnames").write_text("".join(f"{i:02d}\t{name}\t{kinds[name.split('.')[0]]}\n"
                                           for i, name in enumerate(LEXNAMES)))
    nltk.data.path.append(str(root))  # nltk reads only below its data roots

    class WordNet30(WordNetCorpusReader):
        def map_wn(self, version="wordnet"):
            return None  # this is WordNet 3.0 itself: nothing to map (and no download to map it)

    return WordNet30(str(root), None)


def antonym_pairs(wordnet) -> list[tuple[str, str]]:
    """WordNet's antonyms, direct ("real", "unreal") and indirect: an adjective and the words
    WordNet gives as similar to its antonym ("real" and "imaginary", "imaginary" being similar to
    "unreal"), as WordNet's own documentation defines indirect antonymy (wn(7WN), "adjectives")."""
    pairs = set()
    for synset in wordnet.all_synsets():
        for lemma in synset.lemmas():
            for opposite in lemma.antonyms():
                pairs.add(tuple(sorted((lemma.name().lower(), opposite.name().lower()))))
                if synset.pos() == "a":
                    pairs.update(tuple(sorted((lemma.name().lower(), similar.name().lower())))
                                 for satellite in opposite.synset().similar_tos() for similar in satellite.lemmas()
                                 if similar.name().isalpha() and lemma.name().isalpha())
    return sorted(p for p in pairs if "_" not in p[0] + p[1] and p[0] != p[1])


def related_senses(wordnet) -> list[str]:
    """One line per stem: its parts of speech (n, v, a, r), the senses its words have, and the
    senses next to them (broader terms, near-synonyms of adjectives, verb groups, and the senses of
    derived words: "threaten" and "threat"). Two stems are related when one's senses meet the other's senses or neighbours."""
    from rag.language.words import stem

    numbers = {name: i for i, name in enumerate(sorted(s.name() for s in wordnet.all_synsets()))}
    own: dict[str, set[int]] = {}
    near: dict[str, set[int]] = {}
    kinds: dict[str, set[str]] = {}
    for synset in wordnet.all_synsets():
        neighbours = (synset.hypernyms() + synset.instance_hypernyms() + synset.similar_tos()
                      + synset.also_sees() + synset.verb_groups())
        for lemma in synset.lemmas():
            key = _key(lemma.name().lower(), synset.pos(), stem)
            if key is None:
                continue
            own.setdefault(key, set()).add(numbers[synset.name()])
            kinds.setdefault(key, set()).add("a" if synset.pos() == "s" else synset.pos())
            derived = [d.synset() for d in lemma.derivationally_related_forms() + lemma.pertainyms()]
            near.setdefault(key, set()).update(numbers[n.name()] for n in neighbours + derived)
    for inflected, base in _irregular_forms(Path(wordnet.root.path)):  # "met" means what "meet" means
        key, base_key = stem(inflected), stem(base)
        if base_key in own and key != base_key:
            own.setdefault(key, set()).update(own[base_key])
            near.setdefault(key, set()).update(near[base_key])
            kinds.setdefault(key, set()).update(kinds[base_key])
    return [f"{key}\t{''.join(sorted(kinds[key]))}\t{_ids(own[key])}\t{_ids(near[key] - own[key])}"
            for key in sorted(own)]


def _key(word: str, pos: str, stem) -> str | None:
    """A word's key in the table: its stem; a phrasal verb's, its verb's stem and its particle
    ("break_up", as rag.language.parse.phrasal_verbs writes it); other phrases have none."""
    if word.isalpha():
        return stem(word)
    parts = word.split("_")
    if pos == "v" and len(parts) == 2 and parts[0].isalpha() and parts[1] in PARTICLES:
        return f"{stem(parts[0])}_{parts[1]}"
    return None


def _irregular_forms(root: Path) -> list[tuple[str, str]]:
    """WordNet's exception lists (verb.exc, noun.exc, adj.exc, adv.exc): "met meet", "mice mouse"."""
    pairs = []
    for kind in ("adj", "adv", "noun", "verb"):
        for line in (root / f"{kind}.exc").read_text(encoding="utf-8").splitlines():
            words = line.split()
            pairs += [(words[0], base) for base in words[1:] if words[0].isalpha() and base.isalpha()]
    return pairs


def _ids(numbers: set[int]) -> str:
    return " ".join(format(n, "x") for n in sorted(numbers))


def main() -> None:
    source = Path(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/wordnet")
    with tempfile.TemporaryDirectory() as tmp:
        wordnet = reader(source, tmp)
        pairs = antonym_pairs(wordnet)
        related = related_senses(wordnet)
    (LANGUAGE / "antonyms.tsv").write_text("# word\topposite (WordNet 3.0 antonym pairs; see WORDNET-LICENSE)\n"
                                           + "".join(f"{a}\t{b}\n" for a, b in pairs), encoding="utf-8")
    with gzip.GzipFile(LANGUAGE / "related.tsv.gz", "wb", compresslevel=9, mtime=0) as packed, \
            io.TextIOWrapper(packed, encoding="utf-8") as out:  # mtime 0: the same WordNet gives the same bytes
        out.write("# stem\tparts of speech\tits senses\tneighbouring senses (WordNet 3.0, hex ids; see WORDNET-LICENSE)\n")
        out.write("\n".join(related) + "\n")
    print(f"{len(pairs)} antonym pairs, {len(related)} stems -> {LANGUAGE}")


if __name__ == "__main__":
    main()
