"""Runs on busy threads (double texting), and runs created, delayed, batched, joined and cancelled.

Everything that waits for real time (a slow run keeping its thread busy, a delayed start, a run
that must stay cancelled) is started at once by one module fixture, as scenarios on a thread
pool: a scenario only fetches and records what it saw, and each test judges its own scenario.

A run's final status is read from GET /threads/{thread_id}/runs/{run_id}, and, while that does not
show a final status, from the thread's list of runs: two reads of the same fact, so that these
requirements are judged on what the server says about the run, whichever read it answers.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

import pytest

from conformance.behaviour import TERMINAL_RUN_STATUSES, run_id_of_location
from conformance.checks import (
    SetupFailed,
    Violation,
    declared,
    expect,
    expect_status,
    not_claimed,
    not_judged,
    raise_all,
)
from conformance.cleanup import TRACKER
from conformance.errors import TargetUnavailable
from conformance.http import ApiClient, Exchange, segment
from conformance.laws_runs import declares_parameter, declares_property, webhook_problem

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.operations("POST /threads", "POST /threads/{thread_id}/runs", "GET /threads/{thread_id}/runs/{run_id}"),
]

CREATE_RUN = "POST /threads/{thread_id}/runs"
POLL = 0.1
DELAY = 2.0  # seconds the slow graph sleeps while a second run arrives on its thread
LONG = 10.0  # seconds of a run that must still be going when it is cancelled
AFTER = 2.0  # after_seconds of a delayed run
START_BOUND = 10.0  # seconds a queued run may take to start
SETTLE_BOUND = 15.0  # seconds a run may take to reach its final status


# --- reading runs -------------------------------------------------------------------------


def body_of(exchange: Exchange | None) -> dict:
    body = exchange.json_or_none() if exchange is not None else None
    return body if isinstance(body, dict) else {}


def status_of(exchange: Exchange | None) -> str | None:
    return body_of(exchange).get("status") if exchange is not None and exchange.status == 200 else None


def run_path(thread_id: str, run_id: str) -> str:
    return f"/threads/{segment(thread_id)}/runs/{segment(run_id)}"


@dataclass
class Reading:
    """What the server said about a run: GET of the run, and (when that showed no final status)
    its entry in the thread's list of runs."""

    run: Exchange
    listed: Exchange | None = None

    @property
    def status(self) -> str | None:
        """The run's final status as either read shows it (GET first), else GET's status; None: 404."""
        direct = status_of(self.run)
        if self.run.status == 404 or direct in TERMINAL_RUN_STATUSES:
            return direct
        run_id = body_of(self.run).get("run_id") or self.run.url.rstrip("/").rsplit("/", 1)[-1]
        entries = self.listed.json_or_none() if self.listed is not None and self.listed.status == 200 else None
        for entry in entries if isinstance(entries, list) else ():
            if isinstance(entry, dict) and entry.get("run_id") == run_id and entry.get("status") in TERMINAL_RUN_STATUSES:
                return entry["status"]
        return direct

    @property
    def gone(self) -> bool:
        return self.run.status == 404

    @property
    def exchange(self) -> Exchange:
        return self.run


def read(api: ApiClient, thread_id: str, run_id: str) -> Reading:
    reading = Reading(api.get(run_path(thread_id, run_id)))
    if not reading.gone and reading.status not in TERMINAL_RUN_STATUSES:
        reading.listed = api.get(f"/threads/{segment(thread_id)}/runs", params={"limit": 100})
    return reading


def wait_until(api: ApiClient, thread_id: str, run_id: str, done: Callable[[Reading], bool], bound: float) -> Reading:
    deadline = time.monotonic() + bound
    reading = read(api, thread_id, run_id)
    while not done(reading) and time.monotonic() < deadline:
        time.sleep(POLL)
        reading = read(api, thread_id, run_id)
    return reading


def settled(reading: Reading) -> bool:
    return reading.gone or reading.status in TERMINAL_RUN_STATUSES or reading.run.status not in (200, 404)


def started(reading: Reading) -> bool:
    return reading.status != "pending"


# --- scenarios: each fetches, none judges ------------------------------------------------------


@dataclass
class Scenario:
    """The exchanges and readings one scenario made, by name; `thread_id` and run ids it created."""

    thread_id: str = ""
    seen: dict[str, Any] = field(default_factory=dict)
    runs: dict[str, str] = field(default_factory=dict)  # name -> run_id

    def created(self, name: str) -> Exchange:
        """The creation exchange `name` made, or not judged (setup) when it failed."""
        exchange = self.seen.get(name)
        if not isinstance(exchange, Exchange) or not 200 <= exchange.status < 300:
            raise SetupFailed(f"creating {name.replace('_', ' ')}", exchange if isinstance(exchange, Exchange) else None)
        return exchange


def new_thread(api: ApiClient, scenario: Scenario) -> bool:
    thread = api.post("/threads", json=api.tag())
    scenario.seen["a_thread"] = thread
    scenario.thread_id = body_of(thread).get("thread_id", "")
    return 200 <= thread.status < 300 and bool(scenario.thread_id)


def start_run(api: ApiClient, scenario: Scenario, name: str, body: dict) -> bool:
    created = api.post(f"/threads/{segment(scenario.thread_id)}/runs", json=body)
    scenario.seen[name] = created
    run_id = body_of(created).get("run_id")
    if 200 <= created.status < 300 and isinstance(run_id, str) and run_id:
        scenario.runs[name] = run_id
        return True
    return False


def slow(assistants: dict[str, str], delay: float, text: str, **extra: Any) -> dict:
    return {"assistant_id": assistants["slow"], "input": {"delay": delay, "text": text}, **extra}


def double_text(api: ApiClient, assistants: dict[str, str], strategy: str) -> Scenario:
    """A slow first run; once it runs, a second run with `strategy`; both read to their ends."""
    s = Scenario()
    if not (new_thread(api, s) and start_run(api, s, "the_first_run", slow(assistants, DELAY, "first"))):
        return s
    first = s.runs["the_first_run"]
    s.seen["first_started"] = wait_until(api, s.thread_id, first, started, START_BOUND)
    start_run(api, s, "the_second_run", slow(assistants, 0, "second", multitask_strategy=strategy))
    second = s.runs.get("the_second_run")
    s.seen["first_then"] = read(api, s.thread_id, first)
    if second:
        s.seen["second_then"] = read(api, s.thread_id, second)
    s.seen["first_final"] = wait_until(api, s.thread_id, first, settled, SETTLE_BOUND)
    if second:
        s.seen["second_final"] = wait_until(api, s.thread_id, second, settled, SETTLE_BOUND)
    s.seen["state"] = api.get(f"/threads/{segment(s.thread_id)}/state")
    return s


def if_not_exists(api: ApiClient, assistants: dict[str, str]) -> Scenario:
    """A run on a thread id nobody created, with if_not_exists: create."""
    s = Scenario(thread_id=str(uuid.uuid4()))
    body = api.tag({"assistant_id": assistants["echo"], "input": {"text": "created"}, "if_not_exists": "create"})
    created = api.post(f"/threads/{segment(s.thread_id)}/runs", json=body)
    s.seen["the_run"] = created
    if 200 <= created.status < 300:
        TRACKER.add("thread", f"/threads/{segment(s.thread_id)}", api)  # the run made it: delete it at the end
    run_id = body_of(created).get("run_id")
    if isinstance(run_id, str) and run_id:
        s.runs["the_run"] = run_id
        s.seen["final"] = wait_until(api, s.thread_id, run_id, settled, SETTLE_BOUND)
    s.seen["thread"] = api.get(f"/threads/{segment(s.thread_id)}")
    return s


def batch(api: ApiClient, assistants: dict[str, str]) -> Scenario:
    """Two stateless runs in one POST /runs/batch, their threads kept so the runs can be read."""
    s = Scenario()
    texts = ["batch one", "batch two"]
    payloads = [api.tag({"assistant_id": assistants["echo"], "input": {"text": t}, "on_completion": "keep"}) for t in texts]
    created = api.post("/runs/batch", json=payloads)
    s.seen["the_batch"] = created
    s.seen["texts"] = texts
    runs = created.json_or_none() if 200 <= created.status < 300 else None
    s.seen["answered"] = runs
    readings, states = [], []
    for run in runs if isinstance(runs, list) else ():
        thread_id, run_id = (run.get("thread_id"), run.get("run_id")) if isinstance(run, dict) else (None, None)
        if not (isinstance(thread_id, str) and isinstance(run_id, str)):
            readings.append(None)
            states.append(None)
            continue
        TRACKER.add("thread", f"/threads/{segment(thread_id)}", api)
        readings.append(wait_until(api, thread_id, run_id, settled, SETTLE_BOUND))
        states.append(api.get(f"/threads/{segment(thread_id)}/state"))
    s.seen["readings"], s.seen["states"] = readings, states
    return s


def bulk_cancel(api: ApiClient, assistants: dict[str, str]) -> Scenario:
    """A long run and a second one queued behind it, both cancelled by one POST /runs/cancel."""
    s = Scenario()
    if not (new_thread(api, s) and start_run(api, s, "the_long_run", slow(assistants, LONG, "long"))):
        return s
    long_run = s.runs["the_long_run"]
    s.seen["long_started"] = wait_until(api, s.thread_id, long_run, started, START_BOUND)
    # enqueue named, not left to the default: the spec's default is enqueue, the JS server's reject.
    if not start_run(api, s, "the_queued_run", slow(assistants, 0, "queued", multitask_strategy="enqueue")):
        return s
    ids = [long_run, s.runs["the_queued_run"]]
    s.seen["cancel"] = api.post("/runs/cancel", json={"thread_id": s.thread_id, "run_ids": ids})
    s.seen["finals"] = [wait_until(api, s.thread_id, rid, settled, SETTLE_BOUND) for rid in ids]
    return s


def delayed(api: ApiClient, assistants: dict[str, str]) -> Scenario:
    """A run with after_seconds, read while it must not have started, then to its end."""
    s = Scenario()
    if not new_thread(api, s):
        return s
    sent = time.monotonic()
    if not start_run(api, s, "the_delayed_run", {"assistant_id": assistants["echo"], "input": {"text": "late"}, "after_seconds": AFTER}):
        return s
    run_id = s.runs["the_delayed_run"]
    early: list[tuple[float, Reading]] = []  # (seconds since the request was sent, by the answer's end)
    while True:
        reading = read(api, s.thread_id, run_id)
        elapsed = time.monotonic() - sent
        if elapsed >= AFTER - 0.3:
            break
        early.append((elapsed, reading))
        time.sleep(0.2)
    s.seen["early"] = early
    s.seen["final"] = wait_until(api, s.thread_id, run_id, settled, SETTLE_BOUND)
    return s


def join_and_drop(api: ApiClient, assistants: dict[str, str]) -> Scenario:
    """A long run joined with cancel_on_disconnect=true by a client that hangs up at once."""
    s = Scenario()
    if not (new_thread(api, s) and start_run(api, s, "the_long_run", slow(assistants, LONG, "joined"))):
        return s
    run_id = s.runs["the_long_run"]
    s.seen["started"] = wait_until(api, s.thread_id, run_id, started, START_BOUND)
    try:
        # Only the response's head is read; the connection is then closed: the client is gone.
        s.seen["join"] = api.get(f"{run_path(s.thread_id, run_id)}/join", params={"cancel_on_disconnect": "true"},
                                 headers_only=True, timeout=3)
    except TargetUnavailable as gave_up:  # no head in 3 s: the client hung up all the same
        s.seen["join"] = gave_up.args[0] if gave_up.args else "no answer"
    s.seen["final"] = wait_until(api, s.thread_id, run_id, settled, 5.0)
    return s


def cancelled_then_later(api: ApiClient, assistants: dict[str, str]) -> Scenario:
    """A run cancelled while it runs, read again once the time it needed has passed."""
    s = Scenario()
    if not (new_thread(api, s) and start_run(api, s, "the_run", slow(assistants, DELAY, "cancelled"))):
        return s
    run_id = s.runs["the_run"]
    s.seen["started"] = wait_until(api, s.thread_id, run_id, started, START_BOUND)
    began = time.monotonic()
    s.seen["cancel"] = api.post(f"{run_path(s.thread_id, run_id)}/cancel")
    s.seen["after_cancel"] = wait_until(api, s.thread_id, run_id, settled, SETTLE_BOUND)
    time.sleep(max(0.0, began + DELAY + 1.5 - time.monotonic()))  # past the end it would have reached
    s.seen["later"] = read(api, s.thread_id, run_id)
    s.seen["state"] = api.get(f"/threads/{segment(s.thread_id)}/state")
    return s


# Text that holds the word of an interrupt without being one.
LOOKS_LIKE_AN_INTERRUPT = json.dumps({"__interrupt__": [{"value": "not an interrupt", "id": "conformance"}]})


def wait_with_interrupt_text(api: ApiClient, assistants: dict[str, str]) -> Scenario:
    s = Scenario()
    if not new_thread(api, s):
        return s
    answer = api.post(f"/threads/{segment(s.thread_id)}/runs/wait",
                      json={"assistant_id": assistants["echo"], "input": {"text": LOOKS_LIKE_AN_INTERRUPT}}, timeout=60)
    s.seen["the_wait"] = answer
    run_id = run_id_of_location(answer.headers.get("content-location"))
    if not run_id:  # no Content-Location: the thread's one run
        listed = api.get(f"/threads/{segment(s.thread_id)}/runs")
        runs = listed.json_or_none() if listed.status == 200 else None
        run_id = runs[0].get("run_id") if isinstance(runs, list) and len(runs) == 1 and isinstance(runs[0], dict) else None
    if run_id:
        s.runs["the_wait"] = run_id
        s.seen["final"] = wait_until(api, s.thread_id, run_id, settled, SETTLE_BOUND)
    return s


SCENARIOS: dict[str, Callable[..., Scenario]] = {
    "reject": lambda api, a: double_text(api, a, "reject"),
    "enqueue": lambda api, a: double_text(api, a, "enqueue"),
    "interrupt": lambda api, a: double_text(api, a, "interrupt"),
    "rollback": lambda api, a: double_text(api, a, "rollback"),
    "if_not_exists": if_not_exists,
    "batch": batch,
    "bulk_cancel": bulk_cancel,
    "delayed": delayed,
    "join_and_drop": join_and_drop,
    "cancelled_then_later": cancelled_then_later,
    "wait": wait_with_interrupt_text,
}
# Which operations (and request fields) each scenario sends: a target whose spec lacks one does not run it.
NEEDED: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "reject": ((), ("multitask_strategy",)),
    "enqueue": ((), ("multitask_strategy",)),
    "interrupt": ((), ("multitask_strategy",)),
    "rollback": ((), ("multitask_strategy",)),
    "if_not_exists": ((), ("if_not_exists",)),
    "batch": (("POST /runs/batch",), ()),
    "bulk_cancel": (("POST /runs/cancel",), ()),
    "delayed": ((), ("after_seconds",)),
    "join_and_drop": (("GET /threads/{thread_id}/runs/{run_id}/join",), ()),
    "cancelled_then_later": (("POST /threads/{thread_id}/runs/{run_id}/cancel",), ()),
    "wait": (("POST /threads/{thread_id}/runs/wait",), ()),
}


def missing(spec: Any, name: str) -> str:
    """What the target's spec lacks for scenario `name` ('' when nothing)."""
    operations, fields = NEEDED[name]
    gaps = [label for label in operations if not declared(spec, label)]
    gaps += [f"{CREATE_RUN} field {f}" for f in fields if not declares_property(spec.document, CREATE_RUN, f)]
    return ", ".join(gaps)


@pytest.fixture(scope="module")
def scenarios(api: ApiClient, assistants: dict[str, str], spec: Any):
    """Every scenario the target's spec allows, started together (their waits overlap)."""
    with ThreadPoolExecutor(max_workers=len(SCENARIOS)) as pool:
        yield {name: pool.submit(run, api, assistants) for name, run in SCENARIOS.items() if not missing(spec, name)}
    # Threads (and any run still going) are deleted by the session's cleanup.


def scenario(scenarios: dict[str, Future], spec: Any, name: str) -> Scenario:
    gap = missing(spec, name)
    if gap:
        not_claimed(f"the spec declares no {gap}")
    return scenarios[name].result()


def reading(s: Scenario, name: str, what: str) -> Reading:
    found = s.seen.get(name)
    if not isinstance(found, Reading):
        not_judged(f"{what} was never read")
    return found


def shown(r: Reading | None) -> str:
    if r is None:
        return "(never read)"
    return "deleted (404)" if r.gone else repr(r.status)


# --- unknown threads and if_not_exists ------------------------------------------------------


@pytest.mark.requirement("RUNS-016")
@pytest.mark.operations("GET /threads/{thread_id}")
def test_a_run_on_an_unknown_thread_answers_404_and_creates_no_thread(api, assistants, spec):
    thread_id = str(uuid.uuid4())
    body = {"assistant_id": assistants["echo"], "input": {"text": "nowhere"}}
    base = f"/threads/{segment(thread_id)}/runs"
    findings: list[Violation] = []
    for suffix in ("", "/wait", "/stream"):
        label = f"POST /threads/{{thread_id}}/runs{suffix}"
        if not declared(spec, label):
            continue
        if suffix == "/stream":
            answer = api.request("POST", base + suffix, json=body, events=True, max_events=5, timeout=15)
        else:
            answer = api.post(base + suffix, json=body, timeout=15)
        if answer.status != 404:
            findings.append(Violation("RUNS-016", f"{label} on an unknown thread without if_not_exists: expected 404, "
                                      f"received {answer.status}", answer, operation=label))
    after = api.get(f"/threads/{segment(thread_id)}")
    if after.status != 404:
        if after.status == 200:
            TRACKER.add("thread", f"/threads/{segment(thread_id)}", api)
        findings.append(Violation("RUNS-016", f"reading the unknown thread after the runs: expected 404 (no thread may be "
                                  f"created), received {after.status}", after, operation="GET /threads/{thread_id}"))
    raise_all(findings)


@pytest.mark.requirement("RUNS-017")
@pytest.mark.operations("GET /threads/{thread_id}")
def test_a_run_with_if_not_exists_create_creates_its_thread_and_runs(scenarios, spec):
    s = scenario(scenarios, spec, "if_not_exists")
    created = s.seen["the_run"]
    expect_status(created, range(200, 300), "RUNS-017", "creating a run on an unknown thread with if_not_exists: create")
    expect("the_run" in s.runs, "RUNS-017", "the accepted run has no run_id", created)
    expect_status(s.seen["thread"], 200, "RUNS-017", "reading the thread the run should have created")
    final = reading(s, "final", "the run")
    expect(final.status == "success", "RUNS-017",
           f"the run on the thread it created should succeed, it reads {shown(final)}", final.exchange)


# --- double texting ---------------------------------------------------------------------------


def first_was_running(s: Scenario) -> None:
    """The first run had started before the second was created (else the scenario shows nothing)."""
    s.created("the_first_run")
    first = reading(s, "first_started", "the first run")
    if first.status != "running":
        not_judged(f"the first run was not running when the second arrived (it read {shown(first)})",
                   "a slower machine or a longer delay of the slow graph")


@pytest.mark.requirement("RUNS-018")
def test_a_second_run_with_reject_on_a_busy_thread_is_refused_and_the_first_goes_on(scenarios, spec):
    s = scenario(scenarios, spec, "reject")
    first_was_running(s)
    second = s.seen["the_second_run"]
    expect(400 <= second.status < 500 and second.status != 404, "RUNS-018",
           f"a run with multitask_strategy reject on a busy thread should be refused (4xx), received {second.status}", second)
    final = reading(s, "first_final", "the first run")
    expect(final.status == "success", "RUNS-018",
           f"the run in progress should go on to succeed after the refusal, it reads {shown(final)}", final.exchange)


@pytest.mark.requirement("RUNS-019")
def test_the_refusal_under_reject_answers_409(scenarios, spec):
    s = scenario(scenarios, spec, "reject")
    first_was_running(s)
    second = s.seen["the_second_run"]
    if not 400 <= second.status < 500:
        not_judged(f"the second run was not refused (it answered {second.status}): see RUNS-018")
    expect_status(second, 409, "RUNS-019", "refusing a run with multitask_strategy reject on a busy thread")


@pytest.mark.requirement("RUNS-020")
@pytest.mark.operations("GET /threads/{thread_id}/state")
def test_a_second_run_with_enqueue_waits_for_the_first_then_runs(scenarios, spec):
    s = scenario(scenarios, spec, "enqueue")
    first_was_running(s)
    s.created("the_second_run")
    first_then, second_then = reading(s, "first_then", "the first run"), reading(s, "second_then", "the second run")
    if first_then.status == "running":
        expect(second_then.status == "pending", "RUNS-020",
               f"while the first run runs, the enqueued run should be pending, it reads {shown(second_then)}",
               second_then.exchange)
    first, last = reading(s, "first_final", "the first run"), reading(s, "second_final", "the second run")
    expect(first.status == "success", "RUNS-020",
           f"the first run should finish undisturbed by the enqueued one, it reads {shown(first)}", first.exchange)
    expect(last.status == "success", "RUNS-020", f"the enqueued run should succeed after the first, it reads {shown(last)}",
           last.exchange)
    state = s.seen["state"]
    values = body_of(state).get("values")
    ran_last = isinstance(values, dict) and values.get("text") == "second" and values.get("echo", "second") == "second"
    expect(ran_last, "RUNS-020", f"the thread should end with the enqueued (second) run's output, its values are {values}",
           state)


@pytest.mark.requirement("RUNS-021")
def test_a_second_run_with_interrupt_stops_the_first_as_interrupted(scenarios, spec):
    s = scenario(scenarios, spec, "interrupt")
    first_was_running(s)
    s.created("the_second_run")
    first, second = reading(s, "first_final", "the first run"), reading(s, "second_final", "the second run")
    expect(first.status == "interrupted", "RUNS-021",
           f"the run in progress should end interrupted, it reads {shown(first)}", first.exchange)
    expect(second.status == "success", "RUNS-021", f"the interrupting run should succeed, it reads {shown(second)}",
           second.exchange)


@pytest.mark.requirement("RUNS-022")
def test_a_second_run_with_rollback_deletes_the_first(scenarios, spec):
    s = scenario(scenarios, spec, "rollback")
    first_was_running(s)
    s.created("the_second_run")
    first, second = reading(s, "first_final", "the first run"), reading(s, "second_final", "the second run")
    expect(first.gone, "RUNS-022",
           f"the rolled-back run should be deleted (reading it answers 404), it reads {shown(first)}", first.exchange)
    expect(second.status == "success", "RUNS-022", f"the run that rolled back the first should succeed, it reads {shown(second)}",
           second.exchange)


# --- batches, bulk cancel, delayed starts, joins --------------------------------------------------


@pytest.mark.requirement("RUNS-023")
@pytest.mark.operations("POST /runs/batch", "GET /threads/{thread_id}/state")
def test_a_batch_of_runs_answers_one_run_per_payload_and_each_runs(scenarios, spec):
    s = scenario(scenarios, spec, "batch")
    answer = s.seen["the_batch"]
    expect_status(answer, range(200, 300), "RUNS-023", "creating a batch of two runs")
    runs, texts = s.seen["answered"], s.seen["texts"]
    expect(isinstance(runs, list) and len(runs) == len(texts), "RUNS-023",
           f"a batch of {len(texts)} payloads should answer {len(texts)} runs", answer)
    ids = [r.get("run_id") if isinstance(r, dict) else None for r in runs]
    expect(all(isinstance(i, str) and i for i in ids) and len(set(ids)) == len(ids), "RUNS-023",
           f"each run of the batch should have its own run_id, received {ids}", answer)
    for number, (text, final, state) in enumerate(zip(texts, s.seen["readings"], s.seen["states"], strict=True), 1):
        expect(final is not None and final.status == "success", "RUNS-023",
               f"run {number} of the batch should succeed, it reads {shown(final)}", final.exchange if final else answer)
        values = body_of(state).get("values")
        expect(isinstance(values, dict) and values.get("text") == text, "RUNS-023",
               f"run {number} of the batch should have run its own input {text!r}, its thread's values are {values}", state)


@pytest.mark.requirement("RUNS-024")
@pytest.mark.operations("POST /runs/cancel")
def test_cancelling_runs_by_thread_and_ids_leaves_each_interrupted(scenarios, spec):
    s = scenario(scenarios, spec, "bulk_cancel")
    s.created("the_long_run")
    s.created("the_queued_run")
    long_started = reading(s, "long_started", "the long run")
    if long_started.status != "running":
        not_judged(f"the long run was not running when it was cancelled (it read {shown(long_started)})")
    cancel = s.seen["cancel"]
    expect_status(cancel, range(200, 300), "RUNS-024", "cancelling a running and a pending run (POST /runs/cancel)")
    for name, final in zip(("the running run", "the pending run"), s.seen["finals"], strict=True):
        expect(final.status == "interrupted", "RUNS-024",
               f"{name}, cancelled by POST /runs/cancel, should read interrupted, it reads {shown(final)}", final.exchange)


@pytest.mark.requirement("RUNS-025")
def test_a_run_with_after_seconds_does_not_start_before_its_delay(scenarios, spec):
    s = scenario(scenarios, spec, "delayed")
    s.created("the_delayed_run")
    early: list[tuple[float, Reading]] = s.seen.get("early") or []
    if not early:
        not_judged("the run was never read before its delay had passed", "a less loaded machine")
    for elapsed, seen in early:
        expect(seen.status == "pending", "RUNS-025",
               f"a run with after_seconds {AFTER:g} read {shown(seen)} {elapsed:.1f}s after it was created: it should "
               "still be pending", seen.exchange)
    final = reading(s, "final", "the delayed run")
    expect(final.status == "success", "RUNS-025",
           f"once its delay has passed the run should run to success, it reads {shown(final)}", final.exchange)


@pytest.mark.requirement("RUNS-026")
@pytest.mark.operations("GET /threads/{thread_id}/runs/{run_id}/join")
def test_a_client_that_drops_a_join_with_cancel_on_disconnect_cancels_the_run(scenarios, spec):
    if not declares_parameter(spec.document, "GET /threads/{thread_id}/runs/{run_id}/join", "cancel_on_disconnect"):
        not_claimed("the spec declares no cancel_on_disconnect on GET /threads/{thread_id}/runs/{run_id}/join")
    s = scenario(scenarios, spec, "join_and_drop")
    s.created("the_long_run")
    if reading(s, "started", "the long run").status != "running":
        not_judged("the long run was not running when it was joined")
    join = s.seen.get("join")
    if isinstance(join, Exchange):
        expect(join.status == 200, "RUNS-026", f"joining the run answered {join.status}", join)
    final = reading(s, "final", "the joined run")
    expect(final.status == "interrupted", "RUNS-026",
           f"after the client that joined with cancel_on_disconnect=true hung up, the run should be cancelled "
           f"(interrupted); {LONG:g}s before its end it reads {shown(final)}", final.exchange)


@pytest.mark.requirement("RUNS-027")
@pytest.mark.operations("POST /threads/{thread_id}/runs/{run_id}/cancel", "GET /threads/{thread_id}/state")
def test_a_cancelled_run_stays_cancelled(scenarios, spec):
    s = scenario(scenarios, spec, "cancelled_then_later")
    s.created("the_run")
    if reading(s, "started", "the run").status != "running":
        not_judged("the run was not running when it was cancelled")
    cancel = s.seen["cancel"]
    after = reading(s, "after_cancel", "the cancelled run")
    if not (200 <= cancel.status < 300 and after.status == "interrupted"):
        not_judged(f"cancelling the run did not leave it interrupted (cancel answered {cancel.status}, the run reads "
                   f"{shown(after)}): see RUNS-004")
    later = reading(s, "later", "the cancelled run")
    expect(later.status == "interrupted", "RUNS-027",
           f"once the time the run needed had passed, the cancelled run reads {shown(later)}: it should stay interrupted",
           later.exchange)
    state = s.seen["state"]
    values = body_of(state).get("values")
    expect(not (isinstance(values, dict) and values.get("echo") == "cancelled"), "RUNS-027",
           f"the cancelled run's node output reached the thread's state: {values}", state)


@pytest.mark.requirement("RUNS-028")
@pytest.mark.operations("POST /threads/{thread_id}/runs/wait")
def test_waiting_for_a_run_answers_its_values_even_when_they_mention_interrupt(scenarios, spec):
    s = scenario(scenarios, spec, "wait")
    s.created("a_thread")
    answer = s.seen["the_wait"]
    expect_status(answer, 200, "RUNS-028", "waiting for a run whose state holds the text __interrupt__")
    want = {"text": LOOKS_LIKE_AN_INTERRUPT, "echo": LOOKS_LIKE_AN_INTERRUPT, "history": [LOOKS_LIKE_AN_INTERRUPT]}
    got = answer.json_or_none()
    expect(got == want, "RUNS-028",
           f"the answer should be the graph's final values {want}, received {got}: a value that contains "
           "`__interrupt__` is not an interrupt", answer)
    final = reading(s, "final", "the run")
    expect(final.status == "success", "RUNS-028", f"the run should read success, it reads {shown(final)}", final.exchange)


# --- webhooks -----------------------------------------------------------------------------------


class Receiver:
    """A webhook receiver on 127.0.0.1 (an ephemeral port), recording every POST's JSON body."""

    def __init__(self) -> None:
        self.calls: list[Any] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(min(length, 4 * 1024 * 1024)) if length else b""
                try:
                    body: Any = json.loads(raw)
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                with receiver.lock:
                    receiver.calls.append(body)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/conformance-webhook/{uuid.uuid4().hex}"

    def received(self, bound: float, quiet: float = 1.0) -> list[Any]:
        """The calls once one has come (or `bound` passed), and `quiet` seconds more for a repeat."""
        deadline = time.monotonic() + bound
        while time.monotonic() < deadline and not self.calls:
            time.sleep(POLL)
        time.sleep(quiet)
        with self.lock:
            return list(self.calls)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def receiver():
    hook = Receiver()
    yield hook
    hook.close()


@pytest.mark.requirement("RUNS-029")
def test_a_runs_webhook_is_called_once_after_it_ends(api, assistants, spec, receiver):
    if not declares_property(spec.document, CREATE_RUN, "webhook"):
        not_claimed(f"the spec declares no webhook on {CREATE_RUN}")
    s = Scenario()
    if not new_thread(api, s):
        s.created("a_thread")
    created = api.post(f"/threads/{segment(s.thread_id)}/runs",
                       json={"assistant_id": assistants["echo"], "input": {"text": "hooked"}, "webhook": receiver.url})
    if 400 <= created.status < 500 and created.status != 404:
        not_claimed(f"the deployment refuses a webhook on a loopback address (it answered {created.status}: SSRF "
                    "protection); set [target] webhooks_to_loopback = false in its profile, or allow loopback webhooks "
                    "(langgraph-api: webhooks.url.disable_loopback = false) to judge webhooks")
    expect_status(created, range(200, 300), "RUNS-029", "creating a run with a webhook")
    run_id = body_of(created).get("run_id", "")
    expect(isinstance(run_id, str) and run_id, "RUNS-029", "the run created with a webhook has no run_id", created)
    final = wait_until(api, s.thread_id, run_id, settled, SETTLE_BOUND)
    if final.status not in TERMINAL_RUN_STATUSES:
        not_judged(f"the run never ended (it reads {shown(final)})")
    calls = receiver.received(bound=10.0)
    problem = webhook_problem(calls, run_id, s.thread_id)
    expect(not problem, "RUNS-029", f"after the run ended ({final.status}): {problem}", created,
           f"calls received: {json.dumps(calls)[:600]}")
    told = calls[0].get("status")
    expect(told == final.status, "RUNS-029", f"the webhook says the run ended {told!r}, the run reads {final.status!r}",
           final.exchange)
