"""Faults for the smoke requirements."""

from __future__ import annotations

from proxy import Fault, ProxyRequest, ProxyResponse


class OkAnswers503(Fault):
    name = "ok-answers-503"
    requirement = "SMOKE-001"
    description = "GET /ok answers 503"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if request.matches("GET", "/ok"):
            return ProxyResponse(503, {"content-type": "application/json"}, b'{"ok": false}')
        return None


class InfoAsText(Fault):
    name = "info-not-json"
    requirement = "SMOKE-002"
    description = "GET /info answers plain text"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        if request.matches("GET", "/info"):
            return ProxyResponse(200, {"content-type": "text/plain"}, b"version: unknown")
        return response


class SpecWithoutThreads(Fault):
    name = "spec-drops-threads"
    alone = True  # interacts with other faults of its area
    requirement = "SMOKE-003"
    description = "the served spec lacks the /threads path"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        if request.matches("GET", "/openapi.json"):
            spec = response.json()
            spec["paths"].pop("/threads", None)
            response.set_json(spec)
        return response


class JoinForgetsState(Fault):
    name = "join-returns-empty-state"
    alone = True  # interacts with other faults of its area
    requirement = "SMOKE-004"
    description = "joining a run returns {} instead of the final state"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        if request.matches("GET", "/threads/*/runs/*/join") and response.status == 200:
            response.set_json({})
        return response


class SpecNotServed(Fault):
    name = "spec-not-served"
    requirement = "SMOKE-005"
    args = ("--spec", "bundled")  # the suite needs a spec from elsewhere, as for the LangGraph.js server
    description = "neither /openapi.json nor /docs is served"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if request.path in ("/openapi.json", "/docs"):
            return ProxyResponse(404, {"content-type": "text/plain"}, b"Not Found")
        return None


FAULTS = [OkAnswers503(), InfoAsText(), SpecWithoutThreads(), JoinForgetsState(), SpecNotServed()]
UNREACHABLE: dict[str, str] = {}
