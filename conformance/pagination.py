"""Pagination, as pure logic: which operations of a spec page their results and within what
bounds, the laws a sequence of pages must obey, and readable counterexamples.

Nothing here does I/O. The pagination suite fetches the pages; the functions here judge them and
return a problem (a sentence) or None, so they are unit-tested on hand-made pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable, Mapping, Sequence

NEXT_HEADER = "X-Pagination-Next"
TOTAL_HEADER = "X-Pagination-Total"
# What X-Pagination-Total means, as a profile's `[pagination] total_header` says it.
TOTAL_MEANINGS = ("offset-plus-returned", "total")
DEFAULT_TOTAL_MEANING = "offset-plus-returned"  # the official server's


# --- discovery ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bound:
    """What the spec declares about one integer parameter."""

    minimum: int | None = None
    maximum: int | None = None
    integer: bool = False  # declared `type: integer`

    @property
    def declared(self) -> bool:
        return self.minimum is not None or self.maximum is not None


@dataclass(frozen=True)
class PaginatedOperation:
    method: str
    path: str
    location: str  # "body" or "query": where limit/offset go
    limit: Bound
    offset: Bound | None  # None: the operation takes no offset
    sort_by: tuple[str, ...] = ()
    sort_orders: tuple[str, ...] = ()
    default_sort: tuple[str, str] | None = None  # (sort_by, sort_order) as the spec declares them
    filters: tuple[str, ...] = ()  # other parameters of the same location
    declares_headers: bool = False  # a 200 response declares X-Pagination-* headers

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def sortable(self) -> bool:
        return bool(self.sort_by) and bool(self.sort_orders)

    @property
    def declares_bounds(self) -> bool:
        return self.limit.declared or (self.offset is not None and self.offset.declared)

    def bound_summary(self) -> str:
        def one(name: str, b: Bound | None) -> str:
            if b is None:
                return f"no {name}"
            if not b.declared:
                return f"{name} unbounded"
            lo = "" if b.minimum is None else f"{b.minimum}.."
            hi = "" if b.maximum is None else str(b.maximum)
            return f"{name} {lo}{hi}" if hi else f"{name} >= {b.minimum}"

        return f"{one('limit', self.limit)}, {one('offset', self.offset)} (in the {self.location})"


def _deref(document: Mapping[str, Any], node: Any, depth: int = 0) -> Any:
    while isinstance(node, dict) and "$ref" in node and depth < 20:
        target: Any = document
        for part in str(node["$ref"]).lstrip("#/").split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        node, depth = target, depth + 1
    return node


def _bound(schema: Any) -> Bound:
    schema = schema if isinstance(schema, dict) else {}
    types = schema.get("type")
    types = types if isinstance(types, list) else [types]
    minimum, maximum = schema.get("minimum"), schema.get("maximum")
    if isinstance(schema.get("exclusiveMinimum"), (int, float)) and not isinstance(schema.get("exclusiveMinimum"), bool):
        minimum = int(schema["exclusiveMinimum"]) + 1
    if isinstance(schema.get("exclusiveMaximum"), (int, float)) and not isinstance(schema.get("exclusiveMaximum"), bool):
        maximum = int(schema["exclusiveMaximum"]) - 1
    as_int = lambda v: int(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None  # noqa: E731
    return Bound(as_int(minimum), as_int(maximum), "integer" in types)


def _enum(schema: Any) -> tuple[str, ...]:
    schema = schema if isinstance(schema, dict) else {}
    for option in [schema, *schema.get("anyOf", []), *schema.get("oneOf", [])]:
        if isinstance(option, dict) and isinstance(option.get("enum"), list):
            return tuple(str(v) for v in option["enum"] if v is not None)
    return ()


def _declares_headers(document: Mapping[str, Any], operation: Mapping[str, Any]) -> bool:
    for status, response in (operation.get("responses") or {}).items():
        if str(status).startswith("2"):
            headers = (_deref(document, response) or {}).get("headers") or {}
            if any(name.lower() in (NEXT_HEADER.lower(), TOTAL_HEADER.lower()) for name in headers):
                return True
    return False


def discover(document: Mapping[str, Any]) -> list[PaginatedOperation]:
    """Every operation that takes a `limit` (in its query or its JSON body), in document order."""
    found = []
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method in ("get", "post", "put", "patch", "delete"):
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            params: dict[str, Any] = {}
            for param in [*item.get("parameters", []), *operation.get("parameters", [])]:
                param = _deref(document, param)
                if isinstance(param, dict) and param.get("in") == "query":
                    params[str(param.get("name"))] = _deref(document, param.get("schema", {}))
            body: dict[str, Any] = {}
            content = (_deref(document, operation.get("requestBody")) or {}).get("content") or {}
            schema = _deref(document, (content.get("application/json") or {}).get("schema"))
            if isinstance(schema, dict):
                body = {k: _deref(document, v) for k, v in (schema.get("properties") or {}).items()}
            for location, props in (("query", params), ("body", body)):
                if "limit" not in props:
                    continue
                sort_by, sort_order = props.get("sort_by", {}), props.get("sort_order", {})
                default = None
                if isinstance(sort_by, dict) and isinstance(sort_order, dict) and "default" in sort_by and "default" in sort_order:
                    default = (str(sort_by["default"]), str(sort_order["default"]))
                found.append(PaginatedOperation(
                    method=method.upper(),
                    path=path,
                    location=location,
                    limit=_bound(props["limit"]),
                    offset=_bound(props["offset"]) if "offset" in props else None,
                    sort_by=_enum(sort_by),
                    sort_orders=_enum(sort_order),
                    default_sort=default,
                    filters=tuple(k for k in props if k not in ("limit", "offset", "sort_by", "sort_order", "select")),
                    declares_headers=_declares_headers(document, operation),
                ))
                break
    return found


def parse_sort(text: str) -> tuple[str, str]:
    """A profile's "created_at desc" to ("created_at", "desc")."""
    parts = text.split()
    if len(parts) != 2 or parts[1] not in ("asc", "desc"):
        raise ValueError(f"a default order is written 'field asc|desc', not {text!r}")
    return parts[0], parts[1]


def out_of_bounds_probes(operation: PaginatedOperation) -> list[tuple[str, Any, str]]:
    """(parameter, value, why) for every value the spec's bounds exclude; none for undeclared bounds."""
    probes: list[tuple[str, Any, str]] = []
    for name, bound in (("limit", operation.limit), ("offset", operation.offset)):
        if bound is None or not bound.declared:
            continue
        if bound.minimum is not None:
            probes.append((name, bound.minimum - 1, f"below the declared minimum {bound.minimum}"))
            if bound.minimum - 1 != -1 and bound.minimum > -1:
                probes.append((name, -1, f"negative, below the declared minimum {bound.minimum}"))
        if bound.maximum is not None:
            probes.append((name, bound.maximum + 1, f"above the declared maximum {bound.maximum}"))
        if bound.integer:
            probes.append((name, 2.5, "not an integer"))
            probes.append((name, "ten", "not an integer"))
    return probes


# --- pages and the laws over them ----------------------------------------------------------


@dataclass
class Page:
    """One response of a paginated operation, as the laws need it."""

    offset: int
    limit: int
    ids: list[str]
    status: int = 200
    keys: list[Any] = field(default_factory=list)  # sort key of each item, when a sort is checked
    next: str | None = None  # X-Pagination-Next as sent
    total: str | None = None  # X-Pagination-Total as sent


def sort_value(value: Any) -> Any:
    """A comparable form of a sort key: ISO timestamps compare as instants, not as text."""
    if isinstance(value, str) and len(value) >= 10 and value[4:5] == "-":
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    return value


def page_size_problem(page: Page) -> str | None:
    if len(page.ids) > page.limit:
        return f"the page holds {len(page.ids)} items, more than limit={page.limit}"
    return None


def filter_problem(ids: Sequence[str], matching: Iterable[str]) -> str | None:
    stray = [i for i in ids if i not in set(matching)]
    if stray:
        return f"{len(stray)} item(s) on the page do not match the filter: {', '.join(stray[:6])}"
    return None


def walk_problem(pages: Sequence[Page], expected: Sequence[str]) -> str | None:
    """The pages of a walk visit every expected item exactly once: no duplicate, no gap, no stranger."""
    seen: list[str] = [i for p in pages for i in p.ids]
    duplicates = sorted({i for i in seen if seen.count(i) > 1})
    missing = [i for i in expected if i not in set(seen)]
    extra = sorted(set(seen) - set(expected))
    problems = []
    if duplicates:
        problems.append(f"visited more than once: {', '.join(duplicates[:6])}")
    if missing:
        problems.append(f"never visited: {', '.join(missing[:6])}")
    if extra:
        problems.append(f"not in the full listing: {', '.join(extra[:6])}")
    return "; ".join(problems) or None


def end_problem(page: Page) -> str | None:
    """An offset at or past the end gives 200 and an empty page."""
    if page.status != 200:
        return f"offset {page.offset} (at or past the end) answered {page.status}, not 200 with []"
    if page.ids:
        return f"offset {page.offset} is at or past the end but the page holds {len(page.ids)} item(s): {', '.join(page.ids[:6])}"
    return None


def order_problem(ids: Sequence[str], keys: Sequence[Any], order: str, sort_by: str) -> str | None:
    """Items follow `order` of their `sort_by` keys (ties in any order; null keys are not compared)."""
    pairs = [(i, sort_value(k)) for i, k in zip(ids, keys, strict=True) if k is not None]
    for (a, ka), (b, kb) in zip(pairs, pairs[1:], strict=False):
        try:
            wrong = ka > kb if order == "asc" else ka < kb
        except TypeError:
            continue
        if wrong:
            return f"sorted by {sort_by} {order}, yet {a} ({_show(ka)}) comes before {b} ({_show(kb)})"
    return None


def reversal_problem(asc: Sequence[str], desc: Sequence[str], keys: Mapping[str, Any], sort_by: str) -> str | None:
    """For every two items with distinct non-null keys, `desc` orders them opposite to `asc`."""
    pos_asc = {i: n for n, i in enumerate(asc)}
    pos_desc = {i: n for n, i in enumerate(desc)}
    common = [i for i in asc if i in pos_desc and keys.get(i) is not None]
    for n, a in enumerate(common):
        for b in common[n + 1:]:
            if sort_value(keys[a]) == sort_value(keys[b]):
                continue
            if (pos_asc[a] < pos_asc[b]) == (pos_desc[a] < pos_desc[b]):
                return (f"sorted by {sort_by}, {a} ({_show(keys[a])}) and {b} ({_show(keys[b])}) "
                        "come in the same order in asc and in desc")
    if set(asc) != set(desc):
        return f"asc and desc list different items: {sorted(set(asc) ^ set(desc))[:6]}"
    return None


def stability_problem(first: Sequence[str], second: Sequence[str]) -> str | None:
    if list(first) != list(second):
        return f"the same request gave [{' '.join(first)}] then [{' '.join(second)}]"
    return None


def more_exist(offset: int, limit: int, matching: int) -> bool:
    return offset + limit < matching


def next_header_problem(page: Page, matching: int, server_sends_next: bool) -> str | None:
    """X-Pagination-Next, when sent, is offset + limit, and it is sent exactly when more items exist."""
    more = more_exist(page.offset, page.limit, matching)
    if page.next is None:
        if more and server_sends_next:
            return f"{matching} items match, so more exist after offset {page.offset} + limit {page.limit}, but no {NEXT_HEADER} was sent"
        return None
    if not more:
        return f"{NEXT_HEADER}: {page.next} was sent on the last page ({matching} items match, offset {page.offset}, limit {page.limit})"
    if page.next.strip() != str(page.offset + page.limit):
        return f"{NEXT_HEADER}: {page.next}, expected offset + limit = {page.offset + page.limit}"
    return None


def expected_total(meaning: str, page: Page, matching: int) -> int:
    if meaning == "total":
        return matching
    return page.offset + len(page.ids) + (1 if more_exist(page.offset, page.limit, matching) else 0)


def total_header_problem(page: Page, matching: int, meaning: str) -> str | None:
    if page.total is None:
        return None
    expected = expected_total(meaning, page, matching)
    if page.total.strip() != str(expected):
        how = ("the number of matching items" if meaning == "total"
               else "offset + items returned (+1 when more exist)")
        return f"{TOTAL_HEADER}: {page.total}, expected {expected} ({how}, as the profile says it means: {meaning})"
    return None


def count_problem(count: Any, walked: int) -> str | None:
    if isinstance(count, bool) or not isinstance(count, int):
        return f"the count is not an integer: {count!r}"
    if count != walked:
        return f"the count says {count}, the full walk under the same filter visits {walked} items"
    return None


# --- counterexamples -----------------------------------------------------------------------


def _show(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else repr(value)


def describe_request(limit: int | None = None, offset: int | None = None, sort: tuple[str, str] | None = None,
                     filter_name: str = "") -> str:
    parts = []
    if limit is not None:
        parts.append(f"limit={limit}")
    if offset is not None:
        parts.append(f"offset={offset}")
    parts.append(f"sort={sort[0]} {sort[1]}" if sort else "sort=default")
    if filter_name:
        parts.append(f"filter={filter_name}")
    return " ".join(parts)


def describe_pages(pages: Sequence[Page]) -> str:
    """The pages seen, one a line: `offset=3 limit=3 -> 200 [A4 A5 A6] next=6 total=7`."""
    lines = []
    for p in pages:
        headers = "".join(f" {name}={value}" for name, value in (("next", p.next), ("total", p.total)) if value is not None)
        lines.append(f"  offset={p.offset} limit={p.limit} -> {p.status} [{' '.join(p.ids)}]{headers}")
    return "pages seen:\n" + "\n".join(lines) if lines else "no pages"


def items_of(body: Any) -> list[Any] | None:
    """The list of items in a response body: a bare array, or an object holding one array
    (the store answers {"items": [...]} and {"namespaces": [...]})."""
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        lists = [v for v in body.values() if isinstance(v, list)]
        if len(lists) == 1:
            return lists[0]
    return None


# --- what the run covered -------------------------------------------------------------------

_SHORT_OUTCOMES = {"passed": "pass", "failed": "FAIL", "error": "ERROR"}


def coverage_lines(operations: Sequence[PaginatedOperation], results: Iterable[Any]) -> list[str]:
    """Every paginated operation the spec declares and the outcome of each law on it, so that a
    new paginated operation is never silently untested. Pure: over the run's test results."""
    ran: dict[str, dict[str, str]] = {op.key: {} for op in operations}
    for result in results:
        if "test_05_pagination" not in result.nodeid or "[" not in result.nodeid:
            continue
        key = result.nodeid.rsplit("[", 1)[1].rstrip("]")
        if key in ran:
            for rid in result.requirements:
                outcome = _SHORT_OUTCOMES.get(result.outcome)
                if outcome is None:  # a skip: its kind
                    outcome = "n/c" if result.skip_reason.startswith("not claimed") else "n/j"
                ran[key][rid] = outcome
    if not any(ran.values()):
        return []
    out = ["pagination: operations discovered in the spec (n/c not claimed, n/j not judged)"]
    for op in operations:
        out.append(f"  {op.key} ({op.bound_summary()})")
        if ran[op.key]:
            out.append("      laws " + " ".join(f"{r.removeprefix('PAGE-')}:{o}" for r, o in sorted(ran[op.key].items())))
    return out
