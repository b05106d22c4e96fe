"""Build rag/language/antonyms.tsv, the opposites the verifier's `opposite` check reads, from
WordNet 3.0 (Debian's wordnet-base: `apt-get install wordnet-base`) through nltk's reader. Run
once by a maintainer: `python -m rag.tools.antonyms [/usr/share/wordnet]`; users need neither.
WordNet's licence travels with the table (rag/language/WORDNET-LICENSE)."""
from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

# WordNet's lexicographer files (lexnames(5WN)); Debian's wordnet-base leaves this index out
LEXNAMES = ["adj.all", "adj.pert", "adv.all", "noun.Tops", "noun.act", "noun.animal", "noun.artifact",
            "noun.attribute", "noun.body", "noun.cognition", "noun.communication", "noun.event", "noun.feeling",
            "noun.food", "noun.group", "noun.location", "noun.motive", "noun.object", "noun.person",
            "noun.phenomenon", "noun.plant", "noun.possession", "noun.process", "noun.quantity", "noun.relation",
            "noun.shape", "noun.state", "noun.substance", "noun.time", "verb.body", "verb.change", "verb.cognition",
            "verb.communication", "verb.competition", "verb.consumption", "verb.contact", "verb.creation",
            "verb.emotion", "verb.motion", "verb.perception", "verb.possession", "verb.social", "verb.stative",
            "verb.weather", "adj.ppl"]
OUT = Path(__file__).resolve().parent.parent / "language" / "antonyms.tsv"


def antonym_pairs(source: Path) -> list[tuple[str, str]]:
    import nltk
    from nltk.corpus.reader.wordnet import WordNetCorpusReader

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "wordnet"
        shutil.copytree(source, root)
        kinds = {"adj": 3, "adv": 4, "noun": 1, "verb": 2}
        (root / "lexnames").write_text("".join(f"{i:02d}\t{name}\t{kinds[name.split('.')[0]]}\n"
                                               for i, name in enumerate(LEXNAMES)))
        nltk.data.path.append(str(root))  # nltk reads only below its data roots

        class WordNet30(WordNetCorpusReader):
            def map_wn(self, version="wordnet"):
                return None  # this is WordNet 3.0 itself: nothing to map (and no download to map it)

        reader = WordNet30(str(root), None)
        pairs = {tuple(sorted((lemma.name().lower(), opposite.name().lower())))
                 for synset in reader.all_synsets() for lemma in synset.lemmas()
                 for opposite in lemma.antonyms()}
    return sorted(p for p in pairs if "_" not in p[0] + p[1] and p[0] != p[1])


def main() -> None:
    source = Path(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/wordnet")
    pairs = antonym_pairs(source)
    OUT.write_text("# word\topposite (WordNet 3.0 antonym pairs; see WORDNET-LICENSE)\n"
                   + "".join(f"{a}\t{b}\n" for a, b in pairs), encoding="utf-8")
    print(f"{len(pairs)} pairs -> {OUT}")


if __name__ == "__main__":
    main()
