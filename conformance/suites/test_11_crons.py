"""Crons: what is created reads back, search and count find exactly what matches, PATCH and
DELETE take effect, and a cron that is due produces a run (a slow check: the thorough budget).

The crons of the module are scheduled once a year (never due while the suite runs), each carries
the run's tag, and every one is deleted at the end. A deployment that has no GET /runs/crons/{id}
(Aegra) is read through a search by the cron's own metadata instead.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

from conformance.checks import (
    Violation,
    declared,
    expect,
    expect_status,
    not_judged,
    raise_all,
    require_cron_id,
    require_json,
)
from conformance.http import ApiClient, Exchange, segment
from conformance.laws_runs import answer_may_lack

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.operations("POST /assistants", "POST /threads", "POST /runs/crons", "POST /threads/{thread_id}/runs/crons",
                           "POST /runs/crons/search"),
]

GET_CRON = "GET /runs/crons/{cron_id}"
YEARLY = "0 0 1 1 *"  # never due while the suite runs
FAR = "2099-01-01T00:00:00+00:00"
EVERY_MINUTE = "* * * * *"
FIRE_BOUND = 130.0  # seconds a cron due every minute may take to produce its first run
INPUT = {"text": "cron"}


def body_of(exchange: Exchange | None) -> dict:
    body = exchange.json_or_none() if exchange is not None else None
    return body if isinstance(body, dict) else {}


@pytest.fixture(scope="module")
def owners(api: ApiClient, graph_id: str) -> dict[str, str]:
    """Two assistants of the module's own, so the assistant filter has one that matches and one that does not."""
    return {name: require_json(api.post("/assistants", json=api.assistant_body(graph_id, name=f"conformance cron {name}")),
                               f"creating the assistant {name!r}", "assistant_id")
            for name in ("a", "b")}


def marker(api: ApiClient, name: str) -> dict[str, str]:
    """Metadata that names one cron of this run, and only it."""
    return {"conformance_run": api.run_id, "conformance_cron": name}


def create(api: ApiClient, path: str, assistant: str, name: str, schedule: str = YEARLY, **fields: Any) -> Exchange:
    body = {"assistant_id": assistant, "schedule": schedule, "input": INPUT, "metadata": marker(api, name), **fields}
    return api.post(path, json=body)


@pytest.fixture(scope="module")
def made(api: ApiClient, owners: dict[str, str]) -> dict[str, Any]:
    """A stateless cron (assistant a), a cron on thread 1 (assistant a) and a disabled one on thread 2 (assistant b)."""
    out: dict[str, Any] = {}
    for n in (1, 2):
        out[f"thread{n}"] = require_json(api.post("/threads", json=api.tag()), f"creating thread {n}", "thread_id")
    out["stateless"] = create(api, "/runs/crons", owners["a"], "stateless", end_time=FAR)
    out["on_thread"] = create(api, f"/threads/{segment(out['thread1'])}/runs/crons", owners["a"], "on_thread")
    out["disabled"] = create(api, f"/threads/{segment(out['thread2'])}/runs/crons", owners["b"], "disabled",
                             schedule="0 0 2 1 *", enabled=False)
    return out


def identify(api: ApiClient, created: Exchange, name: str, what: str) -> str:
    """The id of the cron `name` just created, or not judged when creating it failed."""
    return require_cron_id(api, created, marker(api, name), what)


def cron_id(api: ApiClient, made: dict[str, Any], name: str) -> str:
    """The id of the module's cron `name`, or not judged when creating it failed."""
    return identify(api, made[name], name, f"creating the cron {name!r}")


def answered_another_object(spec: Any, label: str, body: dict) -> bool:
    """The create answered no Cron, and the target's own spec says it may (Aegra: the cron's first Run)."""
    return not body.get("cron_id") and answer_may_lack(spec.document, label, "cron_id")


def search(api: ApiClient, body: dict) -> tuple[Exchange, list[dict]]:
    answer = api.post("/runs/crons/search", json={"limit": 1000, **body})
    found = answer.json_or_none() if answer.status == 200 else None
    return answer, [c for c in found if isinstance(c, dict)] if isinstance(found, list) else []


def read_back(api: ApiClient, spec: Any, identifier: str, name: str) -> tuple[Exchange, dict | None]:
    """The cron as the server now has it: GET /runs/crons/{id}, else the search by its own metadata."""
    if declared(spec, GET_CRON):
        answer = api.get(f"/runs/crons/{segment(identifier)}")
        return answer, body_of(answer) if answer.status == 200 else None
    answer, found = search(api, {"metadata": marker(api, name)})
    return answer, next((c for c in found if c.get("cron_id") == identifier), None)


# --- creation ---------------------------------------------------------------------------------


@pytest.mark.requirement("CRON-001")
def test_a_stateless_cron_reads_back_as_it_was_created(api, spec, owners, made):
    created = made["stateless"]
    expect_status(created, 200, "CRON-001", "creating a cron (POST /runs/crons)")
    body = body_of(created)
    if answered_another_object(spec, "POST /runs/crons", body):
        identifier = cron_id(api, made, "stateless")  # what was created is judged as read back
    else:
        identifier = body.get("cron_id")
        expect(isinstance(identifier, str) and identifier, "CRON-001", "the answer to creating a cron should carry its "
               f"cron_id (a Cron object), received keys {sorted(body)}", created)
        expect(body.get("schedule") == YEARLY and body.get("assistant_id") == owners["a"], "CRON-001",
               f"the created cron should carry the schedule {YEARLY!r} and assistant {owners['a']} sent, received "
               f"schedule {body.get('schedule')!r} and assistant {body.get('assistant_id')!r}", created)
        expect(not body.get("thread_id"), "CRON-001", f"a stateless cron should have no thread, it has "
               f"{body.get('thread_id')!r}", created)
    answer, back = read_back(api, spec, identifier, "stateless")
    expect(back is not None, "CRON-001", "reading the cron just created back found nothing", answer)
    expect(back.get("schedule") == YEARLY and back.get("assistant_id") == owners["a"], "CRON-001",
           f"the cron read back has schedule {back.get('schedule')!r} and assistant {back.get('assistant_id')!r}, not what "
           "was sent", answer)
    expect(not back.get("thread_id"), "CRON-001", f"a stateless cron read back should have no thread, it has "
           f"{back.get('thread_id')!r}", answer)


@pytest.mark.requirement("CRON-002")
def test_a_cron_created_on_a_thread_is_bound_to_it(api, spec, made):
    created = made["on_thread"]
    expect_status(created, 200, "CRON-002", "creating a cron on a thread (POST /threads/{thread_id}/runs/crons)")
    body = body_of(created)
    if answered_another_object(spec, "POST /threads/{thread_id}/runs/crons", body):
        identifier = cron_id(api, made, "on_thread")
    else:
        identifier = body.get("cron_id")
        expect(isinstance(identifier, str) and identifier, "CRON-002", "the answer to creating a cron on a thread should "
               f"carry its cron_id, received keys {sorted(body)}", created)
    expect(body.get("thread_id") == made["thread1"], "CRON-002",
           f"the cron created on thread {made['thread1']} should carry its thread_id, it carries {body.get('thread_id')!r}",
           created)
    answer, back = read_back(api, spec, identifier, "on_thread")
    expect(back is not None and back.get("thread_id") == made["thread1"], "CRON-002",
           f"reading the cron back should show thread {made['thread1']}, it shows {(back or {}).get('thread_id')!r}", answer)


# --- search and count -------------------------------------------------------------------------------


@pytest.mark.requirement("CRON-003")
def test_cron_search_honours_its_filters(api, owners, made):
    ids = {name: cron_id(api, made, name) for name in ("stateless", "on_thread", "disabled")}
    cases = [
        ("thread_id", {"thread_id": made["thread1"]}, {"on_thread"}, lambda c: c.get("thread_id") == made["thread1"]),
        ("assistant_id", {"assistant_id": owners["b"]}, {"disabled"}, lambda c: c.get("assistant_id") == owners["b"]),
        ("metadata", {"metadata": marker(api, "on_thread")}, {"on_thread"},
         lambda c: (c.get("metadata") or {}).get("conformance_cron") == "on_thread"),
        ("enabled", {"enabled": False, "metadata": {"conformance_run": api.run_id}}, {"disabled"},
         lambda c: c.get("enabled") is False),
    ]
    findings = []
    for name, body, wanted, matches in cases:
        answer, found = search(api, body)
        if answer.status != 200:
            findings.append(Violation("CRON-003", f"searching crons by {name}: expected 200, received {answer.status}", answer))
            continue
        got = {c.get("cron_id") for c in found}
        lacking = sorted(n for n in wanted if ids[n] not in got)
        strays = sorted(n for n in ids if n not in wanted and ids[n] in got)
        others = [c.get("cron_id") for c in found if c.get("cron_id") not in ids.values() and not matches(c)]
        if lacking or strays or others:
            findings.append(Violation(
                "CRON-003", f"searching crons by {name} {body}: " + "; ".join(part for part in (
                    f"lacks the matching cron(s) {lacking}" if lacking else "",
                    f"returned the cron(s) {strays}, which do not match" if strays else "",
                    f"returned {len(others)} other cron(s) that do not match" if others else "") if part),
                answer, f"ids: {ids}"))
    raise_all(findings)


@pytest.mark.requirement("CRON-004")
@pytest.mark.operations("POST /runs/crons/count")
def test_cron_count_honours_its_filters(api, owners, made):
    for name in ("stateless", "on_thread", "disabled"):
        cron_id(api, made, name)
    cases = [
        ("thread_id", {"thread_id": made["thread1"]}, 1),
        ("assistant_id", {"assistant_id": owners["b"]}, 1),
        ("metadata", {"metadata": marker(api, "stateless")}, 1),
        ("assistant_id and thread_id together", {"assistant_id": owners["a"], "thread_id": made["thread2"]}, 0),
    ]
    findings = []
    for name, body, want in cases:
        answer = api.post("/runs/crons/count", json=body)
        got = answer.json_or_none() if answer.status == 200 else None
        if answer.status != 200 or got != want or isinstance(got, bool):
            findings.append(Violation("CRON-004", f"counting crons by {name} {body}: expected 200 with {want}, received "
                                      f"{answer.status} {answer.text[:100]!r}", answer))
    raise_all(findings)


# --- patch and delete ---------------------------------------------------------------------------------


@pytest.mark.requirement("CRON-005")
@pytest.mark.operations("PATCH /runs/crons/{cron_id}")
def test_patching_a_cron_takes_effect(api, spec, owners):
    name = f"patch-{uuid.uuid4().hex[:8]}"
    identifier = identify(api, create(api, "/runs/crons", owners["a"], name), name, "creating a cron to patch")
    patched = api.patch(f"/runs/crons/{segment(identifier)}",
                        json={"schedule": "0 0 3 1 *", "enabled": False, "metadata": {**marker(api, name), "conformance_patched": "yes"}})
    expect_status(patched, range(200, 300), "CRON-005", "patching the cron's schedule, enabled and metadata")
    answer, back = read_back(api, spec, identifier, name)
    expect(back is not None, "CRON-005", "reading the patched cron back found nothing", answer)
    metadata = back.get("metadata") or {}
    expect(back.get("schedule") == "0 0 3 1 *" and back.get("enabled") is False and metadata.get("conformance_patched") == "yes",
           "CRON-005", f"after PATCH the cron should read schedule '0 0 3 1 *', enabled false and metadata conformance_patched "
           f"'yes'; it reads schedule {back.get('schedule')!r}, enabled {back.get('enabled')!r}, metadata {metadata}", answer)


@pytest.mark.requirement("CRON-006")
@pytest.mark.operations("PATCH /runs/crons/{cron_id}")
def test_patching_end_time_to_null_clears_it(api, spec, owners):
    name = f"end-{uuid.uuid4().hex[:8]}"
    identifier = identify(api, create(api, "/runs/crons", owners["a"], name, end_time=FAR), name,
                          "creating a cron with an end time")
    answer, before = read_back(api, spec, identifier, name)
    if not (before and before.get("end_time")):
        not_judged(f"the cron created with end_time {FAR} reads back no end time ({(before or {}).get('end_time')!r})")
    patched = api.patch(f"/runs/crons/{segment(identifier)}", json={"end_time": None, "metadata": {**marker(api, name), "conformance_cleared": "yes"}})
    expect_status(patched, range(200, 300), "CRON-006", "patching the cron's end_time to null")
    answer, back = read_back(api, spec, identifier, name)
    expect(back is not None, "CRON-006", "reading the patched cron back found nothing", answer)
    expect(back.get("end_time") is None, "CRON-006",
           f"after PATCH with end_time null the cron should have no end time, it reads {back.get('end_time')!r}", answer)


@pytest.mark.requirement("CRON-007")
@pytest.mark.operations("DELETE /runs/crons/{cron_id}")
def test_a_deleted_cron_is_gone(api, spec, owners):
    name = f"delete-{uuid.uuid4().hex[:8]}"
    identifier = identify(api, create(api, "/runs/crons", owners["a"], name), name, "creating a cron to delete")
    listed, found = search(api, {"metadata": marker(api, name)})
    if identifier not in {c.get("cron_id") for c in found}:
        not_judged("a search by the new cron's metadata does not find it (see CRON-003)")
    deleted = api.delete(f"/runs/crons/{segment(identifier)}")
    expect_status(deleted, range(200, 300), "CRON-007", "deleting the cron")
    findings = []
    if declared(spec, GET_CRON):
        after = api.get(f"/runs/crons/{segment(identifier)}")
        if after.status != 404:
            findings.append(Violation("CRON-007", f"reading a deleted cron: expected 404, received {after.status}", after,
                                      operation=GET_CRON))
    listed, found = search(api, {"metadata": marker(api, name)})
    if identifier in {c.get("cron_id") for c in found}:
        findings.append(Violation("CRON-007", "a search still finds the deleted cron", listed, operation="POST /runs/crons/search"))
    raise_all(findings)


# --- a cron that is due --------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.requirement("CRON-008")
@pytest.mark.operations("GET /threads/{thread_id}/runs", "DELETE /runs/crons/{cron_id}")
def test_a_cron_due_every_minute_produces_a_run_on_its_thread(api, owners):
    thread_id = require_json(api.post("/threads", json=api.tag()), "creating a thread for the cron", "thread_id")
    began = time.monotonic()
    created = create(api, f"/threads/{segment(thread_id)}/runs/crons", owners["a"], "every-minute", schedule=EVERY_MINUTE)
    identifier = identify(api, created, "every-minute", "creating a cron due every minute")
    at_once = body_of(created).get("run_id")  # a run the create itself started (Aegra) is not the schedule's

    def scheduled(listed: Exchange) -> list:
        runs = listed.json_or_none() if listed.status == 200 else None
        return [r for r in runs if isinstance(r, dict) and r.get("run_id") != at_once] if isinstance(runs, list) else []

    try:
        listed = api.get(f"/threads/{segment(thread_id)}/runs")
        while time.monotonic() - began < FIRE_BOUND:
            if scheduled(listed):
                break
            time.sleep(2.0)
            listed = api.get(f"/threads/{segment(thread_id)}/runs")
        expect_status(listed, 200, "CRON-008", "listing the cron's thread's runs")
        expect(scheduled(listed), "CRON-008",
               f"a cron due every minute produced no run on its thread in {FIRE_BOUND:.0f}s", listed)
    finally:
        api.delete(f"/runs/crons/{segment(identifier)}")  # so it fires no more (the session's cleanup checks it is gone)
