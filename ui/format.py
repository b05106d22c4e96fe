"""Pure functions that turn service results into what the UI shows; tested alone.

Everything taken from a document is HTML-escaped: a document cannot inject markup.
"""
from __future__ import annotations

import html
import re
from urllib.parse import quote

MARKER = re.compile(r"\[(\d+)\]")


def answer_markdown(result: dict, turn: int = 1) -> str:
    """The answer with each [n] linked to its own source card (answer `turn`'s), unsupported
    sentences marked."""
    if result.get("parts"):
        pieces = []
        for part in result["parts"]:
            text = _escape_md(part["text"])
            if part.get("unsupported"):
                why = html.escape(part.get("reason") or "Not backed by the documents", quote=True)
                pieces.append(f'<span class="unsupported" title="{why}">⚠ {text}</span>')
            else:
                pieces.append(text + "".join(_link(turn, n) for n in part["citations"]))
        body = " ".join(pieces)
    else:
        body = _escape_md(result["answer"])
    note = f"\n\n<small class=\"note\">{html.escape(result['note'])}</small>" if result.get("note") else ""
    return _short(result.get("short_answer"), turn) + body + note


def _short(short: dict | None, turn: int) -> str:
    """The date, number or name that answers, bold and linked to its sentence, above the sentences."""
    if not short:
        return ""
    return f'<strong class="short">{_escape_md(short["text"])}</strong>{_link(turn, short["citation"])}\n\n'



def _link(turn: int, n: int) -> str:
    return f' <a class="cite" href="#source-{turn}-{n}">[{n}]</a>'


def _escape_md(text: str) -> str:
    return re.sub(r"([\\`*_{}\[\]#|~])", r"\\\1", html.escape(text, quote=False))


def sources_panel(answers: list[dict]) -> str:
    """Every answer's sources, newest first, so [n] in an earlier answer still finds its own."""
    groups = []
    for turn, item in reversed(list(enumerate(answers, start=1))):
        groups.append(f'<div class="answer-sources" id="answer-{turn}"><div class="answer-head">Answer {turn}: '
                      f'{html.escape(item["question"])}</div>{sources_html(item["result"], turn)}</div>')
    return "".join(groups)


def sources_html(result: dict, turn: int = 1) -> str:
    """One card per citation: title, date, file, and the quote highlighted inside its chunk."""
    if result.get("not_found"):
        return '<div class="sources empty">No source in the documents answers this question.</div>'
    cards = [_card(c, turn) for c in result.get("citations", [])]
    return '<div class="sources">' + "".join(cards) + "</div>" if cards else ""


def _card(c: dict, turn: int) -> str:
    meta = " · ".join(html.escape(x) for x in (c.get("date") or "", c["source"], location(c)) if x)
    return (
        f'<div class="source-card" id="source-{turn}-{c["id"]}">'
        f'<div class="source-head"><span class="source-id">[{c["id"]}]</span> '
        f'<span class="source-title">{html.escape(c["title"])}</span></div>'
        f'<div class="source-meta">{meta} · <a class="open" href="{view_url(c)}" target="_blank" '
        f'rel="noopener">open</a>{origin_link(c.get("url"))}</div>'
        f'<blockquote class="source-text">{highlight(c["text"], c["quote"])}</blockquote></div>'
    )


def location(c: dict) -> str:
    """Where a reader finds the sentence: "p. 12", "§ Results > Ferry service", or the characters;
    "read by OCR" when it comes from a page image (a letter may be misread)."""
    where = [f"p. {c['page']}"] if c.get("page") else []
    where += [f"§ {c['section']}"] if c.get("section") else []
    place = " · ".join(where) or f"chars {c['start']}–{c['end']}"
    return f"{place} · read by OCR" if c.get("ocr") else place


def origin_link(url: str | None) -> str:
    """" · web page" linking where a document added by URL came from (http(s) only)."""
    if not url or not url.lower().startswith(("http://", "https://")):
        return ""
    return (f' · <a class="origin" href="{html.escape(url, quote=True)}" target="_blank" '
            f'rel="noopener noreferrer">web page</a>')


def view_url(c: dict) -> str:
    """The viewer at the cited sentence (in the citation's collection, when the UI set one)."""
    collection = c.get("collection") or "default"
    at = f"&collection={quote(collection)}" if collection != "default" else ""
    return f"/view/{quote(c['source'])}?start={int(c['start'])}&end={int(c['end'])}{at}#cited"


def highlight(chunk_text: str, quote: str) -> str:
    """The chunk, escaped, with the quoted sentence wrapped in <mark>."""
    at = chunk_text.find(quote)
    if at < 0:
        return f"<mark>{html.escape(quote)}</mark>"
    before, after = chunk_text[:at], chunk_text[at + len(quote):]
    return f"{html.escape(before)}<mark>{html.escape(quote)}</mark>{html.escape(after)}"


def rating_note(rating: str, with_comment: bool = False) -> str:
    thumb = "👍" if rating == "up" else "👎"
    return f"<small>Thanks: your {thumb}{' and comment' if with_comment else ''} on that answer is recorded.</small>"


def documents_rows(documents: list[dict]) -> list[list]:
    return [[d["name"], d["title"], d["date"] or "", d["chunks"]] for d in documents]


def index_status(status: dict) -> str:
    """When the live index was built and from how many documents."""
    if not status.get("index_version"):
        return "No index yet: add documents or re-index the seeds folder."
    built = (status.get("built") or "").replace("T", " ").replace("+00:00", " UTC")
    return (f"Index built {built or 'at an unknown time'} from {status['documents']} documents "
            f"({status['chunks']} chunks).")


def chosen_filters(documents: list | None, since: str = "", until: str = "") -> dict | None:
    """The chat's "Search only…" choices as the filters `ask` takes (None: search everything)."""
    filters = {"documents": list(documents or []) or None, "date_from": (since or "").strip() or None,
               "date_to": (until or "").strip() or None}
    filters = {k: v for k, v in filters.items() if v}
    return filters or None


def filters_note(filters: dict | None) -> str:
    """" · only a.pdf, b.md · dated 2024-01-01 to …", escaped: what the answer searched."""
    if not filters:
        return ""
    parts = []
    if filters.get("documents"):
        parts.append("only " + ", ".join(filters["documents"]))
    if filters.get("folder"):
        parts.append(f"in {filters['folder']}/")
    if filters.get("date_from") or filters.get("date_to"):
        parts.append(f"dated {filters.get('date_from') or '…'} to {filters.get('date_to') or '…'}")
    if filters.get("tags"):
        parts.append("tagged " + ", ".join(filters["tags"]))
    return "".join(f" · {html.escape(p)}" for p in parts)


PHASES = {"ocr": "Reading pages by OCR"}  # a phase whose name alone says too little


def job_progress(job: dict) -> tuple[float | None, str]:
    """(fraction done or None, label) for a running index job."""
    phase = job.get("phase") or job["state"]
    label = PHASES.get(phase, phase.capitalize())
    if job.get("total"):
        return job["done"] / job["total"], f"{label} {job['done']:,}/{job['total']:,}"
    return None, f"{label}…"


def summary_text(summary: dict) -> str:
    line = (f"{summary['added']} added, {summary['updated']} updated, {summary['removed']} removed, "
            f"{summary['unchanged']} unchanged · {summary['chunks_embedded']} chunks embedded, "
            f"{summary['chunks_total']} in the index · {summary['seconds']:.1f} s")
    skipped = "".join(f"\n- skipped {s['path']}: {s['reason']}" for s in summary.get("skipped", []))
    return line + skipped


def document_page(doc: dict, start: int | None = None, end: int | None = None, collection: str = "default") -> str:
    """A whole document as one HTML page: headings, page markers, the span start-end marked
    `#cited` (the link's fragment scrolls it into view), and a link to the original file."""
    cited_page = _page_at(doc, start) if start is not None else None
    under = "/api" if collection == "default" else f"/api/collections/{quote(collection)}"
    original = f"{under}/documents/{quote(doc['name'])}/file" + (f"#page={cited_page}" if cited_page else "")
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(doc['title'])}</title>"
        f"<style>{VIEW_CSS}</style></head><body><header><h1>{html.escape(doc['title'])}</h1>"
        f"<div class='meta'>{html.escape(doc['name'])}{' · ' + html.escape(doc['date']) if doc.get('date') else ''}"
        f" · <a href='{original}'>original file</a>{origin_link(doc.get('url'))}</div></header><main>{document_body(doc, start, end)}</main>"
        "</body></html>"
    )


VIEW_CSS = ("body{font:16px/1.6 system-ui,sans-serif;max-width:46em;margin:2em auto;padding:0 1em;color:#1f2328}"
            "h1{font-size:1.5em}.meta{color:#57606a;font-size:.9em}h3{margin:1.4em 0 .3em}"
            "p.label{color:#57606a}mark{background:#fde68a;padding:0 2px}"
            ".page{display:block;color:#8c959f;font-size:.8em;border-top:1px dashed #d0d7de;margin:1em 0 .3em}")


def document_body(doc: dict, start: int | None = None, end: int | None = None) -> str:
    text = doc["text"]
    sections = {s["start"] for s in doc.get("sections", [])}
    labels = {h["start"] for h in doc.get("headings", [])}
    pages: dict[int, list[int]] = {}
    for p in doc.get("pages", []):
        pages.setdefault(p["start"], []).append(p["page"])
    cited = (start, end) if start is not None and end is not None and 0 <= start < end <= len(text) else None
    out = []
    for line in re.finditer(r"[^\n]+", text):
        a, b = line.span()
        tag = "h3" if a in sections else "p"
        css = ' class="label"' if tag == "p" and a in labels else ""
        out.append(f"<{tag}{css}>{_segments(text, a, b, pages, cited)}</{tag}>")
    return "\n".join(out)


def _segments(text: str, a: int, b: int, pages: dict, cited) -> str:
    cuts = {a, b} | {p for p in pages if a <= p < b}
    if cited:
        cuts |= {x for x in cited if a < x < b}
    points, html_out, marked = sorted(cuts), [], False
    for x, y in zip(points, points[1:]):
        html_out += [f'<span class="page">p. {n}</span>' for n in pages.get(x, []) if a <= x < b]
        piece = html.escape(text[x:y])
        if cited and cited[0] <= x and y <= cited[1]:
            piece = f'<mark{"" if marked else " id=cited"}>{piece}</mark>'
            marked = True
        html_out.append(piece)
    return "".join(html_out)


def _page_at(doc: dict, offset: int) -> int | None:
    found = [p["page"] for p in doc.get("pages", []) if p["start"] <= offset]
    return found[-1] if found else None
