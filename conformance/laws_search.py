"""Search and count semantics, as pure logic: which filters each search operation of a spec
declares (and which count operation shares them), and the laws a filtered result obeys.

The operations are the ones `conformance.pagination.discover` finds (every operation that takes
a `limit`); their filters are its `filters`, minus the parameters that shape an answer rather than
select items. Nothing here does I/O: the search suite seeds data, fetches, and hands results over.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from .pagination import PaginatedOperation, discover
from .surface import resolve_ref

# Parameters of a search that shape what comes back instead of choosing which items: `select`
# and `extract` pick fields, `refresh_ttl` touches the items read, `max_depth` truncates namespaces.
OPTIONS = frozenset({"select", "extract", "refresh_ttl", "max_depth"})


@dataclass(frozen=True)
class SearchFilter:
    """One filter one search operation declares."""

    operation: PaginatedOperation
    name: str
    count_path: str = ""  # the POST count operation that declares the same filter, if any

    @property
    def key(self) -> str:
        return f"{self.operation.key} {self.name}"

    @property
    def names_an_id(self) -> bool:
        """The filter names resources by id (`ids`, `assistant_id`, `thread_id`...). `graph_id` is
        not one: a graph is deployed, not created through the API, and an unknown one is answered
        differently by honest servers (the official server 404s, LangGraph.js and Aegra find nothing)."""
        return self.name == "ids" or (self.name.endswith("_id") and self.name != "graph_id")


def _body_properties(document: Mapping[str, Any], operation: Mapping[str, Any]) -> dict[str, Any]:
    body = resolve_ref(operation.get("requestBody") or {}, document)
    schema = resolve_ref(((body or {}).get("content") or {}).get("application/json", {}).get("schema"), document)
    return dict(schema.get("properties") or {}) if isinstance(schema, dict) else {}


def count_filters(document: Mapping[str, Any], search: PaginatedOperation) -> tuple[str, frozenset[str]]:
    """(path, filters) of the count operation beside a `POST .../search` (`POST .../count`), or ('', {})."""
    if search.method != "POST" or not search.path.endswith("/search"):
        return "", frozenset()
    path = search.path[: -len("search")] + "count"
    item = (document.get("paths") or {}).get(path)
    operation = item.get("post") if isinstance(item, dict) else None
    if not isinstance(operation, dict):
        return "", frozenset()
    return path, frozenset(_body_properties(document, operation))


def discover_filters(document: Mapping[str, Any]) -> list[SearchFilter]:
    """Every filter every search operation of the spec declares, in document order."""
    found = []
    for operation in discover(document):
        count_path, counted = count_filters(document, operation)
        for name in operation.filters:
            if name in OPTIONS:
                continue
            found.append(SearchFilter(operation, name, count_path if name in counted else ""))
    return found


# --- the laws -------------------------------------------------------------------------------


def _shown(ids: Iterable[str], labels: Mapping[str, str]) -> str:
    return ", ".join(sorted(labels.get(i, f"?{i[:8]}") for i in ids))


def narrowing_problem(found: Sequence[str], expected: Iterable[str], labels: Mapping[str, str]) -> str | None:
    """A filtered result holds every item that matches (the positive control) and nothing else:
    neither a seeded item that does not match nor a stranger."""
    expected = set(expected)
    missing = expected - set(found)
    extra = [i for i in dict.fromkeys(found) if i not in expected]
    problems = []
    if missing:
        problems.append(f"the matching item(s) {_shown(missing, labels)} were not found")
    if extra:
        problems.append(f"item(s) that do not match were returned: {_shown(extra, labels)}")
    return "; ".join(problems) or None


def nothing_found_problem(status: int, items: Any) -> str | None:
    """A search naming an id nobody has finds nothing: 200 and an empty list (a count: 0)."""
    if status != 200:
        return f"answered {status}, expected 200 and nothing found"
    if isinstance(items, bool) or not isinstance(items, (list, int)):
        return f"answered {items!r:.80}, expected an empty list or a count of 0"
    if items:
        return f"found {items if isinstance(items, int) else len(items)} item(s), expected none"
    return None


def splitting_pair(metadatas: Sequence[Any], preferred: Sequence[str] = ("source", "step")) -> tuple[str, Any] | None:
    """A metadata (key, scalar value) some of `metadatas` hold and some do not: a filter on it
    selects a proper, non-empty part. Preferred keys first, then any key, in order."""
    dicts = [m if isinstance(m, dict) else {} for m in metadatas]
    keys = list(dict.fromkeys([*preferred, *(k for m in dicts for k in m)]))
    for key in keys:
        for value in dict.fromkeys(m[key] for m in dicts if isinstance(m.get(key), (str, int)) and not isinstance(m.get(key), bool)):
            holding = sum(1 for m in dicts if m.get(key) == value)
            if 0 < holding < len(dicts):
                return key, value
    return None
