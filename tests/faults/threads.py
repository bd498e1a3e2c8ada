"""Faults for the threads requirements: threads that forget, duplicates that slip through, state
updates that hide or lose their node, checkpoints that read as the latest, history pages that
ignore `before`, copies without their past, prunes that delete nothing, statuses that lie."""

from __future__ import annotations

import threading

from proxy import Fault, ProxyRequest, ProxyResponse

THREAD = "/threads/*"
PATCH_PATH = "/threads/{thread_id}"


def _thread_id(request: ProxyRequest) -> str:
    return request.path.strip("/").split("/")[1]


class MetadataLosesObjects(Fault):
    name = "thread-metadata-loses-objects"
    requirement = "THREAD-001"
    description = "a thread is answered and read back without the metadata values that are objects"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        body = response.json()
        if (request.matches("POST", "/threads") or request.matches("GET", THREAD)) and isinstance(body, dict) \
                and isinstance(body.get("metadata"), dict):
            body["metadata"] = {k: v for k, v in body["metadata"].items() if not isinstance(v, dict)}
            response.set_json(body)
        return response


class CreateIgnoresGivenId(Fault):
    name = "thread-create-ignores-the-given-id"
    requirement = "THREAD-002"
    # Without the given id no creation is a duplicate: the if_exists requirements fail with it.
    also = ("THREAD-003", "THREAD-004")
    description = "creating a thread ignores the thread_id given: the thread gets a fresh one"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        request.drop_field("POST", "/threads", "thread_id")
        return None


class DuplicateIsAccepted(Fault):
    name = "thread-duplicate-is-accepted"
    alone = True  # interacts with other faults of its area
    requirement = "THREAD-003"
    description = "creating a thread with an existing id answers the existing thread (200), as if do_nothing were asked"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        body = request.json()
        if request.matches("POST", "/threads") and isinstance(body, dict) and body.get("thread_id") \
                and body.get("if_exists", "raise") == "raise":
            body["if_exists"] = "do_nothing"
            request.set_json(body)
        return None


class DoNothingRaises(Fault):
    name = "thread-do-nothing-raises"
    requirement = "THREAD-004"
    description = "if_exists do_nothing is ignored: a duplicate id answers 409"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        request.drop_field("POST", "/threads", "if_exists", when=lambda body: body["if_exists"] == "do_nothing")
        return None


class PatchReplacesMetadata(Fault):
    name = "thread-patch-replaces-metadata"
    requirement = "THREAD-005"
    description = "PATCH replaces a thread's metadata (apart from the run tag) instead of merging into it"

    def __init__(self) -> None:
        self.patched: dict[str, set[str]] = {}
        self.lock = threading.Lock()

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        body = request.json()
        if request.matches("PATCH", THREAD) and isinstance(body, dict) and isinstance(body.get("metadata"), dict):
            with self.lock:
                self.patched[_thread_id(request)] = set(body["metadata"])
        return None

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        body = response.json()
        if (request.matches("PATCH", THREAD) or request.matches("GET", THREAD)) and isinstance(body, dict) \
                and isinstance(body.get("metadata"), dict):
            with self.lock:
                keys = self.patched.get(_thread_id(request))
            if keys is not None:
                body["metadata"] = {k: v for k, v in body["metadata"].items() if k in keys or k == "conformance_run"}
                response.set_json(body)
        return response


class HistoryHidesUpdates(Fault):
    name = "thread-history-hides-state-updates"
    requirement = "THREAD-006"
    # Pages that leave entries out no longer tile the history: paging fails with it, rightly.
    also = ("THREAD-010", "THREAD-011")
    description = "a thread's history leaves out the checkpoints that state updates made"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        body = response.json()
        if request.matches("*", f"{THREAD}/history") and isinstance(body, list):
            response.set_json([e for e in body if not (isinstance(e, dict) and (e.get("metadata") or {}).get("source") == "update")])
        return response


class UpdateIgnoresAsNode(Fault):
    name = "thread-state-update-ignores-as-node"
    requirement = "THREAD-007"
    description = "a state update ignores `as_node` (the server attributes it to the last node that ran)"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        request.drop_field("POST", f"{THREAD}/state", "as_node")
        return None


class StateAtCheckpointIsLatest(Fault):
    name = "thread-state-at-checkpoint-is-latest"
    requirement = "THREAD-008"
    description = "GET /threads/{id}/state/{checkpoint_id} answers the latest state"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if request.matches("GET", f"{THREAD}/state/*"):
            request.path = request.path.rsplit("/", 1)[0]
        return None


class PostedCheckpointIsLatest(Fault):
    name = "thread-state-checkpoint-post-is-latest"
    requirement = "THREAD-009"
    description = "POST /threads/{id}/state/checkpoint ignores the checkpoint asked for and answers the latest state"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        body = request.json()
        if request.matches("POST", f"{THREAD}/state/checkpoint") and isinstance(body, dict):
            body["checkpoint"] = {}
            request.set_json(body)
        return None


class HistoryIgnoresBefore(Fault):
    name = "thread-history-ignores-before"
    requirement = "THREAD-010"
    description = "GET /threads/{id}/history ignores `before`: every page starts at the newest checkpoint"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if request.matches("GET", f"{THREAD}/history"):
            request.query = [(k, v) for k, v in request.query if k != "before"]
        return None


class PostedHistoryRefusesTheCheckpointConfig(Fault):
    name = "thread-history-post-refuses-checkpoint-config"
    requirement = "THREAD-017"
    description = "POST /threads/{id}/history answers 422 to `before` as the CheckpointConfig its spec declares (other forms still work)"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if request.matches("POST", f"{THREAD}/history"):
            body = request.json()
            if isinstance(body, dict) and isinstance(body.get("before"), dict) and "configurable" not in body["before"]:
                return ProxyResponse(422, {"content-type": "application/json"}, b'{"detail": "before: expected a string"}')
        return None


class PostedHistoryIgnoresLimit(Fault):
    name = "thread-history-post-ignores-limit"
    requirement = "THREAD-011"
    description = "POST /threads/{id}/history ignores `limit` (the server's default, one entry, applies)"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        request.drop_field("POST", f"{THREAD}/history", "limit")
        return None


class CopyLosesHistory(Fault):
    name = "thread-copy-loses-history"
    requirement = "THREAD-012"
    description = "a thread's copy has only its latest checkpoint in its history"

    def __init__(self) -> None:
        self.copies: set[str] = set()
        self.lock = threading.Lock()

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        body = response.json()
        if request.matches("POST", f"{THREAD}/copy") and isinstance(body, dict) and body.get("thread_id"):
            with self.lock:
                self.copies.add(str(body["thread_id"]))
        elif request.matches("*", f"{THREAD}/history") and isinstance(body, list):
            with self.lock:
                copy = _thread_id(request) in self.copies
            if copy:
                response.set_json(body[:1])
        return response


class PruneIsNoOp(Fault):
    name = "thread-prune-is-a-no-op"
    requirement = "THREAD-013"
    description = "pruning threads answers that it pruned them and deletes nothing"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        body = request.json()
        if request.matches("POST", "/threads/prune") and isinstance(body, dict):
            answer = ProxyResponse(200)
            answer.set_json({"pruned_count": len(body.get("thread_ids") or [])})
            return answer
        return None


class NeverBusy(Fault):
    name = "thread-never-busy"
    requirement = "THREAD-014"
    description = "a thread whose run is in flight reads `idle`"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        return response.rewrite_status("busy", "idle") if request.matches("GET", THREAD) else response


class ErrorReadsIdle(Fault):
    name = "thread-error-reads-idle"
    requirement = "THREAD-015"
    description = "a thread whose run failed reads `idle`"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        return response.rewrite_status("error", "idle") if request.matches("GET", THREAD) else response


class PreferDeclaredButIgnored(Fault):
    name = "thread-prefer-declared-but-ignored"
    requirement = "THREAD-016"
    description = "the served spec declares Prefer on PATCH /threads/{thread_id}, and the server ignores it (a full 200)"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if request.matches("PATCH", THREAD):
            request.headers.pop("prefer", None)
        return None

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        spec = response.json()
        if request.matches("GET", "/openapi.json") and isinstance(spec, dict):
            patch = ((spec.get("paths") or {}).get(PATCH_PATH) or {}).get("patch")
            if isinstance(patch, dict):
                patch.setdefault("parameters", []).append(
                    {"name": "Prefer", "in": "header", "required": False, "schema": {"type": "string"},
                     "description": "return=minimal: answer 204 with no body"})
                response.set_json(spec)
        return response


FAULTS: list[Fault] = [
    MetadataLosesObjects(), CreateIgnoresGivenId(), DuplicateIsAccepted(), DoNothingRaises(), PatchReplacesMetadata(),
    HistoryHidesUpdates(), UpdateIgnoresAsNode(), StateAtCheckpointIsLatest(), PostedCheckpointIsLatest(),
    HistoryIgnoresBefore(), PostedHistoryIgnoresLimit(), CopyLosesHistory(), PruneIsNoOp(), NeverBusy(), ErrorReadsIdle(),
    PreferDeclaredButIgnored(), PostedHistoryRefusesTheCheckpointConfig(),
]
UNREACHABLE: dict[str, str] = {}
