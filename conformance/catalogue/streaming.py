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
    # --- stream modes, subgraphs, resuming, the thread's stream (conformance/suites/test_07b_streaming_modes.py)
    Requirement(
        "STREAM-010", "MUST", "streaming",
        "Each stream mode the spec lists, asked for alone, yields its events: `values`, `updates`, `events`, `debug`, "
        "`tasks`, `checkpoints` and `custom` events by those names, `messages-tuple` as `messages` events "
        "([message, metadata]), `messages` as `messages/metadata` and `messages/partial` or `messages/complete`.",
        "spec: RunCreateStateful.stream_mode (enum values, messages, messages-tuple, tasks, checkpoints, updates, events, "
        "debug, custom); docs: https://langchain-ai.github.io/langgraph/cloud/concepts/streaming; the event names are "
        "those of langgraph-api, LangGraph.js and Aegra alike",
        needs=("streaming", "conformance_graphs"),
    ),
    Requirement(
        "STREAM-011", "MUST", "streaming",
        "A stream carries only the modes it asked for: besides `metadata`, `error` and a final `end`, no event of a "
        "mode that was not requested.",
        "spec: RunCreateStateful.stream_mode (\"The stream mode(s) to use\"); langgraph-api, LangGraph.js and Aegra "
        "emit a mode only when it was asked for",
        needs=("streaming", "conformance_graphs"),
    ),
    Requirement(
        "STREAM-012", "MUST", "streaming",
        "With stream_subgraphs true a subgraph's events are named `<mode>|<namespace>` (the root graph's keep their "
        "bare names); without it no event carries a namespace.",
        "spec: RunCreateStateful.stream_subgraphs; docs: LangGraph streaming (subgraph outputs carry their namespace); "
        "the `mode|ns` naming is that of langgraph-api, LangGraph.js and Aegra",
        needs=("streaming", "conformance_graphs"),
    ),
    Requirement(
        "STREAM-013", "MUST", "streaming",
        "Joining a resumable run's stream with Last-Event-ID set to the id of one of its events replays exactly the "
        "events after that one: none at or before it again, none lost.",
        "spec: GET /threads/{thread_id}/runs/{run_id}/stream, header Last-Event-ID (\"The ID of the last event "
        "received\"); SSE standard (a reconnecting client sends the id of the last event it received). An id several "
        "events share names no single event, so a client that stopped at the first of them loses the others",
        needs=("streaming", "conformance_graphs"),
    ),
    Requirement(
        "STREAM-014", "SHOULD", "streaming",
        "Joining with Last-Event-ID and `stream_mode` replays only the events of that mode after that event.",
        "spec: GET /threads/{thread_id}/runs/{run_id}/stream, query stream_mode; langgraph-api 0.16.7 honours it. "
        "SHOULD: LangGraph.js and Aegra ignore the filter on a join and replay every mode",
        needs=("streaming", "conformance_graphs"),
    ),
    Requirement(
        "STREAM-015", "MUST", "streaming",
        "GET /threads/{thread_id}/stream delivers the events of a run started on the thread while the stream is open.",
        "spec: GET /threads/{thread_id}/stream (\"The stream will include the output of each run executed sequentially "
        "on the thread\"); judged where the target's spec declares it",
        needs=("streaming", "conformance_graphs"),
    ),
]
