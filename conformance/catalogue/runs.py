"""Runs, threads and their state: behaviour the spec's schemas cannot express."""

from ._model import Requirement

REQUIREMENTS = [
    Requirement(
        "RUNS-001", "MUST", "runs",
        "Joining a run created on a thread returns the graph's final state.",
        "spec: POST /threads/{thread_id}/runs, GET /threads/{thread_id}/runs/{run_id}/join "
        "(\"Wait for a run to finish\")",
        needs=("runs", "conformance_graphs"),
    ),
    Requirement(
        "RUNS-002", "MUST", "runs",
        "A run is pending or running when created and its status reads `success` once it has finished.",
        "spec: Run.status enum (pending, running, error, success, timeout, interrupted); GET /threads/{thread_id}/runs/{run_id}",
        needs=("runs", "conformance_graphs"),
    ),
    Requirement(
        "RUNS-003", "MUST", "runs",
        "A run whose graph raises an exception ends with status `error`.",
        "spec: Run.status enum; docs: LangSmith Deployment runs (a failed run is marked error)",
        needs=("runs", "conformance_graphs"),
    ),
    Requirement(
        "RUNS-004", "MUST", "runs",
        "Cancelling a running run with `wait=true` stops it: its status becomes `interrupted`, not success.",
        "docs: How to cancel a run (the default action `interrupt` marks the run interrupted); "
        "spec: POST /threads/{thread_id}/runs/{run_id}/cancel",
        needs=("runs", "conformance_graphs"),
    ),
    Requirement(
        "RUNS-005", "MUST", "runs",
        "The list of a thread's runs contains every run created on it.",
        "spec: GET /threads/{thread_id}/runs (\"List runs for a thread\")",
        needs=("runs", "conformance_graphs"),
    ),
    Requirement(
        "RUNS-006", "MUST", "runs",
        "A deleted run is gone: reading it afterwards answers 404.",
        "spec: DELETE /threads/{thread_id}/runs/{run_id} (\"Delete a run by ID\"), GET .../runs/{run_id} 404",
        needs=("runs", "conformance_graphs"),
    ),
    Requirement(
        "RUNS-007", "MUST", "runs",
        "A thread's current state (GET /threads/{thread_id}/state) holds the final values of its last run.",
        "spec: GET /threads/{thread_id}/state (\"The latest state of the thread (i.e. latest checkpoint)\")",
        needs=("runs", "conformance_graphs"),
    ),
    Requirement(
        "RUNS-008", "MUST", "runs",
        "A thread's status returns to `idle` once its run has succeeded.",
        "spec: Thread.status enum (idle, busy, interrupted, error); docs: LangSmith Deployment threads",
        needs=("runs", "conformance_graphs"),
    ),
    Requirement(
        "RUNS-009", "MUST", "runs",
        "A run that reaches interrupt() leaves its thread `interrupted`, with the waiting node in the state's `next`.",
        "docs: LangGraph human-in-the-loop (interrupt); spec: Thread.status, ThreadState.next",
        needs=("runs", "conformance_graphs"),
    ),
    Requirement(
        "RUNS-010", "MUST", "runs",
        "A run with `command: {resume: value}` resumes an interrupted thread to completion: its output "
        "holds the value and no node is left to run.",
        "docs: LangGraph human-in-the-loop (Command(resume=...)); spec: RunCreateStateful.command",
        needs=("runs", "conformance_graphs"),
    ),
    Requirement(
        "RUNS-011", "MUST", "runs",
        "A stateless run (POST /runs/wait) returns the graph's final output.",
        "spec: POST /runs/wait (\"Create a run, wait for it to complete and return the final state\")",
        needs=("runs", "conformance_graphs"),
    ),
    Requirement(
        "RUNS-012", "MUST", "runs",
        "A thread's history lists its checkpoints newest first, starting with the current state.",
        "docs: LangGraph persistence, get_state_history (most recent checkpoint first); "
        "spec: GET /threads/{thread_id}/history",
        needs=("runs", "conformance_graphs"),
    ),
    Requirement(
        "RUNS-013", "MUST", "runs",
        "PATCH of a thread's metadata takes effect: reading the thread shows the new key.",
        "spec: PATCH /threads/{thread_id} (\"Update a thread\")",
        needs=("threads",),
    ),
    Requirement(
        "RUNS-014", "MUST", "runs",
        "A deleted thread is gone: reading it afterwards answers 404.",
        "spec: DELETE /threads/{thread_id}, GET /threads/{thread_id} 404",
        needs=("threads",),
    ),
    Requirement(
        "RUNS-015", "MUST", "runs",
        "Copying a thread creates a new thread whose state values equal the original's.",
        "spec: POST /threads/{thread_id}/copy (\"Create a new thread with a copy of the state and checkpoints\")",
        needs=("runs", "conformance_graphs"),
    ),
    # --- what a run does to a busy thread, and how runs are created, delayed and cancelled
    # (conformance/suites/test_06b_runs_multitask.py)
    Requirement(
        "RUNS-016", "MUST", "runs",
        "A run created on an unknown thread (POST /threads/{thread_id}/runs, /runs/wait, /runs/stream) without "
        "`if_not_exists` answers 404 and creates no thread.",
        "spec: RunCreateStateful.if_not_exists (default `reject`: \"raise error if missing\"), 404 declared on the three "
        "operations; langgraph-api 0.16.7 answers 404 (LangGraph.js answers 422, Aegra creates the thread)",
        needs=("runs", "conformance_graphs"),
    ),
    Requirement(
        "RUNS-017", "MUST", "runs",
        "A run created on an unknown thread with `if_not_exists: create` is accepted, creates the thread and runs on it.",
        "spec: RunCreateStateful.if_not_exists (\"'create' (create new thread)\")",
        needs=("runs", "conformance_graphs"),
    ),
    Requirement(
        "RUNS-018", "MUST", "runs",
        "A run created with `multitask_strategy: reject` on a thread whose run is in progress is refused, and the run "
        "in progress goes on to succeed.",
        "docs: https://docs.langchain.com/langsmith/double-texting (reject \"rejects any additional incoming runs while a "
        "current run is in progress\"); spec: RunCreateStateful.multitask_strategy",
        needs=("runs", "conformance_graphs"),
    ),
    Requirement(
        "RUNS-019", "SHOULD", "runs",
        "The refusal of a run under `multitask_strategy: reject` answers 409 Conflict.",
        "spec: POST /threads/{thread_id}/runs declares 409; langgraph-api 0.16.7 answers 409. SHOULD: LangGraph.js "
        "answers 422, and the status is no part of what double texting promises (the run is refused either way)",
        needs=("runs", "conformance_graphs"),
    ),
    Requirement(
        "RUNS-020", "MUST", "runs",
        "A run created with `multitask_strategy: enqueue` on a busy thread waits (pending) while the run in progress "
        "goes on, then runs after it: both succeed and the thread ends with the second run's output.",
        "docs: https://docs.langchain.com/langsmith/double-texting (enqueue: \"Incoming requests are queued and executed "
        "sequentially once prior runs complete\"); spec: RunCreateStateful.multitask_strategy",
        needs=("runs", "conformance_graphs"),
    ),
    Requirement(
        "RUNS-021", "MUST", "runs",
        "A run created with `multitask_strategy: interrupt` on a busy thread stops the run in progress, which ends "
        "`interrupted`, and the new run succeeds.",
        "docs: https://docs.langchain.com/langsmith/double-texting (interrupt \"halts the current execution and preserves "
        "the progress\"); spec: Run.status",
        needs=("runs", "conformance_graphs"),
    ),
    Requirement(
        "RUNS-022", "MUST", "runs",
        "A run created with `multitask_strategy: rollback` on a busy thread deletes the run in progress (reading it "
        "answers 404), and the new run succeeds.",
        "docs: https://docs.langchain.com/langgraph-platform/rollback-concurrent (\"the first run is completely deleted "
        "from the database\"); SDK: CancelAction rollback (\"Cancel the run. Then delete the run\")",
        needs=("runs", "conformance_graphs"),
    ),
    Requirement(
        "RUNS-023", "MUST", "runs",
        "POST /runs/batch with N run payloads answers N distinct runs, and each of them runs to its own output.",
        "spec: POST /runs/batch (\"Create Run Batch\"; RunBatchCreate: an array of RunCreateStateless)",
        needs=("runs", "conformance_graphs"),
    ),
    Requirement(
        "RUNS-024", "MUST", "runs",
        "POST /runs/cancel with a thread_id and run_ids cancels those runs, running or pending: each then reads "
        "`interrupted`.",
        "spec: POST /runs/cancel (RunsCancel: thread_id and run_ids; action default interrupt); SDK: runs.cancel_many",
        needs=("runs", "conformance_graphs"),
    ),
    Requirement(
        "RUNS-025", "MUST", "runs",
        "A run created with `after_seconds: N` does not start before N seconds have passed (it reads `pending`), and "
        "then runs.",
        "spec: RunCreateStateful.after_seconds (\"The number of seconds to wait before starting the run\"); judged where the "
        "target's spec declares after_seconds (Aegra's does not, and ignores it)",
        needs=("runs", "conformance_graphs"),
    ),
    Requirement(
        "RUNS-026", "SHOULD", "runs",
        "A client that joins a run with `cancel_on_disconnect=true` and then disconnects cancels the run.",
        "spec: GET /threads/{thread_id}/runs/{run_id}/join, query cancel_on_disconnect; langgraph-api 0.16.7 cancels. "
        "SHOULD: LangGraph.js honours it only on the join stream and Aegra not at all, and a disconnect is noticed by "
        "a server on a best-effort basis",
        needs=("runs", "conformance_graphs"),
    ),
    Requirement(
        "RUNS-027", "MUST", "runs",
        "A cancelled run stays cancelled: once the time it needed has passed it still reads `interrupted`, and its "
        "node's output never reaches the thread's state.",
        "docs: How to cancel a run (action interrupt stops the run); spec: Run.status (interrupted is final)",
        needs=("runs", "conformance_graphs"),
    ),
    Requirement(
        "RUNS-028", "MUST", "runs",
        "POST /threads/{thread_id}/runs/wait answers the graph's final values whatever text they hold: a value that "
        "merely contains `__interrupt__` is returned as it is, and the run reads `success`.",
        "spec: POST /threads/{thread_id}/runs/wait (\"Wait for the final output and then return it\"); "
        "an interrupt is the graph pausing (a top-level `__interrupt__` list), not a string in the state",
        needs=("runs", "conformance_graphs"),
    ),
    Requirement(
        "RUNS-029", "MUST", "runs",
        "A run created with a `webhook` calls it exactly once after the run ends, with a JSON body naming the run's "
        "run_id, thread_id and final status.",
        "spec: RunCreateStateful.webhook (\"Webhook to call after LangGraph API call is done\"); docs: "
        "https://docs.langchain.com/langsmith/use-webhooks (\"will send a request at the completion of a run\"); the "
        "official server and LangGraph.js post the run with its status. Judged with a "
        "receiver on 127.0.0.1: a deployment that refuses loopback webhook URLs (langgraph-api by default, SSRF "
        "protection) does not claim it",
        needs=("runs", "webhooks", "conformance_graphs"),
    ),
]
