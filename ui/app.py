"""The Gradio chat UI. It receives the library of collections and only formats what their services
return; every action asks ui/gate.py's Scope for the collection's service under the request's key."""
from __future__ import annotations

from pathlib import Path

import gradio as gr
from fastapi import Request

from rag.errors import RagError
from rag.service import RagService
from ui.gate import Scope, guard

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


def mount(app, library):
    """Add the chat UI at / and the document viewer at /view/<name> to the API app."""
    from fastapi import Query
    from fastapi.responses import HTMLResponse

    scope = Scope(library)
    guard(app, library)

    @app.get("/view/{name:path}", response_class=HTMLResponse, include_in_schema=False)
    def view(request: Request, name: str, start: int | None = Query(None, ge=0), end: int | None = Query(None, ge=0),
             collection: str = Query("default")) -> str:
        return document_page(scope.service(request, collection).index.document(name), start, end, collection)

    return gr.mount_gradio_app(app, build_ui(scope), path="/", css=CSS, footer_links=[])


def build_ui(scope: Scope) -> gr.Blocks:
    models = scope.library.get("default").settings.generation.allowed()
    with gr.Blocks(title="rag · ask your documents") as demo:
        gr.Markdown("## Ask your documents\nEvery sentence of an answer links to the sentence in your files that says it.")
        pick = gr.Dropdown(choices=["default"], value="default", label="Collection", elem_id="collection",
                           visible=False)
        with gr.Tab("Chat"):
            only = _chat_tab(scope, models, pick)
        with gr.Tab("Documents"):
            shown = _documents_tab(scope, pick)

        def opened(request: gr.Request):
            """The collections this key may read (a picker when there are several), and the first one's documents."""
            names = scope.readable(request)
            first = "default" if "default" in names else (names[0] if names else None)
            return (gr.update(choices=names, value=first, visible=len(names) > 1),
                    *_refresh(scope, first, request, ""), _only(scope, first, request))

        def picked(name: str, request: gr.Request):
            return (*_refresh(scope, name, request, ""), _only(scope, name, request))

        demo.load(opened, None, [pick, *shown, only])
        pick.input(picked, pick, [*shown, only])
    return demo


def _only(scope: Scope, name: str, request: gr.Request):
    return gr.update(choices=_names(scope, name, request), value=[])


def _chat_tab(scope: Scope, models: list[str], pick):
    with gr.Row():
        with gr.Column(scale=3):
            chatbot = gr.Chatbot(elem_id="chat", height=460, label="Answers", feedback_options=("Like", "Dislike"))
            with gr.Row():
                question = gr.Textbox(placeholder="Ask a question about the documents…", show_label=False,
                                      elem_id="question", scale=5, submit_btn=False)
                ask = gr.Button("Ask", variant="primary", elem_id="ask", scale=1)
            with gr.Row():
                model = gr.Dropdown(models, value=scope.library.get("default").settings.generation.model,
                                    label="Model", visible=len(models) > 1, scale=2)
                clear = gr.Button("New conversation", scale=1)
            query = gr.Markdown(elem_id="query")
            with gr.Row():
                comment = gr.Textbox(placeholder="Optional: what was wrong or right, sent with your 👍 or 👎",
                                     show_label=False, elem_id="feedback-comment", scale=4)
                rated = gr.Markdown(elem_id="rated")
            gr.Examples(EXAMPLES, inputs=question)
            with gr.Accordion("Search only…", open=False, elem_id="filters"):
                only = gr.Dropdown(choices=[], value=[], multiselect=True, label="These documents",
                                   elem_id="only-documents")
                with gr.Row():
                    since = gr.Textbox(label="Dated from", placeholder="yyyy-mm-dd", elem_id="date-from")
                    until = gr.Textbox(label="Dated to", placeholder="yyyy-mm-dd", elem_id="date-to")
        with gr.Column(scale=2):
            gr.Markdown("### Sources")
            sources = gr.HTML(elem_id="sources")
    history, answered, ids = gr.State([]), gr.State([]), gr.State([])
    outputs = [chatbot, history, answered, sources, query, question, ids]
    def asked(question, chat, history, answered, model, ids, only, since, until, collection, request: gr.Request):
        yield from respond(scope, question, chat, history, answered, model, ids, only, since, until, collection,
                           request)

    for trigger in (question.submit, ask.click):  # a question sent as the last answer finishes runs next,
        trigger(asked, [question, chatbot, history, answered, model, ids, only, since, until, pick], outputs,
                trigger_mode="always_last")  # not dropped as gradio's default ("once") would
    def listed(name: str, request: gr.Request):  # documents added since the page loaded; the choice kept
        return gr.update(choices=_names(scope, name, request))

    only.focus(listed, pick, only)
    clear.click(lambda: ([], [], [], "", "", "", []), None, outputs)

    def on_like(answer_ids: list, note: str, data: gr.LikeData, request: gr.Request):  # gradio passes these
        return rate(scope, answer_ids, note, data, request)  # by their annotations

    chatbot.like(on_like, [ids, comment], [rated, comment])
    return only


def rate(scope: Scope, ids: list, comment: str, data: gr.LikeData, request=None):
    """A thumb on an answer goes to its collection's answer log with the comment beside it (then cleared)."""
    index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
    asked = ids[index] if 0 <= index < len(ids) else None
    if not asked or data.liked not in (True, False):
        return gr.skip(), gr.skip()
    rating = "up" if data.liked else "down"
    try:
        collection, answer_id = asked
        scope.service(request, collection).rate(answer_id, rating, comment.strip() or None)
    except RagError as exc:
        return f"⚠ {exc}", gr.skip()
    return rating_note(rating, bool(comment.strip())), ""


def respond(scope: Scope, question: str, chat: list, history: list, answered: list, model: str,
            ids: list, only: list | None = None, since: str = "", until: str = "", collection: str = "default",
            request=None):
    """Stream one answer into the chat, then show the checked answer; every answer keeps its
    own source cards, so [n] in an earlier answer still points at that answer's sources, and its
    answer_id beside its message (`ids`, one per chat message), which a thumb rates. `only`,
    `since` and `until` narrow the documents searched; `collection` is asked under the request's key."""
    filters = chosen_filters(only, since, until)
    chat = list(chat or []) + [{"role": "user", "content": question}, {"role": "assistant", "content": "…"}]
    ids = list(ids or []) + [None, None]
    yield chat, history, answered, gr.skip(), gr.skip(), "", ids  # the box cleared once: the next question
    try:  # may be typed while this answer streams, and the later yields leave it alone
        written = ""
        service = scope.service(request, collection)
        for event in service.answers.ask_stream(question, history=history, model=model, filters=filters):
            if event["type"] == "token":
                written += event["text"]
                chat[-1] = {"role": "assistant", "content": written}
                yield chat, history, answered, gr.skip(), gr.skip(), gr.skip(), ids
            else:
                result = event["result"]
    except RagError as exc:
        chat[-1] = {"role": "assistant", "content": f"⚠ {exc}"}
        yield chat, history, answered, gr.skip(), "", gr.skip(), ids
        return
    result["citations"] = [{**c, "collection": collection} for c in result["citations"]]  # for the viewer's link
    answered = answered + [{"question": question, "result": result}]
    chat[-1] = {"role": "assistant", "content": answer_markdown(result, len(answered))}
    history = history + [{"role": "user", "content": question}, {"role": "assistant", "content": result["answer"]}]
    searched = (f"<small>Searched for: <em>{_plain(result['query'])}</em> · {result['model']}"
                f"{filters_note(result.get('filters'))}</small>")
    ids[-1] = [collection, result.get("answer_id")] if result.get("answer_id") else None
    yield chat, history, answered, sources_panel(answered), searched, gr.skip(), ids


def _plain(text: str) -> str:
    import html

    return html.escape(text)


def _documents_tab(scope: Scope, pick) -> list:
    info = gr.Markdown(elem_id="index-info")
    table = gr.Dataframe(headers=["File", "Title", "Date", "Chunks"], interactive=False, elem_id="documents")
    with gr.Row():
        with gr.Column():
            upload = gr.File(label="Add documents", file_count="multiple", elem_id="upload")
            url = gr.Textbox(label="Add a web page or PDF by URL", placeholder="https://…", elem_id="add-url")
            fetch = gr.Button("Fetch and index", elem_id="fetch-url")
        with gr.Column():
            name = gr.Dropdown(label="Delete a document", choices=[], value=None, elem_id="delete-name")
            delete = gr.Button("Delete", variant="stop")
            reindex = gr.Button("Re-index the seeds folder", elem_id="reindex")
    status = gr.Markdown(elem_id="index-status")
    outputs = [table, name, status, info]

    def run(start):
        """An event that starts a job in the picked collection (a write) and follows it."""
        def event(value, collection, request: gr.Request, progress=gr.Progress()):
            return _watch(scope, collection, request, lambda service: start(service, value), progress)
        return event

    upload.upload(run(_uploads), [upload, pick], outputs, show_progress="full")
    def fetched(address, collection, request: gr.Request, progress=gr.Progress()):
        return _fetched(_watch(scope, collection, request, lambda service: _fetch(service, address), progress),
                        address)

    for event in (url.submit, fetch.click):
        event(fetched, [url, pick], [*outputs, url], show_progress="full")
    delete.click(run(lambda service, n: service.index.remove(n) if n else None), [name, pick], outputs,
                 show_progress="full")
    reindex.click(run(lambda service, _: service.index.start()), [name, pick], outputs, show_progress="full")
    return outputs


def _uploads(service: RagService, files):
    """Save every file now (each checked); they share one index run."""
    job = None
    for f in files or []:
        path = Path(f if isinstance(f, str) else f.name)
        _, job = service.index.upload(path.name, path.read_bytes(), replace=True)
    return job


def _fetch(service: RagService, url: str):
    return service.index.add_url(url)[1] if (url or "").strip() else None


def _fetched(shown: tuple, url: str) -> tuple:
    """The documents as after any job; the URL box emptied once the page is in, kept if refused."""
    return (*shown, url if shown[2].startswith("⚠") else "")


def _watch(scope: Scope, collection: str, request, start, progress):
    """Start an index job in the collection (the key must may write it) and show its phase and
    counts as it runs; then its summary."""
    try:
        service = scope.service(request, collection, "write")
        job = start(service)
        if job is None:
            return _refresh(scope, collection, request, "Nothing to do.")
        progress(None, desc="Queued…")
        for event in service.index.jobs.events(job.id):
            fraction, label = job_progress(event)
            progress(fraction, desc=label)
        message = summary_text(service.index.jobs.result(job.id))
    except RagError as exc:
        message = f"⚠ {exc}"
    return _refresh(scope, collection, request, message)


def _refresh(scope: Scope, collection: str, request, message: str):
    """The documents table, the delete choices and the index line, from one listing."""
    try:
        service = scope.service(request, collection)
        rows, status = documents_rows(service.index.documents()), index_status(service.index.status())
    except RagError as exc:
        rows, status = [], f"⚠ {exc}"
    return rows, gr.update(choices=[row[0] for row in rows], value=None), message, status


def _rows(scope: Scope, collection: str, request):
    try:
        return documents_rows(scope.service(request, collection).index.documents())
    except RagError:
        return []


def _names(scope: Scope, collection: str, request) -> list[str]:
    return [row[0] for row in _rows(scope, collection, request)]
