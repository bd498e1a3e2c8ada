"""Threads: creation, if_exists, metadata, state updates and checkpoints, history, copy, prune, status.

RUNS-007..015 (conformance/catalogue/runs.py) already hold a thread's state after a run, its
status after success and after an interrupt, history order, a PATCH taking effect, deletion and a
copy's state; these cover the rest.
"""

from ._model import Requirement

_RUNS = ("threads", "runs", "conformance_graphs")

REQUIREMENTS = [
    Requirement(
        "THREAD-001", "MUST", "threads",
        "A thread created without a thread_id gets a fresh id of its own, starts `idle`, and reads back by "
        "that id with the metadata it was created with.",
        "spec: POST /threads (ThreadCreate.thread_id: \"If not provided, a random UUID will be generated\"), "
        "Thread.status. Metadata judged by containment: servers add keys (custom auth an owner, Aegra "
        "graph_id, assistant_id and thread_name)",
        needs=("threads",),
    ),
    Requirement(
        "THREAD-002", "MUST", "threads",
        "A thread created with a thread_id (a UUID) has that id and reads back by it.",
        "spec: POST /threads (ThreadCreate.thread_id, format uuid)",
        needs=("threads",),
    ),
    Requirement(
        "THREAD-003", "MUST", "threads",
        "Creating a thread with the id of an existing one answers 409 when if_exists is absent or `raise`, "
        "and leaves the existing thread unchanged.",
        "spec: POST /threads 409; ThreadCreate.if_exists (\"'raise' (raise error if duplicate)\", default raise)",
        needs=("threads",),
    ),
    Requirement(
        "THREAD-004", "MUST", "threads",
        "Creating a thread with the id of an existing one and if_exists `do_nothing` answers the existing "
        "thread, its metadata unchanged.",
        "spec: ThreadCreate.if_exists (\"'do_nothing' (return existing thread)\")",
        needs=("threads",),
    ),
    Requirement(
        "THREAD-005", "MUST", "threads",
        "PATCH of a thread's metadata merges: the keys it sets take their new values, the keys it does not "
        "name keep theirs, and later reads show the result.",
        "spec: ThreadPatch.metadata (\"Metadata to merge with existing thread metadata\"); official, JS and "
        "Aegra merge (shallowly)",
        needs=("threads",),
    ),
    Requirement(
        "THREAD-006", "MUST", "threads",
        "Updating a thread's state (POST /threads/{thread_id}/state) adds exactly one checkpoint: the state "
        "then holds the new values, and the history is one longer with that checkpoint first.",
        "spec: POST /threads/{thread_id}/state (ThreadStateUpdate.values); docs: LangGraph persistence, "
        "update_state (\"creates a new checkpoint\")",
        needs=_RUNS,
    ),
    Requirement(
        "THREAD-007", "MUST", "threads",
        "A state update with `as_node` counts as that node's output: the graph continues after that node.",
        "spec: ThreadStateUpdate.as_node (\"Update the state as if this node had just executed\"); the "
        "conformance interrupt graph paused before ask_human has nothing left to run once updated as ask_human",
        needs=_RUNS,
    ),
    Requirement(
        "THREAD-008", "MUST", "threads",
        "Reading a thread's state at a checkpoint (GET /threads/{thread_id}/state/{checkpoint_id}) answers "
        "that checkpoint and its values, not the latest.",
        "spec: GET /threads/{thread_id}/state/{checkpoint_id} (\"Get state for a thread at a specific checkpoint\")",
        needs=_RUNS,
    ),
    Requirement(
        "THREAD-009", "MUST", "threads",
        "Reading a thread's state at a checkpoint by POST /threads/{thread_id}/state/checkpoint answers that "
        "checkpoint and its values, not the latest.",
        "spec: POST /threads/{thread_id}/state/checkpoint (ThreadStateCheckpointRequest.checkpoint)",
        needs=_RUNS,
    ),
    Requirement(
        "THREAD-010", "MUST", "threads",
        "A thread's history (GET /threads/{thread_id}/history) pages with `limit` and `before`: pages of "
        "`limit` entries, each read before the last entry of the one before, give back the whole history in order.",
        "spec: GET /threads/{thread_id}/history (limit; before: \"Return states before this checkpoint\"). "
        "The suite always sends `limit`: without it the official server answers one entry where its spec "
        "declares a default of 10 (erratum)",
        needs=_RUNS,
    ),
    Requirement(
        "THREAD-011", "MUST", "threads",
        "A thread's history read by POST /threads/{thread_id}/history pages the same way, with `before` the id "
        "of the checkpoint the page ends at.",
        "spec: POST /threads/{thread_id}/history (ThreadStateSearch.limit, before); the id string is the form "
        "every implementation takes (erratum LG-054; the SDK's threads.get_history passes a str or a Checkpoint); "
        "the CheckpointConfig form the spec declares is THREAD-017's",
        needs=_RUNS,
    ),
    Requirement(
        "THREAD-012", "MUST", "threads",
        "A thread's copy has the source's history, checkpoint for checkpoint, and is independent of it: "
        "updating the copy's state leaves the source's unchanged.",
        "spec: POST /threads/{thread_id}/copy (\"Create a new thread with a copy of the state and "
        "checkpoints\"); RUNS-015 judges the copy's current state",
        needs=_RUNS,
    ),
    Requirement(
        "THREAD-013", "MUST", "threads",
        "Pruning threads by id (POST /threads/prune) deletes them: reading a pruned thread answers 404, the "
        "answer counts it, and threads not named are untouched.",
        "spec: POST /threads/prune (ThreadPruneRequest.thread_ids, strategy default `delete`: \"removes "
        "threads entirely\"; ThreadPruneResponse.pruned_count). A capability: claimed only by a spec that "
        "declares the operation with a thread_ids body (JS has no such route; Aegra's prune takes no body "
        "and applies TTL policies instead)",
        needs=("threads",),
    ),
    Requirement(
        "THREAD-014", "MUST", "threads",
        "A thread is `busy` while a run on it is pending or running, and `idle` again once the run has finished.",
        "spec: Thread.status enum (idle, busy, interrupted, error); official, JS and Aegra set busy when the "
        "run is created",
        needs=_RUNS,
    ),
    Requirement(
        "THREAD-015", "MUST", "threads",
        "A thread whose run failed reads status `error`.",
        "spec: Thread.status enum (error); official, JS and Aegra set it when a run raises",
        needs=_RUNS,
    ),
    Requirement(
        "THREAD-016", "SHOULD", "threads",
        "Where the spec declares a `Prefer` header on PATCH /threads/{thread_id}, a PATCH with "
        "`Prefer: return=minimal` answers 204 with no body, and the update still takes effect.",
        "RFC 7240 (return=minimal); the official server and its SDK (threads.update(return_minimal=True)) "
        "implement it, but the official spec declares the header nowhere, JS and Aegra ignore it: judged only "
        "when the target's spec declares it, and SHOULD since RFC 7240 lets a server ignore a preference",
        needs=("threads",),
    ),
    Requirement(
        "THREAD-017", "SHOULD", "threads",
        "POST /threads/{thread_id}/history takes `before` as the CheckpointConfig its spec declares, and gives the "
        "page it gives for that checkpoint's id.",
        "spec: ThreadStateSearch.before is a CheckpointConfig; SHOULD because the official server answers it 500 and "
        "LangGraph.js 400 (both take the id string, THREAD-011), while Aegra takes both",
        needs=_RUNS,
    ),
]
