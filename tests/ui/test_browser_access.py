"""Two collections, a read key for each, set up with the CLI as a user would, then `rag serve`
(which indexes each collection in a job of its own):
each user's browser signs in with their key and sees only their collection, in the chat and the
Documents tab; /v1/models with each key lists only its own; without a key the UI asks for one."""
import subprocess
import sys

import httpx
import pytest

from tests.test_reliability import free_port, serve, wait_healthy
from tests.ui.test_browser import CHROMIUM, _need_chromium

pytestmark = pytest.mark.slow
TEAMS = {"alpha": "The alpha vault opens with the word QUOKKA.", "beta": "The beta vault opens with the word NARWHAL."}


def rag(*args, root):
    done = subprocess.run([sys.executable, "-m", "rag.cli", *map(str, args), "--index", str(root / "index")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def teams(tmp_path_factory):
    root = tmp_path_factory.mktemp("teams")
    (root / "seeds").mkdir()
    (root / "seeds" / "lobby.txt").write_text("The lobby opens at eight.\n")
    keys = {}
    for name, line in TEAMS.items():
        rag("collections", "create", name, root=root)
        seeds = root / "index" / "collections" / name / "seeds"
        (seeds / f"{name}-vault.txt").write_text(f"Vault notes\n{line}\n")  # `rag serve` indexes it in a job
        keys[name] = rag("keys", "create", "--role", "read", "--collection", name, "--name", f"{name}-reader",
                         root=root).strip().splitlines()[-1]
    listed = rag("keys", "list", root=root)
    assert "alpha-reader\tread\talpha" in listed and keys["alpha"] not in listed and keys["beta"] not in listed
    port = free_port()
    proc = serve(root, port=port, env={"RAG_CACHE_DIR": str(root / "cache")})
    wait_healthy(port, proc)
    assert proc.poll() is None, proc.stderr.read()  # the server answering is this one, not a port's reuser
    url = f"http://127.0.0.1:{port}"
    yield url, keys
    proc.terminate()
    proc.wait(20)


def test_each_key_lists_only_its_own_models_and_the_ui_needs_a_key(teams):
    url, keys = teams
    for name, key in keys.items():
        reply = httpx.get(url + "/v1/models", headers={"Authorization": f"Bearer {key}"})
        assert reply.status_code == 200, reply.text
        assert [m["id"] for m in reply.json()["data"]] == [f"rag/{name}"]
    refused = httpx.get(url + "/")
    assert refused.status_code == 401 and refused.headers["www-authenticate"].startswith("Basic")


@pytest.mark.parametrize("team, other", [("alpha", "beta"), ("beta", "alpha")])
def test_each_user_sees_only_their_collection_in_the_ui(teams, team, other):
    _need_chromium()
    from playwright.sync_api import sync_playwright

    url, keys = teams
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(http_credentials={"username": team, "password": keys[team], "send": "always"})
        page = context.new_page()
        page.goto(url + "/")
        page.wait_for_selector("#question textarea", timeout=90_000)
        page.get_by_role("tab", name="Documents").click()
        page.wait_for_function(f"(document.querySelector('#documents') || {{innerText: ''}}).innerText.includes('{team}-vault.txt')",
                               timeout=90_000)
        listed = page.locator("#documents").inner_text()
        assert f"{other}-vault" not in listed and "lobby" not in listed
        page.get_by_role("tab", name="Chat").click()
        page.fill("#question textarea", "Which word opens the vault?")
        page.press("#question textarea", "Enter")
        page.wait_for_selector("#sources .source-card", timeout=90_000)
        shown = page.locator("#sources").inner_text() + page.locator("#chat").inner_text()
        assert TEAMS[team].split()[-1].rstrip(".") in shown and TEAMS[other].split()[-1].rstrip(".") not in shown
        with page.context.expect_page() as opened:
            page.locator("#sources .source-card a.open").first.click()
        viewer = opened.value
        viewer.wait_for_selector("mark#cited", timeout=30_000)
        assert "vault opens" in viewer.locator("mark#cited").inner_text()
        assert page.request.get(url + f"/api/collections/{other}/documents").status == 404
        browser.close()
