"""The suite's HTTP client: bounded, recorded, reproducible, and tidy on the target.

- Every request has a total deadline (a server that drips a byte a second defeats a read
  timeout) and a size cap (huge or endless bodies are cut off).
- A target that stops answering trips a breaker shared by the whole process: later requests fail
  at once as `TargetUnavailable` (an `error` outcome) instead of each waiting for its timeout.
- Every exchange is recorded for the report of the test that made it, with a curl command that
  reproduces it; credentials are redacted.
- Resources the suite creates are tagged with the run id and deleted at the end of the session.
"""

from __future__ import annotations

import json as jsonlib
import shlex
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Iterator

import httpx

from .errors import TargetUnavailable
from .redact import redact, redact_headers

MAX_BODY_BYTES = 4 * 1024 * 1024
BREAKER_THRESHOLD = 3  # consecutive transport failures that mean the target is gone


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
    truncated: bool = False
    elapsed: float = 0.0
    error: str = ""

    def __repr__(self) -> str:
        # Tracebacks print arguments' reprs: never the raw headers or body (they can hold a key).
        return f"<Exchange {self.method} {redact(self.url)} -> {self.status or self.error}>"

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

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
        """A shell command that replays the request, credentials masked."""
        parts = ["curl", "-sS", "-i", "-X", self.method]
        for name, value in redact_headers(self.request_headers):
            if name.lower() in ("host", "content-length", "accept-encoding", "connection", "user-agent"):
                continue
            parts += ["-H", f"{name}: {value}"]
        if self.request_body:
            parts += ["--data-raw", redact(self.request_body.decode("utf-8", "replace"))]
        parts.append(redact(self.url))
        return " ".join(shlex.quote(p) for p in parts)

    def describe(self, body_chars: int = 600) -> str:
        """Request and response in a few lines, for failure messages and attachments."""
        head = f"{self.method} {redact(self.url)} -> "
        if self.error:
            return head + f"no response ({self.error})"
        body = redact(self.text[:body_chars]) + ("..." if len(self.body) > body_chars or self.truncated else "")
        return head + f"{self.status} {self.content_type or '(no content type)'}\n{body}"


class Breaker:
    """Counts consecutive transport failures; opens after `BREAKER_THRESHOLD`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.failures = 0
        self.reason = ""

    @property
    def open(self) -> bool:
        return bool(self.reason)

    def record(self, ok: bool, error: str = "") -> None:
        with self._lock:
            if ok:
                self.failures = 0
                return
            self.failures += 1
            if self.failures >= BREAKER_THRESHOLD and not self.reason:
                self.reason = f"the target stopped answering ({self.failures} requests in a row failed; last: {error})"


BREAKER = Breaker()


class Recorder:
    """The exchanges of the current test (reset by the plugin before each test)."""

    def __init__(self, keep: int = 50) -> None:
        self.keep = keep
        self.exchanges: list[Exchange] = []

    def add(self, exchange: Exchange) -> None:
        self.exchanges.append(exchange)
        del self.exchanges[: -self.keep]

    def reset(self) -> None:
        self.exchanges = []


RECORDER = Recorder()


class Tracker:
    """Resources created during the run, deleted in reverse order at the end."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.items: list[tuple[str, str, Any, "ApiClient"]] = []  # (kind, path, body, owner client)

    def add(self, kind: str, path: str, client: "ApiClient", body: Any = None) -> None:
        with self._lock:
            self.items.append((kind, path, body, client))

    def cleanup(self) -> list[str]:
        """Delete everything tracked; returns what could not be deleted."""
        leftovers = []
        with self._lock:
            items, self.items = list(reversed(self.items)), []
        for kind, path, body, client in items:
            if BREAKER.open:
                leftovers.append(f"{kind} {path}")
                continue
            try:
                exchange = client.request("DELETE", path, json=body, record=False, track=False)
            except Exception as exc:  # noqa: BLE001 - cleanup reports, never raises
                leftovers.append(f"{kind} {path} ({exc})")
                continue
            if exchange.status not in (200, 202, 204, 404):
                leftovers.append(f"{kind} {path} (DELETE answered {exchange.status})")
        return leftovers


TRACKER = Tracker()

# Searchable collections and the id field of their items, for the final sweep.
_SWEPT = (("/threads/search", "thread_id", "/threads/{}"), ("/runs/crons/search", "cron_id", "/runs/crons/{}"),
          ("/assistants/search", "assistant_id", "/assistants/{}"))


def sweep_tagged(client: "ApiClient", run_id: str, rounds: int = 5) -> list[str]:
    """Delete every thread, cron and assistant tagged with `run_id` that `client` can see;
    returns what could not be deleted. Never raises: a sweep reports."""
    leftovers: list[str] = []
    if not run_id or BREAKER.open:
        return leftovers
    for search, key, template in _SWEPT:
        for _ in range(rounds):
            try:
                found = client.post(search, json={"metadata": {"conformance_run": run_id}, "limit": 100}, record=False, track=False)
            except Exception:  # noqa: BLE001 - the target may be gone; the summary says so
                leftovers.append(f"sweep of {search} failed")
                break
            items = found.json_or_none() if found.status == 200 else None
            if not isinstance(items, list) or not items:
                break
            for item in items:
                if not isinstance(item, dict) or not isinstance(item.get(key), str):
                    continue
                path = template.format(item[key])
                try:
                    gone = client.delete(path, record=False, track=False)
                except Exception:  # noqa: BLE001
                    leftovers.append(path)
                    continue
                if gone.status not in (200, 202, 204, 404):
                    leftovers.append(f"{path} (DELETE answered {gone.status})")
        else:
            leftovers.append(f"{search} still lists tagged items after {rounds} rounds")
    return leftovers

# Collection paths whose POST creates a resource, and where the new id is found.
_CREATORS = {
    "/assistants": ("assistant", "assistant_id", "/assistants/{}"),
    "/threads": ("thread", "thread_id", "/threads/{}"),
    "/runs/crons": ("cron", "cron_id", "/runs/crons/{}"),
}


class ApiClient:
    """One credential's view of the target."""

    def __init__(
        self,
        base_url: str,
        headers: dict[str, str] | None = None,
        *,
        timeout: float = 30.0,
        run_id: str = "",
        secrets: tuple[str, ...] = (),
        name: str = "main",
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.headers = dict(headers or {})
        self.timeout = timeout
        self.run_id = run_id
        self.secrets = secrets
        self.name = name
        self._client = httpx.Client(timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)), follow_redirects=False)

    def close(self) -> None:
        self._client.close()

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else f"{self.base_url}{path}"

    def tag(self, body: dict | None = None) -> dict:
        """`body` with the run's tag in its metadata, so leftovers can be found and removed."""
        body = dict(body or {})
        metadata = dict(body.get("metadata") or {})
        metadata.setdefault("conformance_run", self.run_id)
        body["metadata"] = metadata
        return body

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        content: bytes | str | None = None,
        params: Any = None,
        headers: dict[str, str] | None = None,
        auth: bool = True,
        timeout: float | None = None,
        record: bool = True,
        track: bool = True,
        stream_headers_only: bool = False,
        headers_only: bool = False,
    ) -> Exchange:
        """`stream_headers_only`: an event-stream response is not read (some streams never end);
        other responses are read as usual. `headers_only`: no response body is read at all."""
        if BREAKER.open:
            raise TargetUnavailable(BREAKER.reason)
        merged = {**(self.headers if auth else {}), **(headers or {})}
        if json is not None and content is None:
            content = jsonlib.dumps(json).encode()
            merged.setdefault("Content-Type", "application/json")
        if isinstance(content, str):
            content = content.encode()
        request = self._client.build_request(method, self.url(path), content=content, params=params, headers=merged)
        exchange = Exchange(method, str(request.url), list(request.headers.items()), content)
        deadline = timeout or self.timeout
        started = time.monotonic()
        try:
            response = self._client.send(request, stream=True)
            try:
                exchange.status = response.status_code
                exchange.headers = response.headers
                if headers_only or stream_headers_only and "text/event-stream" in response.headers.get("content-type", ""):
                    exchange.truncated = True
                else:
                    exchange.body, exchange.truncated = _read_bounded(response.iter_bytes(), started + deadline)
            finally:
                response.close()
        except (httpx.TransportError, _DeadlineExceeded) as exc:
            exchange.error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            exchange.elapsed = time.monotonic() - started
            if record:
                RECORDER.add(exchange)
            BREAKER.record(False, exchange.error)
            raise TargetUnavailable(f"{method} {redact(exchange.url)}: {exchange.error}") from None
        exchange.elapsed = time.monotonic() - started
        BREAKER.record(True)
        if record:
            RECORDER.add(exchange)
        if track and method == "POST" and 200 <= exchange.status < 300:
            self._track_created(path, exchange)
        if track and method == "PUT" and path == "/store/items" and exchange.status < 300 and isinstance(json, dict):
            TRACKER.add("store item", "/store/items", self, {"namespace": json.get("namespace"), "key": json.get("key")})
        return exchange

    def _track_created(self, path: str, exchange: Exchange) -> None:
        creator = _CREATORS.get(path.split("?")[0])
        if path.startswith("/threads/") and path.endswith("/copy"):
            creator = _CREATORS["/threads"]
        if creator is None:
            return
        kind, key, template = creator
        body = exchange.json_or_none()
        if isinstance(body, dict) and isinstance(body.get(key), str):
            TRACKER.add(kind, template.format(body[key]), self)

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

    def stream(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        max_events: int = 500,
        timeout: float | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[Exchange, list["SseEvent"]]:
        """An SSE request read to its end, `max_events` or the deadline, whichever comes first."""
        from httpx_sse import EventSource

        if BREAKER.open:
            raise TargetUnavailable(BREAKER.reason)
        merged = {**self.headers, **(headers or {}), "Accept": "text/event-stream"}
        content = jsonlib.dumps(json).encode() if json is not None else None
        if content:
            merged["Content-Type"] = "application/json"
        request = self._client.build_request(method, self.url(path), content=content, headers=merged)
        exchange = Exchange(method, str(request.url), list(request.headers.items()), content)
        deadline = time.monotonic() + (timeout or self.timeout)
        events: list[SseEvent] = []
        started = time.monotonic()
        try:
            response = self._client.send(request, stream=True)
            try:
                exchange.status = response.status_code
                exchange.headers = response.headers
                if "text/event-stream" not in response.headers.get("content-type", ""):
                    exchange.body, exchange.truncated = _read_bounded(response.iter_bytes(), deadline)
                else:
                    raw: list[bytes] = []
                    original_iter_bytes = response.iter_bytes  # chunks() replaces it below

                    def chunks() -> Iterator[bytes]:
                        for chunk in _bounded(original_iter_bytes(), deadline, soft=True):
                            raw.append(chunk)
                            yield chunk

                    response.iter_bytes = chunks  # type: ignore[method-assign]
                    for sse in EventSource(response).iter_sse():
                        events.append(SseEvent(sse.event, sse.data, sse.id, sse.retry))
                        if len(events) >= max_events:
                            exchange.truncated = True
                            break
                    exchange.body = b"".join(raw)[:MAX_BODY_BYTES]
            finally:
                response.close()
        except httpx.TransportError as exc:
            exchange.error = f"{type(exc).__name__}: {exc}"
            RECORDER.add(exchange)
            BREAKER.record(False, exchange.error)
            raise TargetUnavailable(f"{method} {redact(exchange.url)}: {exchange.error}") from None
        exchange.elapsed = time.monotonic() - started
        BREAKER.record(True)
        RECORDER.add(exchange)
        return exchange, events


@dataclass
class SseEvent:
    event: str
    data: str
    id: str = ""
    retry: int | None = None

    def json(self) -> Any:
        return jsonlib.loads(self.data)


class _DeadlineExceeded(Exception):
    pass


def _bounded(chunks: Iterator[bytes], deadline: float, soft: bool = False) -> Iterator[bytes]:
    """Chunks until the deadline; `soft` ends quietly (a stream that outlives its welcome)."""
    for chunk in chunks:
        yield chunk
        if time.monotonic() > deadline:
            if soft:
                return
            raise _DeadlineExceeded("the response did not complete before the request's deadline")


def _read_bounded(chunks: Iterator[bytes], deadline: float) -> tuple[bytes, bool]:
    body = bytearray()
    for chunk in _bounded(chunks, deadline):
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            return bytes(body[:MAX_BODY_BYTES]), True
    return bytes(body), False
