"""The Gradio chat UI. It receives the service and only formats what the service returns."""
from __future__ import annotations

from pathlib import Path

import gradio as gr

from rag.errors import RagError
from rag.service import RagService

from ui.format import (answer_markdown, chosen_filters, document_page, documents_rows, filters_note, index_status,
                       job_progress, rating_note, sources_panel, summary_text)

CSS = """
.source-card { border: 1px solid #d0d7de; border-radius: 8px; padding: 10px 12px; margin-bottom: 10px; }
.source-card:target { border-color: #d97706; box-shadow: 0 0 0 2px #fde68a; }
.source-head { font-weight: 600; } .source-id { color: #d97706; }
.source-meta { font-size: 0.85em; color: #57606a; margin: 2px 0 6px; }
.source-text { margin: 0; font-size: 0.9em; white-space: pre-wrap; }
.source-text mark { background: #fde68a; padding: 0 2px; }
a.cite { text-decoration: none; font-weight: 600; color: #d97706; }
.source-meta a.open { color: #0969da; }
.answer-head { font-size: 0.85em; color: #57606a; margin: 10px 0 4px; }
.unsupported { background: #fee2e2; border-bottom: 2px dotted #b91c1c; }
"""
EXAMPLES = ["What did Xi tell Biden?", "Who did Wang Yi meet, and where?"]


def mount(app, service: RagService):
    """Add the chat UI at / and the document viewer at /view/<name> to the API app."""
    from fastapi import Query
    from fastapi.responses import HTMLResponse

    @app.get("/view/{name:path}", response_class=HTMLResponse, include_in_schema=False)
    def view(name: str, start: int | None = Query(None, ge=0), end: int | None = Query(None, ge=0)) -> str:
        return document_page(service.index.document(name), start, end)

    return gr.mount_gradio_app(app, build_ui(service), path="/", css=CSS, footer_links=[])


def build_ui(service: RagService) -> gr.Blocks:
    g = service.settings.generation
    models = g.allowed()
    with gr.Blocks(title="rag · ask your documents") as demo:
        gr.Markdown("## Ask your documents\nEvery sentence of an answer links to the sentence in your files that says it.")
        with gr.Tab("Chat"):
            _chat_tab(service, models)
        with gr.Tab("Documents"):
            _documents_tab(service)
    return demo


def _chat_tab(service: RagService, models: list[str]) -> None:
    with gr.Row():
        with gr.Column(scale=3):
            chatbot = gr.Chatbot(elem_id="chat", height=460, label="Answers", feedback_options=("Like", "Dislike"))
            with gr.Row():
                question = gr.Textbox(placeholder="Ask a question about the documents…", show_label=False,
                                      elem_id="question", scale=5, submit_btn=False)
                ask = gr.Button("Ask", variant="primary", elem_id="ask", scale=1)
            with gr.Row():
                model = gr.Dropdown(models, value=service.settings.generation.model, label="Model",
                                    visible=len(models) > 1, scale=2)
                clear = gr.Button("New conversation", scale=1)
            query = gr.Markdown(elem_id="query")
            with gr.Row():
                comment = gr.Textbox(placeholder="Optional: what was wrong or right, sent with your 👍 or 👎",
                                     show_label=False, elem_id="feedback-comment", scale=4)
                rated = gr.Markdown(elem_id="rated")
            gr.Examples(EXAMPLES, inputs=question)
            with gr.Accordion("Search only…", open=False, elem_id="filters"):
                only = gr.Dropdown(choices=_names(service), value=[], multiselect=True, label="These documents",
                                   elem_id="only-documents")
                with gr.Row():
                    since = gr.Textbox(label="Dated from", placeholder="yyyy-mm-dd", elem_id="date-from")
                    until = gr.Textbox(label="Dated to", placeholder="yyyy-mm-dd", elem_id="date-to")
        with gr.Column(scale=2):
            gr.Markdown("### Sources")
            sources = gr.HTML(elem_id="sources")
    history, answered, ids = gr.State([]), gr.State([]), gr.State([])
    outputs = [chatbot, history, answered, sources, query, question, ids]
    for trigger in (question.submit, ask.click):
        trigger(lambda *a: (yield from respond(service, *a)),
                [question, chatbot, history, answered, model, ids, only, since, until], outputs)
    only.focus(lambda: gr.update(choices=_names(service)), None, only)  # documents added since the page loaded
    clear.click(lambda: ([], [], [], "", "", "", []), None, outputs)

    def on_like(answer_ids: list, note: str, data: gr.LikeData):  # gradio passes LikeData by this annotation
        return rate(service, answer_ids, note, data)

    chatbot.like(on_like, [ids, comment], [rated, comment])


def rate(service: RagService, ids: list, comment: str, data: gr.LikeData):
    """A thumb on an answer goes to the answer log with the comment beside it (then cleared)."""
    index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
    answer_id = ids[index] if 0 <= index < len(ids) else None
    if answer_id is None or data.liked not in (True, False):
        return gr.skip(), gr.skip()
    rating = "up" if data.liked else "down"
    try:
        service.rate(answer_id, rating, comment.strip() or None)
    except RagError as exc:
        return f"⚠ {exc}", gr.skip()
    return rating_note(rating, bool(comment.strip())), ""


def respond(service: RagService, question: str, chat: list, history: list, answered: list, model: str,
            ids: list, only: list | None = None, since: str = "", until: str = ""):
    """Stream one answer into the chat, then show the checked answer; every answer keeps its
    own source cards, so [n] in an earlier answer still points at that answer's sources, and its
    answer_id beside its message (`ids`, one per chat message), which a thumb rates. `only`,
    `since` and `until` narrow the documents searched."""
    filters = chosen_filters(only, since, until)
    chat = list(chat or []) + [{"role": "user", "content": question}, {"role": "assistant", "content": "…"}]
    ids = list(ids or []) + [None, None]
    yield chat, history, answered, gr.skip(), gr.skip(), "", ids
    try:
        written = ""
        for event in service.answers.ask_stream(question, history=history, model=model, filters=filters):
            if event["type"] == "token":
                written += event["text"]
                chat[-1] = {"role": "assistant", "content": written}
                yield chat, history, answered, gr.skip(), gr.skip(), "", ids
            else:
                result = event["result"]
    except RagError as exc:
        chat[-1] = {"role": "assistant", "content": f"⚠ {exc}"}
        yield chat, history, answered, gr.skip(), "", "", ids
        return
    answered = answered + [{"question": question, "result": result}]
    chat[-1] = {"role": "assistant", "content": answer_markdown(result, len(answered))}
    history = history + [{"role": "user", "content": question}, {"role": "assistant", "content": result["answer"]}]
    searched = (f"<small>Searched for: <em>{_plain(result['query'])}</em> · {result['model']}"
                f"{filters_note(result.get('filters'))}</small>")
    ids[-1] = result.get("answer_id")
    yield chat, history, answered, sources_panel(answered), searched, "", ids


def _plain(text: str) -> str:
    import html

    return html.escape(text)


def _documents_tab(service: RagService) -> None:
    info = gr.Markdown(value=lambda: index_status(service.index.status()), elem_id="index-info")
    table = gr.Dataframe(headers=["File", "Title", "Date", "Chunks"], value=lambda: _rows(service),
                         interactive=False, elem_id="documents")
    with gr.Row():
        with gr.Column():
            upload = gr.File(label="Add documents", file_count="multiple", elem_id="upload")
            url = gr.Textbox(label="Add a web page or PDF by URL", placeholder="https://…", elem_id="add-url")
            fetch = gr.Button("Fetch and index", elem_id="fetch-url")
        with gr.Column():
            name = gr.Dropdown(label="Delete a document", choices=_names(service), value=None, elem_id="delete-name")
            delete = gr.Button("Delete", variant="stop")
            reindex = gr.Button("Re-index the seeds folder", elem_id="reindex")
    status = gr.Markdown(elem_id="index-status")
    outputs = [table, name, status, info]
    upload.upload(lambda files, progress=gr.Progress(): _watch(service, _uploads(service, files), progress),
                  upload, outputs, show_progress="full")
    fetched = [*outputs, url]
    for event in (url.submit, fetch.click):
        event(lambda u, progress=gr.Progress(): _fetched(_watch(service, _fetch(service, u), progress), u),
              url, fetched, show_progress="full")
    delete.click(lambda n, progress=gr.Progress(): _watch(service, lambda: service.index.remove(n) if n else None, progress),
                 name, outputs, show_progress="full")
    reindex.click(lambda progress=gr.Progress(): _watch(service, service.index.start, progress),
                  None, outputs, show_progress="full")


def _uploads(service: RagService, files):
    """Save every file now (each checked); they share one index run."""
    def start():
        job = None
        for f in files or []:
            path = Path(f if isinstance(f, str) else f.name)
            _, job = service.index.upload(path.name, path.read_bytes(), replace=True)
        return job

    return start


def _fetch(service: RagService, url: str):
    def start():
        return service.index.add_url(url)[1] if (url or "").strip() else None

    return start


def _fetched(shown: tuple, url: str) -> tuple:
    """The documents as after any job; the URL box emptied once the page is in, kept if refused."""
    return (*shown, url if shown[2].startswith("⚠") else "")


def _watch(service: RagService, start, progress):
    """Start an index job and show its phase and counts as it runs; then its summary."""
    try:
        job = start()
        if job is None:
            return _refresh(service, "Nothing to do.")
        progress(None, desc="Queued…")
        for event in service.index.jobs.events(job.id):
            fraction, label = job_progress(event)
            progress(fraction, desc=label)
        summary = service.index.jobs.result(job.id)
        message = summary_text(summary)
    except RagError as exc:
        message = f"⚠ {exc}"
    return _refresh(service, message)


def _refresh(service: RagService, message: str):
    return (_rows(service), gr.update(choices=_names(service), value=None), message,
            index_status(service.index.status()))


def _rows(service: RagService):
    try:
        return documents_rows(service.index.documents())
    except RagError:
        return []


def _names(service: RagService) -> list[str]:
    return [row[0] for row in _rows(service)]
