"""Pure functions that turn service results into what the UI shows; tested alone.

Everything taken from a document is HTML-escaped: a document cannot inject markup.
"""
from __future__ import annotations

import html
import re

MARKER = re.compile(r"\[(\d+)\]")


def answer_markdown(result: dict) -> str:
    """The answer with each [n] linked to its source card, unsupported sentences marked."""
    if result.get("parts"):
        pieces = []
        for part in result["parts"]:
            text = _escape_md(part["text"])
            if part.get("unsupported"):
                pieces.append(f'<span class="unsupported" title="Not backed by the documents">⚠ {text}</span>')
            else:
                pieces.append(text + "".join(_link(n) for n in part["citations"]))
        body = " ".join(pieces)
    else:
        body = _escape_md(result["answer"])
    note = f"\n\n<small class=\"note\">{html.escape(result['note'])}</small>" if result.get("note") else ""
    return body + note


def _link(n: int) -> str:
    return f' <a class="cite" href="#source-{n}">[{n}]</a>'


def _escape_md(text: str) -> str:
    return re.sub(r"([\\`*_{}\[\]#|~])", r"\\\1", html.escape(text, quote=False))


def sources_html(result: dict) -> str:
    """One card per citation: title, date, file, and the quote highlighted inside its chunk."""
    if result.get("not_found"):
        return '<div class="sources empty">No source in the documents answers this question.</div>'
    cards = [_card(c) for c in result.get("citations", [])]
    return '<div class="sources">' + "".join(cards) + "</div>" if cards else ""


def _card(c: dict) -> str:
    meta = " · ".join(html.escape(x) for x in (c.get("date") or "", c["source"]) if x)
    return (
        f'<div class="source-card" id="source-{c["id"]}">'
        f'<div class="source-head"><span class="source-id">[{c["id"]}]</span> '
        f'<span class="source-title">{html.escape(c["title"])}</span></div>'
        f'<div class="source-meta">{meta} · chars {c["start"]}–{c["end"]}</div>'
        f'<blockquote class="source-text">{highlight(c["text"], c["quote"])}</blockquote></div>'
    )


def highlight(chunk_text: str, quote: str) -> str:
    """The chunk, escaped, with the quoted sentence wrapped in <mark>."""
    at = chunk_text.find(quote)
    if at < 0:
        return f"<mark>{html.escape(quote)}</mark>"
    before, after = chunk_text[:at], chunk_text[at + len(quote):]
    return f"{html.escape(before)}<mark>{html.escape(quote)}</mark>{html.escape(after)}"


def documents_rows(documents: list[dict]) -> list[list]:
    return [[d["name"], d["title"], d["date"] or "", d["chunks"]] for d in documents]


def summary_text(summary: dict) -> str:
    line = (f"{summary['added']} added, {summary['updated']} updated, {summary['removed']} removed, "
            f"{summary['unchanged']} unchanged · {summary['chunks_embedded']} chunks embedded, "
            f"{summary['chunks_total']} in the index · {summary['seconds']:.1f} s")
    skipped = "".join(f"\n- skipped {s['path']}: {s['reason']}" for s in summary.get("skipped", []))
    return line + skipped
