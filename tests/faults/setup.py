"""Faults that break the suite's setup rather than a requirement: the checks must not pass
vacuously. Each must end in a verdict that is not `pass`, with the requirements it names not
judged or failing (never `pass`): a check whose setup produced nothing certifies nothing.
"""

from __future__ import annotations

import threading
import time

from proxy import Fault, ProxyRequest, ProxyResponse

JSON = {"content-type": "application/json"}


class SetupFault(Fault):
    affected: tuple[str, ...] = ()  # requirements that must read not-judged or fail
    args: tuple[str, ...] = ()  # extra suite arguments (the areas to run)


class CreatesAnswer500(SetupFault):
    name = "setup-creates-answer-500"
    description = "creating an assistant, a thread or a store item answers 500"
    areas = ("runs", "isolation", "store", "pagination")
    affected = ("RUNS-001", "RUNS-007", "ISO-001", "ISO-003", "STORE-004", "STORE-005", "PAGE-001", "PAGE-003")

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if request.matches("POST", "/threads") or request.matches("POST", "/assistants") or request.matches("PUT", "/store/items"):
            return ProxyResponse(500, {"content-type": "text/plain"}, b"Internal Server Error")
        return None


class SearchesAnswerEmpty(SetupFault):
    name = "setup-searches-answer-empty"
    description = "every search answers an empty page"
    areas = ("pagination", "isolation", "store")
    affected = ("PAGE-003", "STORE-004", "STORE-005", "ISO-002")

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if request.method == "POST" and request.path.endswith("/search"):
            body = b'{"items": []}' if request.path.startswith("/store/") else b"[]"
            return ProxyResponse(200, JSON, body)
        return None


class SecondKeyRefused(SetupFault):
    name = "setup-second-key-refused"
    description = "the second tenant's key is refused everywhere"
    areas = ("isolation",)
    affected = ("ISO-001", "ISO-002", "ISO-003", "ISO-004")

    def __init__(self) -> None:
        self.first_key: str | None = None
        self.lock = threading.Lock()

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        key = request.headers.get("x-api-key")
        if not key:
            return None
        with self.lock:
            if self.first_key is None and not request.path.startswith(("/openapi.json", "/ok", "/info")):
                self.first_key = key  # the suite's first keyed request is the main tenant's
        if self.first_key and key != self.first_key and len(key) > 30 and not key.startswith("conformance-"):
            return ProxyResponse(401, JSON, b'{"detail": "Invalid API key"}')
        return None


class StreamNeverSendsAByte(SetupFault):
    name = "setup-stream-never-sends-a-byte"
    description = "a streamed run's request is accepted and never answered"
    areas = ("streaming",)
    args = ("--request-timeout", "2")
    select = "text_event_stream or first_event_of_a_runs_stream or values_events_carry"  # one stream each
    affected = ("STREAM-001", "STREAM-002", "STREAM-003")

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if request.matches("POST", "/threads/*/runs/stream"):
            time.sleep(3)  # past the suite's deadline: it must give up on this request, not on the target
            return ProxyResponse(504, JSON, b"{}")
        return None


class EveryPostAnswers409(SetupFault):
    name = "setup-every-post-answers-409"
    description = "every POST answers 409 Conflict"
    areas = ("smoke", "runs", "streaming", "pagination")
    affected = ("SMOKE-004", "RUNS-001", "RUNS-005", "STREAM-001", "PAGE-001")

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if request.method == "POST":
            return ProxyResponse(409, JSON, b'{"detail": "conflict"}')
        return None


SETUP_FAULTS: list[SetupFault] = [
    CreatesAnswer500(), SearchesAnswerEmpty(), SecondKeyRefused(), StreamNeverSendsAByte(), EveryPostAnswers409(),
]
