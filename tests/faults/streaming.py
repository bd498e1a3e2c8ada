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
    description = "a run's stream loses its first event (metadata)"

    def on_events(self, request: ProxyRequest, frames: Iterator[SseFrame]) -> Iterator[SseFrame]:
        if not _creates_stream(request):
            yield from frames
            return
        next(frames, None)
        yield from frames


class DropLastValues(Fault):
    name = "stream-drops-last-values"
    requirement = "STREAM-003"
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
    description = "a failing run's stream ends quietly, without its `error` event"

    def on_events(self, request: ProxyRequest, frames: Iterator[SseFrame]) -> Iterator[SseFrame]:
        return (f for f in frames if f.event != "error")


class StripEventIds(Fault):
    name = "stream-strips-event-ids"
    requirement = "STREAM-006"
    description = "a resumable run's stream sends its events without `id:` lines"

    def on_events(self, request: ProxyRequest, frames: Iterator[SseFrame]) -> Iterator[SseFrame]:
        for frame in frames:
            yield SseFrame(frame.event, frame.data, [x for x in frame.extra if not x.startswith("id:")])


class JoinStreamEmpty(Fault):
    name = "joined-stream-is-empty"
    requirement = "STREAM-007"
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
    description = "a run stream's Content-Location names a run that does not exist"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        location = response.headers.get("content-location")
        if _creates_stream(request) and location:
            response.headers["content-location"] = location.rsplit("/", 1)[0] + f"/{uuid.uuid4()}"
        return response


FAULTS: list[Fault] = [
    DefaultStreamNotSse(), DropFirstEvent(), DropLastValues(), FlattenUpdates(), SwallowErrorEvent(), StripEventIds(),
    JoinStreamEmpty(), DropInterrupt(), ContentLocationNamesAnotherRun(),
]
UNREACHABLE: dict[str, str] = {}
