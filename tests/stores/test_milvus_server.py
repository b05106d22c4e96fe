"""The distributed path end to end: a milvus-lite server on a free loopback port, two `rag serve`
processes pointed at it by `store.milvus.uri` (stateless servers behind a load balancer), the real model,
and a `rag index` killed with -9 mid-run."""
import concurrent.futures
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

from tests.conftest import SEED_FILE, chunk_ids
from tests.test_end_to_end import _many_documents
from tests.test_reliability import wait_healthy
from tests.api.test_app import free_port

pytestmark = pytest.mark.slow
QUESTIONS = ["What did Xi tell Biden?", "Who did Wang Yi meet?", "What is the population of Brazil?"]


@pytest.fixture(scope="module")
def milvus(tmp_path_factory):
    """`milvus-lite server` as a separate process, bound to loopback only."""
    port = free_port()
    data = tmp_path_factory.mktemp("milvus") / "data"
    proc = subprocess.Popen([os.path.join(os.path.dirname(sys.executable), "milvus-lite"), "server",
                             "--data-dir", str(data), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 60
    while True:
        assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert time.monotonic() < deadline, "milvus-lite server did not come up"
            time.sleep(0.2)
    proc.uri = f"http://127.0.0.1:{port}"
    yield proc
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)


def rag(root, uri, *args, **popen):
    env = {**os.environ, "RAG_STORE_BACKEND": "milvus", "RAG_STORE_URI": uri,
           "RAG_SEEDS_DIR": str(root / "seeds"), "RAG_INDEX_DIR": str(root / "index")}
    return subprocess.Popen([sys.executable, "-m", "rag.cli", *args], env=env, text=True,
                            start_new_session=True, **popen)


def ask(url, question):
    r = httpx.post(f"{url}/api/ask", json={"question": question}, timeout=120)
    assert r.status_code == 200, r.text
    return r.json()


def same(answer):
    return answer["answer"], [(c["source"], c["quote"]) for c in answer["citations"]], answer["index_version"]


def test_two_servers_on_one_milvus_answer_alike_through_uploads_deletes_reindexes_and_a_killed_indexer(
        milvus, tmp_path, real_embedder):
    uri = milvus.uri
    (tmp_path / "seeds").mkdir()
    shutil.copy(SEED_FILE, tmp_path / "seeds")
    ports = [free_port(), free_port()]
    servers = [rag(tmp_path, uri, "serve", "--port", str(p), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
               for p in ports[:1]]
    try:
        wait_healthy(ports[0], servers[0])  # the first builds the index in Milvus
        servers.append(rag(tmp_path, uri, "serve", "--port", str(ports[1]),
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
        wait_healthy(ports[1], servers[1])  # the second finds it there
        a, b = (f"http://127.0.0.1:{p}" for p in ports)
        xi = ask(a, QUESTIONS[0])
        assert "Biden" in xi["answer"] and xi["citations"] and not xi["not_found"]
        assert ask(a, QUESTIONS[2])["not_found"]
        assert [same(ask(a, q)) for q in QUESTIONS] == [same(ask(b, q)) for q in QUESTIONS]

        doc = b"Farm report\nThe Fenwick farm harvested 140 tonnes of barley in 2024."
        assert httpx.post(f"{a}/api/documents?wait=true", files={"file": ("farm.txt", doc)}, timeout=300).status_code == 200
        farm = ask(b, "How much barley did the Fenwick farm harvest?")  # uploaded through A, asked of B
        assert [c["source"] for c in farm["citations"]] == ["farm.txt"] and "140 tonnes" in farm["answer"]
        assert httpx.delete(f"{b}/api/documents/farm.txt?wait=true", timeout=300).status_code == 200
        assert ask(a, "How much barley did the Fenwick farm harvest?")["not_found"]

        _many_documents(tmp_path / "seeds" / "bulk", 6)
        failures, answered = _ask_during_reindex(a, b)
        assert failures == [] and answered >= 10
        assert httpx.get(f"{b}/api/health").json()["documents"] == 7

        _kill_an_indexer_mid_run(tmp_path, uri, a, real_embedder)

        os.killpg(milvus.pid, signal.SIGKILL)  # the store goes away: a clear 503, not a crash
        milvus.wait(30)
        r = httpx.post(f"{a}/api/ask", json={"question": QUESTIONS[0]}, timeout=120)
        assert r.status_code == 503 and "store.milvus.uri" in r.json()["detail"], r.text
        assert all(proc.poll() is None for proc in servers)
    finally:
        for proc in servers:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(30)


def _ask_during_reindex(a, b):
    """10 clients ask both servers while A re-indexes 6 new documents; every question answers."""
    failures, answered, done = [], [], []

    def client(n):
        with httpx.Client(base_url=(a, b)[n % 2], timeout=120) as c:
            while not done or len(answered) < 10:
                r = c.post("/api/ask", json={"question": QUESTIONS[n % len(QUESTIONS)]})
                (answered if r.status_code == 200 else failures).append(r.status_code)
                if done:
                    return

    with concurrent.futures.ThreadPoolExecutor(max_workers=10) as pool:
        clients = [pool.submit(client, n) for n in range(10)]
        r = httpx.post(f"{a}/api/reindex?wait=true", timeout=600)
        done.append(True)
        assert r.status_code == 200 and r.json()["added"] == 6, r.text
        for future in clients:
            future.result()
    return failures, len(answered)


def _kill_an_indexer_mid_run(root, uri, url, embedder):
    """kill -9 of `rag index` once its rows are in Milvus: the servers keep the old version, and a
    rerun completes with every chunk exactly once."""
    from pymilvus import MilvusClient

    before = httpx.get(f"{url}/api/health").json()
    _many_documents(root / "seeds" / "more", 24)  # two or more embedding slices: rows land before the commit
    indexer = rag(root, uri, "index", stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    client = MilvusClient(uri=uri)
    live = client.query("rag_meta", ids=["current"], output_fields=["value"])[0]["value"]
    chunks = f"rag_chunks_{live['generation']}"
    deadline = time.monotonic() + 300
    while not client.query(chunks, filter=f"added > {live['version']}", output_fields=["count(*)"])[0]["count(*)"]:
        assert indexer.poll() is None and time.monotonic() < deadline, indexer.stderr.read()[-2000:]
        time.sleep(0.05)
    os.killpg(indexer.pid, signal.SIGKILL)
    indexer.wait(30)
    assert httpx.get(f"{url}/api/health").json() == before
    assert not ask(url, QUESTIONS[0])["not_found"]

    rerun = rag(root, uri, "index", "--json", stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = rerun.communicate(timeout=900)
    assert rerun.returncode == 0, err[-2000:]
    summary = json.loads(out)
    clean = chunk_ids(root / "seeds", embedder)
    assert summary["added"] == 24 and summary["chunks_total"] == len(clean)
    rows = client.query(chunks, filter="removed > 1000000", output_fields=["count(*)"])[0]["count(*)"]
    assert rows == len(clean)  # every chunk once: the killed run's rows were cleared
    assert httpx.get(f"{url}/api/health").json()["chunks"] == len(clean)
    client.close()
