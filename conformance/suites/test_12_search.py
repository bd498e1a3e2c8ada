"""Search and count semantics: every filter a search declares narrows the result, counts agree.

The filters come from the target's spec (`conformance.laws_search.discover_filters`, over the
operations `conformance.pagination.discover` finds); each test runs once per filter. The data
is a small set this run seeds privately (tagged with the run id and a nonce of its own, created
on first use, deleted by the tracker): three assistants, three threads (one fresh, one with a
finished run, one whose last run failed), three crons, two store items and the runs and history
of those threads. Each filter is shown to find the seeded item it matches (the positive control)
and then to leave out every other. A filter the suite cannot seed data for is not exercised.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

import pytest

from conformance import laws_search as laws
from conformance.behaviour import namespace_under
from conformance.capabilities import capability_of
from conformance.checks import (
    SetupFailed,
    Violation,
    expect,
    not_claimed,
    not_exercised,
    not_judged,
    raise_all,
    require_cron_id,
    violate,
)
from conformance.cleanup import store_namespace
from conformance.http import ApiClient, Exchange, segment
from conformance.laws_search import SearchFilter
from conformance.laws_threads import before_forms
from conformance.pagination import count_problem, items_of
from conformance.session import run_of

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

FAR_FUTURE_SCHEDULE = "0 0 1 1 *"  # once a year: no cron fires while the suite runs
WALK_LIMIT = 2  # page size of the walk a count is compared with


# --- what the suite knows how to seed, per operation ------------------------------------------


@dataclass
class Case:
    """One search operation over the seeded data: how to ask, which items each filter matches."""

    send: Callable[[dict[str, Any]], Exchange]
    identify: Callable[[Any], str | None]
    scope: dict[str, Any]  # fields that keep a query to the seeded set (and a large enough limit)
    filters: dict[str, tuple[Any, set[str]]]  # filter name -> (value, ids of the items it matches)
    labels: dict[str, str]  # raw id -> short label (A1, T2...) for readable findings
    unseedable: dict[str, str] = field(default_factory=dict)  # filter name -> why it is not exercised

    def query(self, name: str) -> dict[str, Any]:
        return {**self.scope, name: self.filters[name][0]}

    def fetch(self, fields: dict[str, Any]) -> tuple[list[str], Exchange]:
        exchange = self.send(fields)
        items = items_of(exchange.json_or_none()) if exchange.status == 200 else None
        return [self.identify(i) or "?" for i in items or []], exchange


def _field(name: str) -> Callable[[Any], str | None]:
    return lambda item: str(item[name]) if isinstance(item, dict) and item.get(name) is not None else None


def _checkpoint_id(item: Any) -> str | None:
    checkpoint = item.get("checkpoint") if isinstance(item, dict) else None
    return str(checkpoint["checkpoint_id"]) if isinstance(checkpoint, dict) and checkpoint.get("checkpoint_id") else None


class Seeder:
    """Creates each data set once per module, on first use; the ApiClient tracker deletes it."""

    def __init__(self, api: ApiClient, request: pytest.FixtureRequest) -> None:
        self.api, self.request = api, request
        self.nonce = uuid.uuid4().hex[:8]
        self.tag = {"conformance_run": api.run_id, "search_set": self.nonce}
        self.sets: dict[str, Any] = {}
        self.cases: dict[str, Case] = {}

    def _made(self, exchange: Exchange, what: str, key: str = "") -> Any:
        """A seeding request that failed leaves the requirement not judged (a 5xx is also CON-001's)."""
        body = exchange.json_or_none()
        if not 200 <= exchange.status < 300 or (key and not (isinstance(body, dict) and body.get(key))):
            raise SetupFailed(f"seeding search data: {what}", exchange)
        return body[key] if key else body

    def _set(self, kind: str) -> Any:
        if kind not in self.sets:
            self.sets[kind] = getattr(self, f"_seed_{kind}")()
        return self.sets[kind]

    def _seed_assistants(self) -> dict[str, Any]:
        graphs = self.request.getfixturevalue("graphs")  # two graphs of known names, or not judged
        made = {}
        for label, graph, pick in (("A1", graphs["echo"], "a"), ("A2", graphs["fail"], "b"), ("A3", graphs["echo"], "c")):
            body = self.api.assistant_body(graph, name=f"search-{self.nonce}-{label.lower()}", metadata={**self.tag, "pick": pick})
            made[label] = {"id": self._made(self.api.post("/assistants", json=body), f"creating assistant {label}", "assistant_id"),
                           "graph_id": graph, "name": body["name"]}
        return made

    def _run(self, thread_id: str, assistant_id: str, text: str) -> None:
        answer = self.api.post(f"/threads/{segment(thread_id)}/runs/wait",
                               json={"assistant_id": assistant_id, "input": {"text": text}}, timeout=60)
        self._made(answer, f"running {text!r} on a seeded thread")

    def _seed_threads(self) -> dict[str, Any]:
        """T1 fresh (idle, no values), T2 after one run of the echo graph, T3 whose last run failed
        (status error); T3's runs are one success and one error."""
        assistants = self._set("assistants")
        made = {}
        for label, pick in (("T1", "a"), ("T2", "b"), ("T3", "c")):
            made[label] = self._made(self.api.post("/threads", json={"metadata": {**self.tag, "pick": pick}}),
                                     f"creating thread {label}", "thread_id")
        made["echo_text"] = f"b-{self.nonce}"
        self._run(made["T2"], assistants["A1"]["id"], made["echo_text"])
        self._run(made["T3"], assistants["A1"]["id"], f"c-{self.nonce}")
        self._run(made["T3"], assistants["A2"]["id"], f"c-{self.nonce}-fails")
        runs = self._made(self.api.get(f"/threads/{segment(made['T3'])}/runs", params={"limit": 10}), "listing T3's runs")
        statuses = {r.get("status"): r.get("run_id") for r in runs if isinstance(r, dict)} if isinstance(runs, list) else {}
        if not statuses.get("success") or not statuses.get("error"):
            raise SetupFailed(f"seeding search data: T3's runs should be one success and one error, are {sorted(map(str, statuses))}", None)
        made["R1"], made["R2"] = statuses["success"], statuses["error"]
        return made

    def _seed_crons(self) -> dict[str, str]:
        assistants, threads = self._set("assistants"), self._set("threads")
        a1, a2 = assistants["A1"]["id"], assistants["A2"]["id"]
        plans = (
            ("C1", "/runs/crons", {"assistant_id": a1, "metadata": {**self.tag, "pick": "a"}}),
            ("C2", "/runs/crons", {"assistant_id": a2, "enabled": False, "metadata": {**self.tag, "pick": "b"}}),
            ("C3", f"/threads/{segment(threads['T1'])}/runs/crons", {"assistant_id": a1, "metadata": {**self.tag, "pick": "c"}}),
        )
        made = {}
        for label, path, body in plans:
            answer = self.api.post(path, json={**body, "schedule": FAR_FUTURE_SCHEDULE, "input": {"text": "search"}})
            made[label] = require_cron_id(self.api, answer, body["metadata"], f"seeding search data: creating cron {label}")
        return made

    def _seed_store(self) -> list[str]:
        base = store_namespace(self.api.run_id, "search", self.nonce)
        for leaf, key, colour in (("a", "one", "red"), ("b", "two", "blue")):
            body = {"namespace": [*base, leaf], "key": f"{key}-{self.nonce}", "value": {"colour": colour}}
            self._made(self.api.put("/store/items", json=body), f"putting the store item {key}")
        return base

    # --- one Case per operation ---------------------------------------------------------------

    def case(self, search: SearchFilter, capabilities: Any) -> Case:
        op = search.operation
        capability = capability_of(op.path)
        if capability and not capabilities.has(capability):
            not_claimed(f"{op.key} belongs to {capability}, which the target does not have")
        if op.key not in self.cases:
            build = RECIPES.get(op.key)
            if build is None:
                not_exercised(f"{op.key} declares filters, but the suite has no recipe to seed data for it")
            self.cases[op.key] = build(self, op)
        case = self.cases[op.key]
        if search.name in case.unseedable:
            not_exercised(f"{search.key}: {case.unseedable[search.name]}")
        if search.name not in case.filters:
            not_exercised(f"{search.key}: the suite knows no way to seed data this filter selects")
        return case

    def _sender(self, op: Any, path: str) -> Callable[[dict[str, Any]], Exchange]:
        limit = min(50, op.limit.maximum or 50)
        if op.location == "query":
            return lambda fields: self.api.request(op.method, path, params={"limit": limit, **fields})
        return lambda fields: self.api.request(op.method, path, json={"limit": limit, **fields})

    def _assistants_case(self, op: Any) -> Case:
        a = self._set("assistants")
        ids = {label: v["id"] for label, v in a.items()}
        return Case(self._sender(op, op.path), _field("assistant_id"), {"metadata": self.tag}, {
            "metadata": ({**self.tag, "pick": "b"}, {ids["A2"]}),
            "graph_id": (a["A2"]["graph_id"], {ids["A2"]}),
            "name": (a["A1"]["name"], {ids["A1"]}),
        }, {v: k for k, v in ids.items()})

    def _threads_case(self, op: Any) -> Case:
        t = self._set("threads")
        return Case(self._sender(op, op.path), _field("thread_id"), {"metadata": self.tag}, {
            "ids": ([t["T1"], t["T2"]], {t["T1"], t["T2"]}),
            "metadata": ({**self.tag, "pick": "b"}, {t["T2"]}),
            "status": ("error", {t["T3"]}),
            "values": ({"echo": t["echo_text"]}, {t["T2"]}),
        }, {t[k]: k for k in ("T1", "T2", "T3")})

    def _crons_case(self, op: Any) -> Case:
        c, a, t = self._set("crons"), self._set("assistants"), self._set("threads")
        return Case(self._sender(op, op.path), _field("cron_id"), {"metadata": self.tag}, {
            "assistant_id": (a["A1"]["id"], {c["C1"], c["C3"]}),
            "thread_id": (t["T1"], {c["C3"]}),
            "enabled": (False, {c["C2"]}),
            "metadata": ({**self.tag, "pick": "b"}, {c["C2"]}),
        }, {v: k for k, v in c.items()})

    def _runs_case(self, op: Any) -> Case:
        t = self._set("threads")
        path = op.path.replace("{thread_id}", segment(t["T3"]))
        return Case(self._sender(op, path), _field("run_id"), {}, {"status": ("error", {t["R2"]})},
                    {t["R1"]: "R1 (success)", t["R2"]: "R2 (error)"})

    def _store_items_case(self, op: Any) -> Case:
        base = self._set("store")
        one, two = f"one-{self.nonce}", f"two-{self.nonce}"
        return Case(self._sender(op, op.path), _field("key"), {"namespace_prefix": base}, {
            "namespace_prefix": ([*base, "a"], {one}),
            "filter": ({"colour": "red"}, {one}),
        }, {one: "I1", two: "I2"}, {"query": "semantic search needs an index the suite cannot configure"})

    def _namespaces_case(self, op: Any) -> Case:
        base = self._set("store")

        def leaf(namespace: Any) -> str | None:
            # A server may put labels of its own before the namespace (the reference: the tenant).
            if isinstance(namespace, list) and namespace and namespace_under(namespace[:-1], base):
                return f"{'.'.join(base)}.{namespace[-1]}"
            return ".".join(map(str, namespace)) if isinstance(namespace, list) else None

        a, b = f"{'.'.join(base)}.a", f"{'.'.join(base)}.b"
        return Case(self._sender(op, op.path), leaf, {"prefix": base}, {
            "prefix": ([*base, "a"], {a}),
            "suffix": (["b"], {b}),
        }, {a: "N1", b: "N2"})

    def _history_case(self, op: Any) -> Case:
        """T2's history as the server lists it in full is the data set: `before` its newest
        checkpoint must give the older ones, a checkpoint-metadata filter the entries holding it."""
        t = self._set("threads")
        path = op.path.replace("{thread_id}", segment(t["T2"]))
        send = self._sender(op, path)
        listing = self._made(send({}), "listing T2's full history")
        entries = [e for e in listing if _checkpoint_id(e)] if isinstance(listing, list) else []
        if len(entries) < 2:
            raise SetupFailed(f"seeding search data: T2's history should hold several checkpoints, holds {len(entries)}", None)
        ids = [_checkpoint_id(e) or "" for e in entries]
        labels = {cid: f"S{n + 1}" for n, cid in enumerate(ids)}
        filters: dict[str, tuple[Any, set[str]]] = {}
        if op.location == "query":
            filters["before"] = (ids[0], set(ids[1:]))
        else:
            # The first way of naming the checkpoint the server takes, the declared CheckpointConfig first
            # (implementations differ: THREAD-017 holds them to the declared one).
            for _, value in before_forms(entries[0]):
                if send({"before": value}).status == 200:
                    filters["before"] = (value, set(ids[1:]))
                    break
            pair = laws.splitting_pair([e.get("metadata") for e in entries])
            if pair:
                key, value = pair
                filters["metadata"] = ({key: value}, {i for i, e in zip(ids, entries, strict=True)
                                                      if isinstance(e.get("metadata"), dict) and e["metadata"].get(key) == value})
        unseedable = {"checkpoint": "it selects a subgraph's checkpoint namespace; the seeded thread has no subgraph",
                      "metadata": "no checkpoint metadata value tells T2's checkpoints apart",
                      "before": "the server takes `before` in no form (see THREAD-011)"}
        return Case(send, _checkpoint_id, {}, filters, labels, {k: v for k, v in unseedable.items() if k not in filters})


RECIPES: dict[str, Callable[[Seeder, Any], Case]] = {
    "POST /assistants/search": Seeder._assistants_case,
    "POST /threads/search": Seeder._threads_case,
    "POST /runs/crons/search": Seeder._crons_case,
    "GET /threads/{thread_id}/runs": Seeder._runs_case,
    "POST /store/items/search": Seeder._store_items_case,
    "POST /store/namespaces": Seeder._namespaces_case,
    "GET /threads/{thread_id}/history": Seeder._history_case,
    "POST /threads/{thread_id}/history": Seeder._history_case,
}


# --- parametrisation over the spec's filters ----------------------------------------------------


def _discovered(config: pytest.Config) -> list[SearchFilter]:
    run = run_of(config)
    return laws.discover_filters(run.spec.document) if run is not None and run.spec is not None else []


# Which filters each test runs over; the `values` filter has a requirement of its own (SEARCH-004).
_SELECTIONS: dict[str, Callable[[SearchFilter], bool]] = {
    "search_filter": lambda f: f.name != "values",
    "counted_filter": lambda f: bool(f.count_path) and f.name != "values",
    "id_filter": lambda f: f.names_an_id,
    "values_filter": lambda f: f.name == "values",
}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    for name, chosen in _SELECTIONS.items():
        if name in metafunc.fixturenames:
            found = [f for f in _discovered(metafunc.config) if chosen(f)]
            # None: the spec declares no such filter (the test then says so, rather than vanish).
            metafunc.parametrize(name, found or [None], ids=[f.key for f in found] or ["none declared"])


@pytest.fixture(scope="module")
def seeder(api: ApiClient, request: pytest.FixtureRequest) -> Seeder:
    return Seeder(api, request)


def _declared(search: SearchFilter | None, what: str) -> SearchFilter:
    if search is None:
        not_claimed(f"the spec declares no search with {what}")
    return search


def _judge_narrowing(rid: str, search: SearchFilter, case: Case, found: list[str], exchange: Exchange, expected: set[str]) -> None:
    if exchange.status != 200:
        violate(rid, f"{search.key}: a search with the filter answered {exchange.status}, expected 200", exchange,
                operation=search.operation.key)
    problem = laws.narrowing_problem(found, expected, case.labels)
    if problem:
        violate(rid, f"{search.key} = {case.filters[search.name][0]!r:.200}: {problem}", exchange, operation=search.operation.key)


def _walk(case: Case, fields: dict[str, Any], pages: int = 25) -> tuple[list[str], Exchange | None]:
    """Every item of a search, page by page (WALK_LIMIT per page, by offset)."""
    seen: list[str] = []
    last = None
    for n in range(pages):
        ids, last = case.fetch({**fields, "limit": WALK_LIMIT, "offset": n * WALK_LIMIT})
        if last.status != 200:
            break
        seen += ids
        if len(ids) < WALK_LIMIT:
            break
    return seen, last


def _count(api: ApiClient, path: str, fields: dict[str, Any]) -> Exchange:
    return api.post(path, json={k: v for k, v in fields.items() if k not in ("limit", "offset")})


# --- the requirements ---------------------------------------------------------------------------


@pytest.mark.requirement("SEARCH-001")
def test_each_declared_filter_narrows_the_result_to_the_matching_items(search_filter, seeder, capabilities):
    search = _declared(search_filter, "a filter")
    case = seeder.case(search, capabilities)
    found, exchange = case.fetch(case.query(search.name))
    _judge_narrowing("SEARCH-001", search, case, found, exchange, case.filters[search.name][1])


@pytest.mark.requirement("SEARCH-002")
def test_a_count_under_each_filter_equals_the_walk_of_its_search(counted_filter, seeder, capabilities, api):
    search = _declared(counted_filter, "a filter that its count operation declares too")
    case = seeder.case(search, capabilities)
    if search.operation.offset is None:
        not_exercised(f"{search.key}: the search takes no offset, so it cannot be walked")
    fields = case.query(search.name)
    walked, last = _walk(case, fields)
    if last is None or last.status != 200:
        not_judged(f"{search.key}: walking the search answered {last.status if last else 'nothing'}; SEARCH-001 judges the search")
    counted = _count(api, search.count_path, fields)
    expect(counted.status == 200, "SEARCH-002", f"POST {search.count_path} with {search.name}: answered {counted.status}, expected 200", counted)
    problem = count_problem(counted.json_or_none(), len(set(walked)))
    if problem:
        violate("SEARCH-002", f"POST {search.count_path} with {search.name} = {fields[search.name]!r:.200}: {problem}", counted,
                operation=f"POST {search.count_path}")


@pytest.mark.requirement("SEARCH-003")
def test_an_unknown_id_in_a_filter_finds_nothing(id_filter, seeder, capabilities, api):
    search = _declared(id_filter, "a filter naming resources by id")
    case = seeder.case(search, capabilities)
    # Positive control: the filter finds the seeded item its known id names, else nothing proves nothing.
    found, control = case.fetch(case.query(search.name))
    if not case.filters[search.name][1] <= set(found):
        not_judged(f"{search.key}: the filter does not find the seeded item of a known id either (answered {control.status}); "
                   "SEARCH-001 judges that")
    unknown = str(uuid.uuid4())
    fields = {search.name: [unknown] if search.name == "ids" else unknown}
    exchange = case.send(fields)
    body = exchange.json_or_none()
    problem = laws.nothing_found_problem(exchange.status, items_of(body) if isinstance(body, (list, dict)) else body)
    if problem:
        violate("SEARCH-003", f"{search.key} naming an unknown id: {problem}", exchange, operation=search.operation.key)
    if search.count_path:
        counted = _count(api, search.count_path, fields)
        problem = laws.nothing_found_problem(counted.status, counted.json_or_none())
        if problem:
            violate("SEARCH-003", f"POST {search.count_path} {search.name} naming an unknown id: {problem}", counted,
                    operation=f"POST {search.count_path}")


@pytest.mark.requirement("SEARCH-004")
def test_a_values_filter_finds_exactly_the_threads_whose_values_hold_it(values_filter, seeder, capabilities, api):
    search = _declared(values_filter, "a `values` filter")
    case = seeder.case(search, capabilities)
    fields = case.query(search.name)
    value, matching = case.filters[search.name]
    findings: list[Violation] = []
    found, exchange = case.fetch(fields)
    problem = (f"the search answered {exchange.status}, expected 200" if exchange.status != 200
               else laws.narrowing_problem(found, matching, case.labels))
    if problem:
        # T1 (fresh, no values) must never match a values filter: it holds none of them.
        findings.append(Violation("SEARCH-004", f"{search.key} = {value!r}: {problem}", exchange, operation=search.operation.key))
    if search.count_path:
        counted = _count(api, search.count_path, fields)
        count = counted.json_or_none() if counted.status == 200 else None
        if counted.status != 200 or count != len(matching) or isinstance(count, bool):
            findings.append(Violation(
                "SEARCH-004", f"POST {search.count_path} with values = {value!r}: answered {counted.status} {counted.text[:60]!r}, "
                f"expected 200 and {len(matching)} (the seeded threads whose values hold it)", counted,
                operation=f"POST {search.count_path}"))
    raise_all(findings)
