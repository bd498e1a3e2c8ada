"""Runs, threads and their state: what a run does to a thread, seen through the API.

Runs are slow to start (a server's queue picks them up on its own schedule), so every run the
module needs is launched at once by one fixture and the tests then look at the results. Fixtures
only fetch; every judgement is made in a test, under that test's own requirement.
"""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable

import pytest

from conformance.behaviour import TERMINAL_RUN_STATUSES, newest_first
from conformance.checks import SetupFailed, expect, expect_status, violate
from conformance.http import ApiClient, Exchange, segment

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.operations("POST /threads", "GET /threads/{thread_id}"),
]

POLL_INTERVAL = 0.1
SETTLE_BOUND = 3.0  # seconds a finished or cancelled run may take to show its final status
SLOW_DELAY = 30  # seconds the `slow` graph sleeps: far longer than the module takes to reach cancel


@dataclass
class Launched:
    """A thread and the run started on it (either may have failed to be created)."""

    thread: Exchange
    run: Exchange | None = None

    @property
    def thread_id(self) -> str:
        return (self.thread.json_or_none() or {}).get("thread_id", "")

    @property
    def run_id(self) -> str:
        return ((self.run.json_or_none() if self.run else None) or {}).get("run_id", "")

    def require(self, requirement: str) -> None:
        """The thread and its run were made, or the requirement is not judged (setup failed)."""
        if not (200 <= self.thread.status < 300 and self.thread_id):
            raise SetupFailed("creating a thread", self.thread)
        if self.run is not None and not (200 <= self.run.status < 300 and self.run_id):
            raise SetupFailed("creating a run on the thread", self.run)

    @property
    def run_path(self) -> str:
        return f"/threads/{segment(self.thread_id)}/runs/{segment(self.run_id)}"


def launch(api: ApiClient, body: dict[str, Any] | None) -> Launched:
    thread = api.post("/threads", json=api.tag())
    launched = Launched(thread)
    if body is not None and 200 <= thread.status < 300 and launched.thread_id:
        launched.run = api.post(f"/threads/{segment(launched.thread_id)}/runs", json=body)
    return launched


def poll(fetch: Callable[[], Exchange], done: Callable[[Exchange], bool], bound: float = SETTLE_BOUND) -> Exchange:
    """`fetch` until `done` or `bound` seconds have passed; the last exchange either way."""
    deadline = time.monotonic() + bound
    exchange = fetch()
    while not done(exchange) and time.monotonic() < deadline:
        time.sleep(POLL_INTERVAL)
        exchange = fetch()
    return exchange


def field(exchange: Exchange, name: str) -> Any:
    body = exchange.json_or_none()
    return body.get(name) if isinstance(body, dict) else None


def settled(exchange: Exchange) -> bool:
    return exchange.status != 200 or field(exchange, "status") in TERMINAL_RUN_STATUSES


# The echo graph's final state for the input the module sends (the conformance graphs' contract).
EXPECTED_FINAL = {"text": "alpha", "echo": "alpha", "history": ["alpha"]}


@pytest.fixture(scope="module")
def expected_final() -> dict:
    return EXPECTED_FINAL


@pytest.fixture(scope="module")
def stateless(api: ApiClient, assistants: dict[str, str]):
    """A stateless run (POST /runs/wait), answered in the background while the other tests go on."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        yield pool.submit(
            api.post, "/runs/wait", json={"assistant_id": assistants["echo"], "input": {"text": "stateless"}}, timeout=60,
        )


@pytest.fixture(scope="module")
def launched(api: ApiClient, assistants: dict[str, str], stateless: Future) -> dict[str, Launched]:
    """Every thread and run of the module, started together so that their queue waits overlap."""
    return {
        "echo": launch(api, {"assistant_id": assistants["echo"], "input": {"text": "alpha"}}),
        "doomed": launch(api, {"assistant_id": assistants["echo"], "input": {"text": "doomed"}}),
        "fail": launch(api, {"assistant_id": assistants["fail"], "input": {}}),
        "slow": launch(api, {"assistant_id": assistants["slow"], "input": {"delay": SLOW_DELAY}}),
        "interrupt": launch(api, {"assistant_id": assistants["interrupt"], "input": {"text": "ask"}}),
    }
    # Threads (and with them any run still going) are deleted by the session's cleanup.


@pytest.fixture(scope="module")
def echo_joined(api: ApiClient, launched: dict[str, Launched]) -> Exchange | None:
    echo = launched["echo"]
    if not echo.run_id:
        return None
    return api.get(f"{echo.run_path}/join", timeout=60)


def final_values(requirement: str, echo_joined: Exchange | None, expected_final: dict) -> dict:
    """What the echo run's state must be: known in advance (the conformance graphs' contract)."""
    return expected_final


# --- runs ---------------------------------------------------------------------------------


@pytest.mark.requirement("RUNS-001")
@pytest.mark.operations("POST /threads/{thread_id}/runs", "GET /threads/{thread_id}/runs/{run_id}/join")
def test_joining_a_run_returns_the_graphs_final_state(launched, echo_joined, expected_final):
    launched["echo"].require("RUNS-001")
    expect_status(echo_joined, 200, "RUNS-001", "joining the run")
    state = echo_joined.json_or_none()
    expect(isinstance(state, dict), "RUNS-001", "joining the run: expected the final state as a JSON object", echo_joined)
    if expected_final is not None and state != expected_final:
        violate("RUNS-001", f"joining the echo run: expected the final state {expected_final}, received {state}", echo_joined)


@pytest.mark.requirement("RUNS-002")
@pytest.mark.operations("POST /threads/{thread_id}/runs", "GET /threads/{thread_id}/runs/{run_id}", "GET /threads/{thread_id}/runs/{run_id}/join")
def test_a_run_is_pending_or_running_when_created_and_success_once_finished(api, launched, echo_joined):
    echo = launched["echo"]
    echo.require("RUNS-002")
    created = field(echo.run, "status")
    expect(created in ("pending", "running"), "RUNS-002",
           f"a new run's status should be pending or running, received {created!r}", echo.run)
    expect(echo_joined is not None and echo_joined.status == 200, "RUNS-002", "joining the run failed", echo_joined)
    final = poll(lambda: api.get(echo.run_path), settled)
    expect_status(final, 200, "RUNS-002", "reading the finished run")
    expect(field(final, "status") == "success", "RUNS-002",
           f"a run that finished should read status 'success', received {field(final, 'status')!r}", final)


@pytest.mark.requirement("RUNS-003")
@pytest.mark.operations("POST /threads/{thread_id}/runs", "GET /threads/{thread_id}/runs/{run_id}")
def test_a_run_whose_graph_raises_ends_with_status_error(api, launched):
    failing = launched["fail"]
    failing.require("RUNS-003")
    api.get(f"{failing.run_path}/join", timeout=60)
    final = poll(lambda: api.get(failing.run_path), settled)
    expect_status(final, 200, "RUNS-003", "reading the failed run")
    expect(field(final, "status") == "error", "RUNS-003",
           f"a run whose graph raised should read status 'error', received {field(final, 'status')!r}", final)


@pytest.mark.requirement("RUNS-004")
@pytest.mark.operations("POST /threads/{thread_id}/runs", "POST /threads/{thread_id}/runs/{run_id}/cancel", "GET /threads/{thread_id}/runs/{run_id}")
def test_cancelling_a_running_run_stops_it_as_interrupted(api, launched):
    slow = launched["slow"]
    slow.require("RUNS-004")
    # Cancel once it runs (a pending run may also be cancelled, so a slow queue is no failure).
    poll(lambda: api.get(slow.run_path), lambda e: field(e, "status") != "pending")
    # wait=1, as the SDK sends it (a server may read the flag as an integer, e.g. Aegra).
    cancelled = api.post(f"{slow.run_path}/cancel", params={"wait": 1}, timeout=30)
    expect_status(cancelled, range(200, 300), "RUNS-004", "cancelling a running run with wait=1")
    final = poll(lambda: api.get(slow.run_path), settled)
    expect_status(final, 200, "RUNS-004", "reading the cancelled run")
    expect(field(final, "status") == "interrupted", "RUNS-004",
           f"a cancelled run should read status 'interrupted', received {field(final, 'status')!r}", final)


@pytest.mark.requirement("RUNS-005")
@pytest.mark.operations("POST /threads/{thread_id}/runs", "GET /threads/{thread_id}/runs")
def test_the_list_of_a_threads_runs_contains_its_run(api, launched):
    echo = launched["echo"]
    echo.require("RUNS-005")
    listed = api.get(f"/threads/{segment(echo.thread_id)}/runs")
    expect_status(listed, 200, "RUNS-005", "listing the thread's runs")
    runs = listed.json_or_none()
    expect(isinstance(runs, list), "RUNS-005", "listing the thread's runs: expected a JSON array", listed)
    ids = [r.get("run_id") for r in runs if isinstance(r, dict)]
    expect(echo.run_id in ids, "RUNS-005", f"the thread's runs {ids} lack the run {echo.run_id} created on it", listed)


@pytest.mark.requirement("RUNS-006")
@pytest.mark.operations("POST /threads/{thread_id}/runs", "DELETE /threads/{thread_id}/runs/{run_id}", "GET /threads/{thread_id}/runs/{run_id}")
def test_a_deleted_run_reads_404(api, launched):
    doomed = launched["doomed"]
    doomed.require("RUNS-006")
    api.get(f"{doomed.run_path}/join", timeout=60)
    deleted = api.delete(doomed.run_path)
    expect_status(deleted, range(200, 300), "RUNS-006", "deleting a finished run")
    after = api.get(doomed.run_path)
    expect_status(after, 404, "RUNS-006", "reading a run after deleting it")


# --- thread state -------------------------------------------------------------------------


@pytest.mark.requirement("RUNS-007")
@pytest.mark.operations("POST /threads/{thread_id}/runs", "GET /threads/{thread_id}/state")
def test_a_threads_state_holds_the_final_values_of_its_last_run(api, launched, echo_joined, expected_final):
    echo = launched["echo"]
    echo.require("RUNS-007")
    want = final_values("RUNS-007", echo_joined, expected_final)
    state = api.get(f"/threads/{segment(echo.thread_id)}/state")
    expect_status(state, 200, "RUNS-007", "reading the thread's state")
    values = field(state, "values")
    expect(values == want, "RUNS-007", f"the thread's state values should be the run's final state {want}, received {values}", state)


@pytest.mark.requirement("RUNS-008")
@pytest.mark.operations("POST /threads/{thread_id}/runs")
def test_a_threads_status_is_idle_once_its_run_succeeded(api, launched, echo_joined):
    echo = launched["echo"]
    echo.require("RUNS-008")
    expect(echo_joined is not None and echo_joined.status == 200, "RUNS-008", "joining the run failed", echo_joined)
    thread = poll(lambda: api.get(f"/threads/{segment(echo.thread_id)}"), lambda e: field(e, "status") == "idle")
    expect_status(thread, 200, "RUNS-008", "reading the thread")
    expect(field(thread, "status") == "idle", "RUNS-008",
           f"a thread whose run succeeded should be 'idle', received {field(thread, 'status')!r}", thread)


@pytest.fixture(scope="module")
def interrupted(api: ApiClient, launched: dict[str, Launched]) -> dict[str, Exchange]:
    """The interrupt graph's thread, read once its run has paused (before anything resumes it)."""
    run = launched["interrupt"]
    if not run.run_id:
        return {}
    joined = api.get(f"{run.run_path}/join", timeout=60)
    return {
        "joined": joined,
        "thread": api.get(f"/threads/{segment(run.thread_id)}"),
        "state": api.get(f"/threads/{segment(run.thread_id)}/state"),
    }


@pytest.mark.requirement("RUNS-009")
@pytest.mark.operations("POST /threads/{thread_id}/runs", "GET /threads/{thread_id}/state")
def test_a_run_that_reaches_interrupt_leaves_its_thread_interrupted(launched, interrupted):
    launched["interrupt"].require("RUNS-009")
    thread, state = interrupted["thread"], interrupted["state"]
    expect_status(thread, 200, "RUNS-009", "reading the interrupted thread")
    expect(field(thread, "status") == "interrupted", "RUNS-009",
           f"a thread paused by interrupt() should be 'interrupted', received {field(thread, 'status')!r}", thread)
    expect_status(state, 200, "RUNS-009", "reading the interrupted thread's state")
    expect(field(state, "next") == ["ask_human"], "RUNS-009",
           f"the paused thread's state should name the waiting node in next (['ask_human']), received {field(state, 'next')!r}", state)


@pytest.fixture(scope="module")
def resumed(api: ApiClient, launched: dict[str, Launched], interrupted: dict[str, Exchange], assistants: dict[str, str]) -> dict[str, Exchange]:
    run = launched["interrupt"]
    if not interrupted:
        return {}
    answer = api.post(
        f"/threads/{segment(run.thread_id)}/runs/wait",
        json={"assistant_id": assistants["interrupt"], "command": {"resume": "approved by the suite"}}, timeout=60,
    )
    return {"answer": answer, "state": api.get(f"/threads/{segment(run.thread_id)}/state")}


@pytest.mark.requirement("RUNS-010")
@pytest.mark.operations("POST /threads/{thread_id}/runs/wait", "GET /threads/{thread_id}/state")
def test_a_resume_command_runs_an_interrupted_thread_to_completion(launched, resumed):
    launched["interrupt"].require("RUNS-010")
    answer, state = resumed["answer"], resumed["state"]
    expect_status(answer, 200, "RUNS-010", "resuming the thread with command.resume (POST .../runs/wait)")
    output = answer.json_or_none()
    expect(isinstance(output, dict) and output.get("approved") == "approved by the suite", "RUNS-010",
           "the resumed run's output should hold the resume value in `approved`", answer)
    expect_status(state, 200, "RUNS-010", "reading the resumed thread's state")
    expect(field(state, "next") == [], "RUNS-010",
           f"after resuming to the end no node should be left in next, received {field(state, 'next')!r}", state)


@pytest.mark.requirement("RUNS-011")
@pytest.mark.operations("POST /runs/wait")
def test_a_stateless_run_returns_the_graphs_final_output(stateless):
    answer = stateless.result()
    expect_status(answer, 200, "RUNS-011", "a stateless run (POST /runs/wait)")
    output = answer.json_or_none()
    expect(isinstance(output, dict), "RUNS-011", "a stateless run: expected the final output as a JSON object", answer)
    if output.get("echo") != "stateless":
        violate("RUNS-011", f"the echo graph's output should echo 'stateless', received {output}", answer)


@pytest.mark.requirement("RUNS-012")
@pytest.mark.operations("POST /threads/{thread_id}/runs", "GET /threads/{thread_id}/history")
def test_a_threads_history_lists_its_checkpoints_newest_first(api, launched, echo_joined, expected_final):
    echo = launched["echo"]
    echo.require("RUNS-012")
    want = final_values("RUNS-012", echo_joined, expected_final)
    # An explicit limit: langgraph-api 0.16.7 answers one entry without it although its spec says 10.
    history = api.get(f"/threads/{segment(echo.thread_id)}/history", params={"limit": 10})
    expect_status(history, 200, "RUNS-012", "reading the thread's history")
    entries = history.json_or_none()
    expect(isinstance(entries, list) and len(entries) >= 2, "RUNS-012",
           "a thread that ran a graph should have at least two checkpoints (input and result)", history)
    ordered, detail = newest_first(entries)
    expect(ordered, "RUNS-012", "the history is not newest first", history, detail)
    first = entries[0].get("values")
    expect(first == want, "RUNS-012", f"the newest checkpoint should hold the current state {want}, received {first}", history)


# --- threads ------------------------------------------------------------------------------


@pytest.mark.requirement("RUNS-013")
@pytest.mark.operations("PATCH /threads/{thread_id}")
def test_patching_a_threads_metadata_takes_effect(api):
    thread = launch(api, None)
    thread.require("RUNS-013")
    patched = api.patch(f"/threads/{segment(thread.thread_id)}", json={"metadata": {"conformance_patched": "yes"}})
    expect_status(patched, 200, "RUNS-013", "patching the thread's metadata")
    after = api.get(f"/threads/{segment(thread.thread_id)}")
    expect_status(after, 200, "RUNS-013", "reading the patched thread")
    metadata = field(after, "metadata") or {}
    expect(metadata.get("conformance_patched") == "yes", "RUNS-013",
           f"after PATCH the thread's metadata should hold conformance_patched: yes, received {metadata}", after)


@pytest.mark.requirement("RUNS-014")
@pytest.mark.operations("DELETE /threads/{thread_id}")
def test_a_deleted_thread_reads_404(api):
    thread = launch(api, None)
    thread.require("RUNS-014")
    deleted = api.delete(f"/threads/{segment(thread.thread_id)}")
    expect_status(deleted, range(200, 300), "RUNS-014", "deleting the thread")
    after = api.get(f"/threads/{segment(thread.thread_id)}")
    expect_status(after, 404, "RUNS-014", "reading a thread after deleting it")


@pytest.mark.requirement("RUNS-015")
@pytest.mark.operations("POST /threads/{thread_id}/copy", "GET /threads/{thread_id}/state")
def test_copying_a_thread_copies_its_state(api, launched, echo_joined):
    echo = launched["echo"]
    echo.require("RUNS-015")
    expect(echo_joined is not None and echo_joined.status == 200, "RUNS-015", "joining the run failed", echo_joined)
    copied = api.post(f"/threads/{segment(echo.thread_id)}/copy")
    expect_status(copied, 200, "RUNS-015", "copying the thread")
    copy_id = field(copied, "thread_id")
    expect(isinstance(copy_id, str) and copy_id != echo.thread_id, "RUNS-015",
           "the copy should be a new thread with its own thread_id", copied)
    original = api.get(f"/threads/{segment(echo.thread_id)}/state")
    copy = api.get(f"/threads/{copy_id}/state")
    expect_status(copy, 200, "RUNS-015", "reading the copy's state")
    expect(field(copy, "values") == field(original, "values"), "RUNS-015",
           f"the copy's state values {field(copy, 'values')} differ from the original's {field(original, 'values')}", copy)
