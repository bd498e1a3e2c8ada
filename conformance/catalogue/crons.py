"""Crons: creation, search and count, patching, deletion; a cron that fires (thorough budget)."""

from ._model import Requirement

REQUIREMENTS: list[Requirement] = [
    Requirement(
        "CRON-001", "MUST", "crons",
        "POST /runs/crons answers the cron it created: a `cron_id`, the schedule and assistant sent, no thread; and "
        "reading the cron back (GET /runs/crons/{cron_id}, else a search) shows the same.",
        "spec: POST /runs/crons (\"Create a cron to schedule runs on new threads\", 200 Cron), GET /runs/crons/{cron_id}. "
        "Aegra answers a Run instead (and fires it at once): a deviation of that implementation",
        needs=("crons", "assistants", "graph"),
    ),
    Requirement(
        "CRON-002", "MUST", "crons",
        "POST /threads/{thread_id}/runs/crons answers a cron bound to that thread (its `thread_id`), and reading it "
        "back shows the thread.",
        "spec: POST /threads/{thread_id}/runs/crons (\"Create a cron to schedule runs on a thread\", 200 Cron), Cron.thread_id",
        needs=("crons", "assistants", "graph"),
    ),
    Requirement(
        "CRON-003", "MUST", "crons",
        "POST /runs/crons/search honours its `thread_id`, `assistant_id`, `enabled` and `metadata` filters: it finds the "
        "crons that match and none that do not.",
        "spec: CronSearch (assistant_id, thread_id, enabled, metadata); langgraph-api 0.16.7 and Aegra honour all four",
        needs=("crons", "assistants", "graph"),
    ),
    Requirement(
        "CRON-004", "MUST", "crons",
        "POST /runs/crons/count honours its `thread_id`, `assistant_id` and `metadata` filters (together, too): it counts "
        "exactly the crons that match.",
        "spec: POST /runs/crons/count (CronCountRequest: assistant_id, thread_id, metadata)",
        needs=("crons", "assistants", "graph"),
    ),
    Requirement(
        "CRON-005", "MUST", "crons",
        "PATCH /runs/crons/{cron_id} takes effect: the new `schedule` and `enabled` and the patched metadata keys read "
        "back afterwards.",
        "spec: PATCH /runs/crons/{cron_id} (CronPatch); SDK: crons.update. Whether metadata is merged (langgraph-api) or "
        "replaced (Aegra) is left open: only the patched keys are judged",
        needs=("crons", "assistants", "graph"),
    ),
    Requirement(
        "CRON-006", "SHOULD", "crons",
        "PATCH /runs/crons/{cron_id} with `end_time: null` clears the cron's end time.",
        "SDK: crons.update docstring (\"Pass None to clear a previously set end time; omit to leave it unchanged\"); "
        "langgraph-api 0.16.7 clears it. SHOULD: the spec does not say so, and Aegra ignores a null end_time",
        needs=("crons", "assistants", "graph"),
    ),
    Requirement(
        "CRON-007", "MUST", "crons",
        "A deleted cron is gone: reading it answers 404 (where the spec declares GET /runs/crons/{cron_id}) and a search "
        "no longer finds it.",
        "spec: DELETE /runs/crons/{cron_id} (\"Delete a cron by ID\"), GET /runs/crons/{cron_id} 404, POST /runs/crons/search",
        needs=("crons", "assistants", "graph"),
    ),
    Requirement(
        "CRON-008", "MUST", "crons",
        "A cron on a thread with the schedule `* * * * *` produces a run on that thread within 130 seconds.",
        "spec: ThreadCronCreate.schedule (\"The cron schedule to execute this job on\"); langgraph-api 0.16.7 runs it at "
        "the next minute (its scheduler polls every 5 s), Aegra at once and then every minute. A slow check: it runs "
        "with --budget thorough",
        needs=("crons", "assistants", "graph"),
    ),
]
