"""Pages by URL: the guard refuses every private range, hop by hop, before it connects; a page
that passes is kept with its URL, indexed, cited with a link back, and fetched again on request."""
import json

import pytest
from fastapi.testclient import TestClient

from rag.api.app import create_app
from rag.config import FetchSettings
from rag.errors import FetchError, NotFoundError, UserInputError
from rag.ingest import sources
from rag.ingest.fetch import check_url, fetch, is_allowed
from rag.ingest.readers import supported
from rag.service import build_service
from tests.conftest import make_settings
from tests.web_stub import WebStub

PAGE = ("<html><head><title>Lindholm ferry</title></head><body><nav>Home | Sign up for our newsletter</nav>"
        "<article><h1>The night ferry returns</h1><p>The harbour board said that the night ferry to Lindholm "
        "will run again from March, after two years without a service.</p><p>Adult tickets will cost twelve "
        "crowns.</p></article></body></html>")
PRIVATE = ["127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
           "0.0.0.0", "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "224.0.0.1", "240.0.0.1"]
OPEN = FetchSettings(allow_private=True)
LOOPBACK_ONLY = FetchSettings(allow_networks=["127.0.0.1/32"])


@pytest.fixture(scope="module")
def server():
    stub = WebStub()
    yield stub
    stub.close()


@pytest.fixture
def web(server):
    server.pages.clear()
    server.requests.clear()
    return server


@pytest.mark.parametrize("address", PRIVATE)
def test_every_private_loopback_link_local_or_reserved_address_is_refused_by_default(address):
    assert not is_allowed(address, FetchSettings())


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:4700:4700::1111"])
def test_public_addresses_pass(address):
    assert is_allowed(address, FetchSettings())


def test_allow_private_and_allow_networks_open_only_what_they_name():
    assert is_allowed("10.1.2.3", OPEN) and is_allowed("::1", OPEN) and not is_allowed("0.0.0.0", OPEN)
    assert is_allowed("127.0.0.1", LOOPBACK_ONLY) and not is_allowed("127.0.0.2", LOOPBACK_ONLY)
    assert not is_allowed("10.1.2.3", LOOPBACK_ONLY)


@pytest.mark.parametrize("url", ["ftp://example.org/a.html", "file:///etc/passwd", "javascript:alert(1)",
                                 "https://user:secret@example.org/", "example.org/page", "", "http://"])
def test_only_plain_http_and_https_urls_are_taken(url):
    with pytest.raises(UserInputError):
        check_url(url)


def test_a_loopback_page_is_refused_before_any_request_reaches_it(web):
    url = web.page("/page.html", PAGE)
    with pytest.raises(UserInputError, match="fetch.allow_private"):
        fetch(url, FetchSettings(), supported())
    with pytest.raises(UserInputError, match="127.0.0.1"):
        fetch(f"http://localhost:{web.port}/page.html", FetchSettings(), supported())  # a name for loopback
    assert web.requests == []


def test_a_public_looking_name_that_resolves_inside_is_refused(web):
    def resolve(host, port):
        return {"news.example": ["93.184.215.14", "127.0.0.1"], "intranet.example": ["10.0.0.7"]}[host]

    for host in ("news.example", "intranet.example"):
        with pytest.raises(UserInputError, match="private"):
            fetch(f"http://{host}/story.html", FetchSettings(), supported(), resolve=resolve)


@pytest.mark.parametrize("target", ["http://127.0.0.2:{port}/page.html", "http://[::1]:{port}/page.html",
                                    "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/admin",
                                    "file:///etc/passwd"])
def test_a_redirect_into_a_private_range_is_refused_at_that_hop(web, target):
    web.page("/page.html", PAGE)
    start = web.redirect("/go", target.format(port=web.port))
    with pytest.raises(UserInputError):
        fetch(start, LOOPBACK_ONLY, supported())
    assert [path for path, _ in web.requests] == ["/go"]


def test_redirects_are_followed_hop_by_hop_without_cookies_or_credentials(web):
    web.page("/page.html", PAGE)
    web.redirect("/b", "/page.html", 301)
    start = web.redirect("/a", f"{web.base}/b", 307)
    page = fetch(start, LOOPBACK_ONLY, supported())
    assert page.data == PAGE.encode() and page.suffix == ".html" and page.final_url == web.base + "/page.html"
    assert [path for path, _ in web.requests] == ["/a", "/b", "/page.html"]
    for _, headers in web.requests:
        assert not {"cookie", "authorization"} & {h.lower() for h in headers}  # each hop set a cookie
        assert headers["Host"] == f"127.0.0.1:{web.port}"


def test_too_many_redirects_too_large_too_slow_wrong_type_and_errors_are_each_refused(web):
    web.redirect("/loop", "/loop")
    big = web.page("/big.html", "<p>" + "word " * 4000 + "</p>")
    slow = web.page("/slow.html", PAGE, stall=4)
    zipped = web.page("/archive", b"PK\x03\x04", kind="application/zip")
    missing = web.base + "/gone.html"
    roomy = FetchSettings(allow_private=True, max_mb=0.01, timeout_s=30, max_redirects=3)
    cases = [(web.base + "/loop", FetchError, "redirects more than", roomy), (big, UserInputError, "MB limit", roomy),
             (slow, FetchError, "longer than 1 s", roomy.model_copy(update={"timeout_s": 1})),
             (zipped, UserInputError, "application/zip", roomy), (missing, FetchError, "HTTP 404", roomy)]
    for url, error, message, settings in cases:
        with pytest.raises(error, match=message):
            fetch(url, settings, supported())


def test_a_server_that_states_no_type_is_read_by_its_path(web):
    url = web.page("/report.pdf", b"%PDF-1.4 not really", kind="application/octet-stream")
    assert fetch(url, OPEN, supported()).suffix == ".pdf"


@pytest.fixture
def service(tmp_path, fake_embedder):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    return build_service(make_settings(seeds, tmp_path / "index", fetch__allow_private=True), fake_embedder)


def test_a_fetched_page_is_kept_with_its_url_indexed_and_cited_with_a_link_back(service, web):
    url = web.page("/news/night-ferry.html", PAGE)
    name, job = service.index.add_url(url)
    summary = service.index.jobs.result(job.id)
    assert name == "127.0.0.1-night-ferry.html" and summary["added"] == 1 and job.kind == "fetch"
    kept = json.loads((service.settings.paths.seeds / sources.FILE).read_text())[name]
    assert kept["url"] == url and kept["fetched"].startswith("20")
    answer = service.answers.ask("When will the night ferry to Lindholm run again?")
    assert answer.citations and {c.url for c in answer.citations} == {url}
    assert service.index.document(name)["url"] == url
    assert [d["url"] for d in service.index.documents()] == [url]
    assert service.index.add_url(url)[0] == name  # the same URL again: the same file, not a copy


def test_refresh_indexes_only_a_changed_page_and_delete_forgets_the_url(service, web):
    url = web.page("/ferry.html", PAGE)
    name, job = service.index.add_url(url)
    service.index.jobs.result(job.id)
    assert service.index.refresh(name) == (False, None)
    web.page("/ferry.html", PAGE.replace("twelve crowns", "fifteen crowns"))
    changed, job = service.index.refresh(name)
    assert changed and service.index.jobs.result(job.id)["updated"] == 1
    assert "fifteen" in service.index.document(name)["text"]
    service.index.jobs.result(service.index.remove(name).id)
    assert sources.load(service.settings.paths.seeds) == {}
    other = service.settings.paths.seeds / "notes.txt"
    other.write_text("Plain notes, not fetched.")
    with pytest.raises(NotFoundError, match="not added by URL"):
        service.index.refresh("notes.txt")


def test_the_api_takes_a_url_as_json_and_refreshes_it(service, web):
    url = web.page("/ferry.html", PAGE)
    client = TestClient(create_app(service))
    added = client.post("/api/documents", json={"url": url, "wait": True})
    assert added.status_code == 200 and added.json()["name"] == "127.0.0.1-ferry.html" and added.json()["added"] == 1
    listed = client.get("/api/documents").json()
    assert listed[0]["url"] == url
    refreshed = client.post("/api/documents/127.0.0.1-ferry.html/refresh?wait=true")
    assert refreshed.status_code == 200 and refreshed.json() == {"name": "127.0.0.1-ferry.html", "changed": False,
                                                                   "job": None}
    assert client.post("/api/documents", json={"url": "ftp://example.org/x"}).status_code == 400
    assert client.post("/api/documents", json={"link": url}).status_code == 422
    assert client.post("/api/documents", content=b"{", headers={"content-type": "application/json"}).status_code == 422
    assert client.post("/api/documents", data={"nothing": "here"}).status_code == 400
    assert client.post("/api/documents/nope.html/refresh").status_code == 404


def test_with_the_default_guard_the_api_refuses_a_loopback_url(tmp_path, fake_embedder, web):
    url = web.page("/ferry.html", PAGE)
    service = build_service(make_settings(tmp_path / "seeds", tmp_path / "index"), fake_embedder)
    response = TestClient(create_app(service)).post("/api/documents", json={"url": url})
    assert response.status_code == 400 and "fetch.allow_private" in response.json()["detail"]
    assert web.requests == [] and not (tmp_path / "seeds").exists()
