"""Faults for the ids requirements: unknown ids answered as if they existed, or silently created."""

from __future__ import annotations

import json
import threading

from proxy import Fault, ProxyRequest, ProxyResponse


class UnknownThreadRunsListedEmpty(Fault):
    name = "ids-unknown-thread-runs-listed-empty"
    requirement = "IDS-001"
    description = "listing the runs of an unknown thread answers 200 [] (as Aegra does)"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        if request.matches("GET", "/threads/*/runs") and response.status == 404:
            response.status = 200
            response.set_json([])
        return response


class RunOnUnknownThreadCreatesIt(Fault):
    name = "ids-run-on-unknown-thread-creates-it"
    requirement = "IDS-002"
    description = "a run on a thread the proxy has not seen created creates the thread, yet answers 404"

    def __init__(self) -> None:
        self.known: set[str] = set()
        self.forced: set[int] = set()
        self.lock = threading.Lock()

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        body = request.json()
        if (request.matches("POST", "/threads/*/runs") or request.matches("POST", "/threads/*/runs/wait")) and isinstance(body, dict):
            thread_id = request.path.strip("/").split("/")[1]
            with self.lock:
                if thread_id in self.known:
                    return None
                self.forced.add(id(request))
            body["if_not_exists"] = "create"
            request.set_json(body)
        return None

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        body = response.json()
        with self.lock:
            if request.matches("POST", "/threads") and isinstance(body, dict) and body.get("thread_id"):
                self.known.add(str(body["thread_id"]))
            forced = id(request) in self.forced
            self.forced.discard(id(request))
        if forced:
            response.status = 404
            response.body = json.dumps({"detail": "Thread not found"}).encode()
            response.headers["content-type"] = "application/json"
        return response


class UnknownRunJoinSucceedsEmpty(Fault):
    name = "ids-join-of-unknown-run-succeeds-empty"
    requirement = "IDS-003"
    description = "joining an unknown run answers 200 {} (an empty success) instead of 404 or an error"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        body = response.json()
        if request.matches("GET", "/threads/*/runs/*/join") and (response.status == 404 or (isinstance(body, dict) and "__error__" in body)):
            response.status = 200
            response.set_json({})
        return response


FAULTS: list[Fault] = [UnknownThreadRunsListedEmpty(), RunOnUnknownThreadCreatesIt(), UnknownRunJoinSucceedsEmpty()]
UNREACHABLE: dict[str, str] = {}
