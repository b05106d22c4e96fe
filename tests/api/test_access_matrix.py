"""Who may reach what, through every route: a real server over three collections (default,
alpha, beta), each holding a canary sentence, asked by every kind of caller. Each response must
have the expected status, and no response to a caller holds a canary of a collection it may not
read (nor, for a refused caller, any collection's name)."""
import json

import httpx
import pytest

from rag.api.app import create_app
from rag.library import Library
from tests.api.test_app import RunningServer
from tests.conftest import FakeEmbedder, make_settings

pytestmark = pytest.mark.slow
CANARY = {"default": "ZEPHYR-default-canary", "alpha": "QUOKKA-alpha-canary", "beta": "NARWHAL-beta-canary"}
COLLECTIONS = ["default", "alpha", "beta", "missing"]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("matrix")
    (root / "seeds").mkdir()
    library = Library(make_settings(root / "seeds", root / "index"), embedder=FakeEmbedder())
    for name in ("alpha", "beta"):
        library.create(name)
    for name, canary in CANARY.items():
        service = library.get(name)
        (service.settings.paths.seeds / f"{name}-notes.txt").write_text(
            f"Notes of {name}\nThe password of the {name} vault is {canary}. The {name} team meets on Fridays.\n")
        service.index.run()
    keys = {}
    for label, role, collection in [("read-a", "read", "alpha"), ("write-a", "write", "alpha"),
                                    ("read-b", "read", "beta"), ("admin", "admin", "*"), ("gone", "read", "alpha")]:
        keys[label], _ = library.keys.create(role, collection, label)
    library.keys.revoke("gone")
    server = RunningServer(create_app(library=library))
    yield server, library, keys
    server.stop()
    library.close()


CALLERS = {  # who -> (may read, may write) per collection
    "none": set(), "bogus": set(), "revoked": set(),
    "read-a": {("alpha", "read")}, "write-a": {("alpha", "read"), ("alpha", "write")}, "read-b": {("beta", "read")},
    "admin": {(c, a) for c in ("default", "alpha", "beta") for a in ("read", "write")},
}
# (method, path under the collection's prefix, body, needs write)
SCOPED = [
    ("POST", "/ask", {"question": "What is the password of the vault?"}, False),
    ("POST", "/ask/stream", {"question": "What is the password of the vault?"}, False),
    ("GET", "/documents", None, False),
    ("GET", "/documents/{doc}", None, False),
    ("GET", "/documents/{doc}/file", None, False),
    ("GET", "/jobs", None, False),
    ("GET", "/jobs/nope", None, False),
    ("GET", "/jobs/nope/events", None, False),
    ("POST", "/answers/nope/feedback", {"rating": "up"}, False),
    ("POST", "/documents", "upload", True),
    ("POST", "/documents", {"url": "http://127.0.0.1:9/x.html"}, True),
    ("POST", "/documents/{doc}/refresh", None, True),
    ("DELETE", "/documents/nothing-here.txt", None, True),
    ("POST", "/reindex", None, True),
    ("DELETE", "/jobs/nope", None, True),
]


def headers(keys, who):
    key = {"none": None, "bogus": "rag_000000000000_" + "x" * 43, "revoked": keys["gone"]}.get(who, keys.get(who))
    return {"Authorization": f"Bearer {key}"} if key else {}


def send(client, method, path, body, hdrs):
    if body == "upload":
        return client.request(method, path, headers=hdrs, files={"file": ("probe.txt", b"A probe line.", "text/plain")})
    return client.request(method, path, headers=hdrs, json=body) if body is not None else \
        client.request(method, path, headers=hdrs)


def prefix(collection):
    return "/api" if collection == "default" else f"/api/collections/{collection}"


def leaks(text: str, who: str) -> list[str]:
    readable = {c for c, a in CALLERS[who] if a == "read"}
    return [c for c, canary in CANARY.items() if c not in readable and canary in text]


def test_every_scoped_route_for_every_caller_and_collection(world):
    server, library, keys = world
    checked = 0
    with httpx.Client(base_url=server.url, timeout=60) as client:
        for who in CALLERS:
            for collection in COLLECTIONS + ["default-again"]:
                name = "default" if collection == "default-again" else collection
                base = prefix(name) if collection != "default-again" else "/api/collections/default"
                for method, path, body, write in SCOPED:
                    response = send(client, method, base + path.replace("{doc}", f"{name}-notes.txt"), body,
                                    headers(keys, who))
                    status, text = response.status_code, response.text
                    where = f"{who} {method} {base}{path}: {status} {text[:120]}"
                    if who in ("none", "bogus", "revoked"):
                        assert status == 401, where
                    elif (name, "read") not in CALLERS[who]:
                        assert status == 404 and "No collection named" in text, where
                    elif write and (name, "write") not in CALLERS[who]:
                        assert status == 403, where
                    else:
                        assert status not in (401, 403) and "No collection named" not in text, where
                    assert not leaks(text, who), where
                    for other in ("alpha", "beta"):
                        if (other, "read") not in CALLERS[who]:
                            assert f"{other}-notes" not in text, where
                    checked += 1
    print(f"{checked} scoped requests checked")
    assert checked == len(CALLERS) * 5 * len(SCOPED)


def test_service_wide_routes_show_each_caller_only_its_own(world):
    server, library, keys = world
    question = {"messages": [{"role": "user", "content": "What is the password of the vault?"}]}
    with httpx.Client(base_url=server.url, timeout=60) as client:
        for who in CALLERS:
            h = headers(keys, who)
            readable = sorted({c for c, a in CALLERS[who] if a == "read"})
            health = client.get("/api/health", headers=h)
            assert health.status_code == 200 and ("documents" in health.json()) == ("default" in readable), who
            listed = client.get("/api/collections", headers=h)
            models = client.get("/v1/models", headers=h)
            if who in ("none", "bogus", "revoked"):
                assert listed.status_code == models.status_code == 401, who
            else:
                assert sorted(c["name"] for c in listed.json()) == readable, who
                assert sorted(m["id"] for m in models.json()["data"] if m["id"].startswith("rag/")) == \
                    [f"rag/{c}" for c in readable], who
            for name in ("default", "alpha", "beta", "missing"):
                answer = client.post("/v1/chat/completions", headers=h, json={**question, "model": f"rag/{name}"})
                if who in ("none", "bogus", "revoked"):
                    assert answer.status_code == 401, who
                elif name in readable:
                    assert answer.status_code == 200 and CANARY[name] in json.dumps(answer.json()), (who, name)
                else:
                    assert answer.status_code == 404 and "No collection named" in answer.text, (who, name)
                assert not leaks(answer.text, who), (who, name)
            metrics = client.get("/metrics", headers=h)
            assert metrics.status_code == (200 if who == "admin" else 401 if who in ("none", "bogus", "revoked")
                                           else 403), who
            made = client.post("/api/collections", headers=h, json={"name": f"new-{who}"})
            assert made.status_code == (201 if who == "admin" else 401 if who in ("none", "bogus", "revoked")
                                        else 403), who
            gone = client.delete("/api/collections/beta", headers=h) if who != "admin" else None
            if gone is not None:
                assert gone.status_code == (401 if who in ("none", "bogus", "revoked") else 403 if who == "read-b"
                                            else 404), who
            mcp = client.post("/mcp", headers={**h, "Accept": "application/json, text/event-stream"},
                              json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
            assert (mcp.status_code == 401) == ("default" not in readable), who
        assert "beta" in library.names()


def test_a_revoked_key_is_refused_on_the_next_request(world):
    server, library, keys = world
    key, _ = library.keys.create("read", "alpha", "short-lived")
    with httpx.Client(base_url=server.url, timeout=60) as client:
        h = {"Authorization": f"Bearer {key}"}
        assert client.get("/api/collections/alpha/documents", headers=h).status_code == 200
        library.keys.revoke("short-lived")  # as `rag keys revoke` does, from another process or this one
        assert client.get("/api/collections/alpha/documents", headers=h).status_code == 401


def test_the_openapi_document_names_no_collection(world):
    server, _, _ = world
    text = httpx.get(server.url + "/openapi.json").text
    assert not any(c in text for c in ("alpha", "beta", *CANARY.values()))
