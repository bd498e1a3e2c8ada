"""Stream modes, subgraph namespaces, resuming a stream, and the thread's own stream.

The streams are read by module fixtures, all at once on a thread pool (each bounded by a deadline
and an event cap); tests judge what was read. The conformance_stream graph gives every mode
something to carry: node `speak` writes a custom event and an AI message, node `inner` is a
subgraph. Event ids are judged on the raw frames (`conformance.sse.frames`), as the server wrote them.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest

from conformance.checks import SetupFailed, Violation, declared, expect, expect_status, not_claimed, not_judged, raise_all
from conformance.http import ApiClient, Exchange, segment
from conformance.laws_runs import (
    declared_stream_modes,
    foreign_events,
    mode_of_event,
    replay_problem,
    shared_ids,
    split_namespace,
)
from conformance.sse import Frame, frames

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.operations("POST /threads", "POST /threads/{thread_id}/runs/stream"),
]

STREAM = "POST /threads/{thread_id}/runs/stream"
JOIN = "GET /threads/{thread_id}/runs/{run_id}/stream"
THREAD_STREAM = "GET /threads/{thread_id}/stream"
STREAM_TIMEOUT = 30.0
MAX_EVENTS = 300
TEXT = "modes"
RESUME_MODES = ["values", "updates", "custom", "messages-tuple", "debug", "tasks", "checkpoints"]
MAX_CUTS = 40  # resume points judged per stream (each is one short join)


@dataclass
class Streamed:
    """A run streamed on a fresh thread: the thread's creation, the stream, its frames."""

    thread: Exchange
    response: Exchange | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def thread_id(self) -> str:
        body = self.thread.json_or_none()
        return body.get("thread_id", "") if isinstance(body, dict) else ""

    @property
    def frames(self) -> list[Frame]:
        return [f for f in frames(self.response.body) if f.has_data] if self.response is not None else []

    def require(self, requirement: str, what: str = "streaming a run") -> Exchange:
        if not (200 <= self.thread.status < 300 and self.thread_id):
            raise SetupFailed("creating a thread", self.thread)
        assert self.response is not None
        expect_status(self.response, 200, requirement, what)
        return self.response


def stream_run(api: ApiClient, assistant: str, **body: Any) -> Streamed:
    thread = api.post("/threads", json=api.tag())
    streamed = Streamed(thread)
    if 200 <= thread.status < 300 and streamed.thread_id:
        streamed.response = api.request(
            "POST", f"/threads/{segment(streamed.thread_id)}/runs/stream", json={"assistant_id": assistant, "input": {"text": TEXT}, **body},
            events=True, max_events=MAX_EVENTS, timeout=STREAM_TIMEOUT,
        )
    return streamed


def data(frame: Frame) -> Any:
    try:
        return json.loads(frame.text)
    except ValueError:
        return None


def describe(found: list[Frame]) -> str:
    return "events received: " + (", ".join(f.event for f in found) or "none")


def without_end(found: list[Frame]) -> list[Frame]:
    out = list(found)
    while out and out[-1].event == "end":
        out.pop()
    return out


# --- streams, read together ---------------------------------------------------------------------


def modes_of(spec: Any) -> list[str]:
    modes = declared_stream_modes(spec.document, STREAM)
    if not modes:
        not_claimed(f"the spec declares no stream_mode on {STREAM}")
    return modes


@pytest.fixture(scope="module")
def pool():
    with ThreadPoolExecutor(max_workers=6) as executor:
        yield executor


@pytest.fixture(scope="module")
def mode_streams(api: ApiClient, assistants: dict[str, str], spec: Any, pool: ThreadPoolExecutor, thread_stream) -> dict[str, Future]:
    """One run per stream mode the spec lists, each asking for that mode alone."""
    modes = declared_stream_modes(spec.document, STREAM)
    return {mode: pool.submit(stream_run, api, assistants["stream"], stream_mode=[mode]) for mode in modes}


@pytest.fixture(scope="module")
def subgraph_streams(api: ApiClient, assistants: dict[str, str], pool: ThreadPoolExecutor, thread_stream) -> dict[str, Future]:
    """The same run with and without stream_subgraphs."""
    return {
        flag: pool.submit(stream_run, api, assistants["stream"], stream_mode=["values", "updates"], stream_subgraphs=flag)
        for flag in (True, False)
    }


def resumable_run(api: ApiClient, assistant: str) -> Streamed:
    """A resumable run in several modes, and its full replay (Last-Event-ID -1): what the server
    kept of the stream, with every event's id, which the resume points are chosen from."""
    streamed = stream_run(api, assistant, stream_mode=RESUME_MODES, stream_resumable=True)
    first = data(streamed.frames[0]) if streamed.frames else None
    run_id = first.get("run_id") if isinstance(first, dict) else None
    if not run_id:  # no metadata first: the thread's one run
        listed = api.get(f"/threads/{segment(streamed.thread_id)}/runs")
        runs = listed.json_or_none() if listed.status == 200 else None
        run_id = runs[0].get("run_id") if isinstance(runs, list) and len(runs) == 1 and isinstance(runs[0], dict) else None
    streamed.extra["run_id"] = run_id
    if run_id:
        streamed.extra["replay"] = join(api, streamed.thread_id, run_id, "-1")
    return streamed


def join(api: ApiClient, thread_id: str, run_id: str, last_event_id: str, stream_mode: str | None = None) -> Exchange:
    return api.request(
        "GET", f"/threads/{segment(thread_id)}/runs/{segment(run_id)}/stream", headers={"Last-Event-ID": last_event_id},
        params={"stream_mode": stream_mode} if stream_mode else None, events=True, max_events=MAX_EVENTS, timeout=STREAM_TIMEOUT,
    )


@pytest.fixture(scope="module")
def resumable(api: ApiClient, assistants: dict[str, str], pool: ThreadPoolExecutor, thread_stream) -> Future:
    return pool.submit(resumable_run, api, assistants["stream"])


def listen_to_thread(api: ApiClient, assistant: str) -> dict[str, Any]:
    """GET /threads/{id}/stream read in the background (it never ends: a deadline closes it) while a
    run is started on the thread."""
    seen: dict[str, Any] = {"thread": api.post("/threads", json=api.tag())}
    body = seen["thread"].json_or_none()
    thread_id = body.get("thread_id") if isinstance(body, dict) else None
    if not (200 <= seen["thread"].status < 300 and thread_id):
        return seen
    seen["thread_id"] = thread_id
    with ThreadPoolExecutor(max_workers=1) as reader:
        listening = reader.submit(api.request, "GET", f"/threads/{segment(thread_id)}/stream", events=True, max_events=8, timeout=4.0)
        time.sleep(0.5)  # the stream is open (its head may arrive only with its first event)
        seen["run"] = api.post(f"/threads/{segment(thread_id)}/runs", json={"assistant_id": assistant, "input": {"text": "listened"}})
        seen["stream"] = listening.result()
    return seen


@pytest.fixture(scope="module")
def thread_stream(api: ApiClient, assistants: dict[str, str], spec: Any, pool: ThreadPoolExecutor) -> Future | None:
    """Started first (the other streams' fixtures ask for it): its deadline overlaps their work."""
    if not declared(spec, THREAD_STREAM):
        return None
    return pool.submit(listen_to_thread, api, assistants["echo"])


# --- stream modes -------------------------------------------------------------------------------


def message_contents(payload: Any) -> list[str]:
    """The contents of the messages an event carries (a list of messages, or [message, metadata])."""
    items = payload if isinstance(payload, list) else [payload]
    return [m["content"] for m in items if isinstance(m, dict) and isinstance(m.get("content"), str)]


def own_events_problem(mode: str, found: list[Frame]) -> str:
    """'' when the frames hold what `mode` must carry for the conformance_stream graph, else what is missing."""
    own = [f for f in found if mode_of_event(f.event) == mode and not split_namespace(f.event)[1]]
    if not own:
        return f"no `{mode}` events"
    payloads = [data(f) for f in own]
    spoken = f"echo: {TEXT}"
    if mode == "custom":
        ok = {"progress": "speaking", "text": TEXT} in payloads
        return "" if ok else f"no custom event {{'progress': 'speaking', 'text': {TEXT!r}}} (the node's stream writer); received {payloads}"
    if mode == "messages-tuple":
        ok = any(isinstance(p, list) and len(p) == 2 and spoken in message_contents(p[0]) for p in payloads)
        return "" if ok else f"no `messages` event [message, metadata] with the AI message {spoken!r}"
    if mode == "messages":
        names = {f.event for f in own}
        if not any(n in names for n in ("messages/partial", "messages/complete")):
            return f"no `messages/partial` or `messages/complete` event (received {sorted(names)})"
        said = "".join(c for f, p in zip(own, payloads, strict=True) if f.event == "messages/partial" for c in message_contents(p))
        complete = [c for f, p in zip(own, payloads, strict=True) if f.event == "messages/complete" for c in message_contents(p)]
        return "" if spoken in complete or spoken in said else f"no message event with the AI message {spoken!r}"
    if mode == "values":
        ok = any(isinstance(p, dict) and p.get("text") == TEXT for p in payloads)
        return "" if ok else f"no `values` event holding the state (text {TEXT!r})"
    if not any(isinstance(p, dict) and p for p in payloads):
        return f"no `{mode}` event carries a JSON object"
    return ""


@pytest.mark.requirement("STREAM-010")
def test_each_stream_mode_yields_its_events(spec, mode_streams):
    modes = modes_of(spec)
    findings = []
    for mode in modes:
        streamed = mode_streams[mode].result()
        response = streamed.require("STREAM-010", f"streaming a run with stream_mode [{mode!r}]")
        problem = own_events_problem(mode, streamed.frames)
        if problem:
            findings.append(Violation("STREAM-010", f"stream_mode [{mode!r}]: {problem}", response, describe(streamed.frames)))
    raise_all(findings)


@pytest.mark.requirement("STREAM-011")
def test_a_stream_carries_only_the_modes_it_asked_for(spec, mode_streams):
    modes = modes_of(spec)
    findings, judged = [], 0
    for mode in modes:
        streamed = mode_streams[mode].result()
        response = streamed.require("STREAM-011", f"streaming a run with stream_mode [{mode!r}]")
        names = [f.event for f in streamed.frames]
        if not any(mode_of_event(n) == mode for n in names):
            continue  # nothing of its own to tell apart from the rest (STREAM-010 says so)
        judged += 1
        strays = foreign_events(names, [mode])
        if strays:
            findings.append(Violation("STREAM-011", f"stream_mode [{mode!r}] also carried events of other modes: "
                                      f"{sorted(set(strays))}", response, describe(streamed.frames)))
    if not judged and not findings:
        not_judged("no stream carried events of the mode it asked for (see STREAM-010)")
    raise_all(findings)


@pytest.mark.requirement("STREAM-012")
def test_stream_subgraphs_names_subgraph_events_with_their_namespace(subgraph_streams):
    nested = subgraph_streams[True].result()
    response = nested.require("STREAM-012", "streaming a run with stream_subgraphs true")
    names = [f.event for f in nested.frames]
    namespaced = [f for f in nested.frames if split_namespace(f.event)[1]]
    expect(namespaced, "STREAM-012", "with stream_subgraphs true the subgraph's events should be named `<mode>|<namespace>`; "
           "none was", response, describe(nested.frames))
    malformed = [f.event for f in namespaced if split_namespace(f.event)[0] not in ("values", "updates")
                 or not all(split_namespace(f.event)[1])]
    expect(not malformed, "STREAM-012", f"namespaced events should be `<requested mode>|<namespace>`, received {malformed}",
           response)
    inner = [data(f) for f in namespaced if split_namespace(f.event)[0] == "values"]
    expect(any(isinstance(v, dict) and v.get("echo") == f"{TEXT} (inner)" for v in inner), "STREAM-012",
           f"a namespaced `values` event should hold the subgraph's state (echo {TEXT + ' (inner)'!r}), received {inner}",
           response, describe(nested.frames))
    expect(any(not split_namespace(n)[1] for n in names if mode_of_event(n)), "STREAM-012",
           "the root graph's own events should keep their bare names", response, describe(nested.frames))
    flat = subgraph_streams[False].result()
    flat_response = flat.require("STREAM-012", "streaming a run without stream_subgraphs")
    flat_names = [f.event for f in flat.frames]
    expect(any(mode_of_event(n) == "values" for n in flat_names), "STREAM-012",
           "the run streamed without stream_subgraphs carried no `values` events", flat_response, describe(flat.frames))
    expect(not [n for n in flat_names if split_namespace(n)[1]], "STREAM-012",
           "without stream_subgraphs no event should carry a namespace", flat_response, describe(flat.frames))


# --- resuming -------------------------------------------------------------------------------------


def resume_reference(resumable: Future, requirement: str) -> tuple[Streamed, str, list[Frame]]:
    """The resumable run, its id, and the frames of its full replay, which must carry ids."""
    streamed = resumable.result()
    streamed.require(requirement, "streaming a resumable run")
    run_id = streamed.extra.get("run_id")
    if not run_id:
        not_judged("the resumable run's id was not found (no metadata event, no single run on its thread)")
    replay = streamed.extra["replay"]
    expect_status(replay, 200, requirement, "joining the resumable run's stream with Last-Event-ID -1")
    sent = without_end([f for f in frames(replay.body) if f.has_data])
    if not sent or not all(f.id for f in sent):
        not_judged(f"the full replay of the run carried {len(sent)} events, not all with an id (see STREAM-006 and STREAM-007)")
    return streamed, run_id, sent


def pairs(found: list[Frame]) -> list[tuple[str, str]]:
    return [(f.event, f.text) for f in found]


@pytest.mark.requirement("STREAM-013")
@pytest.mark.operations(JOIN)
def test_joining_with_last_event_id_resumes_right_after_that_event(api, resumable):
    streamed, run_id, sent = resume_reference(resumable, "STREAM-013")
    shared = shared_ids([f.id for f in sent])
    # Every event but the last is a resume point a client may have stopped at.
    findings = []
    for after in range(min(len(sent) - 1, MAX_CUTS)):
        frame = sent[after]
        joined = join(api, streamed.thread_id, run_id, frame.id or "")
        if joined.status != 200:
            findings.append(Violation("STREAM-013", f"joining with Last-Event-ID {frame.id!r} answered {joined.status}", joined))
            continue
        replayed = [f for f in frames(joined.body) if f.has_data]
        problem = replay_problem(pairs(sent), after, pairs(replayed))
        if not problem:
            continue
        others = [p + 1 for p in shared.get(frame.id or "", []) if p != after]
        message = f"resuming after event {after + 1} (`{frame.event}`, id {frame.id!r}): {problem}"
        if others:
            message += f"; its id is also the id of event(s) {others}, so Last-Event-ID cannot say where the client stopped"
        findings.append(Violation("STREAM-013", message, joined, f"the run's events: {describe(sent)}"))
    raise_all(findings)


@pytest.mark.requirement("STREAM-014")
@pytest.mark.operations(JOIN)
def test_joining_with_last_event_id_and_a_stream_mode_resumes_only_that_mode(api, spec, resumable):
    streamed, run_id, sent = resume_reference(resumable, "STREAM-014")
    updates = [i for i, f in enumerate(sent) if mode_of_event(f.event) == "updates"]
    # Resume points where "after this id" is unambiguous: the last event carrying its id (ids some
    # events share are judged under STREAM-013). Best one with `updates` events on both sides.
    points = [i for i in range(len(sent) - 1) if sent[i + 1].id != sent[i].id]
    both = [i for i in points if updates and updates[0] <= i < updates[-1]]
    later = [i for i in points if updates and i < updates[-1]]
    if not (both or later):
        not_judged(f"no resume point with an `updates` event after it ({describe(sent)})")
    after = (both or later)[0]
    joined = join(api, streamed.thread_id, run_id, sent[after].id or "", stream_mode="updates")
    expect_status(joined, 200, "STREAM-014", "joining the run's stream with Last-Event-ID and stream_mode=updates")
    replayed = [f for f in frames(joined.body) if f.has_data]
    expected = [f for f in sent[after + 1:] if mode_of_event(f.event) == "updates"]
    expect(pairs(without_end(replayed)) == pairs(expected), "STREAM-014",
           f"joining with stream_mode=updates after event {after + 1} (id {sent[after].id!r}) should replay only the "
           f"{len(expected)} `updates` event(s) after it", joined, f"{describe(replayed)}\nexpected: {describe(expected)}")


# --- the thread's stream ----------------------------------------------------------------------------


@pytest.mark.requirement("STREAM-015")
@pytest.mark.operations(THREAD_STREAM, "POST /threads/{thread_id}/runs")
def test_the_threads_stream_delivers_the_events_of_a_run_started_while_it_is_open(thread_stream):
    if thread_stream is None:
        not_claimed(f"the spec declares no {THREAD_STREAM}")
    seen = thread_stream.result()
    if "thread_id" not in seen:
        raise SetupFailed("creating a thread", seen["thread"])
    run = seen["run"]
    if not 200 <= run.status < 300:
        raise SetupFailed("creating a run on the thread", run)
    body = run.json_or_none()
    run_id = body.get("run_id") if isinstance(body, dict) else None
    stream: Exchange = seen["stream"]
    expect_status(stream, 200, "STREAM-015", "reading the thread's stream")
    found = [f for f in frames(stream.body) if f.has_data]
    payloads = [data(f) for f in found]
    names_run = any(isinstance(p, dict) and p.get("run_id") == run_id for p in payloads)
    carries_output = any(f.event.split("|")[0] == "values" and isinstance(p, dict) and p.get("text") == "listened"
                         for f, p in zip(found, payloads, strict=True))
    expect(names_run or carries_output, "STREAM-015",
           f"the thread's stream, open while run {run_id} ran on the thread, carried none of its events", stream,
           describe(found))
    expect(carries_output, "STREAM-015",
           "the thread's stream should carry the run's output (a `values` event with text 'listened')", stream, describe(found))
