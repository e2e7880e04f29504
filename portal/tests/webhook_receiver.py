"""A real HTTP receiver for webhook tests: http.server in a thread on 127.0.0.1 that verifies
each request's signature the way docs/api.md tells a ROM to."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from portal.webhook_signing import verify

# This helper's port block (notes/helpers.md: 18000 + N*10 for Redis db N=6).
PORTS = range(18060, 18070)


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    signature_ok: bool

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    secret: str = ""
    # Status codes to answer, in order; the last one repeats.
    statuses: list[int] = field(default_factory=lambda: [200])
    requests: list[Received] = field(default_factory=list)
    url: str = ""

    def next_status(self) -> int:
        return self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            ok = verify(
                receiver.secret, self.headers.get("X-Portal-Timestamp", ""), body,
                self.headers.get("X-Portal-Signature", ""), now=time.time(),
            )
            receiver.requests.append(Received(dict(self.headers.items()), body, ok))
            status = receiver.next_status() if ok else 401
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    rec = Receiver()
    server = None
    for port in PORTS:
        try:
            server = ThreadingHTTPServer(("127.0.0.1", port), _handler(rec))
            break
        except OSError:
            continue
    if server is None:
        pytest.fail(f"no free port in {PORTS}")
    rec.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield rec
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
