"""The suite as a guest with production credentials: keys go only to the base URL's origin, never
in a URL by default, never into a report, a log or the terminal (not even a piece of one, when the
target echoes them back); every request has a deadline and a size cap; what it creates is deleted,
also when it is interrupted, and what it says it left is checked."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

import httpx
import pytest
from proxy import Fault, FaultProxy, ProxyRequest, ProxyResponse

from conformance.config import BUNDLED_SPEC
from conformance.errors import TargetUnavailable
from conformance.http import CUT_DEADLINE, CUT_SIZE, MAX_BODY_BYTES, ApiClient
from conformance.redact import PIECE
from conftest import ROOT, run_suite


class EchoesHeaders(Fault):
    """A target that echoes every request header back, in a response header and in JSON bodies,
    and remembers every URL it was sent."""

    name = "echoes-request-headers"

    def __init__(self) -> None:
        self.urls: list[str] = []

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        query = "&".join(f"{k}={v}" for k, v in request.query)
        self.urls.append(f"{request.path}?{query}")
        return None

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        echoed = json.dumps(request.headers)
        response.headers["x-echo"] = echoed.encode("ascii", "backslashreplace").decode()
        body = response.json() if request.path != "/openapi.json" else None
        if isinstance(body, dict):
            body["echo"] = request.headers
            response.set_json(body)
        elif response.status >= 400:
            response.body += b" echo: " + echoed.encode()
        return response


class SpecOrigin:
    """Another loopback origin that serves the spec and records the headers it was sent."""

    def __init__(self) -> None:
        received = self.received = []
        document = BUNDLED_SPEC.read_bytes()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                received.append({k.lower(): v for k, v in self.headers.items()})
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(document)))
                self.end_headers()
                self.wfile.write(document)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/openapi.json"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def spec_origin() -> Iterator[SpecOrigin]:
    origin = SpecOrigin()
    yield origin
    origin.close()


def pieces(key: str) -> list[str]:
    return [key[i:i + PIECE] for i in range(len(key) - PIECE + 1)]


def leaks(text: str, keys: list[str]) -> list[str]:
    return sorted({p for key in keys for p in pieces(key) if p in text})


def test_no_key_nor_any_piece_of_one_leaves_the_process_and_the_spec_origin_gets_none(reference, tmp_path, spec_origin):
    keys = [reference.api_key, reference.alt_api_key]
    assert all(len(k) >= 40 for k in keys), "the reference's keys are long random strings"
    fault = EchoesHeaders()
    with FaultProxy(reference.base_url, fault) as proxy:
        run = run_suite(proxy.url, tmp_path / "reports", "--profile", "reference-app", "--spec", spec_origin.url,
                        "--area", "smoke,auth,isolation,store", "--examples", "3", "--seed", "5",
                        api_key=reference.api_key, alt_api_key=reference.alt_api_key)
    assert run.summary is not None, run.output[-3000:]
    assert run.summary["verdict"] in ("pass", "fail"), run.output[-3000:]
    assert spec_origin.received, "the spec was fetched from its own origin"
    assert not any(name in headers for headers in spec_origin.received for name in ("x-api-key", "authorization"))
    assert not [u for u in fault.urls if any(p in u for k in keys for p in pieces(k))], "a key travelled in a URL"
    found = {"terminal": leaks(run.output, keys)}
    for path in (tmp_path / "reports").rglob("*"):
        if path.is_file():
            found[str(path.relative_to(tmp_path))] = leaks(path.read_text(errors="replace"), keys)
    assert not {where: p for where, p in found.items() if p}, "a key or a piece of one was written"


def test_the_key_in_url_probes_run_only_when_asked(reference, tmp_path):
    fault = EchoesHeaders()
    with FaultProxy(reference.base_url, fault) as proxy:
        run = run_suite(proxy.url, tmp_path / "r", "--profile", "reference-app", "--requirement", "AUTH-011,AUTH-007",
                        api_key=reference.api_key, alt_api_key=reference.alt_api_key)
        assert run.outcome("AUTH-011") == "not-judged" and run.outcome("AUTH-007") == "pass", run.output[-3000:]
        assert run.summary["verdict"] == "pass"  # the default verdict can reach pass without the opt-in
        assert not [u for u in fault.urls if reference.api_key in u]
        asked = run_suite(proxy.url, tmp_path / "r2", "--profile", "reference-app", "--requirement", "AUTH-011",
                          "--probe-key-in-url", api_key=reference.api_key, alt_api_key=reference.alt_api_key)
    assert asked.outcome("AUTH-011") == "pass", asked.output[-3000:]
    assert [u for u in fault.urls if reference.api_key in u]


# --- every request is bounded ------------------------------------------------------------------


class Misbehaves(Fault):
    """One misbehaviour per path: late headers, an endless stream, a huge body, a slow join."""

    name = "misbehaves"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if request.path == "/late":
            time.sleep(4)
            return ProxyResponse(200, {"content-type": "application/json"}, b"{}")
        if request.path == "/huge":
            return ProxyResponse(200, {"content-type": "application/json"}, b"[" + b"1," * (20 * 1024 * 1024) + b"1]")
        if request.path == "/slow-join":
            time.sleep(3)
            return ProxyResponse(200, {"content-type": "application/json"}, b'{"done": true}')
        return None


def _endless(handler_path: str):
    """A server on loopback whose event stream sends an event every 0.2 s, forever."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.send_header("transfer-encoding", "chunked")
            self.end_headers()
            try:
                while True:
                    chunk = b'event: values\ndata: {"tick": 1}\n\n'
                    self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                    self.wfile.flush()
                    time.sleep(0.2)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_each_request_is_cut_at_its_deadline_or_its_size_cap_and_a_call_may_wait_longer(reference):
    with FaultProxy(reference.base_url, Misbehaves()) as proxy:
        client = ApiClient(proxy.url, timeout=2)
        started = time.monotonic()
        with pytest.raises(TargetUnavailable):
            client.get("/late")  # headers after the deadline
        assert time.monotonic() - started < 3.5
        huge = client.get("/huge")
        assert huge.cut == CUT_SIZE and len(huge.body) == MAX_BODY_BYTES
        joined = client.get("/slow-join", timeout=6)  # a join's own wait, longer than the client's default
        assert joined.status == 200 and joined.json() == {"done": True}
        client.close()
    server = _endless("/stream")
    try:
        client = ApiClient(f"http://127.0.0.1:{server.server_address[1]}", timeout=1.5)
        started = time.monotonic()
        streamed = client.get("/stream", events=True)
        assert time.monotonic() - started < 3
        assert streamed.cut == CUT_DEADLINE and streamed.events, "an endless stream is cut at its deadline, its events kept"
        client.close()
    finally:
        server.shutdown()
        server.server_close()


# --- cleanup, checked ----------------------------------------------------------------------------


def _tagged(base_url: str, key: str, run_id: str) -> list[str]:
    """Everything tagged with `run_id` that `key` still sees: threads, assistants, crons, store items."""
    headers = {"X-Api-Key": key}
    left = []
    for path in ("/threads/search", "/assistants/search", "/runs/crons/search"):
        found = httpx.post(f"{base_url}{path}", json={"metadata": {"conformance_run": run_id}, "limit": 100}, headers=headers, timeout=30)
        assert found.status_code == 200, found.text
        left += [f"{path}: {item}" for item in found.json()]
    items = httpx.post(f"{base_url}/store/items/search", json={"namespace_prefix": ["conformance", run_id], "limit": 100},
                       headers=headers, timeout=30)
    assert items.status_code == 200, items.text
    left += [f"store: {item['namespace']}/{item['key']}" for item in items.json()["items"]]
    return left


def test_an_interrupted_run_leaves_nothing_tagged_behind(reference, tmp_path):
    command = [sys.executable, "-m", "conformance", "--base-url", reference.base_url, "--profile", "reference-app",
               f"--api-key={reference.api_key}", f"--alt-api-key={reference.alt_api_key}", f"--reports-dir={tmp_path}",
               "--area", "isolation,store,pagination", "--examples", "3"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    deadline = time.monotonic() + 120
    run_id = ""
    while time.monotonic() < deadline:  # interrupt once tests are under way (resources exist)
        line = process.stdout.readline()
        lines.append(line)
        if ", run " in line and not run_id:
            run_id = line.rsplit(", run ", 1)[1].split()[0]
        if "test_0" in line or line.startswith(("conformance/suites", "..")) or not line:
            break
    time.sleep(3)
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=120)
    text = "".join(lines) + output
    assert run_id, text[-3000:]
    for key in (reference.api_key, reference.alt_api_key):
        assert not _tagged(reference.base_url, key, run_id), text[-3000:]


class DeletesFail(Fault):
    name = "deletes-fail"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if request.method == "DELETE" and request.path.startswith("/threads/"):
            return ProxyResponse(500, {"content-type": "application/json"}, b'{"detail": "no"}')
        return None


def test_a_cleanup_that_could_not_finish_says_what_may_be_left(reference, tmp_path):
    with FaultProxy(reference.base_url, DeletesFail()) as proxy:
        run = run_suite(proxy.url, tmp_path / "r", "--profile", "reference-app", "--area", "smoke",
                        api_key=reference.api_key, alt_api_key=reference.alt_api_key)
    cleanup = run.summary["cleanup"]
    assert not cleanup["complete"] and any("thread" in left for left in cleanup["leftovers"]), cleanup
    assert "may be left" in run.output and "everything the run created was deleted" not in run.output
    # Tidy up what the fault kept: delete the threads directly.
    for left in cleanup["leftovers"]:
        path = left.split(" ", 2)[1]
        httpx.delete(f"{reference.base_url}{path}", headers={"X-Api-Key": reference.api_key}, timeout=30)


def test_a_secret_shorter_than_anything_is_still_masked(tmp_path):
    code = (
        "from conformance.redact import register_secret, redact\n"
        "register_secret('ab')\n"
        "print(redact('the key ab'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT).stdout
    assert out.strip() == "the key [REDACTED]"

