"""Faults for the crons requirements: crons stored wrong, filters ignored, PATCH and DELETE that do nothing."""

from __future__ import annotations

import threading

from proxy import Fault, ProxyRequest, ProxyResponse

CRON = "/runs/crons/*"
THREAD_CRONS = "/threads/*/runs/crons"


def _creates_cron(request: ProxyRequest) -> bool:
    return request.matches("POST", "/runs/crons") or request.matches("POST", THREAD_CRONS)


class StatelessCronStoresAnotherSchedule(Fault):
    name = "cron-stores-another-schedule"
    requirement = "CRON-001"
    description = "a stateless cron is stored with another schedule than the one sent"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        body = request.json()
        if request.matches("POST", "/runs/crons") and isinstance(body, dict) and body.get("schedule") == "0 0 1 1 *":
            body["schedule"] = "0 0 1 2 *"
            request.set_json(body)
        return None


class ThreadCronAnswerLosesThread(Fault):
    name = "thread-cron-answer-loses-thread"
    requirement = "CRON-002"
    description = "the answer to creating a cron on a thread says thread_id null"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        body = response.json()
        if request.matches("POST", THREAD_CRONS) and isinstance(body, dict) and body.get("thread_id"):
            body["thread_id"] = None
            response.set_json(body)
        return response


class CronSearchIgnoresThread(Fault):
    name = "cron-search-ignores-thread-id"
    requirement = "CRON-003"
    description = "POST /runs/crons/search ignores its thread_id filter"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        request.drop_field("POST", "/runs/crons/search", "thread_id")
        return None


class CronCountOffByOne(Fault):
    name = "cron-count-off-by-one"
    requirement = "CRON-004"
    description = "POST /runs/crons/count answers one more than it counted"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        body = response.json()
        if request.matches("POST", "/runs/crons/count") and isinstance(body, int) and not isinstance(body, bool):
            response.set_json(body + 1)
        return response


class CronPatchIsNoOp(Fault):
    name = "cron-patch-is-a-no-op"
    requirement = "CRON-005"
    # CRON-006 (a SHOULD) fails too: its PATCH does nothing either.
    description = "PATCH of a cron answers 200 with the cron unchanged"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if request.matches("PATCH", CRON):
            request.method, request.body = "GET", b""  # read instead of write
        return None


class CronPatchIgnoresNullEndTime(Fault):
    name = "cron-patch-ignores-null-end-time"
    requirement = "CRON-006"
    description = "`end_time: null` in a cron's PATCH is dropped (as Aegra does): the end time stays"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        request.drop_field("PATCH", CRON, "end_time", when=lambda body: body["end_time"] is None)
        return None


class CronDeleteIsNoOp(Fault):
    name = "cron-delete-is-a-no-op"
    requirement = "CRON-007"
    description = "the first DELETE of each cron answers 204 and deletes nothing"

    def __init__(self) -> None:
        self.spared: set[str] = set()
        self.lock = threading.Lock()

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if request.matches("DELETE", CRON):
            with self.lock:
                if request.path not in self.spared:  # later DELETEs (the suite's cleanup) go through
                    self.spared.add(request.path)
                    return ProxyResponse(204)
        return None


class CronNeverDue(Fault):
    name = "cron-never-due"
    slow = True  # waits for a cron to fire (about a minute)
    requirement = "CRON-008"
    args = ("--budget", "thorough", "--requirement", "CRON-008")  # the slow check runs only then
    description = "a cron due every minute is stored with a yearly schedule: it never fires while the suite waits"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        body = request.json()
        if _creates_cron(request) and isinstance(body, dict) and body.get("schedule") == "* * * * *":
            body["schedule"] = "0 0 1 1 *"
            request.set_json(body)
        return None


FAULTS: list[Fault] = [
    StatelessCronStoresAnotherSchedule(), ThreadCronAnswerLosesThread(), CronSearchIgnoresThread(), CronCountOffByOne(),
    CronPatchIsNoOp(), CronPatchIgnoresNullEndTime(), CronDeleteIsNoOp(), CronNeverDue(),
]
UNREACHABLE: dict[str, str] = {}
