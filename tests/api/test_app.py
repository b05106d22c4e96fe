"""The HTTP API against a real uvicorn server on a free loopback port, with the real model."""
import concurrent.futures
import json
import shutil
import socket
import threading
import time

import httpx
import pytest

from rag.api.app import create_app
from rag.service import build_service

from tests.conftest import SEED_FILE, make_settings

pytestmark = pytest.mark.slow
KEY = "test-key-123"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RunningServer:
    def __init__(self, app):
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert self.server.started, "server did not start"

    def stop(self):
        self.server.should_exit = True
        self.thread.join(10)


def start_seed_server(root, embedder, **overrides) -> RunningServer:
    """A real server over a copy of the seed folder, API only; `.service` is the live service."""
    (root / "seeds").mkdir()
    shutil.copy(SEED_FILE, root / "seeds")
    service = build_service(make_settings(root / "seeds", root / "index", **overrides), embedder)
    service.index.run()
    running = RunningServer(create_app(service))
    running.service = service
    return running


@pytest.fixture(scope="module")
def server(tmp_path_factory, real_embedder):
    running = start_seed_server(tmp_path_factory.mktemp("server"), real_embedder, server__max_upload_mb=1)
    yield running
    running.stop()


@pytest.fixture
def client(server):
    with httpx.Client(base_url=server.url, timeout=120) as c:
        yield c


def test_health(client):
    body = client.get("/api/health").json()
    assert body["status"] == "ok" and body["documents"] == 1 and body["chunks"] > 0 and body["index_version"]


def test_ask_returns_the_cli_contract(client):
    body = client.post("/api/ask", json={"question": "What did Xi tell Biden?"}).json()
    assert not body["not_found"] and "core interests" in " ".join(c["quote"] for c in body["citations"])
    assert {"id", "source", "title", "date", "quote", "start", "end", "chunk_id", "text", "score"} <= set(body["citations"][0])


def test_a_when_question_gets_a_short_answer_at_its_offsets(client):
    body = client.post("/api/ask", json={"question": "When did Russia invade Ukraine?"}).json()
    short = body["short_answer"]
    assert short["text"] == "February 2022" and short["text"] in body["citations"][short["citation"] - 1]["quote"]
    doc = client.get(f"/api/documents/{body['citations'][0]['source']}").json()
    assert doc["text"][short["start"]:short["end"]] == "February 2022"


def test_document_text_holds_every_citation_at_its_offsets(client):
    body = client.post("/api/ask", json={"question": "What did Xi tell Biden?"}).json()
    cited = body["citations"][0]
    doc = client.get(f"/api/documents/{cited['source']}").json()
    assert doc["name"] == SEED_FILE.name and doc["pages"] == [] and doc["sections"] == []
    assert doc["text"][cited["start"]:cited["end"]] == cited["quote"]
    assert cited["page"] is None and cited["section"] is None  # plain text has neither
    original = client.get(f"/api/documents/{cited['source']}/file")
    assert original.content == SEED_FILE.read_bytes()
    assert original.headers["content-type"] == "text/plain; charset=utf-8"
    assert original.headers["content-security-policy"] == "sandbox"


@pytest.mark.parametrize("path", ["/api/documents/nope.txt", "/api/documents/nope.txt/file",
                                  "/api/documents/../../etc/passwd/file", "/api/documents/%2e%2e/config.yaml/file"])
def test_only_indexed_documents_can_be_read(client, path):
    response = client.get(path)
    assert response.status_code == 404 and response.json()["detail"]


def test_a_document_changed_since_indexing_is_refused_not_misquoted(client, server):
    path = server.service.index.seeds_dir / "later.txt"
    path.write_text("Draft\nThe first version of the text.\n")
    server.service.index.run()
    path.write_text("Draft\nA second version, not yet indexed.\n")
    try:
        response = client.get("/api/documents/later.txt")
        assert response.status_code == 409 and "re-index" in response.json()["detail"]
    finally:
        path.unlink()
        server.service.index.run()


def sse_events(response):
    events, name = [], None
    for line in response.iter_lines():
        if line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: "):
            events.append((name, json.loads(line[6:])))
    return events


def test_stream_sends_tokens_then_the_final_result(client):
    with client.stream("POST", "/api/ask/stream", json={"question": "What did Xi tell Biden?"}) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        events = sse_events(response)
    assert events[0][0] == "token" and events[-1][0] == "final"
    assert events[-1][1]["result"]["citations"]


def test_follow_up_through_the_api(client):
    history = [{"role": "user", "content": "What did Xi tell Biden?"},
               {"role": "assistant", "content": "Beijing would protect its core interests. [1]"}]
    body = client.post("/api/ask", json={"question": "Where did they meet?", "history": history}).json()
    assert body["query"] == "Where did they meet? (Xi Biden)"
    assert any("Peru" in c["quote"] for c in body["citations"])


@pytest.mark.parametrize("payload, status", [
    ({"question": ""}, 400), ({"question": "   "}, 400), ({"question": "x" * 5000}, 400),
    ({}, 422), ({"question": 5}, 422), ({"question": "Xi?", "top_k": 0}, 422),
    ({"question": "Xi?", "top_k": 10**9}, 422), ({"question": "Xi?", "model": "evil/model"}, 400),
    ({"question": "Xi?", "history": [{"role": "system", "content": "x"}]}, 422),
    ({"question": "Xi?", "surprise": 1}, 422),
])
def test_bad_questions_get_4xx_with_a_message(client, payload, status):
    response = client.post("/api/ask", json=payload)
    assert response.status_code == status and response.json()["detail"]


def test_invalid_json_is_422(client):
    response = client.post("/api/ask", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422 and response.json()["detail"]


def test_upload_then_ask_then_delete(client, server):
    doc = b"Orchard report\nThe Kestrel Valley orchard harvested 812 tonnes of quince in 2023.\n"
    response = client.post("/api/documents?wait=true", files={"file": ("orchard.txt", doc, "text/plain")})
    assert response.status_code == 200, response.text
    assert response.json()["added"] == 1 and response.json()["name"] == "orchard.txt"
    names = [d["name"] for d in client.get("/api/documents").json()]
    assert names == sorted([SEED_FILE.name, "orchard.txt"])

    body = client.post("/api/ask", json={"question": "How much quince did the Kestrel Valley orchard harvest?"}).json()
    assert any(c["source"] == "orchard.txt" and "812 tonnes" in c["quote"] for c in body["citations"])

    assert client.post("/api/documents?wait=true", files={"file": ("orchard.txt", b"Other text.", "text/plain")}).status_code == 409
    assert client.delete("/api/documents/orchard.txt?wait=true").json()["removed"] == 1
    body = client.post("/api/ask", json={"question": "How much quince did the Kestrel Valley orchard harvest?"}).json()
    assert all(c["source"] != "orchard.txt" for c in body["citations"])
    assert client.delete("/api/documents/orchard.txt?wait=true").status_code == 404


@pytest.mark.parametrize("name, data, status", [
    ("../../evil.txt", b"Escape attempt text.", 200),  # saved as evil.txt inside seeds
    ("empty.txt", b"", 400),
    ("image.png", b"\x89PNG....", 400),
    ("bin.txt", b"\x00\x01\x02", 400),
])
def test_uploads_are_sanitised_or_refused(client, server, name, data, status):
    response = client.post("/api/documents?wait=true", files={"file": (name, data, "text/plain")})
    assert response.status_code == status, response.text
    assert not (server.service.index.seeds_dir.parent / "evil.txt").exists()
    if status == 200:
        assert response.json()["name"] == "evil.txt"
        client.delete("/api/documents/evil.txt?wait=true")


def test_oversized_upload_is_413(client):
    response = client.post("/api/documents?wait=true", files={"file": ("big.txt", b"a " * (1024 * 1024), "text/plain")})
    assert response.status_code == 413 and "limit" in response.json()["detail"]


def test_reindex_returns_the_index_summary(client):
    body = client.post("/api/reindex?wait=true").json()
    assert set(body) >= {"added", "updated", "removed", "unchanged", "skipped", "chunks_embedded", "chunks_total"}


def _bulk(folder, name, sentences):
    lines = [f"Survey station {i} on the Harrow moor logged {i * 13 % 97} curlews and {i % 7} lapwings."
             for i in range(sentences)]
    (folder / name).write_text("Moor survey\n" + "\n".join(lines), encoding="utf-8")


def test_reindex_is_a_job_watched_from_queued_to_done(client, server):
    _bulk(server.service.index.seeds_dir, "moor.txt", 1500)
    try:
        started = client.post("/api/reindex")
        assert started.status_code == 202 and started.json()["state"] in ("queued", "running")
        job = started.json()["id"]
        assert client.post("/api/reindex").json()["id"] == job  # joins the run, does not start a second
        with client.stream("GET", f"/api/jobs/{job}/events") as response:
            events = [body for name, body in sse_events(response) if name == "job"]
        order = ["queued", "running", "done"]
        states = [e["state"] for e in events]
        assert states[-1] == "done" and states == sorted(states, key=order.index), states
        final = client.get(f"/api/jobs/{job}").json()
        counts = [e["done"] for e in events if e["phase"] == "embedding"]
        assert len(counts) >= 2 and counts == sorted(counts), counts
        assert {e["total"] for e in events if e["phase"] == "embedding"} == {final["summary"]["chunks_embedded"]}
        assert events[-1]["phase"] == "swapping" and events[-1]["done"] == events[-1]["total"] == 1
        assert final["summary"]["added"] == 1 and final["finished"] >= final["started"] >= final["created"]
        assert job in [j["id"] for j in client.get("/api/jobs").json()]
    finally:
        (server.service.index.seeds_dir / "moor.txt").unlink()
        client.post("/api/reindex?wait=true")


def test_cancel_mid_embedding_leaves_the_previous_version_answering(client, server):
    live = client.get("/api/health").json()["index_version"]
    _bulk(server.service.index.seeds_dir, "moor.txt", 3000)
    try:
        job = client.post("/api/reindex").json()["id"]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            state = client.get(f"/api/jobs/{job}").json()
            if state["phase"] == "embedding" and state["done"] > 0:
                break
            time.sleep(0.05)
        assert state["phase"] == "embedding" and state["done"] < state["total"], state
        assert client.delete(f"/api/jobs/{job}").status_code == 200
        with client.stream("GET", f"/api/jobs/{job}/events") as response:
            assert sse_events(response)[-1][1]["state"] == "cancelled"
        assert client.get("/api/health").json()["index_version"] == live
        body = client.post("/api/ask", json={"question": "What did Xi tell Biden?"}).json()
        assert body["index_version"] == live and body["citations"]
    finally:
        (server.service.index.seeds_dir / "moor.txt").unlink()
    assert client.post("/api/reindex?wait=true").json()["removed"] == 0  # the next run starts from the live one


def test_unknown_job_is_404(client):
    assert client.get("/api/jobs/nope").status_code == 404
    assert client.delete("/api/jobs/nope").status_code == 404


def test_with_a_key_every_route_needs_it_but_health(server):
    keyed = RunningServer(create_app(server.service.reconfigured(server__api_key=KEY)))  # the same index
    try:
        with httpx.Client(base_url=keyed.url, timeout=120) as client:
            assert client.post("/api/reindex?wait=true").status_code == 401
            assert client.post("/api/reindex", headers={"Authorization": "Bearer wrong"}).status_code == 401
            assert client.delete("/api/documents/x.txt").status_code == 401
            assert client.delete("/api/jobs/x").status_code == 401
            assert client.post("/api/reindex?wait=true", headers={"Authorization": f"Bearer {KEY}"}).status_code == 200
            assert client.post("/api/ask", json={"question": "What did Xi tell Biden?"}).status_code == 401
            assert client.post("/api/ask", json={"question": "What did Xi tell Biden?"},
                               headers={"Authorization": f"Bearer {KEY}"}).status_code == 200
            assert client.get("/api/health").json() == {"status": "ok"}  # open, without the counts
            assert client.get("/api/health", headers={"Authorization": f"Bearer {KEY}"}).json()["documents"] == 1
            assert client.get("/metrics").status_code == 401
            assert "rag_http_requests_total" in client.get("/metrics", headers={"Authorization": f"Bearer {KEY}"}).text
    finally:
        keyed.stop()


def test_metrics_show_the_ask_histogram_and_requests_by_route_template(client):
    answer = client.post("/api/ask", json={"question": "What did Xi tell Biden?"}).json()
    client.get(f"/api/documents/{answer['citations'][0]['source']}")
    metrics = client.get("/metrics")
    assert metrics.headers["content-type"].startswith("text/plain")
    text = metrics.text
    assert 'rag_ask_seconds_count{collection="default"}' in text
    assert 'rag_retrieval_seconds_bucket{collection="default",le="0.05"}' in text
    assert 'rag_http_requests_total{method="POST",route="/api/ask",status="200"}' in text
    assert 'route="/api/documents/{name:path}"' in text and SEED_FILE.name not in text  # templates, not names
    assert 'rag_index_documents{collection="default"} 1.0' in text


def test_every_response_carries_a_request_id(client):
    assert client.get("/api/health", headers={"X-Request-ID": "trace-42"}).headers["x-request-id"] == "trace-42"
    made = client.get("/api/health", headers={"X-Request-ID": "no spaces allowed"}).headers["x-request-id"]
    assert len(made) == 32 and made != "no spaces allowed"
    assert len(client.get("/api/nope").headers["x-request-id"]) == 32


def test_an_answer_is_rated_by_its_id(client):
    answer = client.post("/api/ask", json={"question": "What did Xi tell Biden?"}).json()
    rated = client.post(f"/api/answers/{answer['answer_id']}/feedback", json={"rating": "down", "comment": "old"})
    assert rated.status_code == 200 and rated.json() == {"answer_id": answer["answer_id"], "rating": "down"}
    assert client.post(f"/api/answers/{answer['answer_id']}/feedback", json={"rating": "meh"}).status_code == 422
    missing = client.post("/api/answers/nope/feedback", json={"rating": "up"})
    assert missing.status_code == 404 and "No answer with id 'nope'" in missing.json()["detail"]
    assert 'rag_feedback_total{collection="default",rating="down"} 1.0' in client.get("/metrics").text


def test_openai_compatible_chat(client):
    messages = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "What did Xi tell Biden?"}]
    body = client.post("/v1/chat/completions", json={"model": "rag", "messages": messages}).json()
    assert body["object"] == "chat.completion" and "[1]" in body["choices"][0]["message"]["content"]
    assert body["sources"][0]["quote"] and body["answer_id"] == body["rag"]["answer_id"]
    with client.stream("POST", "/v1/chat/completions", json={"messages": messages, "stream": True}) as response:
        lines = [l for l in response.iter_lines() if l.startswith("data: ")]
    assert lines[-1] == "data: [DONE]"
    chunks = [json.loads(l[6:]) for l in lines[:-1]]
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert "[1]" in text and chunks[-1]["sources"]
    assert client.post("/v1/chat/completions", json={"messages": []}).status_code == 422


def test_openai_python_client_talks_to_the_service(server):
    from openai import OpenAI

    client = OpenAI(base_url=server.url + "/v1", api_key="unused", max_retries=0)
    reply = client.chat.completions.create(model="rag", messages=[{"role": "user", "content": "What did Xi tell Biden?"}])
    assert "core interests" in reply.choices[0].message.content


def test_twenty_concurrent_questions_while_reindexing(client, server):
    seeds = server.service.index.seeds_dir
    questions = ["What did Xi tell Biden?", "Who did Wang Yi meet?", "When did Russia invade Ukraine?",
                 "What is the population of Brazil?"] * 5

    def ask(q):
        with httpx.Client(base_url=server.url, timeout=120) as c:
            response = c.post("/api/ask", json={"question": q})
            return response.status_code, response.json()

    def churn():
        for i in range(3):
            (seeds / f"churn{i}.txt").write_text(f"Churn note {i}\nThe churn counter reached {i * 7} today.")
            client.post("/api/reindex?wait=true")
        for i in range(3):
            (seeds / f"churn{i}.txt").unlink()
        return client.post("/api/reindex?wait=true").json()

    with concurrent.futures.ThreadPoolExecutor(max_workers=21) as pool:
        indexing = pool.submit(churn)
        results = list(pool.map(ask, questions))
        final = indexing.result()
    assert [status for status, _ in results] == [200] * 20
    for question, (_, body) in zip(questions, results):
        assert body["not_found"] == (question == "What is the population of Brazil?")
        assert all(c["quote"] in c["text"] for c in body["citations"])
    assert final["removed"] == 3


def test_one_json_line_per_request_without_the_question(fake_service, caplog):
    import logging

    from fastapi.testclient import TestClient

    fake_service.index.run()
    caplog.set_level(logging.INFO, logger="rag.requests")
    with TestClient(create_app(fake_service)) as client:
        client.post("/api/ask", json={"question": "What did Xi tell Biden?"}, headers={"X-Request-ID": "r-1"})
    (line,) = [json.loads(r.getMessage()) for r in caplog.records if r.name == "rag.requests"]
    assert {k: line[k] for k in ("request_id", "method", "route", "status", "collection")} == {
        "request_id": "r-1", "method": "POST", "route": "/api/ask", "status": 200, "collection": "default"}
    assert line["ms"] > 0 and "Xi" not in json.dumps(line)


def test_filters_narrow_the_search_and_come_back_on_the_answer(client):
    question = {"question": "What did Xi tell Biden?"}
    seed = SEED_FILE.name
    kept = client.post("/api/ask", json={**question, "filters": {"documents": [seed[:4] + "*"]}}).json()
    assert not kept["not_found"] and {c["source"] for c in kept["citations"]} == {seed}
    assert kept["filters"]["documents"] == [seed[:4] + "*"]
    none = client.post("/api/ask", json={**question, "filters": {"folder": "elsewhere"}}).json()
    assert none["not_found"] and none["citations"] == [] and "No document matches" in none["note"]
    bad = client.post("/api/ask", json={**question, "filters": {"date_from": "soon"}})
    assert bad.status_code == 400 and "date_from" in bad.json()["detail"]
    messages = [{"role": "user", "content": "What did Xi tell Biden?"}]
    extra = client.post("/v1/chat/completions", json={"messages": messages, "filters": {"folder": "elsewhere"}}).json()
    assert extra["sources"] == [] and extra["rag"]["filters"]["folder"] == "elsewhere"
    meta = client.post("/v1/chat/completions", json={"messages": messages,
                                                     "metadata": {"filters": json.dumps({"documents": [seed]})}}).json()
    assert {s["source"] for s in meta["sources"]} == {seed} and meta["rag"]["filters"]["documents"] == [seed]
    assert client.post("/v1/chat/completions", json={"messages": messages, "metadata": {"filters": "{"}}).status_code == 400
