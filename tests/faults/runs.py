"""Faults for the runs requirements: runs, thread state and threads that lie about themselves."""

from __future__ import annotations

import threading
import time

from proxy import Fault, ProxyRequest, ProxyResponse

RUN = "/threads/*/runs/*"
THREAD = "/threads/*"


class JoinReturnsStaleState(Fault):
    name = "join-returns-stale-state"
    requirement = "RUNS-001"
    select = "test_06_runs"
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
    select = "test_06_runs"
    description = "a finished run keeps reading status `running`"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        return response.rewrite_status("success", "running") if request.matches("GET", RUN) else response


class FailedRunReadsSuccess(Fault):
    name = "failed-run-reads-success"
    requirement = "RUNS-003"
    select = "test_06_runs"
    description = "a run whose graph raised reads status `success`"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        return response.rewrite_status("error", "success") if request.matches("GET", RUN) else response


class CancelIsNoOp(Fault):
    name = "cancel-is-a-no-op"
    requirement = "RUNS-004"
    select = "test_06_runs"
    description = "cancelling a run answers 200 but the run goes on"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if request.matches("POST", f"{RUN}/cancel"):
            return ProxyResponse(200, {"content-type": "application/json"}, b"{}")
        return None


class RunsListEmpty(Fault):
    name = "thread-runs-list-empty"
    requirement = "RUNS-005"
    select = "test_06_runs"
    description = "listing a thread's runs answers []"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        if request.matches("GET", "/threads/*/runs") and response.status == 200:
            response.set_json([])
        return response


class RunDeleteIsNoOp(Fault):
    name = "run-delete-is-a-no-op"
    requirement = "RUNS-006"
    select = "test_06_runs"
    description = "deleting a run answers 204 and deletes nothing"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if request.matches("DELETE", RUN):
            return ProxyResponse(204)
        return None


class StateServesStaleValues(Fault):
    name = "state-serves-stale-values"
    requirement = "RUNS-007"
    select = "test_06_runs"
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
    select = "test_06_runs"
    description = "an idle thread keeps reading status `busy`"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        return response.rewrite_status("idle", "busy") if request.matches("GET", THREAD) else response


class InterruptedThreadReadsIdle(Fault):
    name = "interrupted-thread-reads-idle"
    requirement = "RUNS-009"
    select = "test_06_runs"
    description = "a thread paused by interrupt() reads status `idle`"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        return response.rewrite_status("interrupted", "idle") if request.matches("GET", THREAD) else response


class ResumeCommandIgnored(Fault):
    name = "resume-command-ignored"
    requirement = "RUNS-010"
    select = "test_06_runs"
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
    select = "test_06_runs"
    description = "POST /runs/wait returns the run's input instead of its output"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        body = request.json()
        if request.matches("POST", "/runs/wait") and response.status == 200 and isinstance(body, dict):
            response.set_json(body.get("input") or {})
        return response


class HistoryOldestFirst(Fault):
    name = "history-oldest-first"
    requirement = "RUNS-012"
    select = "test_06_runs"
    description = "a thread's history lists its checkpoints oldest first"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        body = response.json()
        if request.matches("*", "/threads/*/history") and isinstance(body, list):
            response.set_json(list(reversed(body)))
        return response


class PatchIsNoOp(Fault):
    name = "thread-patch-is-a-no-op"
    requirement = "RUNS-013"
    select = "test_06_runs"
    description = "PATCH of a thread answers 200 with the thread unchanged"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if request.matches("PATCH", THREAD):
            request.method, request.body = "GET", b""  # read instead of write
        return None


class ThreadDeleteIsNoOp(Fault):
    name = "thread-delete-is-a-no-op"
    requirement = "RUNS-014"
    select = "test_06_runs"
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
    select = "test_06_runs"
    description = "copying a thread creates a new, empty thread"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if request.matches("POST", "/threads/*/copy"):
            request.path, request.body = "/threads", b"{}"
            request.headers["content-type"] = "application/json"
        return None



# --- double texting, batches, bulk cancel, delays, joins, webhooks (test_06b_runs_multitask.py) ---

CREATE_RUNS = ("/threads/*/runs", "/threads/*/runs/wait", "/threads/*/runs/stream")


def _creates_run(request: ProxyRequest) -> bool:
    return any(request.matches("POST", pattern) for pattern in CREATE_RUNS)


def _rewrite_field(request: ProxyRequest, name: str, was: object, now: object) -> None:
    """Set body field `name` from `was` to `now` (drop it when `now` is None) in a run creation.
    A field is rewritten once per request: faults batched together (reject -> enqueue, enqueue ->
    interrupt, ...) do not chain their rewrites and undo one another."""
    body = request.json()
    done: set[str] = getattr(request, "_rewritten_by_a_fault", set())
    if name in done:
        return
    if _creates_run(request) and isinstance(body, dict) and name in body and (was is None or body[name] == was):
        if now is None:
            body.pop(name)
        else:
            body[name] = now
        request.set_json(body)
        request._rewritten_by_a_fault = done | {name}  # type: ignore[attr-defined]


class UnknownThreadAnswers422(Fault):
    name = "run-on-unknown-thread-answers-422"
    requirement = "RUNS-016"
    select = "test_06b_runs"
    description = "a run on an unknown thread answers 422 instead of 404 (as LangGraph.js does)"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        if _creates_run(request) and response.status == 404:
            response.status = 422
            response.set_json({"detail": "Thread is already running a task"})
        return response


class IfNotExistsIgnored(Fault):
    name = "if-not-exists-ignored"
    requirement = "RUNS-017"
    select = "test_06b_runs"
    description = "a run's `if_not_exists: create` is dropped before the server sees it"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        _rewrite_field(request, "if_not_exists", None, None)
        return None


class RejectEnqueues(Fault):
    name = "multitask-reject-enqueues"
    requirement = "RUNS-018"
    select = "test_06b_runs"
    description = "`multitask_strategy: reject` is treated as enqueue: the second run is accepted"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        _rewrite_field(request, "multitask_strategy", "reject", "enqueue")
        return None


class RejectAnswers422(Fault):
    name = "multitask-reject-answers-422"
    alone = True  # interacts with other faults of its area
    requirement = "RUNS-019"
    select = "test_06b_runs"
    description = "a run refused under `multitask_strategy: reject` answers 422 instead of 409"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        if _creates_run(request) and response.status == 409:
            response.status = 422
        return response


class EnqueueInterrupts(Fault):
    name = "multitask-enqueue-interrupts"
    requirement = "RUNS-020"
    also = ("RUNS-024",)  # its queued run then runs at once, so no pending run is left to cancel
    select = "test_06b_runs"
    description = "`multitask_strategy: enqueue` is treated as interrupt: the run in progress is stopped"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        _rewrite_field(request, "multitask_strategy", "enqueue", "interrupt")
        return None


class InterruptEnqueues(Fault):
    name = "multitask-interrupt-enqueues"
    requirement = "RUNS-021"
    select = "test_06b_runs"
    description = "`multitask_strategy: interrupt` is treated as enqueue: the run in progress goes on"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        _rewrite_field(request, "multitask_strategy", "interrupt", "enqueue")
        return None


class RollbackKeepsTheRun(Fault):
    name = "multitask-rollback-keeps-the-run"
    requirement = "RUNS-022"
    select = "test_06b_runs"
    description = "`multitask_strategy: rollback` only interrupts the run in progress: it is not deleted"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        _rewrite_field(request, "multitask_strategy", "rollback", "interrupt")
        return None


class BatchLosesARun(Fault):
    name = "run-batch-loses-a-run"
    requirement = "RUNS-023"
    select = "test_06b_runs"
    description = "POST /runs/batch answers only the first run of the batch"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        body = response.json()
        if request.matches("POST", "/runs/batch") and isinstance(body, list) and len(body) > 1:
            response.set_json(body[:1])
        return response


class BulkCancelIsNoOp(Fault):
    name = "bulk-cancel-is-a-no-op"
    requirement = "RUNS-024"
    select = "test_06b_runs"
    description = "POST /runs/cancel answers 204 and cancels nothing"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if request.matches("POST", "/runs/cancel"):
            return ProxyResponse(204)
        return None


class AfterSecondsIgnored(Fault):
    name = "after-seconds-ignored"
    requirement = "RUNS-025"
    select = "test_06b_runs"
    description = "a run's `after_seconds` is dropped: the run starts at once (as Aegra does)"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        _rewrite_field(request, "after_seconds", None, None)
        return None


class JoinIgnoresCancelOnDisconnect(Fault):
    name = "join-ignores-cancel-on-disconnect"
    requirement = "RUNS-026"
    select = "test_06b_runs"
    description = "a join's `cancel_on_disconnect=true` is dropped: the run goes on after the client leaves"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if request.matches("GET", f"{RUN}/join"):
            request.query = [(k, v) for k, v in request.query if k != "cancel_on_disconnect"]
        return None


class CancelledRunFinishesLater(Fault):
    name = "cancelled-run-finishes-later"
    requirement = "RUNS-027"
    select = "test_06b_runs"
    description = "a cancelled run reads `success` once its graph would have finished (the cancel did not hold)"
    LATER = 1.5  # seconds after the cancel: the suite's own settle-after-cancel reads come sooner

    def __init__(self) -> None:
        self.cancelled: dict[str, float] = {}
        self.lock = threading.Lock()

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if request.matches("POST", f"{RUN}/cancel"):
            with self.lock:
                self.cancelled.setdefault(request.path.removesuffix("/cancel"), time.monotonic())
        return None

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        if request.matches("GET", RUN):
            with self.lock:
                since = self.cancelled.get(request.path)
            if since is not None and time.monotonic() - since > self.LATER:
                return response.rewrite_status("interrupted", "success")
        return response


class WaitTakesTextForAnInterrupt(Fault):
    name = "wait-takes-text-for-an-interrupt"
    requirement = "RUNS-028"
    select = "test_06b_runs"
    description = "a run's wait answers `{\"__interrupt__\": [...]}` whenever its values merely contain that text"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        if request.matches("POST", "/threads/*/runs/wait") and b"__interrupt__" in response.body and response.status == 200:
            response.set_json({"__interrupt__": [{"value": "taken for an interrupt", "id": "fault"}]})
        return response


class WebhookNeverCalled(Fault):
    """The reference app allows loopback webhooks (its langgraph.json `webhooks.url`): the run's webhook is dropped before the server sees it, so no call ever reaches the receiver."""

    name = "run-webhook-never-called"
    requirement = "RUNS-029"
    select = "test_06b_runs"
    description = "a run's `webhook` is dropped before the server sees it"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        _rewrite_field(request, "webhook", None, None)
        return None


FAULTS: list[Fault] = [
    JoinReturnsStaleState(), FinishedRunStaysRunning(), FailedRunReadsSuccess(), CancelIsNoOp(), RunsListEmpty(),
    RunDeleteIsNoOp(), StateServesStaleValues(), ThreadStaysBusy(), InterruptedThreadReadsIdle(),
    ResumeCommandIgnored(), StatelessWaitReturnsInput(), HistoryOldestFirst(), PatchIsNoOp(), ThreadDeleteIsNoOp(),
    CopyStartsEmpty(),
    UnknownThreadAnswers422(), IfNotExistsIgnored(), RejectEnqueues(), RejectAnswers422(), EnqueueInterrupts(),
    InterruptEnqueues(), RollbackKeepsTheRun(), BatchLosesARun(), BulkCancelIsNoOp(), AfterSecondsIgnored(),
    JoinIgnoresCancelOnDisconnect(), CancelledRunFinishesLater(), WaitTakesTextForAnInterrupt(), WebhookNeverCalled(),
]
UNREACHABLE: dict[str, str] = {}
