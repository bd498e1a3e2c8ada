"""Faults for the runs requirements: runs, thread state and threads that lie about themselves."""

from __future__ import annotations

import threading

from proxy import Fault, ProxyRequest, ProxyResponse

RUN = "/threads/*/runs/*"
THREAD = "/threads/*"


def _rewrite_status(response: ProxyResponse, was: str, now: str) -> ProxyResponse:
    body = response.json()
    if response.status == 200 and isinstance(body, dict) and body.get("status") == was:
        body["status"] = now
        response.set_json(body)
    return response


class JoinReturnsStaleState(Fault):
    name = "join-returns-stale-state"
    requirement = "RUNS-001"
    description = "joining a run returns the state before the graph's node ran (no `echo`)"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        body = response.json()
        if request.matches("GET", f"{RUN}/join") and isinstance(body, dict):
            body.pop("echo", None)
            response.set_json(body)
        return response


class FinishedRunStaysRunning(Fault):
    name = "run-status-frozen"
    requirement = "RUNS-002"
    description = "a finished run keeps reading status `running`"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        return _rewrite_status(response, "success", "running") if request.matches("GET", RUN) else response


class FailedRunReadsSuccess(Fault):
    name = "failed-run-reads-success"
    requirement = "RUNS-003"
    description = "a run whose graph raised reads status `success`"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        return _rewrite_status(response, "error", "success") if request.matches("GET", RUN) else response


class CancelIsNoOp(Fault):
    name = "cancel-is-a-no-op"
    requirement = "RUNS-004"
    description = "cancelling a run answers 200 but the run goes on"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if request.matches("POST", f"{RUN}/cancel"):
            return ProxyResponse(200, {"content-type": "application/json"}, b"{}")
        return None


class RunsListEmpty(Fault):
    name = "thread-runs-list-empty"
    requirement = "RUNS-005"
    description = "listing a thread's runs answers []"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        if request.matches("GET", "/threads/*/runs") and response.status == 200:
            response.set_json([])
        return response


class RunDeleteIsNoOp(Fault):
    name = "run-delete-is-a-no-op"
    requirement = "RUNS-006"
    description = "deleting a run answers 204 and deletes nothing"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if request.matches("DELETE", RUN):
            return ProxyResponse(204)
        return None


class StateServesStaleValues(Fault):
    name = "state-serves-stale-values"
    requirement = "RUNS-007"
    description = "a thread's state serves the values from before its run's last step"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        body = response.json()
        if request.matches("GET", "/threads/*/state") and isinstance(body, dict) and isinstance(body.get("values"), dict):
            values = body["values"]
            body["values"] = {"text": values["text"], "history": []} if "text" in values else {}
            response.set_json(body)
        return response


class ThreadStaysBusy(Fault):
    name = "thread-status-stays-busy"
    requirement = "RUNS-008"
    description = "an idle thread keeps reading status `busy`"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        return _rewrite_status(response, "idle", "busy") if request.matches("GET", THREAD) else response


class InterruptedThreadReadsIdle(Fault):
    name = "interrupted-thread-reads-idle"
    requirement = "RUNS-009"
    description = "a thread paused by interrupt() reads status `idle`"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        return _rewrite_status(response, "interrupted", "idle") if request.matches("GET", THREAD) else response


class ResumeCommandIgnored(Fault):
    name = "resume-command-ignored"
    requirement = "RUNS-010"
    description = "a run's `command` (resume) is dropped before the server sees it"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        body = request.json()
        if request.method == "POST" and request.path.startswith("/threads/") and isinstance(body, dict) and "command" in body:
            body.pop("command")
            request.set_json(body)
        return None


class StatelessWaitReturnsInput(Fault):
    name = "stateless-wait-returns-input"
    requirement = "RUNS-011"
    description = "POST /runs/wait returns the run's input instead of its output"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        body = request.json()
        if request.matches("POST", "/runs/wait") and response.status == 200 and isinstance(body, dict):
            response.set_json(body.get("input") or {})
        return response


class HistoryOldestFirst(Fault):
    name = "history-oldest-first"
    requirement = "RUNS-012"
    description = "a thread's history lists its checkpoints oldest first"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        body = response.json()
        if request.matches("*", "/threads/*/history") and isinstance(body, list):
            response.set_json(list(reversed(body)))
        return response


class PatchIsNoOp(Fault):
    name = "thread-patch-is-a-no-op"
    requirement = "RUNS-013"
    description = "PATCH of a thread answers 200 with the thread unchanged"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if request.matches("PATCH", THREAD):
            request.method, request.body = "GET", b""  # read instead of write
        return None


class ThreadDeleteIsNoOp(Fault):
    name = "thread-delete-is-a-no-op"
    requirement = "RUNS-014"
    description = "the first DELETE of each thread answers 204 and deletes nothing"

    def __init__(self) -> None:
        self.spared: set[str] = set()
        self.lock = threading.Lock()

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if request.matches("DELETE", THREAD):
            with self.lock:
                if request.path not in self.spared:  # later DELETEs (the suite's cleanup) go through
                    self.spared.add(request.path)
                    return ProxyResponse(204)
        return None


class CopyStartsEmpty(Fault):
    name = "thread-copy-starts-empty"
    requirement = "RUNS-015"
    description = "copying a thread creates a new, empty thread"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if request.matches("POST", "/threads/*/copy"):
            request.path, request.body = "/threads", b"{}"
            request.headers["content-type"] = "application/json"
        return None


FAULTS: list[Fault] = [
    JoinReturnsStaleState(), FinishedRunStaysRunning(), FailedRunReadsSuccess(), CancelIsNoOp(), RunsListEmpty(),
    RunDeleteIsNoOp(), StateServesStaleValues(), ThreadStaysBusy(), InterruptedThreadReadsIdle(),
    ResumeCommandIgnored(), StatelessWaitReturnsInput(), HistoryOldestFirst(), PatchIsNoOp(), ThreadDeleteIsNoOp(),
    CopyStartsEmpty(),
]
UNREACHABLE: dict[str, str] = {}
