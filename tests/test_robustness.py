"""A broken target never hangs the suite: a dead, hanging or dripping target ends the run early
with an `error` verdict (exit code 70) instead of timing out each test in turn."""

from __future__ import annotations

import threading
import time

import pytest
from proxy import Fault, FaultProxy, ProxyRequest, ProxyResponse

from conformance.errors import EXIT_SUITE_ERROR

# What the suite asks while it discovers the target (health, spec, /info, whether the keys work).
DISCOVERY = (("GET", "/ok"), ("GET", "/openapi.json"), ("GET", "/info"), ("POST", "/threads/search"))


class BreaksAfter(Fault):
    """Answers the suite's discovery of the target, then breaks every later request."""

    def __init__(self) -> None:
        self.tests_started = False
        self.lock = threading.Lock()

    def broken(self, request: ProxyRequest) -> bool:
        with self.lock:
            if (request.method, request.path) not in DISCOVERY:
                self.tests_started = True
            return self.tests_started


class Dies(BreaksAfter):
    name = "target-dies"
    description = "the connection drops without an answer"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if self.broken(request):
            raise ConnectionAbortedError("the target died")
        return None


class Hangs(BreaksAfter):
    name = "target-hangs"
    description = "requests are accepted and never answered"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if self.broken(request):
            time.sleep(60)
        return None


class Drips(BreaksAfter):
    name = "target-drips"
    description = "answers arrive one byte a second, which defeats a read timeout"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if self.broken(request):
            return ProxyResponse(200, {"content-type": "application/json"}, b'{"ok": true}' + b" " * 100, drip_seconds=1.0)
        return None


@pytest.mark.parametrize("fault", [Dies(), Hangs(), Drips()], ids=lambda f: f.name)
def test_a_broken_target_ends_the_run_early_with_an_error_verdict(fault, reference, suite):
    started = time.monotonic()
    with FaultProxy(reference.base_url, fault) as proxy:
        run = suite(proxy.url, "--request-timeout", "2")
    elapsed = time.monotonic() - started
    assert run.exit_code == EXIT_SUITE_ERROR, run.output[-4000:]
    assert run.summary["verdict"] == "error"
    assert any(e["outcome"] == "error" for e in run.summary["requirements"])
    assert not run.failing() - {e["id"] for e in run.summary["requirements"] if e["outcome"] == "error"}, "no requirement may fail on a broken target"
    assert "stopped answering" in run.output
    assert elapsed < 60, f"the run took {elapsed:.0f}s"
