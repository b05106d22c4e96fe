"""How the CLI prints an answer: its text, then its note, unsupported sentences and sources (pure,
tested alone)."""
from __future__ import annotations


def format_answer(result: dict) -> str:
    return "\n\n".join(x for x in (result["answer"], format_sources(result)) if x)


def format_sources(result: dict) -> str:
    lines = []
    if result.get("note"):
        lines.append(f"Note: {result['note']}")
    for part in result.get("parts", []):
        if part.get("unsupported"):
            lines.append(f"Unsupported: \u201c{part['text']}\u201d ({part.get('reason') or 'not backed by the documents'})")
    if result["citations"]:
        lines.append("Sources:")
        for c in result["citations"]:
            date = f", {c['date']}" if c["date"] else ""
            lines.append(f"[{c['id']}] {c['title']} ({c['source']}{date}{where(c)}, chars {c['start']}-{c['end']})")
            lines.append(f"    \u201c{c['quote']}\u201d")
            if c.get("url"):
                lines.append(f"    {c['url']}")
    return "\n".join(lines)


def where(citation: dict) -> str:
    """", p. 12" and/or ", § Results > Ferry service" where the document has pages or headings."""
    page = f", p. {citation['page']}" if citation.get("page") else ""
    section = f", \u00a7 {citation['section']}" if citation.get("section") else ""
    return page + section + (", read by OCR" if citation.get("ocr") else "")
