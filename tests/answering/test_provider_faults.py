"""Provider failures against real HTTP servers on loopback: each ends in the fallback, in time."""
import socket
import time

import pytest

from tests.openai_stub import Stub

pytestmark = pytest.mark.slow
QUESTION = "What did Xi tell Biden at the summit in Peru?"
SENTENCE = ("Last week, Xi told Biden at the Asia-Pacific Economic Cooperation summit in Peru that "
            "Beijing “does not allow conflict and turmoil to happen on the Korean Peninsula,” "
            "state-run Xinhua News Agency reported.")
TIMEOUT = 2


def configure(service, url):
    service = service.reconfigured(generation__model="openai/stub", generation__api_base=url,
                                   generation__timeout=TIMEOUT)
    service.index.run()
    return service


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def stub():
    servers = []

    def start(mode, reply=""):
        servers.append(Stub(mode, reply))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def test_a_working_openai_compatible_server_gives_a_grounded_answer(fake_service, stub):
    server = stub("ok", SENTENCE + " [1]")
    service = configure(fake_service, server.url)
    answer = service.answers.ask(QUESTION)
    assert answer.model == "openai/stub" and answer.citations[0].quote == SENTENCE
    assert server.requests and "Sources:" in server.requests[-1]["messages"][-1]["content"]
    events = list(service.answers.ask_stream(QUESTION))
    assert events[-1]["result"]["model"] == "openai/stub"


@pytest.mark.parametrize("mode, reason", [
    ("refused", "could not connect"),
    ("stall", f"no answer within {TIMEOUT} s"),
    ("rate-limit", "429"),
    ("server-error", "server error"),
])
@pytest.mark.parametrize("streaming", [False, True])
def test_provider_faults_fall_back_within_the_timeout(fake_service, stub, mode, reason, streaming):
    url = f"http://127.0.0.1:{free_port()}/v1" if mode == "refused" else stub(mode).url
    service = configure(fake_service, url)
    started = time.monotonic()
    if streaming:
        result = list(service.answers.ask_stream(QUESTION))[-1]["result"]
    else:
        result = service.answers.ask(QUESTION).model_dump(mode="json")
    elapsed = time.monotonic() - started
    assert result["model"] == "extractive" and result["citations"]
    assert reason in result["note"] and "Showing the extracted sentences" in result["note"]
    assert elapsed < 3 * TIMEOUT + 5


def test_malformed_stream_chunks_fall_back(fake_service, stub):
    service = configure(fake_service, stub("malformed-stream").url)
    final = list(service.answers.ask_stream(QUESTION))[-1]["result"]
    assert final["model"] == "extractive" and final["citations"]
    assert final["note"].startswith("Model openai/stub failed:") and "Showing the extracted sentences" in final["note"]
    for c in final["citations"]:
        assert c["quote"] in c["text"]
