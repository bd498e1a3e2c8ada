"""Threads: creation, if_exists, metadata, state updates, checkpoints, history pages, copy, prune, status.

Runs are slow to start, so the threads that need one run it at once: the slow run (a few seconds,
to see a thread busy) is started by the module's first test and judged again by its last; the
echo, interrupt and fail runs are made together by one fixture. Fixtures only fetch; every
judgement is made in a test, under that test's own requirement. RUNS-007..015 judge what a run
leaves in a thread; these judge the rest.
"""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

import pytest

from conformance.checks import (
    SetupFailed,
    Violation,
    expect,
    expect_status,
    not_claimed,
    not_judged,
    raise_all,
    require,
    require_json,
    violate,
)
from conformance.http import ApiClient, Exchange, segment
from conformance.laws_threads import before_forms, body_declares, checkpoint_id_of, declares_header, differences, pages_tile

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.operations("POST /threads", "GET /threads/{thread_id}"),
]

POLL_INTERVAL = 0.1
SETTLE_BOUND = 3.0  # seconds a finished run may take to show in its thread's status
SLOW_DELAY = 5  # seconds the slow run sleeps: long enough to see its thread busy, short enough to wait out
HISTORY_LIMIT = 10  # always sent: langgraph-api 0.16.7 answers one entry without it (its spec says 10)
PAGE = 2  # the page size the history walks use

# The echo graph's state after a run on {"text": "alpha"}, and after the module's update of `text`.
ECHO_FINAL = {"text": "alpha", "echo": "alpha", "history": ["alpha"]}
ECHO_UPDATED = {**ECHO_FINAL, "text": "updated"}


def field(exchange: Exchange | None, name: str) -> Any:
    found = exchange.json_or_none() if exchange is not None else None
    return found.get(name) if isinstance(found, dict) else None


def tpath(thread_id: str, tail: str = "") -> str:
    return f"/threads/{segment(thread_id)}{tail}"


def poll(fetch: Callable[[], Exchange], done: Callable[[Exchange], bool], bound: float = SETTLE_BOUND) -> Exchange:
    """`fetch` until `done` or `bound` seconds have passed; the last exchange either way."""
    deadline = time.monotonic() + bound
    exchange = fetch()
    while not done(exchange) and time.monotonic() < deadline:
        time.sleep(POLL_INTERVAL)
        exchange = fetch()
    return exchange


def new_thread(api: ApiClient, what: str, **payload: Any) -> str:
    return require_json(api.post("/threads", json=api.tag(payload)), what, "thread_id")


def history(api: ApiClient, thread_id: str) -> Exchange:
    return api.get(tpath(thread_id, "/history"), params={"limit": HISTORY_LIMIT})


def entries_of(exchange: Exchange, what: str) -> list[dict]:
    """A history read by a setup step: its entries, or the requirement is not judged."""
    require(exchange, what)
    found = exchange.json_or_none()
    if not isinstance(found, list):
        raise SetupFailed(f"{what} (its answer is no JSON array)", exchange, "a JSON array")
    return [e for e in found if isinstance(e, dict)]


def ids_of(entries: list[dict]) -> list[str | None]:
    return [checkpoint_id_of(e) for e in entries]


# --- status: busy while a run is in flight (first test), idle once it is over (last test) -----


@pytest.fixture(scope="module")
def slow(api: ApiClient, assistants: dict[str, str]) -> dict[str, Any]:
    """A thread with a slow run, read right after the run was created (while it is in flight)."""
    thread_id = new_thread(api, "creating a thread for a slow run")
    run = api.post(tpath(thread_id, "/runs"), json={"assistant_id": assistants["slow"], "input": {"delay": SLOW_DELAY, "text": "slow"}})
    run_id = require_json(run, "starting a slow run on the thread", "run_id")
    run_path = tpath(thread_id, f"/runs/{segment(run_id)}")
    during = api.get(tpath(thread_id))
    return {"thread_id": thread_id, "run_path": run_path, "during": during, "run_during": api.get(run_path)}


@pytest.mark.requirement("THREAD-014")
@pytest.mark.operations("POST /threads/{thread_id}/runs", "GET /threads/{thread_id}/runs/{run_id}")
def test_a_thread_is_busy_while_its_run_is_in_flight(slow):
    run_status = field(slow["run_during"], "status")
    if run_status not in ("pending", "running"):
        not_judged(f"the slow run was {run_status!r} by the time its thread had been read",
                   "a deployment whose queue starts and finishes a 5 s run within one request would need a longer delay")
    during = slow["during"]
    expect_status(during, 200, "THREAD-014", "reading the thread while its run is in flight")
    expect(field(during, "status") == "busy", "THREAD-014",
           f"a thread whose run is {run_status} should be 'busy', read {field(during, 'status')!r}", during)


# --- creation and if_exists -------------------------------------------------------------------


@pytest.mark.requirement("THREAD-001")
def test_a_thread_created_without_an_id_gets_a_fresh_one_and_starts_idle(api):
    metadata = {"conformance_case": "no id", "nested": {"n": 1}}
    made = [api.post("/threads", json=api.tag({"metadata": metadata})) for _ in range(2)]
    for answer in made:
        expect_status(answer, 200, "THREAD-001", "creating a thread without a thread_id")
    ids = [field(answer, "thread_id") for answer in made]
    expect(all(isinstance(i, str) and i for i in ids) and ids[0] != ids[1], "THREAD-001",
           f"two threads created without an id should get two distinct ids, got {ids}", made[1])
    findings: list[Violation] = []
    for thread_id, answer in zip(ids, made, strict=True):
        read = api.get(tpath(thread_id))
        if read.status != 200:
            findings.append(Violation("THREAD-001", f"reading a new thread by its id answered {read.status}, not 200", read))
            continue
        for exchange, what in ((answer, "the creation's answer"), (read, "the thread read back")):
            for problem in differences(exchange.json_or_none(), {"thread_id": thread_id, "status": "idle", "metadata": metadata}):
                findings.append(Violation("THREAD-001", f"{what}: {problem}", exchange))
    raise_all(findings)


@pytest.mark.requirement("THREAD-002")
def test_a_thread_created_with_an_id_has_that_id(api):
    thread_id = str(uuid.uuid4())
    answer = api.post("/threads", json=api.tag({"thread_id": thread_id}))
    expect_status(answer, 200, "THREAD-002", "creating a thread with a thread_id")
    expect(field(answer, "thread_id") == thread_id, "THREAD-002",
           f"a thread created with the id {thread_id} was answered with the id {field(answer, 'thread_id')!r}", answer)
    read = api.get(tpath(thread_id))
    expect_status(read, 200, "THREAD-002", "reading the thread by the id it was created with")
    expect(field(read, "thread_id") == thread_id, "THREAD-002", f"reading {thread_id} answered another thread", read)


@pytest.mark.requirement("THREAD-003")
def test_creating_a_thread_with_an_existing_id_answers_409(api):
    thread_id = new_thread(api, "creating the thread", thread_id=str(uuid.uuid4()), metadata={"conformance_case": "first"})
    findings: list[Violation] = []
    for extra in ({}, {"if_exists": "raise"}):
        again = api.post("/threads", json=api.tag({"thread_id": thread_id, "metadata": {"conformance_case": "second"}, **extra}))
        if again.status != 409:
            how = f"with if_exists {extra['if_exists']!r}" if extra else "without if_exists"
            findings.append(Violation("THREAD-003", f"creating a thread with an existing id {how}: expected 409, received {again.status}", again))
    read = api.get(tpath(thread_id))
    if field(read, "metadata") is None or field(read, "metadata").get("conformance_case") != "first":
        findings.append(Violation("THREAD-003", "after the refused duplicates the thread's metadata should still read "
                                                f"conformance_case: first, read {field(read, 'metadata')}", read))
    raise_all(findings)


@pytest.mark.requirement("THREAD-004")
def test_creating_a_thread_with_an_existing_id_and_do_nothing_answers_the_existing_thread(api):
    thread_id = new_thread(api, "creating the thread", thread_id=str(uuid.uuid4()), metadata={"conformance_case": "first"})
    again = api.post("/threads", json=api.tag({"thread_id": thread_id, "if_exists": "do_nothing",
                                               "metadata": {"conformance_case": "second"}}))
    expect_status(again, 200, "THREAD-004", "creating a thread with an existing id and if_exists do_nothing")
    findings: list[Violation] = []
    read = api.get(tpath(thread_id))
    for exchange, what in ((again, "the answer to do_nothing"), (read, "the thread read afterwards")):
        for problem in differences(exchange.json_or_none(), {"thread_id": thread_id, "metadata": {"conformance_case": "first"}}):
            findings.append(Violation("THREAD-004", f"{what}: {problem}", exchange))
    raise_all(findings)


@pytest.mark.requirement("THREAD-005")
@pytest.mark.operations("PATCH /threads/{thread_id}")
def test_patching_a_threads_metadata_merges_it(api):
    thread_id = new_thread(api, "creating the thread", metadata={"conformance_keep": "original", "conformance_change": "before"})
    patched = api.patch(tpath(thread_id), json={"metadata": {"conformance_change": "after", "conformance_add": "new"}})
    expect_status(patched, 200, "THREAD-005", "patching the thread's metadata")
    merged = {"conformance_keep": "original", "conformance_change": "after", "conformance_add": "new"}
    read = api.get(tpath(thread_id))
    expect_status(read, 200, "THREAD-005", "reading the patched thread")
    findings = [Violation("THREAD-005", f"{what}: {problem}", exchange)
                for exchange, what in ((patched, "the PATCH's answer"), (read, "the thread read after PATCH"))
                for problem in differences(field(exchange, "metadata"), merged, "metadata")]
    raise_all(findings)


# --- threads that ran a graph -----------------------------------------------------------------


@pytest.fixture(scope="module")
def ran(api: ApiClient, assistants: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Threads that ran the echo, interrupt and fail graphs to their end (runs/wait), made together."""

    def one(kind: str, payload: dict) -> dict[str, Any]:
        thread = api.post("/threads", json=api.tag())
        thread_id = field(thread, "thread_id") or ""
        answer = None
        if thread.status == 200 and thread_id:
            answer = api.post(tpath(thread_id, "/runs/wait"), json={"assistant_id": assistants[kind], "input": payload}, timeout=60)
        return {"thread": thread, "id": thread_id, "answer": answer}

    inputs = {"echo": {"text": "alpha"}, "interrupt": {"text": "ask"}, "fail": {}}
    with ThreadPoolExecutor(max_workers=len(inputs)) as pool:
        futures = {kind: pool.submit(one, kind, payload) for kind, payload in inputs.items()}
        return {kind: future.result() for kind, future in futures.items()}


def thread_that_ran(ran: dict[str, dict[str, Any]], kind: str) -> str:
    made = ran[kind]
    require(made["thread"], f"creating a thread for the {kind} run")
    if made["answer"] is None:
        raise SetupFailed(f"creating a thread for the {kind} run (no thread_id)", made["thread"])
    require(made["answer"], f"running the {kind} graph on the thread (POST .../runs/wait)")
    return made["id"]


@pytest.fixture(scope="module")
def updated(api: ApiClient, ran: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The echo thread's history, a state update of its `text`, then its state and history again."""
    thread_id = thread_that_ran(ran, "echo")
    before = history(api, thread_id)
    update = api.post(tpath(thread_id, "/state"), json={"values": {"text": "updated"}, "as_node": "copy_text"})
    return {"id": thread_id, "before": before, "update": update, "state": api.get(tpath(thread_id, "/state")),
            "after": history(api, thread_id)}


@pytest.mark.requirement("THREAD-006")
@pytest.mark.operations("POST /threads/{thread_id}/state", "GET /threads/{thread_id}/state", "GET /threads/{thread_id}/history")
def test_updating_a_threads_state_adds_one_checkpoint_with_the_new_values(updated):
    before = entries_of(updated["before"], "reading the history before the update")
    expect_status(updated["update"], 200, "THREAD-006", "updating the thread's state (values {text: updated}, as_node copy_text)")
    state = updated["state"]
    expect_status(state, 200, "THREAD-006", "reading the state after the update")
    expect(field(state, "values") == ECHO_UPDATED, "THREAD-006",
           f"after the update the state's values should be {ECHO_UPDATED}, read {field(state, 'values')}", state)
    after_exchange = updated["after"]
    expect_status(after_exchange, 200, "THREAD-006", "reading the history after the update")
    after = [e for e in after_exchange.json_or_none() or [] if isinstance(e, dict)]
    expect(len(after) == len(before) + 1, "THREAD-006",
           f"the history held {len(before)} checkpoints before the update and {len(after)} after it, not one more", after_exchange)
    expect(ids_of(after[1:]) == ids_of(before), "THREAD-006",
           "under the update's checkpoint the history should be the one before the update, unchanged", after_exchange)
    newest = checkpoint_id_of(after[0])
    expect(after[0].get("values") == ECHO_UPDATED and newest == checkpoint_id_of(state.json()), "THREAD-006",
           "the newest history entry should be the update's checkpoint, the one the state reads", after_exchange)
    answered = checkpoint_id_of(updated["update"].json_or_none())
    expect(answered in (None, newest), "THREAD-006",
           f"the update answered the checkpoint {answered}, but the history's newest is {newest}", updated["update"])


@pytest.fixture(scope="module")
def as_node(api: ApiClient, ran: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The interrupt thread (paused before ask_human) updated as if ask_human had run."""
    thread_id = thread_that_ran(ran, "interrupt")
    paused = api.get(tpath(thread_id, "/state"))
    update = api.post(tpath(thread_id, "/state"), json={"values": {"approved": "set by update"}, "as_node": "ask_human"})
    return {"paused": paused, "update": update, "after": api.get(tpath(thread_id, "/state"))}


@pytest.mark.requirement("THREAD-007")
@pytest.mark.operations("POST /threads/{thread_id}/state", "GET /threads/{thread_id}/state")
def test_a_state_update_as_a_node_counts_as_that_nodes_output(as_node):
    paused = require(as_node["paused"], "reading the interrupted thread's state")
    if field(paused, "next") != ["ask_human"]:
        not_judged(f"the interrupt graph's thread did not pause before ask_human (next {field(paused, 'next')!r})",
                   "see RUNS-009: a thread paused by interrupt() names the waiting node in next")
    expect_status(as_node["update"], 200, "THREAD-007", "updating the paused thread's state as_node ask_human")
    after = as_node["after"]
    expect_status(after, 200, "THREAD-007", "reading the state after the update")
    approved = (field(after, "values") or {}).get("approved")
    expect(approved == "set by update", "THREAD-007", f"the update's value should read back in `approved`, read {approved!r}", after)
    expect(field(after, "next") == [], "THREAD-007",
           f"updated as ask_human (the graph's last node) nothing should be left to run, next reads {field(after, 'next')!r}", after)


def older_checkpoint(updated: dict[str, Any]) -> dict:
    """A checkpoint of the echo thread whose values differ from its latest one's."""
    entries = entries_of(updated["after"], "reading the thread's history")
    for entry in entries[1:]:
        if entry.get("values") != entries[0].get("values") and checkpoint_id_of(entry):
            return entry
    not_judged("the thread's history has no checkpoint whose values differ from the latest",
               "a history of at least two distinct states (see RUNS-012)")


@pytest.mark.requirement("THREAD-008")
@pytest.mark.operations("GET /threads/{thread_id}/state/{checkpoint_id}")
def test_reading_the_state_at_a_checkpoint_answers_that_checkpoint(api, updated):
    entry = older_checkpoint(updated)
    wanted = checkpoint_id_of(entry)
    answer = api.get(tpath(updated["id"], f"/state/{segment(wanted)}"))
    expect_status(answer, 200, "THREAD-008", "reading the state at an older checkpoint")
    expect(checkpoint_id_of(answer.json_or_none()) == wanted, "THREAD-008",
           f"asked for the checkpoint {wanted}, answered {checkpoint_id_of(answer.json_or_none())}", answer)
    expect(field(answer, "values") == entry.get("values"), "THREAD-008",
           f"the state at {wanted} should hold that checkpoint's values {entry.get('values')}, holds {field(answer, 'values')}", answer)


@pytest.mark.requirement("THREAD-009")
@pytest.mark.operations("POST /threads/{thread_id}/state/checkpoint")
def test_reading_the_state_at_a_checkpoint_by_post_answers_that_checkpoint(api, updated):
    entry = older_checkpoint(updated)
    wanted = checkpoint_id_of(entry)
    checkpoint = entry.get("checkpoint") if isinstance(entry.get("checkpoint"), dict) else {"checkpoint_id": wanted}
    answer = api.post(tpath(updated["id"], "/state/checkpoint"), json={"checkpoint": checkpoint})
    expect_status(answer, 200, "THREAD-009", "reading the state at an older checkpoint (POST .../state/checkpoint)")
    expect(checkpoint_id_of(answer.json_or_none()) == wanted, "THREAD-009",
           f"asked for the checkpoint {wanted}, answered {checkpoint_id_of(answer.json_or_none())}", answer)
    expect(field(answer, "values") == entry.get("values"), "THREAD-009",
           f"the state at {wanted} should hold that checkpoint's values {entry.get('values')}, holds {field(answer, 'values')}", answer)


def walk(read_page: Callable[[dict | None], Exchange], rid: str, operation: str) -> list[list[str | None]]:
    """Pages of PAGE entries, each read before the last entry of the page before, until a short page."""
    pages: list[list[str | None]] = []
    before: dict | None = None
    for _ in range(HISTORY_LIMIT):
        page = read_page(before)
        shown = f"reading a page of the history by {operation} (limit {PAGE}" + (f", before {checkpoint_id_of(before)})" if before else ")")
        if page.status != 200:
            violate(rid, f"{shown}: expected status 200, received {page.status}", page, operation=operation)
        entries = page.json_or_none()
        if not isinstance(entries, list):
            violate(rid, f"{shown}: expected a JSON array", page, operation=operation)
        pages.append(ids_of([e for e in entries if isinstance(e, dict)]))
        if len(entries) < PAGE or not isinstance(entries[-1], dict):
            break
        before = entries[-1]
    return pages


def full_history(api: ApiClient, updated: dict[str, Any]) -> list[str | None]:
    full = ids_of(entries_of(history(api, updated["id"]), "reading the thread's whole history"))
    if not PAGE < len(full) < HISTORY_LIMIT:
        not_judged(f"the thread's history holds {len(full)} checkpoints: paging by {PAGE} needs between {PAGE + 1} and "
                   f"{HISTORY_LIMIT - 1}", "a thread with a run and a state update (see THREAD-006)")
    return full


@pytest.mark.requirement("THREAD-010")
@pytest.mark.operations("GET /threads/{thread_id}/history")
def test_a_threads_history_pages_with_limit_and_before(api, updated):
    full = full_history(api, updated)

    def page(before: dict | None) -> Exchange:
        params: dict[str, Any] = {"limit": PAGE}
        if before is not None:
            params["before"] = checkpoint_id_of(before)
        return api.get(tpath(updated["id"], "/history"), params=params)

    operation = "GET /threads/{thread_id}/history"
    tiled, detail = pages_tile(full, walk(page, "THREAD-010", operation), PAGE)
    if not tiled:
        violate("THREAD-010", f"pages of {PAGE} read with `before` do not give back the history", None, detail, operation=operation)


@pytest.fixture(scope="module")
def before_form(api, updated) -> tuple[str, int]:
    """Which way of naming `before` POST /threads/{id}/history takes: (its description, its index in
    before_forms), the declared CheckpointConfig first. Implementations differ here (THREAD-017)."""
    entries = entries_of(history(api, updated["id"]), "reading the thread's whole history")
    if len(entries) < 2:
        not_judged(f"the thread's history holds {len(entries)} checkpoint(s): a page before the newest needs two",
                   "a thread with a run and a state update (see THREAD-006)")
    tried = []
    for index, (label, value) in enumerate(before_forms(entries[0])):
        answer = api.post(tpath(updated["id"], "/history"), json={"limit": PAGE, "before": value})
        if answer.status == 200 and isinstance(answer.json_or_none(), list):
            return label, index
        tried.append(f"as {label}: {answer.status}")
    return "; ".join(tried), -1


@pytest.mark.requirement("THREAD-011")
@pytest.mark.operations("POST /threads/{thread_id}/history")
def test_a_threads_history_read_by_post_pages_with_limit_and_before(api, updated, before_form):
    full = full_history(api, updated)
    label, index = before_form
    if index < 0:
        violate("THREAD-011", f"POST /threads/{{thread_id}}/history takes `before` in no form ({label})", None,
                operation="POST /threads/{thread_id}/history")

    def page(before: dict | None) -> Exchange:
        query: dict[str, Any] = {"limit": PAGE}
        if before is not None:
            query["before"] = before_forms(before)[index][1]  # the form it takes; the declared one is THREAD-017's
        return api.post(tpath(updated["id"], "/history"), json=query)

    operation = "POST /threads/{thread_id}/history"
    tiled, detail = pages_tile(full, walk(page, "THREAD-011", operation), PAGE)
    if not tiled:
        violate("THREAD-011", f"pages of {PAGE} read with `before` ({label}) do not give back the history", None, detail,
                operation=operation)


@pytest.mark.requirement("THREAD-017")
@pytest.mark.operations("POST /threads/{thread_id}/history")
def test_a_threads_history_read_by_post_takes_before_as_the_checkpoint_config_its_spec_declares(api, updated, before_form):
    label, index = before_form
    if index < 0:
        not_judged("POST /threads/{thread_id}/history takes `before` in no form (THREAD-011), so no page to compare with")
    entries = entries_of(history(api, updated["id"]), "reading the thread's whole history")
    forms = before_forms(entries[0])
    answer = api.post(tpath(updated["id"], "/history"), json={"limit": PAGE, "before": forms[0][1]})
    expect(answer.status == 200, "THREAD-017",
           f"`before` as the CheckpointConfig {forms[0][1]}: expected status 200, received {answer.status}"
           + (f" (it takes {label})" if index else ""), answer)
    if index:
        reference = require(api.post(tpath(updated["id"], "/history"), json={"limit": PAGE, "before": forms[index][1]}),
                            f"reading the page before the newest checkpoint with {label}")
    else:
        reference = answer
    wanted = ids_of(entries_of(reference, "the page before the newest checkpoint"))
    page = answer.json_or_none()
    got = ids_of([e for e in page if isinstance(e, dict)]) if isinstance(page, list) else None
    expect(got == wanted, "THREAD-017", f"`before` as the CheckpointConfig gave the page {got}, the checkpoint's page is {wanted}", answer)


# --- copy and prune ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def copied(api: ApiClient, updated: dict[str, Any]) -> dict[str, Any]:
    """A copy of the echo thread, then a state update on the copy only."""
    source = updated["id"]
    source_state = api.get(tpath(source, "/state"))
    copy = api.post(tpath(source, "/copy"))
    copy_id = field(copy, "thread_id")
    out: dict[str, Any] = {"source": source, "copy": copy, "copy_id": copy_id, "source_state": source_state,
                           "source_history": history(api, source)}
    if copy.status == 200 and isinstance(copy_id, str) and copy_id:
        out["copy_history"] = history(api, copy_id)
        out["copy_update"] = api.post(tpath(copy_id, "/state"), json={"values": {"text": "copy only"}, "as_node": "copy_text"})
        out["copy_state"] = api.get(tpath(copy_id, "/state"))
        out["source_state_after"] = api.get(tpath(source, "/state"))
    return out


@pytest.mark.requirement("THREAD-012")
@pytest.mark.operations("POST /threads/{thread_id}/copy", "POST /threads/{thread_id}/state", "GET /threads/{thread_id}/history")
def test_a_threads_copy_has_its_history_and_is_independent_of_it(copied):
    copy = copied["copy"]
    expect_status(copy, 200, "THREAD-012", "copying the thread")
    expect(isinstance(copied["copy_id"], str) and copied["copy_id"] != copied["source"], "THREAD-012",
           "the copy should be a new thread with its own thread_id", copy)
    source = entries_of(copied["source_history"], "reading the source's history")
    copy_history = copied["copy_history"]
    expect_status(copy_history, 200, "THREAD-012", "reading the copy's history")
    mine = [e for e in copy_history.json_or_none() or [] if isinstance(e, dict)]
    expect([e.get("values") for e in mine] == [e.get("values") for e in source], "THREAD-012",
           f"the copy's history ({len(mine)} checkpoints) should hold the source's ({len(source)}) values, checkpoint for checkpoint",
           copy_history)
    require(copied["copy_update"], "updating the copy's state")
    copy_state = copied["copy_state"]
    expect((field(copy_state, "values") or {}).get("text") == "copy only", "THREAD-012",
           "the update of the copy's state should show in the copy's state", copy_state)
    before, after = field(copied["source_state"], "values"), field(copied["source_state_after"], "values")
    expect(after == before, "THREAD-012",
           f"updating the copy changed the source's state from {before} to {after}", copied["source_state_after"])


@pytest.mark.requirement("THREAD-013")
@pytest.mark.operations("POST /threads/prune")
def test_pruning_threads_by_id_deletes_them_and_only_them(api, spec):
    if not body_declares(spec.document, "POST", "/threads/prune", "thread_ids"):
        not_claimed("the spec's POST /threads/prune takes no thread_ids: another operation under the same path")
    doomed = new_thread(api, "creating the thread to prune")
    kept = new_thread(api, "creating a thread not to prune")
    pruned = api.post("/threads/prune", json={"thread_ids": [doomed]})
    expect_status(pruned, 200, "THREAD-013", "pruning one thread by id")
    read = api.get(tpath(doomed))
    expect_status(read, 404, "THREAD-013", "reading a pruned thread")
    expect(field(pruned, "pruned_count") == 1, "THREAD-013",
           f"pruning one thread should answer pruned_count 1, answered {pruned.json_or_none()}", pruned)
    other = api.get(tpath(kept))
    expect_status(other, 200, "THREAD-013", "reading a thread that was not named in the prune")


# --- statuses after runs ----------------------------------------------------------------------


@pytest.mark.requirement("THREAD-015")
@pytest.mark.operations("POST /threads/{thread_id}/runs/wait")
def test_a_thread_whose_run_failed_reads_error(api, ran):
    thread_id = thread_that_ran(ran, "fail")
    read = poll(lambda: api.get(tpath(thread_id)), lambda e: field(e, "status") == "error")
    expect_status(read, 200, "THREAD-015", "reading the thread whose run failed")
    expect(field(read, "status") == "error", "THREAD-015",
           f"a thread whose run raised should read 'error', read {field(read, 'status')!r}", read)


@pytest.mark.requirement("THREAD-016")
@pytest.mark.operations("PATCH /threads/{thread_id}")
def test_a_patch_with_prefer_return_minimal_answers_204(api, spec):
    if not declares_header(spec.document, "PATCH", "/threads/{thread_id}", "Prefer"):
        not_claimed("the spec declares no Prefer header on PATCH /threads/{thread_id}")
    thread_id = new_thread(api, "creating the thread to patch")
    patched = api.patch(tpath(thread_id), json={"metadata": {"conformance_minimal": "yes"}}, headers={"Prefer": "return=minimal"})
    expect_status(patched, 204, "THREAD-016", "patching with Prefer: return=minimal")
    expect(not patched.body, "THREAD-016", "a minimal answer should have no body", patched)
    read = api.get(tpath(thread_id))
    expect((field(read, "metadata") or {}).get("conformance_minimal") == "yes", "THREAD-016",
           "the minimal PATCH should still have updated the metadata", read)


@pytest.mark.requirement("THREAD-014")
@pytest.mark.operations("POST /threads/{thread_id}/runs", "GET /threads/{thread_id}/runs/{run_id}/join")
def test_a_thread_is_idle_again_once_its_run_has_finished(api, slow):
    joined = api.get(f"{slow['run_path']}/join", timeout=60)
    require(joined, "joining the slow run")
    read = poll(lambda: api.get(tpath(slow["thread_id"])), lambda e: field(e, "status") == "idle")
    expect_status(read, 200, "THREAD-014", "reading the thread once its run has finished")
    if field(read, "status") != "idle":
        violate("THREAD-014", f"a thread whose run has finished should be 'idle' again, read {field(read, 'status')!r}", read)
