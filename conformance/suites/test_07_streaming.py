"""Streaming runs over server-sent events: what a stream carries, in what order, and how it ends.

Each stream is read once by a module fixture (bounded by a deadline and an event cap); tests
judge what was read, each under its own requirement.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

import pytest

from conformance.behaviour import run_id_of_location, stream_ids_in_order
from conformance.checks import SetupFailed, expect, expect_status, violate
from conformance.http import ApiClient, Exchange, SseEvent, segment
from conformance.sse import frames

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.operations("POST /threads", "POST /threads/{thread_id}/runs/stream"),
]

STREAM_TIMEOUT = 30.0
MAX_EVENTS = 200


@dataclass
class Stream:
    """A run streamed on a fresh thread."""

    thread: Exchange
    response: Exchange | None = None
    events: list[SseEvent] = dataclass_field(default_factory=list)

    @property
    def thread_id(self) -> str:
        return (self.thread.json_or_none() or {}).get("thread_id", "")

    def require(self, requirement: str) -> Exchange:
        """The thread was made (or `requirement` is not judged), and the stream answered 200."""
        if not (200 <= self.thread.status < 300 and self.thread_id):
            raise SetupFailed("creating a thread", self.thread)
        assert self.response is not None
        expect_status(self.response, 200, requirement, "streaming a run")
        return self.response

    @property
    def closing(self) -> list[SseEvent]:
        """The events without a final `end` event: some servers send one after the last event
        (Aegra does), which the SDKs read as the end of the stream, not as an event of the run."""
        events = list(self.events)
        while events and events[-1].event == "end":
            events.pop()
        return events

    def named(self, name: str) -> list[SseEvent]:
        return [e for e in self.events if e.event == name]


def stream_run(api: ApiClient, body: dict[str, Any]) -> Stream:
    thread = api.post("/threads", json=api.tag())
    stream = Stream(thread)
    if 200 <= thread.status < 300 and stream.thread_id:
        stream.response, stream.events = api.stream(
            "POST", f"/threads/{segment(stream.thread_id)}/runs/stream", json=body, max_events=MAX_EVENTS, timeout=STREAM_TIMEOUT,
        )
    return stream


def data_of(event: SseEvent) -> Any:
    try:
        return event.json()
    except ValueError:
        return None


def describe(events: list[SseEvent]) -> str:
    return "events received: " + (", ".join(e.event for e in events) or "none")


def output_events(events: list[SseEvent]) -> list[tuple[str, str]]:
    """The events that carry the run's output: no metadata, no empty keep-alive events."""
    return [(e.event, e.data) for e in events if e.event != "metadata" and e.data]


def in_order_within(wanted: list, found: list) -> bool:
    """Whether every item of `wanted` appears in `found`, in the same order."""
    rest = iter(found)
    return all(item in rest for item in wanted)


@pytest.fixture(scope="module")
def values_stream(api: ApiClient, assistants: dict[str, str]) -> Stream:
    """A run streamed in the default mode (values)."""
    return stream_run(api, {"assistant_id": assistants["echo"], "input": {"text": "beta"}})


@pytest.fixture(scope="module")
def resumable_stream(api: ApiClient, assistants: dict[str, str]) -> Stream:
    """A run streamed in `updates` mode with stream_resumable, so it can be joined afterwards."""
    return stream_run(api, {
        "assistant_id": assistants["echo"], "input": {"text": "gamma"}, "stream_mode": ["updates"], "stream_resumable": True,
    })


def the_run_of(api: ApiClient, stream: Stream, requirement: str) -> str:
    """The id of the one run on the stream's thread, read from the thread's runs (not from the stream)."""
    listed = api.get(f"/threads/{segment(stream.thread_id)}/runs")
    expect_status(listed, 200, requirement, "listing the streamed thread's runs")
    runs = listed.json_or_none()
    expect(isinstance(runs, list) and len(runs) == 1 and isinstance(runs[0], dict), requirement,
           "the streamed thread should have exactly one run", listed)
    return runs[0].get("run_id", "")


@pytest.mark.requirement("STREAM-001")
def test_streaming_a_run_answers_200_text_event_stream(values_stream):
    response = values_stream.require("STREAM-001")
    expect("text/event-stream" in response.content_type, "STREAM-001",
           f"a run's stream should be text/event-stream, received {response.content_type or '(no content type)'}", response)


@pytest.mark.requirement("STREAM-002")
def test_the_first_event_of_a_runs_stream_is_metadata_with_the_run_id(values_stream):
    response = values_stream.require("STREAM-002")
    events = values_stream.events
    expect(events, "STREAM-002", "the stream carried no events", response)
    first = events[0]
    expect(first.event == "metadata", "STREAM-002", f"the first event should be `metadata`, received `{first.event}`",
           response, describe(events))
    data = data_of(first)
    expect(isinstance(data, dict) and isinstance(data.get("run_id"), str) and data["run_id"], "STREAM-002",
           f"the metadata event should carry the run_id, received {first.data[:200]}", response)


@pytest.mark.requirement("STREAM-003")
@pytest.mark.operations("GET /threads/{thread_id}/state")
def test_values_events_carry_the_state_and_the_last_is_the_final_state(api, values_stream):
    response = values_stream.require("STREAM-003")
    values = values_stream.named("values")
    expect(values, "STREAM-003", "a run streamed in the default mode carried no `values` events", response,
           describe(values_stream.events))
    state = api.get(f"/threads/{segment(values_stream.thread_id)}/state")
    expect_status(state, 200, "STREAM-003", "reading the streamed thread's state")
    final = (state.json_or_none() or {}).get("values")
    last = data_of(values[-1])
    expect(last == final, "STREAM-003", f"the last `values` event {last} differs from the thread's final state {final}",
           response)


@pytest.mark.requirement("STREAM-004")
def test_updates_mode_streams_updates_keyed_by_node(resumable_stream):
    response = resumable_stream.require("STREAM-004")
    updates = resumable_stream.named("updates")
    expect(updates, "STREAM-004", "stream_mode updates carried no `updates` events", response,
           describe(resumable_stream.events))
    by_node = [data_of(e) for e in updates]
    expect(any(isinstance(u, dict) and isinstance(u.get("copy_text"), dict) and u["copy_text"].get("echo") == "gamma" for u in by_node),
           "STREAM-004", f"an `updates` event should hold the copy_text node's write under its name, received {by_node}", response)


@pytest.mark.requirement("STREAM-005")
def test_a_failing_run_still_streams_and_ends_with_an_error_event(api, assistants):
    failing = stream_run(api, {"assistant_id": assistants["fail"], "input": {}})
    response = failing.require("STREAM-005")
    events = failing.closing
    expect(events and events[-1].event == "error", "STREAM-005",
           "a failing run's stream should end with an `error` event (a final `end` event aside)", response, describe(failing.events))


@pytest.mark.requirement("STREAM-006")
def test_a_resumable_stream_gives_every_event_an_id_in_order(resumable_stream):
    response = resumable_stream.require("STREAM-006")
    # Each frame's id as the server wrote it (an SSE reader carries the last id forward).
    sent = [f for f in frames(response.body) if f.has_data and f.complete]
    expect(sent, "STREAM-006", "the stream carried no events", response)
    missing = [f.event for f in sent if not f.id]
    expect(not missing, "STREAM-006", f"with stream_resumable every event needs an id; {len(missing)} have none ({missing})",
           response)
    ordered, detail = stream_ids_in_order(f.id or "" for f in sent)
    expect(ordered, "STREAM-006", "event ids go backwards", response, detail)


@pytest.mark.requirement("STREAM-007")
@pytest.mark.operations("GET /threads/{thread_id}/runs", "GET /threads/{thread_id}/runs/{run_id}/stream")
def test_joining_a_resumable_runs_stream_replays_its_events(api, resumable_stream):
    resumable_stream.require("STREAM-007")
    run_id = the_run_of(api, resumable_stream, "STREAM-007")
    joined, events = api.stream(
        "GET", f"/threads/{segment(resumable_stream.thread_id)}/runs/{segment(run_id)}/stream",
        headers={"Last-Event-ID": "-1"}, max_events=MAX_EVENTS, timeout=STREAM_TIMEOUT,
    )
    expect_status(joined, 200, "STREAM-007", "joining the run's stream")
    expect(events, "STREAM-007", "joining a finished resumable run's stream replayed no events", joined)
    first = data_of(events[0])
    expect(events[0].event == "metadata" and isinstance(first, dict) and first.get("run_id") == run_id, "STREAM-007",
           f"the replay should start with the run's `metadata` (run_id {run_id})", joined, describe(events))
    original, replayed = output_events(resumable_stream.events), output_events(events)
    expect(in_order_within(original, replayed), "STREAM-007", "the replay lacks events the run streamed", joined,
           f"streamed: {original}\nreplayed: {replayed}")


@pytest.mark.requirement("STREAM-008")
def test_a_run_that_reaches_interrupt_ends_its_stream_with_the_interrupt(api, assistants):
    paused = stream_run(api, {"assistant_id": assistants["interrupt"], "input": {"text": "ask"}})
    response = paused.require("STREAM-008")
    events = paused.closing
    expect(events, "STREAM-008", "the stream carried no events", response)
    last = data_of(events[-1])
    if not (isinstance(last, dict) and "__interrupt__" in last):
        violate("STREAM-008", f"the last event (`{events[-1].event}`) should hold `__interrupt__`, received {events[-1].data[:300]}",
                response, describe(events))


@pytest.mark.requirement("STREAM-009")
@pytest.mark.operations("GET /threads/{thread_id}/runs")
def test_the_streams_content_location_names_the_run_it_created(api, values_stream):
    response = values_stream.require("STREAM-009")
    run_id = the_run_of(api, values_stream, "STREAM-009")
    location = response.headers.get("content-location")
    expect(run_id_of_location(location) == run_id, "STREAM-009",
           f"Content-Location should name the run {run_id}, received {location!r}", response)
