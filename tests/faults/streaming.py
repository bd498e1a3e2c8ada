"""Faults for the streaming requirements: event streams that lose, reorder or mislabel events."""

from __future__ import annotations

import json
import uuid
from typing import Iterator

from proxy import Fault, ProxyRequest, ProxyResponse, SseFrame

CREATE_STREAM = "/threads/*/runs/stream"
JOIN_STREAM = "/threads/*/runs/*/stream"


def _creates_stream(request: ProxyRequest) -> bool:
    return request.matches("POST", CREATE_STREAM)


class DefaultStreamNotSse(Fault):
    name = "stream-labelled-text-plain"
    requirement = "STREAM-001"
    select = "test_07_streaming"
    # Clients then see no events at all in the default-mode streams (values, fail).
    also = ("STREAM-002", "STREAM-003", "STREAM-005")
    description = "a default-mode run stream is labelled text/plain instead of text/event-stream"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        body = request.json()
        if _creates_stream(request) and isinstance(body, dict) and "stream_mode" not in body:
            response.headers["content-type"] = "text/plain; charset=utf-8"
        return response


class DropFirstEvent(Fault):
    name = "stream-drops-first-event"
    requirement = "STREAM-002"
    select = "test_07_streaming"
    description = "a run's stream loses its first event (metadata)"

    def on_events(self, request: ProxyRequest, frames: Iterator[SseFrame]) -> Iterator[SseFrame]:
        if not _creates_stream(request):
            yield from frames
            return
        next(frames, None)
        yield from frames


class DropLastValues(Fault):
    name = "stream-drops-last-values"
    alone = True  # interacts with other faults of its area
    requirement = "STREAM-003"
    select = "test_07_streaming"
    description = "a run's stream ends before its last `values` event (the final state)"

    def on_events(self, request: ProxyRequest, frames: Iterator[SseFrame]) -> Iterator[SseFrame]:
        if not _creates_stream(request):
            yield from frames
            return
        held = list(frames)  # the last values event is only known at the end
        last = max((i for i, f in enumerate(held) if f.event == "values"), default=None)
        yield from (f for i, f in enumerate(held) if i != last)


class FlattenUpdates(Fault):
    name = "stream-updates-lose-node-names"
    requirement = "STREAM-004"
    select = "test_07_streaming"
    description = "`updates` events carry the written values without the node name around them"

    def on_events(self, request: ProxyRequest, frames: Iterator[SseFrame]) -> Iterator[SseFrame]:
        for frame in frames:
            if frame.event == "updates":
                try:
                    data = json.loads(frame.data)
                except ValueError:
                    data = None
                if isinstance(data, dict):
                    merged: dict = {}
                    for write in data.values():
                        if isinstance(write, dict):
                            merged.update(write)
                    frame = SseFrame(frame.event, json.dumps(merged), frame.extra)
            yield frame


class SwallowErrorEvent(Fault):
    name = "stream-swallows-error-event"
    requirement = "STREAM-005"
    select = "test_07_streaming"
    description = "a failing run's stream ends quietly, without its `error` event"

    def on_events(self, request: ProxyRequest, frames: Iterator[SseFrame]) -> Iterator[SseFrame]:
        return (f for f in frames if f.event != "error")


class StripEventIds(Fault):
    name = "stream-strips-event-ids"
    requirement = "STREAM-006"
    select = "test_07_streaming"
    description = "a resumable run's stream sends its events without `id:` lines"

    def on_events(self, request: ProxyRequest, frames: Iterator[SseFrame]) -> Iterator[SseFrame]:
        for frame in frames:
            yield SseFrame(frame.event, frame.data, [x for x in frame.extra if not x.startswith("id:")])


class JoinStreamEmpty(Fault):
    name = "joined-stream-is-empty"
    requirement = "STREAM-007"
    select = "test_07_streaming"
    description = "joining a run's stream answers 200 text/event-stream with no events"

    def on_events(self, request: ProxyRequest, frames: Iterator[SseFrame]) -> Iterator[SseFrame]:
        if request.matches("GET", JOIN_STREAM):
            for _ in frames:  # read the upstream to its end, forward nothing
                pass
            return
        yield from frames


class DropInterrupt(Fault):
    name = "stream-drops-interrupt"
    requirement = "STREAM-008"
    select = "test_07_streaming"
    description = "a paused run's stream does not say it was interrupted (no `__interrupt__`)"

    def on_events(self, request: ProxyRequest, frames: Iterator[SseFrame]) -> Iterator[SseFrame]:
        for frame in frames:
            if "__interrupt__" in frame.data:
                try:
                    data = json.loads(frame.data)
                except ValueError:
                    data = None
                if isinstance(data, dict):
                    data.pop("__interrupt__", None)
                    frame = SseFrame(frame.event, json.dumps(data), frame.extra)
            yield frame


class ContentLocationNamesAnotherRun(Fault):
    name = "stream-content-location-wrong-run"
    requirement = "STREAM-009"
    select = "test_07_streaming"
    description = "a run stream's Content-Location names a run that does not exist"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        location = response.headers.get("content-location")
        if _creates_stream(request) and location:
            response.headers["content-location"] = location.rsplit("/", 1)[0] + f"/{uuid.uuid4()}"
        return response



# --- stream modes, subgraphs, resuming, the thread's stream (test_07b_streaming_modes.py) ---------


def _asked_for(request: ProxyRequest) -> list:
    body = request.json()
    modes = body.get("stream_mode") if isinstance(body, dict) else None
    return modes if isinstance(modes, list) else [modes] if isinstance(modes, str) else []


class DropCustomEvents(Fault):
    name = "stream-drops-custom-events"
    requirement = "STREAM-010"
    select = "test_07b_streaming"
    description = "a run's stream loses the custom events its graph wrote"

    def on_events(self, request: ProxyRequest, frames: Iterator[SseFrame]) -> Iterator[SseFrame]:
        return (f for f in frames if f.event != "custom")


class CustomStreamCarriesValues(Fault):
    name = "custom-stream-carries-values"
    alone = True  # interacts with other faults of its area
    requirement = "STREAM-011"
    select = "test_07b_streaming"
    description = "a stream that asked for `custom` alone also carries a `values` event after each custom one"

    def on_events(self, request: ProxyRequest, frames: Iterator[SseFrame]) -> Iterator[SseFrame]:
        extra = _creates_stream(request) and _asked_for(request) == ["custom"]
        for frame in frames:
            yield frame
            if extra and frame.event == "custom":
                yield SseFrame("values", json.dumps({"text": "unasked"}), [])


class DropNamespacedEvents(Fault):
    name = "stream-drops-subgraph-events"
    requirement = "STREAM-012"
    select = "test_07b_streaming"
    description = "with stream_subgraphs the subgraph's (`mode|namespace`) events are lost"

    def on_events(self, request: ProxyRequest, frames: Iterator[SseFrame]) -> Iterator[SseFrame]:
        return (f for f in frames if "|" not in f.event)


def _frame_id(frame: SseFrame) -> str | None:
    return next((x[3:].strip() for x in frame.extra if x.startswith("id:")), None)


class ResumeRepeatsTheLastEvent(Fault):
    name = "resume-repeats-the-last-event"
    requirement = "STREAM-013"
    select = "test_07b_streaming"
    description = "joining with Last-Event-ID replays the event with that id again before the ones after it"

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str], SseFrame] = {}  # (join path, id) -> the frame

    def on_events(self, request: ProxyRequest, frames: Iterator[SseFrame]) -> Iterator[SseFrame]:
        if not request.matches("GET", JOIN_STREAM):
            yield from frames
            return
        last = request.headers.get("last-event-id", "")
        again = self.seen.get((request.path, last)) if last != "-1" and request.param("stream_mode") is None else None
        if again is not None:
            yield again
        for frame in frames:
            frame_id = _frame_id(frame)
            if frame_id:
                self.seen[(request.path, frame_id)] = frame
            yield frame


class JoinIgnoresStreamMode(Fault):
    name = "join-ignores-stream-mode"
    requirement = "STREAM-014"
    select = "test_07b_streaming"
    description = "a join's `stream_mode` filter is dropped: every mode is replayed (as LangGraph.js and Aegra do)"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if request.matches("GET", JOIN_STREAM):
            request.query = [(k, v) for k, v in request.query if k != "stream_mode"]
        return None


class ThreadStreamSilent(Fault):
    name = "thread-stream-is-silent"
    requirement = "STREAM-015"
    select = "test_07b_streaming"
    description = "GET /threads/{thread_id}/stream answers an event stream that carries no events"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if request.matches("GET", "/threads/*/stream"):
            return ProxyResponse(200, {"content-type": "text/event-stream; charset=utf-8"}, b": heartbeat\r\n\r\n")
        return None


FAULTS: list[Fault] = [
    DefaultStreamNotSse(), DropFirstEvent(), DropLastValues(), FlattenUpdates(), SwallowErrorEvent(), StripEventIds(),
    JoinStreamEmpty(), DropInterrupt(), ContentLocationNamesAnotherRun(),
    DropCustomEvents(), CustomStreamCarriesValues(), DropNamespacedEvents(), ResumeRepeatsTheLastEvent(),
    JoinIgnoresStreamMode(), ThreadStreamSilent(),
]
UNREACHABLE: dict[str, str] = {}
