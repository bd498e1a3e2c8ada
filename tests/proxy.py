"""A fault-injecting reverse proxy: forwards every request to a real deployment (streaming
included) and applies one named fault. The project's tests point the conformance suite at it to
prove that each requirement can fail, and at a pass-through instance to prove it passes.

A fault sees requests before they go upstream and responses before they go back; it may answer
by itself, rewrite either side, or (for SSE) rewrite the stream's events. State it needs across
requests (a remembered thread id, a stale store value) lives on the fault object.
"""

from __future__ import annotations

import contextlib
import json
import select
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterator
from urllib.parse import parse_qsl, urlsplit

import httpx

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-authenticate", "proxy-authorization", "content-length", "content-encoding"}


class _JsonBody:
    body: bytes

    def json(self) -> Any:
        """The body as JSON; None when it is empty or not JSON."""
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None


@dataclass
class ProxyRequest(_JsonBody):
    method: str
    path: str  # without the query
    query: list[tuple[str, str]]
    headers: dict[str, str]  # lower-case names
    body: bytes
    header_names: tuple[str, ...] = ()  # the names as the client cased them


    def set_json(self, value: Any) -> None:
        self.body = json.dumps(value).encode()

    def param(self, name: str) -> str | None:
        return next((v for k, v in self.query if k == name), None)

    def matches(self, method: str, pattern: str) -> bool:
        """`pattern` like "/threads/*/runs": '*' stands for one path segment."""
        if method != "*" and self.method != method:
            return False
        want, have = pattern.strip("/").split("/"), self.path.strip("/").split("/")
        return len(want) == len(have) and all(w == "*" or w == h for w, h in zip(want, have, strict=True))

    def drop_field(self, method: str, pattern: str, name: str, when: Callable[[dict], bool] = lambda body: True) -> None:
        """Remove JSON body field `name` from a request to `pattern` (when `when` holds): the server
        then never sees what the client asked for."""
        body = self.json()
        if self.matches(method, pattern) and isinstance(body, dict) and name in body and when(body):
            body.pop(name)
            self.set_json(body)


@dataclass
class ProxyResponse(_JsonBody):
    status: int
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""
    drip_seconds: float = 0.0  # > 0: send the body one byte at a time, this far apart


    def set_json(self, value: Any) -> None:
        self.body = json.dumps(value).encode()
        self.headers["content-type"] = "application/json"

    @property
    def is_json(self) -> bool:
        return "json" in self.headers.get("content-type", "")

    def rewrite_status(self, was: str, now: str) -> "ProxyResponse":
        """A 200 JSON object whose `status` is `was` reads `now` (a run or thread that lies about itself)."""
        body = self.json()
        if self.status == 200 and isinstance(body, dict) and body.get("status") == was:
            body["status"] = now
            self.set_json(body)
        return self


@dataclass
class SseFrame:
    event: str
    data: str
    extra: list[str] = field(default_factory=list)  # id:, retry:, comment lines as sent


class Fault:
    """No fault: the pass-through. Subclasses override what they break."""

    name = "pass-through"
    requirement = ""  # the requirement this fault must make fail
    also: tuple[str, ...] = ()  # other requirements it may legitimately fail too
    areas: tuple[str, ...] = ()  # suite areas to run; default: the area of `requirement`
    args: tuple[str, ...] = ()  # extra suite arguments the fault's requirement needs (an opt-in)
    # The tests of its areas that can see it (a pytest -k expression; '' for all): the contract
    # area's generated requests cost seconds per operation, and a fault of GET /info needs one.
    select = ""
    alone = False  # runs in a batch of its own: it interacts with other faults of its area
    slow = False  # waits for real time (a cron firing): not in the default test run
    description = "forwards everything unchanged"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        """Rewrite `request` in place, or answer it here by returning a response."""
        return None

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        return response

    def on_events(self, request: ProxyRequest, frames: Iterator[SseFrame]) -> Iterator[SseFrame]:
        return frames

    def rewrites_streams(self) -> bool:
        return type(self).on_events is not Fault.on_events


class CompositeFault(Fault):
    """Several faults at once, each seeing every request and response in turn (the first that
    answers a request by itself wins). For faults that do not interact: see the batching in
    tests/test_self_verification.py."""

    def __init__(self, members: list[Fault]) -> None:
        self.members = members
        self.name = "+".join(m.name for m in members)
        self.description = "; ".join(m.description for m in members)

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        for member in self.members:
            answer = member.on_request(request)
            if answer is not None:
                return answer
        return None

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        for member in self.members:
            response = member.on_response(request, response)
        return response

    def on_events(self, request: ProxyRequest, frames: Iterator[SseFrame]) -> Iterator[SseFrame]:
        for member in self.members:
            if member.rewrites_streams():
                frames = member.on_events(request, frames)
        return frames

    def rewrites_streams(self) -> bool:
        return any(m.rewrites_streams() for m in self.members)


class FaultProxy:
    """A threaded HTTP server on a free loopback port in front of `upstream`."""

    def __init__(self, upstream: str, fault: Fault | None = None) -> None:
        self.upstream = upstream.rstrip("/")
        self.fault = fault or Fault()
        self.client = httpx.Client(timeout=httpx.Timeout(60.0, connect=5.0))
        self.requests_seen = 0
        handler = _make_handler(self)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.server.handle_error = lambda request, address: None  # a fault may drop connections on purpose
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> "FaultProxy":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.client.close()


def _make_handler(proxy: FaultProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out in separate writes: no 40 ms delayed-ACK stall per response

        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def _handle(self) -> None:
            proxy.requests_seen += 1
            parts = urlsplit(self.path)
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            request = ProxyRequest(
                self.command, parts.path, parse_qsl(parts.query, keep_blank_values=True),
                {k.lower(): v for k, v in self.headers.items()}, body, tuple(self.headers.keys()),
            )
            fault = proxy.fault
            answer = fault.on_request(request)
            if answer is not None:
                self._send(answer)
                return
            # Values as bytes: http.server decodes them as latin-1, and non-ASCII ones must pass unchanged.
            headers = {k: v.encode("latin-1", "replace") for k, v in request.headers.items() if k not in HOP_BY_HOP and k != "host"}
            upstream = proxy.client.build_request(
                request.method, proxy.upstream + request.path, params=request.query, headers=headers,
                content=request.body or None,
            )
            try:
                response = proxy.client.send(upstream, stream=True)
            except httpx.HTTPError as exc:
                self._send(ProxyResponse(502, {"content-type": "text/plain"}, f"proxy: upstream failed: {exc}".encode()))
                return
            try:
                out_headers = {k.lower(): v for k, v in response.headers.items() if k.lower() not in HOP_BY_HOP}
                if "text/event-stream" in response.headers.get("content-type", ""):
                    self._stream(request, response, out_headers)
                else:
                    with self._hang_up_with_the_client(response) as gone:
                        try:
                            body = response.read()
                        except httpx.HTTPError:
                            if gone.is_set():
                                return
                            raise
                    result = ProxyResponse(response.status_code, out_headers, body)
                    self._send(fault.on_response(request, result))
            finally:
                response.close()

        @contextlib.contextmanager
        def _hang_up_with_the_client(self, response: httpx.Response) -> Iterator[threading.Event]:
            # The body is read whole before it is passed on (faults rewrite it): a client that
            # hangs up meanwhile (a join with cancel_on_disconnect) must hang up upstream too.
            lock, done, gone = threading.Lock(), threading.Event(), threading.Event()

            def watch() -> None:
                while True:
                    try:
                        readable, _, _ = select.select([self.connection], [], [], 0.1)
                    except (OSError, ValueError):  # the connection is closed: the handler is done
                        return
                    with lock:  # never touch the upstream connection once it may be back in the pool
                        if done.is_set():
                            return
                        if not readable:
                            continue
                        try:
                            closed = self.connection.recv(1, socket.MSG_PEEK) == b""
                        except OSError:
                            closed = True
                        if closed:
                            gone.set()
                            # A close from another thread does not wake a blocked recv(); a shutdown does.
                            stream = response.extensions.get("network_stream")
                            upstream = stream.get_extra_info("socket") if stream is not None else None
                            if upstream is not None:
                                with contextlib.suppress(OSError):
                                    upstream.shutdown(socket.SHUT_RDWR)
                        return

            threading.Thread(target=watch, daemon=True).start()
            try:
                yield gone
            finally:
                with lock:
                    done.set()

        def _send(self, response: ProxyResponse) -> None:
            self.send_response(response.status)
            for name, value in response.headers.items():
                if name.lower() not in HOP_BY_HOP:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command == "HEAD":
                return
            if response.drip_seconds:
                for i in range(len(response.body)):
                    self.wfile.write(response.body[i : i + 1])
                    self.wfile.flush()
                    time.sleep(response.drip_seconds)
            else:
                self.wfile.write(response.body)

        def _stream(self, request: ProxyRequest, response: httpx.Response, headers: dict[str, str]) -> None:
            fault = proxy.fault
            head = fault.on_response(request, ProxyResponse(response.status_code, headers, b""))
            self.send_response(head.status)
            for name, value in head.headers.items():
                self.send_header(name, value)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()

            def write(data: bytes) -> None:
                if data:
                    self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                    self.wfile.flush()

            try:
                if fault.rewrites_streams():
                    for frame in fault.on_events(request, _frames(response.iter_lines())):
                        lines = [*frame.extra, f"event: {frame.event}", *(f"data: {d}" for d in frame.data.split("\n"))]
                        write(("\r\n".join(lines) + "\r\n\r\n").encode())
                else:
                    for chunk in response.iter_raw():
                        write(chunk)
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError, httpx.HTTPError):
                pass

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle

    return Handler


def _frames(lines: Iterator[str]) -> Iterator[SseFrame]:
    event, data, extra = "message", [], []
    for line in lines:
        line = line.rstrip("\r")
        if not line:
            if data or extra:
                yield SseFrame(event, "\n".join(data), extra)
            event, data, extra = "message", [], []
        elif line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].lstrip(" "))
        else:
            extra.append(line)
    if data:
        yield SseFrame(event, "\n".join(data), extra)

