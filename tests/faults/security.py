"""Faults for the security requirements: a CORS policy that trusts any origin, an internal route
that answers without a key, and tenants that reach each other's assistants and threads."""

from __future__ import annotations

import threading

from proxy import Fault, ProxyRequest, ProxyResponse

KEY = "x-api-key"  # the reference's credential header


class CorsEchoesOriginWithCredentials(Fault):
    name = "security-cors-echoes-origin-with-credentials"
    requirement = "SEC-001"
    description = "every response echoes the request's Origin with Access-Control-Allow-Credentials: true"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        origin = request.headers.get("origin")
        if origin:
            response.headers["access-control-allow-origin"] = origin
            response.headers["access-control-allow-credentials"] = "true"
        return response


class TruncateAnswersWithoutKey(Fault):
    name = "security-internal-truncate-answers-without-a-key"
    requirement = "SEC-002"
    description = "GET /internal/truncate without a key is answered 200 {\"ok\": true} (by the proxy: nothing is wiped)"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if request.path.rstrip("/") == "/internal/truncate" and KEY not in request.headers:
            answer = ProxyResponse(200)
            answer.set_json({"ok": True})
            return answer  # never forwarded
        return None


class _Owners(Fault):
    """Remembers which key created which resource (from the responses of its creation)."""

    creation = ""
    id_key = ""

    def __init__(self) -> None:
        self.owners: dict[str, tuple[str, str]] = {}  # id -> (key, graph_id)
        self.lock = threading.Lock()

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        body = response.json()
        if request.matches("POST", self.creation) and isinstance(body, dict) and body.get(self.id_key):
            with self.lock:
                self.owners[str(body[self.id_key])] = (request.headers.get(KEY, ""), str(body.get("graph_id") or ""))
        return response

    def owner(self, resource_id: object) -> tuple[str, str] | None:
        with self.lock:
            return self.owners.get(str(resource_id))


class ForeignAssistantRunsAsItsGraph(_Owners):
    name = "security-foreign-assistant-runs-as-its-graph"
    requirement = "SEC-003"
    description = "a run naming another key's assistant runs that assistant's graph (its shared default assistant) instead"
    creation, id_key = "/assistants", "assistant_id"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        body = request.json()
        runs = request.method == "POST" and "/runs" in request.path and "/crons" not in request.path
        if runs and isinstance(body, dict):
            owner = self.owner(body.get("assistant_id"))
            if owner and owner[0] != request.headers.get(KEY, "") and owner[1]:
                body["assistant_id"] = owner[1]
                request.set_json(body)
        return None


class ForeignThreadCopiedWithTheOwnersKey(_Owners):
    name = "security-foreign-thread-copied-with-the-owners-key"
    requirement = "SEC-004"
    description = "copying another key's thread is done with the owner's key (so the copy succeeds)"
    creation, id_key = "/threads", "thread_id"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if request.matches("POST", "/threads/*/copy"):
            owner = self.owner(request.path.strip("/").split("/")[1])
            if owner and owner[0] and owner[0] != request.headers.get(KEY, ""):
                request.headers[KEY] = owner[0]
        return None


FAULTS: list[Fault] = [
    CorsEchoesOriginWithCredentials(), TruncateAnswersWithoutKey(), ForeignAssistantRunsAsItsGraph(),
    ForeignThreadCopiedWithTheOwnersKey(),
]
UNREACHABLE: dict[str, str] = {}
