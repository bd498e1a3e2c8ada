"""The suite's HTTP client: bounded, recorded, reproducible, and a careful guest.

- Every request has a total deadline from the first byte sent to the last byte read (a server
  that never sends its headers, or drips a byte a second, is cut off at it); a call may ask for
  a longer one (a join waiting for its run). Bodies are capped while they are read, streams too.
- Credentials go only to the base URL's origin: a client refuses any other origin.
- An event stream that stays open and silent is cut at its deadline: that is what it sent (a
  finding for its requirement to judge), not a dead target.
- A target that stops answering trips a breaker shared by the process, once a liveness probe
  of its health path fails too: later requests fail at once as `TargetUnavailable` (`error`).
- After a 5xx the connection pool is dropped: servers close the connection after an unhandled
  error without saying so, and the next request on it would meet a reset.
- Every exchange is recorded for the report of the test that made it, with a curl command that
  reproduces it (keys written as the environment variables that hold them).
"""

from __future__ import annotations

import json as jsonlib
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator
from urllib.parse import quote, urlsplit

import httpx

from .errors import TargetUnavailable
from .redact import redact, shell_word

MAX_BODY_BYTES = 4 * 1024 * 1024
BREAKER_THRESHOLD = 3  # consecutive transport failures before the target's liveness is probed
CONNECT_TIMEOUT = 10.0
CUT_DEADLINE, CUT_SIZE, CUT_EVENTS, CUT_HEADERS = "deadline", "size cap", "event cap", "headers only"


def segment(value: Any) -> str:
    """A path segment: an id sent in a URL is percent-encoded whatever it holds."""
    return quote(str(value), safe="")


def origin(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.scheme, (parts.hostname or "").lower(), port


@dataclass
class SseEvent:
    event: str
    data: str
    id: str = ""
    retry: int | None = None

    def json(self) -> Any:
        return jsonlib.loads(self.data)


@dataclass
class Exchange:
    """One request and its response, as the suite saw them."""

    method: str
    url: str
    request_headers: list[tuple[str, str]]
    request_body: bytes | None
    status: int = 0
    headers: httpx.Headers = field(default_factory=httpx.Headers)
    body: bytes = b""
    cut: str = ""  # why the body was not read to its end: CUT_DEADLINE, CUT_SIZE, CUT_EVENTS, CUT_HEADERS
    elapsed: float = 0.0
    error: str = ""
    events: list[SseEvent] = field(default_factory=list)  # an event stream's events, when read as one

    def __repr__(self) -> str:
        # Tracebacks print arguments' reprs: never the raw headers or body (they can hold a key).
        return f"<Exchange {self.method} {redact(self.url)} -> {self.status or self.error}>"

    @property
    def truncated(self) -> bool:
        return bool(self.cut)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def is_event_stream(self) -> bool:
        return "text/event-stream" in self.content_type

    def json(self) -> Any:
        return jsonlib.loads(self.body)

    def json_or_none(self) -> Any:
        try:
            return self.json()
        except ValueError:
            return None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def curl(self) -> str:
        """A shell command that replays the request; a key reads as the variable that holds it."""
        parts = ["curl", "-sS", "-i", "--max-time", "60", "-X", self.method]
        words = [shell_word(p) for p in parts]
        for name, value in self.request_headers:
            if name.lower() in ("host", "content-length", "accept-encoding", "connection", "user-agent"):
                continue
            words += ["-H", _header_word(name, value)]
        if self.request_body:
            words += ["--data-raw", shell_word(self.request_body.decode("utf-8", "replace"))]
        words.append(shell_word(self.url))
        return " ".join(words)

    def describe(self, body_chars: int = 600) -> str:
        """Request and response in a few lines, for failure messages and attachments."""
        head = f"{self.method} {redact(self.url)} -> "
        if self.error:
            return head + f"no response ({redact(self.error)})"
        cut = f" [cut: {self.cut}]" if self.cut else ""
        body = redact(self.text[:body_chars]) + ("..." if len(self.body) > body_chars else "")
        return head + f"{self.status} {self.content_type or '(no content type)'}{cut}\n{body}"


def _header_word(name: str, value: str) -> str:
    # The suite sends only registered keys (written as their variables) or synthetic ones (not
    # secrets, shown as sent so the command reproduces the probe).
    return shell_word(f"{name}: {value}")


class Breaker:
    """Counts consecutive transport failures; after `BREAKER_THRESHOLD` of them it asks the
    liveness probe, and opens only when the target does not answer that either."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.failures = 0
        self.reason = ""
        self.probe: Callable[[], str] | None = None  # '' when the target answers, else why not

    @property
    def open(self) -> bool:
        return bool(self.reason)

    def record(self, ok: bool, error: str = "") -> None:
        with self._lock:
            if ok:
                self.failures = 0
                return
            self.failures += 1
            if self.failures < BREAKER_THRESHOLD or self.reason:
                return
            failures = self.failures
        dead = self.probe() if self.probe is not None else "no liveness probe"
        with self._lock:
            if not dead:
                self.failures = 0  # alive: those were failures of single requests
            elif not self.reason:
                self.reason = (f"the target stopped answering ({failures} requests in a row failed; last: {error}; "
                               f"its health path: {dead})")


BREAKER = Breaker()


class Recorder:
    """The exchanges of the current test (reset by the plugin before each test)."""

    def __init__(self, keep: int = 50) -> None:
        self.keep = keep
        self.exchanges: list[Exchange] = []
        self._lock = threading.Lock()

    def add(self, exchange: Exchange) -> None:
        with self._lock:
            self.exchanges.append(exchange)
            del self.exchanges[: -self.keep]

    def reset(self) -> None:
        with self._lock:
            self.exchanges = []


RECORDER = Recorder()


class ForeignOrigin(ValueError):
    """A request the suite was about to send to another origin than its target's."""


class ApiClient:
    """One credential's view of the target, and only of the target's origin."""

    def __init__(
        self,
        base_url: str,
        headers: dict[str, str] | None = None,
        *,
        timeout: float = 30.0,
        run_id: str = "",
        name: str = "main",
        on_created: Callable[["ApiClient", str, Any, Exchange], None] | None = None,
        max_connections: int = 32,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.headers = dict(headers or {})
        self.timeout = timeout
        self.run_id = run_id
        self.name = name
        self.on_created = on_created  # the cleanup tracker's hook (conformance.cleanup)
        # More connections than the suite ever has requests in flight (the multitask scenarios run 11
        # threads): a request that queues for a connection can have it closed under it by another
        # thread's pass of the pool (httpcore 1.0.9, encode/httpcore#1110: EBADF or a hang).
        self._limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
        self._lock = threading.Lock()
        self._client = self._new_client()
        self._retired: list[httpx.Client] = []

    def _new_client(self) -> httpx.Client:
        return httpx.Client(follow_redirects=False, limits=self._limits, trust_env=False)

    def _recycle(self) -> None:
        """A fresh pool for the next requests; the old one is closed at the end (requests on other
        threads may still be reading from it)."""
        with self._lock:
            self._retired.append(self._client)
            self._client = self._new_client()

    def close(self) -> None:
        with self._lock:
            for client in (*self._retired, self._client):
                client.close()
            self._retired = []

    def url(self, path: str) -> str:
        if not path.startswith(("http://", "https://")):
            return f"{self.base_url}{path}"
        if origin(path) != origin(self.base_url):
            raise ForeignOrigin(f"refusing to send to {redact(path)}: only {self.base_url}'s origin is the target")
        return path

    def tag(self, body: dict | None = None) -> dict:
        """`body` with the run's tag in its metadata, so leftovers can be found and removed."""
        body = dict(body or {})
        metadata = dict(body.get("metadata") or {})
        metadata.setdefault("conformance_run", self.run_id)
        body["metadata"] = metadata
        return body

    def assistant_body(self, graph_id: str, **fields: Any) -> dict:
        """A tagged body that creates an assistant of `graph_id`, with a config of its own unless one
        is given: some servers (Aegra) allow one assistant per graph and config and tenant."""
        body: dict[str, Any] = {"graph_id": graph_id, **fields}
        body.setdefault("config", {"tags": [f"conformance-{uuid.uuid4().hex[:12]}"]})
        return self.tag(body)

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        content: bytes | str | None = None,
        params: Any = None,
        headers: dict[str, str | bytes] | None = None,
        auth: bool = True,
        timeout: float | None = None,
        record: bool = True,
        track: bool = True,
        stream_headers_only: bool = False,
        headers_only: bool = False,
        events: bool = False,
        max_events: int = 500,
    ) -> Exchange:
        """Send one request under its total deadline (`timeout`, default the client's).

        `headers_only`: no body is read. `stream_headers_only`: an event stream's body is not read
        (some never end); other bodies are. `events`: an event stream is read as events, up to
        `max_events`, its end or the deadline."""
        if BREAKER.open:
            raise TargetUnavailable(BREAKER.reason)
        merged: dict[str, Any] = {**(self.headers if auth else {}), **(headers or {})}
        if json is not None and content is None:
            content = jsonlib.dumps(json).encode()
            merged.setdefault("Content-Type", "application/json")
        if events:
            merged.setdefault("Accept", "text/event-stream")
        if isinstance(content, str):
            content = content.encode()
        deadline = timeout or self.timeout
        started = time.monotonic()
        request = self._client.build_request(
            method, self.url(path), content=content, params=params, headers=merged,
            timeout=httpx.Timeout(deadline, connect=min(deadline, CONNECT_TIMEOUT)),
        )
        exchange = Exchange(method, str(request.url), list(request.headers.items()), content)
        try:
            response = self._send(request)
        except httpx.TransportError as exc:
            return self._failed(exchange, exc, started, record)
        try:
            exchange.status, exchange.headers = response.status_code, response.headers
            if headers_only or (stream_headers_only and exchange.is_event_stream):
                exchange.cut = CUT_HEADERS
            elif events and exchange.is_event_stream:
                _read_events(response, exchange, started + deadline, max_events)
            else:
                _read_body(response, exchange, started + deadline)
        except httpx.TransportError as exc:
            if not exchange.is_event_stream:
                response.close()
                return self._failed(exchange, exc, started, record)
            exchange.cut = CUT_DEADLINE if isinstance(exc, httpx.TimeoutException) else f"connection lost ({type(exc).__name__})"
        finally:
            response.close()
        exchange.elapsed = time.monotonic() - started
        if exchange.cut == CUT_DEADLINE and not exchange.is_event_stream:
            # A response that did not arrive whole by its deadline is no answer (the target may be
            # dripping): never judged on half a body.
            exchange.error = f"the body did not complete in {deadline:.0f}s"
            if record:
                RECORDER.add(exchange)
            BREAKER.record(False, f"{method} {redact(exchange.url)}: {exchange.error}")
            raise TargetUnavailable(f"{method} {redact(exchange.url)}: {exchange.error}", exchange)
        BREAKER.record(True)
        if exchange.status >= 500:
            self._recycle()
        if record:
            RECORDER.add(exchange)
        if track and self.on_created is not None and 200 <= exchange.status < 300 and method in ("POST", "PUT"):
            self.on_created(self, path, json, exchange)
        return exchange

    def _send(self, request: httpx.Request) -> httpx.Response:
        """Send; once more on a fresh connection if a pooled one turns out closed before any answer.
        (A server that closed the connection after its previous answer never read this request:
        the keep-alive race every HTTP client retries.)"""
        client = self._client
        try:
            return client.send(request, stream=True)
        except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
            if "without sending a response" not in str(exc) and "reset by peer" not in str(exc):
                raise
            self._recycle()
            return self._client.send(request, stream=True)

    def _failed(self, exchange: Exchange, exc: Exception, started: float, record: bool) -> Exchange:
        exchange.error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        exchange.elapsed = time.monotonic() - started
        if record:
            RECORDER.add(exchange)
        self._recycle()
        BREAKER.record(False, exchange.error)
        raise TargetUnavailable(f"{exchange.method} {redact(exchange.url)}: {redact(exchange.error)}", exchange)

    # Shorthands -----------------------------------------------------------------------------

    def get(self, path: str, **kw: Any) -> Exchange:
        return self.request("GET", path, **kw)

    def post(self, path: str, json: Any = None, **kw: Any) -> Exchange:
        return self.request("POST", path, json=json, **kw)

    def patch(self, path: str, json: Any = None, **kw: Any) -> Exchange:
        return self.request("PATCH", path, json=json, **kw)

    def put(self, path: str, json: Any = None, **kw: Any) -> Exchange:
        return self.request("PUT", path, json=json, **kw)

    def delete(self, path: str, **kw: Any) -> Exchange:
        return self.request("DELETE", path, **kw)

    def stream(self, method: str, path: str, *, json: Any = None, max_events: int = 500, timeout: float | None = None,
               headers: dict[str, str] | None = None) -> tuple[Exchange, list[SseEvent]]:
        """An SSE request read to its end, `max_events` or the deadline, whichever comes first."""
        exchange = self.request(method, path, json=json, headers=headers, timeout=timeout, events=True, max_events=max_events)
        return exchange, exchange.events


def _chunks(response: httpx.Response, deadline: float) -> Iterator[bytes]:
    """Raw chunks until the deadline; the read timeout (set to the whole deadline) bounds the wait for each."""
    for chunk in response.iter_bytes():
        yield chunk
        if time.monotonic() > deadline:
            raise httpx.ReadTimeout("the response did not complete before the request's deadline")


def _read_body(response: httpx.Response, exchange: Exchange, deadline: float) -> None:
    body = bytearray()
    try:
        for chunk in _chunks(response, deadline):
            body += chunk
            if len(body) > MAX_BODY_BYTES:
                exchange.cut = CUT_SIZE
                break
    except httpx.TimeoutException:
        exchange.cut = CUT_DEADLINE
        if not exchange.is_event_stream and not body:
            exchange.body = b""
            raise
    finally:
        exchange.body = bytes(body[:MAX_BODY_BYTES])


def _read_events(response: httpx.Response, exchange: Exchange, deadline: float, max_events: int) -> None:
    from httpx_sse import EventSource

    raw = bytearray()
    original = response.iter_bytes

    def capped(*args: Any, **kwargs: Any) -> Iterator[bytes]:
        for chunk in original(*args, **kwargs):
            raw.extend(chunk)
            yield chunk
            if len(raw) > MAX_BODY_BYTES:
                exchange.cut = CUT_SIZE
                return
            if time.monotonic() > deadline:
                exchange.cut = CUT_DEADLINE
                return

    response.iter_bytes = capped  # type: ignore[method-assign]  # httpx-sse reads through it
    try:
        for sse in EventSource(response).iter_sse():
            exchange.events.append(SseEvent(sse.event, sse.data, sse.id, sse.retry))
            if len(exchange.events) >= max_events:
                exchange.cut = CUT_EVENTS
                break
    except httpx.TimeoutException:
        exchange.cut = CUT_DEADLINE
    finally:
        exchange.body = bytes(raw[:MAX_BODY_BYTES])


def fetch(url: str, *, headers: dict[str, str] | None = None, timeout: float = 30.0) -> Exchange:
    """One bounded GET outside any client (the spec, a liveness probe): same deadline and cap,
    no breaker. Raises httpx.TransportError when nothing came back."""
    with httpx.Client(follow_redirects=False, trust_env=False) as client:
        started = time.monotonic()
        request = client.build_request("GET", url, headers=headers or {}, timeout=httpx.Timeout(timeout, connect=min(timeout, CONNECT_TIMEOUT)))
        exchange = Exchange("GET", str(request.url), list(request.headers.items()), None)
        response = client.send(request, stream=True)
        try:
            exchange.status, exchange.headers = response.status_code, response.headers
            if exchange.is_event_stream:
                exchange.cut = CUT_HEADERS
            else:
                _read_body(response, exchange, started + timeout)
        finally:
            response.close()
        exchange.elapsed = time.monotonic() - started
        return exchange
