"""Faults for the contract requirements. Each hits an operation that every contract run exercises
at `--examples 3` (2 valid requests and 1 invalid one per operation), so detection is reliable."""

from __future__ import annotations

import re

from proxy import Fault, ProxyRequest, ProxyResponse, SseFrame

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class InfoLacksVersion(Fault):
    name = "contract-missing-required-field"
    select = "/info]"
    alone = True  # interacts with other faults of its area
    requirement = "CON-005"
    description = "GET /info answers without its required `version`"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        if request.matches("GET", "/info") and response.status == 200:
            body = response.json()
            body.pop("version", None)
            response.set_json(body)
        return response


class InfoLacksVersionUnderTheBundledSpec(InfoLacksVersion):
    name = "contract-missing-field-bundled-spec"
    requirement = "CON-012"
    args = ("--spec", "bundled")  # held to another implementation's spec, the finding is CON-012's
    description = "GET /info answers without `version`, the run holding it to the bundled spec"


class InfoFlagsWrongType(Fault):
    name = "contract-field-of-wrong-type"
    select = "/info]"
    requirement = "CON-005"
    description = "GET /info answers `flags` as a string, not an object"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        if request.matches("GET", "/info") and response.status == 200:
            body = response.json()
            body["flags"] = "assistants,crons"
            response.set_json(body)
        return response


class OkJsonAsText(Fault):
    name = "contract-json-labelled-text-plain"
    select = "/ok]"
    requirement = "CON-003"
    also = ("CON-005",)  # a body of an undocumented media type is not held to a schema either
    description = "GET /ok answers its JSON body labelled text/plain"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        if request.matches("GET", "/ok"):
            response.headers["content-type"] = "text/plain; charset=utf-8"
        return response


class CountCrashes(Fault):
    name = "contract-server-error"
    select = "threads/count]"
    alone = True  # interacts with other faults of its area
    requirement = "CON-001"
    also = ("CON-002",)  # 500 is not a documented status of the operation either
    description = "POST /threads/count answers 500"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if request.matches("POST", "/threads/count"):
            return ProxyResponse(500, {"content-type": "text/plain"}, b"Internal Server Error")
        return None


class UnknownThreadFound(Fault):
    name = "contract-404-answered-200"
    select = "GET and threads"
    requirement = "CON-008"
    description = "GET /threads/{id} of a thread never created answers 200 with a made-up thread"

    def __init__(self) -> None:
        self.created: set[str] = set()

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        if request.method == "POST" and response.status == 200 and response.is_json:
            body = response.json()
            if isinstance(body, dict) and isinstance(body.get("thread_id"), str):
                self.created.add(body["thread_id"])
        if request.matches("GET", "/threads/*") and response.status == 404:
            thread_id = request.path.rsplit("/", 1)[-1]
            if UUID.match(thread_id) and thread_id not in self.created:
                stamp = "2026-01-01T00:00:00+00:00"
                return ProxyResponse(
                    200, {"content-type": "application/json"},
                    (
                        f'{{"thread_id": "{thread_id}", "created_at": "{stamp}", "updated_at": "{stamp}", '
                        f'"state_updated_at": "{stamp}", "metadata": {{}}, "status": "idle", "config": {{}}, '
                        f'"values": null, "interrupts": {{}}}}'
                    ).encode(),
                )
        return response


class ValidationOff(Fault):
    name = "contract-validation-switched-off"
    select = "search] or count]"
    alone = True  # interacts with other faults of its area
    requirement = "CON-006"
    description = "search and count bodies the server rejects (422) are answered 200 as if valid"

    EMPTY = {"search": b"[]", "count": b"0"}

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        for pattern in ("/threads/*", "/assistants/*", "/runs/crons/*"):
            if request.matches("POST", pattern) and response.status == 422:
                kind = request.path.rsplit("/", 1)[-1]
                if kind in self.EMPTY:
                    return ProxyResponse(200, {"content-type": "application/json"}, self.EMPTY[kind])
        return response


class DeleteKeepsThread(Fault):
    name = "contract-delete-does-not-delete"
    select = "deleted_resource_is_gone"
    requirement = "CON-010"
    description = "the first DELETE of a thread answers 204 but keeps it (later ones pass, so cleanup works)"

    def __init__(self) -> None:
        self.swallowed: set[str] = set()

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if request.matches("DELETE", "/threads/*") and request.path not in self.swallowed:
            self.swallowed.add(request.path)
            return ProxyResponse(204, {}, b"")
        return None


class OkLacksDeclaredHeader(Fault):
    name = "contract-required-header-missing"
    select = "/ok]"
    requirement = "CON-004"
    description = "the served spec requires an X-Health header on GET /ok 200 that the server never sends"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        if request.matches("GET", "/openapi.json") and response.status == 200:
            spec = response.json()
            ok = spec["paths"]["/ok"]["get"]["responses"]["200"]
            ok["headers"] = {"X-Health": {"required": True, "schema": {"type": "string"}}}
            response.set_json(spec)
        return response


class StreamDataNotJson(Fault):
    name = "contract-sse-data-not-json"
    select = "stream"
    requirement = "CON-009"
    description = "every SSE event's data is plain text instead of JSON"

    def on_events(self, request: ProxyRequest, frames):
        for frame in frames:
            yield SseFrame(frame.event, "not json: " + frame.data[:40], frame.extra)


class CountRejectsValid(Fault):
    name = "contract-valid-data-rejected"
    select = "assistants/count]"
    requirement = "CON-007"
    description = "POST /assistants/count rejects every body with 422"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if request.matches("POST", "/assistants/count"):
            return ProxyResponse(422, {"content-type": "application/json"}, b'{"detail": "rejected by the fault"}')
        return None


class UndocumentedStatus(Fault):
    name = "contract-undocumented-status"
    select = "/info]"
    alone = True  # interacts with other faults of its area
    requirement = "CON-002"
    description = "GET /info answers 203, a status its operation does not document"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        if request.matches("GET", "/info") and response.status == 200:
            response.status = 203
        return response


FAULTS: list[Fault] = [
    InfoLacksVersionUnderTheBundledSpec(),
    UndocumentedStatus(),
    InfoLacksVersion(), InfoFlagsWrongType(), OkJsonAsText(), CountCrashes(), UnknownThreadFound(),
    ValidationOff(), DeleteKeepsThread(), OkLacksDeclaredHeader(), StreamDataNotJson(), CountRejectsValid(),
]
UNREACHABLE: dict[str, str] = {
    "CON-011": "the state machine's walk through linked operations is random at a small budget; its checks are "
    "the per-operation ones (proven under CON-001..CON-010), filed under CON-011 when seen in a sequence",
}

