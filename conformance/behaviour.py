"""Pure laws the behaviour suites (runs, streaming, store) apply to what the target returned.

No I/O here: the suites fetch, these functions judge, and tests/unit/test_behaviour.py proves them.
"""

from __future__ import annotations

import re
from datetime import datetime
from itertools import pairwise
from typing import Any, Iterable, Sequence

# Run statuses after which a run no longer changes (spec: Run.status enum).
TERMINAL_RUN_STATUSES = frozenset({"success", "error", "timeout", "interrupted"})

_STREAM_ID = re.compile(r"^\d+(-\d+)*$")


def namespace_ends_with(returned: Any, expected: Sequence[str]) -> bool:
    """True when `returned` is `expected`, possibly behind labels the server prefixed (e.g. a tenant)."""
    if not isinstance(returned, list) or len(returned) < len(expected):
        return False
    return list(returned[len(returned) - len(expected):]) == list(expected)


def namespace_under(returned: Any, prefix: Sequence[str]) -> bool:
    """True when `returned` lies under `prefix`, allowing labels the server put before the prefix."""
    if not isinstance(returned, list):
        return False
    n = len(prefix)
    return any(list(returned[i:i + n]) == list(prefix) for i in range(len(returned) - n + 1))


def stream_ids_in_order(ids: Iterable[str]) -> tuple[bool, str]:
    """Whether SSE event ids never go backwards. Ids of the form `123` or `123-4` (Redis-stream
    style) are compared numerically; other id schemes are opaque and pass."""
    ids = list(ids)
    if not all(_STREAM_ID.match(i) for i in ids):
        return True, "ids are opaque; order not judged"
    keys = [tuple(int(part) for part in i.split("-")) for i in ids]
    for position, (before, after) in enumerate(pairwise(keys), start=1):
        if after < before:
            return False, f"event {position + 1}'s id {ids[position]!r} comes before event {position}'s id {ids[position - 1]!r}"
    return True, ""


def parse_timestamp(value: Any) -> datetime | None:
    """An ISO 8601 date-time with a time zone, or None."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def newest_first(checkpoints: Sequence[Any]) -> tuple[bool, str]:
    """Whether a thread's history is ordered newest first, judged by each entry's `created_at`."""
    stamps = []
    for position, entry in enumerate(checkpoints):
        stamp = parse_timestamp(entry.get("created_at")) if isinstance(entry, dict) else None
        if stamp is None:
            return False, f"history entry {position} has no ISO 8601 created_at"
        stamps.append(stamp)
    for position, (newer, older) in enumerate(pairwise(stamps)):
        if older > newer:
            return False, (
                f"entry {position + 1} (created {older.isoformat()}) is newer than entry {position} "
                f"(created {newer.isoformat()})"
            )
    return True, ""


def run_id_of_location(location: str | None) -> str | None:
    """The run id a Content-Location like `/threads/{t}/runs/{run_id}` names, or None."""
    if not location:
        return None
    parts = location.split("?")[0].rstrip("/").split("/")
    return parts[-1] if len(parts) >= 2 and parts[-2] == "runs" else None
