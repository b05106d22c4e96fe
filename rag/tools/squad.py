"""`rag eval --squad FILE`: answers and refusals on SQuAD 2.0 articles, through the service's own path.

Each article is written as one document (title, then its paragraphs), indexed by the service's
indexer and asked every question with the same call the API makes. Answerable questions should
cite a sentence holding a gold answer; unanswerable ones (written to look answerable) should get
`not_found`. A sweep of `answer.min_score` shows what each strictness costs, and one of
`answer.max_sentences` and `answer.margin` what each answer length costs.
"""
from __future__ import annotations

import json
import re
import statistics
import string
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from rag.config import AnswerSettings
from rag.errors import RagError
from rag.tools.crossval import cross_validate, most_refusals_at

_ASCII_MARKS = set(string.punctuation)
CITE_HIT = 0.85  # the cite_hit a cross-validated min_score must keep while refusing most
SWEEP = (0.40, 0.45, 0.50, 0.54, 0.58, 0.62, 0.66, 0.70, 0.75)  # answer.min_score
LENGTHS = ({"max_sentences": 3}, {"max_sentences": 2}, {"max_sentences": 1}, {"margin": 0.1}, {"margin": 0.05})


@dataclass
class Question:
    id: str
    text: str
    answers: list[str]
    impossible: bool
    paragraph: str = ""  # "title:index": what cross-validation holds out


@dataclass
class Article:
    title: str
    paragraphs: list[str]
    questions: list[Question]


def load_squad(path: Path) -> list[Article]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))["data"]
        return [Article(a["title"], [p["context"] for p in a["paragraphs"]],
                        [Question(q["id"], q["question"], [x["text"] for x in q.get("answers", [])],
                                  bool(q.get("is_impossible")), f"{a['title']}:{i}")
                         for i, p in enumerate(a["paragraphs"]) for q in p["qas"]])
                for a in data]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise RagError(f"{path} is not a SQuAD 2.0 JSON file (data[].paragraphs[].qas[]): {exc}") from None


def write_articles(articles: list[Article], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i, article in enumerate(articles):
        slug = re.sub(r"[^\w-]+", "_", article.title)[:60]
        name = f"{i:03d}_{slug}.txt"
        title = article.title.replace("_", " ")
        (folder / name).write_text(title + "\n" + "\n".join(p.strip() for p in article.paragraphs) + "\n",
                                   encoding="utf-8")


def normalize(text: str) -> str:
    """SQuAD's answer normalisation: lower case, no punctuation, no articles, single spaces. Its
    script drops ASCII punctuation only; here a dash or other non-ASCII mark parts the words it
    stands between, so "Dyrrachium—one of" holds "Dyrrachium"."""
    text = "".join(" " if ch not in _ASCII_MARKS and unicodedata.category(ch).startswith("P") else ch
                   for ch in text.lower() if ch not in _ASCII_MARKS)
    return " ".join(re.sub(r"\b(a|an|the)\b", " ", text).split())


def holds_answer(text: str, answers: list[str]) -> bool:
    norm = f" {normalize(text)} "
    return any(f" {normalize(a)} " in norm for a in answers if normalize(a))


def evaluate_squad(service, articles: list[Article], sweep=SWEEP, under=None) -> dict:
    """Ask every question through `service.answers.ask`; grade, then sweep the refusal threshold and
    the answer length (each alone, the other settings as configured). `under(question, variants)`
    gives the answers under each variant (default: `answers_under` on this service)."""
    service.index.run()
    rows, latencies = [], []
    for article in articles:
        for q in article.questions:
            started = time.perf_counter()
            answer = service.answers.ask(q.text).model_dump(mode="json")
            latencies.append(time.perf_counter() - started)
            rows.append(grade(q, answer))
    report = summarise(rows)
    report["p50_ms"] = round(statistics.median(latencies) * 1000, 1) if latencies else 0.0
    thresholds = [{"min_score": t} for t in sweep]
    graded = _sweep(under or (lambda q, v: answers_under(service, q, v)), articles, thresholds + list(LENGTHS))
    rows = [{**variant, **summarise(g)} for variant, g in zip(thresholds + list(LENGTHS), graded)]
    report["sweep"], report["lengths"] = rows[:len(thresholds)], rows[len(thresholds):]
    groups = [q.paragraph for article in articles for q in article.questions]
    report["min_score_cross_validated"] = cross_validate(thresholds, graded[:len(thresholds)], groups, summarise,
                                                         most_refusals_at(CITE_HIT))
    return report


def grade(q: Question, answer: dict) -> dict:
    quotes = " ".join(c["quote"] for c in answer["citations"])
    words = len(re.findall(r"\w+", re.sub(r"\[\d+\]", "", answer["answer"]))) if not answer["not_found"] else 0
    short = (answer.get("short_answer") or {}).get("text")
    return {"id": q.id, "question": q.text, "impossible": q.impossible, "refused": answer["not_found"],
            "short": bool(short) and not q.impossible, "short_hit": bool(short) and not q.impossible and _same_span(short, q.answers),
            "cite_hit": not q.impossible and not answer["not_found"] and holds_answer(quotes, q.answers),
            "answer_hit": not q.impossible and not answer["not_found"] and holds_answer(answer["answer"], q.answers),
            "words": words}


def _same_span(span: str, answers: list[str]) -> bool:
    """A short answer matches a gold answer when either holds the other, after normalisation."""
    span = normalize(span)
    return any(span and a and (a in span or span in a) for a in map(normalize, answers))


def summarise(rows: list[dict]) -> dict:
    answerable = [r for r in rows if not r["impossible"]]
    impossible = [r for r in rows if r["impossible"]]

    def share(items, key):
        return round(sum(bool(r[key]) for r in items) / len(items), 4) if items else 0.0

    answered = [r["words"] for r in answerable if not r["refused"]]
    return {
        "questions": len(rows), "answerable": len(answerable), "unanswerable": len(impossible),
        "cite_hit": share(answerable, "cite_hit"), "answer_hit": share(answerable, "answer_hit"),
        "refusal": share(impossible, "refused"), "false_refusal": share(answerable, "refused"),
        "accuracy": round((sum(r["cite_hit"] for r in answerable) + sum(r["refused"] for r in impossible))
                          / max(len(rows), 1), 4),
        "mean_answer_words": round(statistics.mean(answered), 1) if answered else 0.0,
        "short_answers": sum(r["short"] for r in answerable),
        "short_answer_hit": share([r for r in answerable if r["short"]], "short_hit"),
    }


def answers_under(service, question: str, variants: list[dict]) -> list:
    """The extractive answer under each variant of the answer's decision settings ({"min_score": 0.5},
    {"max_sentences": 1}), from one retrieval and one scoring: the evidence weights
    (coverage_weight, context_weight, type_bonus) stay as configured."""
    gate = service.answers.gate
    found = gate.evidence(question, service.answers.search(question))
    base = service.settings.answer.model_dump()
    return [gate.decide(question, found, AnswerSettings(**{**base, **v})) for v in variants]


def _sweep(under, articles: list[Article], variants: list[dict]) -> list[list[dict]]:
    """The extractive answers under each variant of the answer settings, each question's
    evidence scored once: per variant, every question's graded answer."""
    rows: list[list[dict]] = [[] for _ in variants]
    for article in articles:
        for q in article.questions:
            for row, answer in zip(rows, under(q.text, variants)):
                row.append(grade(q, answer.model_dump(mode="json")))
    return rows


def cross_validation_text(result: dict) -> str:
    """The cross-validated pick of min_score beside the in-sample one, as text."""
    cv, best = result["cross_validated"], result["in_sample"]
    picks = ", ".join(str(c["min_score"]) for c in result["chosen"])
    return (f"min_score chosen on the other paragraphs ({result['folds']} folds; picks {picks}): cite_hit "
            f"{cv['cite_hit']:.3f}, refusal {cv['refusal']:.3f}\n"
            f"chosen on all paragraphs (in-sample, min_score {best['min_score']}): cite_hit "
            f"{best['cite_hit']:.3f}, refusal {best['refusal']:.3f}")


def sweep_table(rows: list[dict]) -> str:
    """A sweep's rows as text: the setting varied, then what it cost."""
    lines = ["setting              cite_hit  refusal  false_refusal  accuracy  words"]
    for row in rows:
        name = next(k for k in row if k in _VARIED)
        lines.append(f"{name + ' ' + str(row[name]):<19}  {row['cite_hit']:>8.3f}  {row['refusal']:>7.3f}  "
                     f"{row['false_refusal']:>13.3f}  {row['accuracy']:>8.3f}  {row['mean_answer_words']:>5.1f}")
    return "\n".join(lines)


_VARIED = ("min_score", "max_sentences", "margin")
