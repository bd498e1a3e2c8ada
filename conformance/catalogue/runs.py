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
]
