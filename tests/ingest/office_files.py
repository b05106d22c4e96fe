"""Small real files of the office and e-book formats, written with the libraries that read them."""
import io

HARBOUR = [["Item", "Cost"], ["Hull repairs", "1.4 million euros"], ["Engine overhaul", "0.9 million euros"]]


def make_xlsx(sheets: dict[str, list[list]]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def make_pptx(slides: list[dict]) -> bytes:
    """Each slide: {"title", "body"?: [lines], "notes"?: str, "table"?: rows}."""
    import pptx
    from pptx.util import Inches

    deck = pptx.Presentation()
    for spec in slides:
        slide = deck.slides.add_slide(deck.slide_layouts[1 if "body" in spec else 5])
        slide.shapes.title.text = spec["title"]
        if "body" in spec:
            slide.placeholders[1].text = "\n".join(spec["body"])
        if "table" in spec:
            rows = spec["table"]
            table = slide.shapes.add_table(len(rows), len(rows[0]), Inches(1), Inches(2), Inches(6), Inches(1)).table
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    table.cell(r, c).text = value
        if "notes" in spec:
            slide.notes_slide.notes_text_frame.text = spec["notes"]
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def make_epub(title: str, chapters: list[tuple[str, str]]) -> bytes:
    from ebooklib import epub

    book = epub.EpubBook()
    book.set_identifier("test-book")
    book.set_title(title)
    book.set_language("en")
    items = []
    for n, (heading, body) in enumerate(chapters, start=1):
        item = epub.EpubHtml(title=heading, file_name=f"c{n}.xhtml")
        item.content = f"<h1>{heading}</h1><p>{body}</p>"
        book.add_item(item)
        items.append(item)
    book.spine = items
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    out = io.BytesIO()
    epub.write_epub(out, book)
    return out.getvalue()
