"""A real HTTP server on loopback speaking just enough of the OpenAI chat API to misbehave
on purpose: answer with a script, refuse, stall, rate-limit or send broken stream chunks."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Stub:
    def __init__(self, mode: str = "ok", reply: str = "", stall_seconds: float = 30):
        self.mode, self.reply, self.stall_seconds = mode, reply, stall_seconds
        self.requests: list[dict] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                stub.requests.append(body)
                getattr(stub, "_" + stub.mode.replace("-", "_"))(self, body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def _ok(self, h, body):
        reply = self.reply(body) if callable(self.reply) else self.reply  # a script: the reply to each request
        if body.get("stream"):
            h.send_response(200)
            h.send_header("Content-Type", "text/event-stream")
            h.end_headers()
            for word in reply.split(" "):
                h.wfile.write(f"data: {json.dumps(_chunk(word + ' '))}\n\n".encode())
            h.wfile.write(f"data: {json.dumps(_chunk('', 'stop'))}\n\n".encode())
            h.wfile.write(b"data: [DONE]\n\n")
            return
        _json(h, 200, {"id": "x", "object": "chat.completion", "created": 0, "model": "stub",
                       "choices": [{"index": 0, "finish_reason": "stop",
                                    "message": {"role": "assistant", "content": reply}}],
                       "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}})

    def _stall(self, h, body):
        time.sleep(self.stall_seconds)

    def _rate_limit(self, h, body):
        _json(h, 429, {"error": {"message": "slow down", "type": "rate_limit_error"}})

    def _malformed_stream(self, h, body):
        h.send_response(200)
        h.send_header("Content-Type", "text/event-stream")
        h.end_headers()
        h.wfile.write(f"data: {json.dumps(_chunk('Xi '))}\n\n".encode())
        h.wfile.write(b"data: {this is not json\n\n")
        h.wfile.write(b"data: [DONE]\n\n")

    def _server_error(self, h, body):
        _json(h, 500, {"error": {"message": "boom"}})


def _chunk(text, finish=None):
    return {"id": "x", "object": "chat.completion.chunk", "created": 0, "model": "stub",
            "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": finish}]}


def _json(h, status, data):
    payload = json.dumps(data).encode()
    h.send_response(status)
    h.send_header("Content-Type", "application/json")
    h.send_header("Content-Length", str(len(payload)))
    h.end_headers()
    h.wfile.write(payload)
