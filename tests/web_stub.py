"""A real HTTP server on loopback serving pages a test sets: a body with its content type, a
redirect, a stall, or a body larger than it says. Every request is recorded (path and headers)."""
from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class WebStub:
    def __init__(self):
        self.pages: dict[str, tuple] = {}  # path -> (status, content type or Location, body, stall seconds)
        self.requests: list[tuple[str, dict]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                stub.requests.append((self.path, dict(self.headers)))
                status, kind, body, stall = stub.pages.get(self.path, (404, "text/plain", b"no such page", 0))
                time.sleep(stall)
                self.send_response(status)
                self.send_header("Location" if status in (301, 302, 303, 307, 308) else "Content-Type", kind)
                self.send_header("Set-Cookie", "session=secret-cookie; Path=/")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up on purpose (too large, too slow)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def page(self, path: str, body: bytes | str, kind: str = "text/html; charset=utf-8", status: int = 200,
             stall: float = 0) -> str:
        self.pages[path] = (status, kind, body.encode() if isinstance(body, str) else body, stall)
        return self.base + path

    def redirect(self, path: str, to: str, status: int = 302) -> str:
        self.pages[path] = (status, to, b"", 0)
        return self.base + path

    def close(self):
        self.server.shutdown()
        self.server.server_close()
