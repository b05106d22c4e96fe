"""The MCP server through the official SDK's own client: `rag mcp` as a subprocess over stdio, and
`rag serve`'s /mcp over streamable HTTP behind the API key."""
import asyncio
import json
import os
import shutil
import sys

import httpx
import pytest

from tests.conftest import SEED_FILE

pytestmark = pytest.mark.slow
TOOLS = {"search", "ask", "list_documents", "get_document"}


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 300))


def payload(result):
    assert not result.is_error, result.content
    return json.loads(result.content[0].text)


async def exercise(client) -> dict:
    """Every tool and the resources, as an assistant would use them; what came back."""
    tools = (await client.list_tools()).tools
    got = {"tools": {t.name: t for t in tools}}
    got["ask"] = payload(await client.call_tool("ask", {"question": "What did Xi tell Biden?"}))
    got["search"] = payload(await client.call_tool("search", {"query": "Korean peninsula", "k": 2}))
    got["documents"] = payload(await client.call_tool("list_documents", {}))
    cited = got["ask"]["citations"][0]
    got["slice"] = payload(await client.call_tool("get_document", {"name": cited["source"], "start": cited["start"],
                                                                   "end": cited["end"]}))
    got["missing"] = await client.call_tool("get_document", {"name": "nope.txt"})
    got["empty"] = await client.call_tool("ask", {"question": "  "})
    got["resources"] = (await client.list_resources()).resources
    got["read"] = await client.read_resource(got["resources"][0].uri)
    return got


def check(got: dict) -> None:
    assert set(got["tools"]) == TOOLS
    assert got["tools"]["ask"].input_schema["required"] == ["question"]
    assert "not_found" in got["tools"]["ask"].description
    answer = got["ask"]
    assert not answer["not_found"] and len(answer["answer_id"]) == 32 and "[1]" in answer["answer"]
    assert "core interests" in " ".join(c["quote"] for c in answer["citations"])
    assert got["slice"]["text"] == answer["citations"][0]["quote"]
    passages = got["search"]["passages"]
    assert len(passages) == 2 and passages[0]["source"] == SEED_FILE.name and passages[0]["text"]
    assert [d["name"] for d in got["documents"]["documents"]] == [SEED_FILE.name]
    assert got["missing"].is_error and "No document named 'nope.txt' in the index." in got["missing"].content[0].text
    assert got["empty"].is_error and "The question is empty" in got["empty"].content[0].text
    assert [r.name for r in got["resources"]] == [SEED_FILE.name]
    assert "Xi" in got["read"].contents[0].text


def test_rag_mcp_over_stdio_answers_with_citations(tmp_path):
    from mcp import Client, StdioServerParameters

    (tmp_path / "seeds").mkdir()
    shutil.copy(SEED_FILE, tmp_path / "seeds")
    server = StdioServerParameters(command=sys.executable, env=dict(os.environ), args=[
        "-m", "rag.cli", "mcp", "--seeds", str(tmp_path / "seeds"), "--index", str(tmp_path / "index")])

    async def session():
        async with Client(server, read_timeout_seconds=240) as client:
            return await exercise(client)

    check(run(session()))


def test_rag_serve_mounts_mcp_over_http_behind_the_key(tmp_path):
    import httpx2
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client

    from tests.test_reliability import free_port, serve, wait_healthy

    (tmp_path / "seeds").mkdir()
    shutil.copy(SEED_FILE, tmp_path / "seeds")
    port = free_port()
    os.environ["RAG_API_KEY"] = "s3cret"  # as a user would set it; the child inherits it
    try:
        proc = serve(tmp_path, port=port)  # with the UI composed on, as `make run` serves
    finally:
        del os.environ["RAG_API_KEY"]
    url = f"http://127.0.0.1:{port}/mcp"
    try:
        wait_healthy(port, proc)
        refused = httpx.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
        assert refused.status_code == 401 and "Authorization: Bearer" in refused.json()["detail"]

        async def session():
            keyed = httpx2.AsyncClient(headers={"Authorization": "Bearer s3cret"}, timeout=120)
            async with Client(streamable_http_client(url, http_client=keyed)) as client:
                return await exercise(client)

        check(run(session()))
    finally:
        proc.terminate()
        proc.wait(20)
