"""Sentry: an error in a park's page reaches the configured DSN tagged with the park's schema,
and without the user's e-mail, password or phone number.

The DSN points at a small HTTP server in this process that keeps what it receives, as
Sentry's ingestion endpoint would.
"""

import gzip
import http.server
import json
import subprocess
import sys
import threading
import zlib

import pytest

from every_schema.accounts import roles

from ..conftest import ALPHA, PASSWORD, ROOT, free_port, host_of, make_user, process_env

pytestmark = pytest.mark.slow


class SentrySink(http.server.ThreadingHTTPServer):
    def __init__(self):
        self.received: list[tuple[str, bytes]] = []
        super().__init__(("127.0.0.1", free_port()), _SinkHandler)

    def envelopes_items(self) -> list[dict]:
        """Every JSON item of every envelope received (envelope: header line, then item header / payload)."""
        items = []
        for _path, body in self.received:
            for line in body.splitlines()[1:]:
                try:
                    item = json.loads(line)
                except ValueError:
                    continue
                items.append(item)
        return items


class _SinkHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        encoding = (self.headers.get("Content-Encoding") or "").lower()
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        elif encoding == "br":
            import brotli

            body = brotli.decompress(body)
        self.server.received.append((self.path, body))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")


@pytest.fixture
def sink():
    server = SentrySink()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


def test_an_error_reaches_sentry_tagged_with_the_tenant_and_without_personal_data(committed_db, sink):
    email = "zhang.wei.sentry@example.cn"
    user = make_user(ALPHA, role=roles.PARK_ADMIN, email=f"{__import__('uuid').uuid4().hex[:6]}.{email}")
    env = process_env(
        SENTRY_DSN=f"http://publickey@127.0.0.1:{sink.server_address[1]}/42", SENTRY_ENVIRONMENT="test"
    )
    run = subprocess.run(
        [sys.executable, "-m", "tests.telemetry.failing_site", host_of(ALPHA), user.email],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "status 500" in run.stdout
    request_id = run.stdout.split("request ", 1)[1].strip()

    assert sink.received, "no envelope reached the sink"
    assert all(path == "/api/42/envelope/" for path, _body in sink.received)
    events = [item for item in sink.envelopes_items() if item.get("exception")]
    assert len(events) == 1, sink.envelopes_items()
    [event] = events
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    assert event["tags"]["tenant"] == ALPHA
    assert event["tags"]["request_id"] == request_id
    assert event["environment"] == "test"
    everything = b"\n".join(body for _path, body in sink.received).decode()
    for personal in (
        user.email,
        "zhang.wei.sentry",
        PASSWORD,
        "correct-horse-battery-9",
        "13912345678",
        "sessionid",
    ):
        assert personal not in everything, personal
    assert "[Filtered]" in everything
    assert event.get("user", {}).keys() <= {"id"}
