"""Streaming runs over server-sent events: order, content and ends of the event stream."""

from ._model import Requirement

REQUIREMENTS = [
    Requirement(
        "STREAM-001", "MUST", "streaming",
        "POST /threads/{thread_id}/runs/stream answers 200 with Content-Type text/event-stream.",
        "spec: POST /threads/{thread_id}/runs/stream (200 text/event-stream)",
        needs=("streaming", "conformance_graphs"),
    ),
    Requirement(
        "STREAM-002", "MUST", "streaming",
        "The first event of a run's stream is `metadata`, carrying the run's id.",
        "SDK: langgraph-sdk MetadataStreamEvent (event `metadata`, data.run_id); observed on langgraph-api 0.16.7",
        needs=("streaming", "conformance_graphs"),
    ),
    Requirement(
        "STREAM-003", "MUST", "streaming",
        "In the default `values` mode the stream carries `values` events, the last equal to the thread's final state.",
        "docs: LangGraph streaming, stream_mode values (the full state after each step); spec: StreamMode",
        needs=("streaming", "conformance_graphs"),
    ),
    Requirement(
        "STREAM-004", "MUST", "streaming",
        "With stream_mode `updates` the stream carries `updates` events keyed by the node that wrote them.",
        "docs: LangGraph streaming, stream_mode updates (the node name and its update after each step)",
        needs=("streaming", "conformance_graphs"),
    ),
    Requirement(
        "STREAM-005", "MUST", "streaming",
        "A run whose graph raises still streams (200) and ends with an `error` event.",
        "docs: LangGraph Server streaming (errors are sent as an `error` event); observed on langgraph-api 0.16.7",
        needs=("streaming", "conformance_graphs"),
    ),
    Requirement(
        "STREAM-006", "MUST", "streaming",
        "With stream_resumable true every event carries an `id:`, and the ids do not go backwards.",
        "spec: RunCreateStateful.stream_resumable, GET .../runs/{run_id}/stream Last-Event-ID; "
        "SSE standard (event ids for resumption)",
        needs=("streaming", "conformance_graphs"),
    ),
    Requirement(
        "STREAM-007", "MUST", "streaming",
        "Joining a resumable run's stream (GET .../runs/{run_id}/stream, Last-Event-ID -1) replays its events "
        "from `metadata` to the final values.",
        "spec: GET /threads/{thread_id}/runs/{run_id}/stream (\"Join a run stream ... Set to -1 to stream all events\")",
        needs=("streaming", "conformance_graphs"),
    ),
    Requirement(
        "STREAM-008", "SHOULD", "streaming",
        "A run that reaches interrupt() ends its stream with an event holding `__interrupt__`.",
        "observed on langgraph-api 0.16.7; docs: LangGraph human-in-the-loop (streamed interrupts)",
        needs=("streaming", "conformance_graphs"),
    ),
    Requirement(
        "STREAM-009", "MUST", "streaming",
        "The stream's Content-Location header names the run the stream created.",
        "spec: POST /threads/{thread_id}/runs/stream, 200 header Content-Location (\"The URL of the run that was created\")",
        needs=("streaming", "conformance_graphs"),
    ),
]
