"""Pagination: the laws every paginated operation obeys over several pages.

The operations come from the spec (every one that takes a `limit`); each test runs once per
operation. Each operation pages through a data set this run seeds privately (tagged with the run
id and a nonce of its own, so other users of the deployment and other areas cannot disturb it),
with hypothesis choosing limit, offset, sort and filter. The laws themselves are pure functions
in `conformance.pagination`; here we only fetch pages and hand them over.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import pytest
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.errors import FlakyFailure

from conformance import pagination as laws
from conformance.capabilities import capability_of
from conformance.checks import SetupFailed, Violation, expect, not_claimed, not_exercised, not_judged, require_cron_id, violate
from conformance.cleanup import store_namespace
from conformance.http import ApiClient, Exchange, segment
from conformance.pagination import Page, PaginatedOperation
from conformance.session import run_of
from conformance.spec import SPEC_BUNDLED

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

PARITY = ("even", "odd")
NAME_ORDER = (3, 7, 0, 5, 1, 8, 2, 6, 4)  # names sort in neither creation order nor its reverse
FAR_FUTURE_SCHEDULE = "0 0 1 1 *"  # once a year: no cron fires while the suite runs
OUT_OF_RANGE_OFFSETS = (0, 1, 5, 1_000_000)  # added to the number of matching items


# --- what the suite knows how to seed and read, per operation --------------------------------


@dataclass(frozen=True)
class Recipe:
    seed: str  # which data set: assistants, threads, crons, store, thread_runs
    identify: Callable[[Any], str | None]  # an item of a page -> its id
    count_path: str = ""  # the operation counting the same search, if any


def _field(name: str) -> Callable[[Any], str | None]:
    return lambda item: str(item[name]) if isinstance(item, dict) and item.get(name) is not None else None


def _namespace_leaf(item: Any) -> str | None:
    return str(item[-1]) if isinstance(item, list) and item else None


def _checkpoint_id(item: Any) -> str | None:
    if isinstance(item, dict):
        checkpoint = item.get("checkpoint") or {}
        return checkpoint.get("checkpoint_id") if isinstance(checkpoint, dict) else None
    return None


RECIPES: dict[str, Recipe] = {
    "POST /assistants/search": Recipe("assistants", _field("assistant_id"), "/assistants/count"),
    "POST /threads/search": Recipe("threads", _field("thread_id"), "/threads/count"),
    "POST /runs/crons/search": Recipe("crons", _field("cron_id"), "/runs/crons/count"),
    "POST /store/items/search": Recipe("store", _field("key")),
    "POST /store/namespaces": Recipe("store", _namespace_leaf),
    "GET /threads/{thread_id}/runs": Recipe("thread_runs", _field("run_id")),
    "GET /threads/{thread_id}/history": Recipe("thread_runs", _checkpoint_id),
    "POST /threads/{thread_id}/history": Recipe("thread_runs", _checkpoint_id),
}


@dataclass
class Seeded:
    """A private data set: the filters that select (parts of) it and which ids each matches."""

    filters: dict[str, dict[str, Any]]  # filter name -> request fields that select it
    matching: dict[str, list[str]]  # filter name -> labels of the items it matches
    labels: dict[str, str]  # raw id -> short label (A1, T3...) for readable counterexamples
    path_params: dict[str, str] = field(default_factory=dict)


class Seeder:
    """Creates each data set once per module, on first use; the ApiClient tracker deletes it."""

    def __init__(self, api: ApiClient, target: Any, request: pytest.FixtureRequest) -> None:
        self.api, self.target, self.request = api, target, request
        self.sets: dict[str, Seeded | dict[str, Seeded]] = {}

    def get(self, kind: str, operation: PaginatedOperation) -> Seeded:
        if kind in ("assistants", "threads", "crons") and "metadata" not in operation.filters:
            # The data set is told apart by metadata: a search the spec gives no metadata filter cannot see it.
            not_exercised(f"{operation.key} declares no metadata filter to select the suite's private data set by")
        if kind not in self.sets:
            self.sets[kind] = getattr(self, f"_seed_{kind}")()
        seeded = self.sets[kind]
        return seeded[operation.path] if isinstance(seeded, dict) else seeded  # the store: one set, two views

    def _created(self, exchange: Exchange, what: str) -> dict:
        """A seeding request that failed leaves the laws not judged (a 5xx is also CON-001's)."""
        if not 200 <= exchange.status < 300 or not isinstance(exchange.json_or_none(), dict):
            raise SetupFailed(f"seeding pagination data: {what}", exchange)
        return exchange.json()

    def _metadata(self, nonce: str, i: int) -> dict[str, Any]:
        return {"conformance_run": self.api.run_id, "page_set": nonce, "parity": PARITY[i % 2]}

    def _filters(self, nonce: str, wrap: Callable[[dict], dict]) -> dict[str, dict[str, Any]]:
        base = {"conformance_run": self.api.run_id, "page_set": nonce}
        return {"run": wrap(base), "odd": wrap({**base, "parity": "odd"})}

    def _metadata_set(self, prefix: str, ids: list[str], nonce: str) -> Seeded:
        labels = {raw: f"{prefix}{n + 1}" for n, raw in enumerate(ids)}
        return Seeded(
            filters=self._filters(nonce, lambda m: {"metadata": m}),
            matching={"run": list(labels.values()), "odd": [labels[r] for n, r in enumerate(ids) if n % 2]},
            labels=labels,
        )

    def _seed_assistants(self) -> Seeded:
        graph_id = self.request.getfixturevalue("graph_id")  # not judged without one
        nonce, ids = uuid.uuid4().hex[:8], []
        for i in range(9):
            body = self.api.assistant_body(graph_id, name=f"page {NAME_ORDER[i]} {nonce}", metadata=self._metadata(nonce, i))
            ids.append(self._created(self.api.post("/assistants", json=body), "creating an assistant")["assistant_id"])
        return self._metadata_set("A", ids, nonce)

    def _seed_threads(self) -> Seeded:
        nonce, ids = uuid.uuid4().hex[:8], []
        for i in range(9):
            body = self.api.tag({"metadata": self._metadata(nonce, i)})
            ids.append(self._created(self.api.post("/threads", json=body), "creating a thread")["thread_id"])
        return self._metadata_set("T", ids, nonce)

    def _seed_crons(self) -> Seeded:
        graph_id = self.request.getfixturevalue("graph_id")
        assistant = self._created(
            self.api.post("/assistants", json=self.api.assistant_body(graph_id, name="pagination crons")),
            "creating an assistant for crons",
        )
        nonce, ids = uuid.uuid4().hex[:8], []
        for i in range(7):
            metadata = {**self._metadata(nonce, i), "page_item": i}  # tells this cron apart (created_cron_id)
            body = {"assistant_id": assistant["assistant_id"], "schedule": FAR_FUTURE_SCHEDULE, "input": {"text": "pagination"},
                    "metadata": metadata}
            made = self.api.post("/runs/crons", json=body)
            ids.append(require_cron_id(self.api, made, metadata, "seeding pagination data: creating a cron"))
        return self._metadata_set("C", ids, nonce)

    def _seed_store(self) -> dict[str, Seeded]:
        nonce = uuid.uuid4().hex[:8]
        prefix = store_namespace(self.api.run_id, "pagination", nonce)
        keys, groups = [], []
        for i in range(8):
            group = f"g{i % 6}"
            body = {"namespace": [*prefix, group], "key": f"item-{i}", "value": {"parity": PARITY[i % 2], "i": i}}
            exchange = self.api.put("/store/items", json=body)
            if not 200 <= exchange.status < 300:
                raise SetupFailed("seeding pagination data: putting a store item", exchange)
            keys.append(body["key"])
            groups.append(group)
        labels = {k: f"I{n + 1}" for n, k in enumerate(keys)}
        leaves = sorted(set(groups))
        labels.update({g: f"N{n + 1}" for n, g in enumerate(leaves)})
        items = Seeded(
            {"run": {"namespace_prefix": prefix}, "odd": {"namespace_prefix": prefix, "filter": {"parity": "odd"}}},
            {"run": [labels[k] for k in keys], "odd": [labels[k] for n, k in enumerate(keys) if n % 2]},
            labels,
        )
        namespaces = Seeded({"run": {"prefix": prefix}}, {"run": [labels[g] for g in leaves]}, labels)
        return {"/store/items/search": items, "/store/namespaces": namespaces}

    def _seed_thread_runs(self) -> Seeded:
        echo = self.request.getfixturevalue("assistants")["echo"]  # runs of a graph whose input is known
        thread = self._created(self.api.post("/threads", json=self.api.tag()), "creating a thread")
        thread_id, run_ids = thread["thread_id"], []
        for i in range(3):
            run = self._created(
                self.api.post(f"/threads/{segment(thread_id)}/runs", json={"assistant_id": echo, "input": {"text": f"page {i}"}}),
                "creating a run",
            )
            joined = self.api.get(f"/threads/{segment(thread_id)}/runs/{segment(run['run_id'])}/join", timeout=60)
            if joined.status != 200:
                raise SetupFailed("seeding pagination data: joining a run", joined)
            run_ids.append(run["run_id"])
        labels = {r: f"R{n + 1}" for n, r in enumerate(run_ids)}
        # History's checkpoint ids are known only from the listing; Listing labels them S1, S2...
        return Seeded({"run": {}}, {"run": list(labels.values())}, labels, {"thread_id": thread_id})


# --- fetching pages -------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One request hypothesis chose; its repr is the readable counterexample."""

    limit: int
    offset: int | None = None
    sort: tuple[str, str] | None = None
    filter: str = "run"

    def __str__(self) -> str:
        return laws.describe_request(self.limit, self.offset, self.sort, self.filter)

    def walk(self) -> str:
        """The case as a walk from the first page (its offset is not used)."""
        return laws.describe_request(self.limit, None, self.sort, self.filter)


class Listing:
    """One paginated operation over one seeded set; repeated requests are served from a cache,
    since the set does not change while the module runs (the stability law asks twice)."""

    def __init__(self, api: ApiClient, operation: PaginatedOperation, recipe: Recipe, seeded: Seeded,
                 foreign_spec: bool = False, validation: tuple[int, ...] = (422,)) -> None:
        self.api, self.operation, self.recipe, self.seeded = api, operation, recipe, seeded
        self.cache: dict[Case, tuple[Page, list[Any], Exchange]] = {}
        self.last: Exchange | None = None
        self.unsupported_sorts: list[str] = []
        if recipe.seed == "thread_runs" and "history" in operation.path:
            self._label_history()
        if foreign_spec:
            # Held to another implementation's spec, a sort key this deployment refuses as invalid is
            # one it does not offer: not sent again, and not judged (the bundled spec is not its own).
            for by in operation.sort_by:
                page = self.page(Case(1, 0 if operation.offset else None, (by, operation.sort_orders[0]) if operation.sort_orders else None))
                if page.status in validation:
                    self.unsupported_sorts.append(by)

    @property
    def path(self) -> str:
        return self.operation.path.format(**self.seeded.path_params)

    @property
    def size(self) -> int:
        return max(len(v) for v in self.seeded.matching.values())

    @property
    def big_limit(self) -> int:
        """A limit that holds the whole set (within the declared maximum)."""
        wanted = self.size + 10
        return min(wanted, self.operation.limit.maximum) if self.operation.limit.maximum else wanted

    def _label_history(self) -> None:
        self.seeded = Seeded(self.seeded.filters, {"run": []}, dict(self.seeded.labels), self.seeded.path_params)
        _, items, exchange = self.raw(Case(self.big_limit))
        expect(exchange.status == 200, "PAGE-001", f"listing the seeded thread's history answered {exchange.status}", exchange)
        for n, item in enumerate(items):
            raw = self.recipe.identify(item)
            if raw is not None:
                self.seeded.labels[raw] = f"S{n + 1}"
        self.seeded.matching["run"] = [self.seeded.labels[r] for r in map(self.recipe.identify, items) if r in self.seeded.labels]
        self.cache.clear()

    def request_fields(self, case: Case, **override: Any) -> dict[str, Any]:
        fields: dict[str, Any] = {**self.seeded.filters[case.filter], "limit": case.limit}
        if case.offset is not None:
            fields["offset"] = case.offset
        if case.sort:
            fields["sort_by"], fields["sort_order"] = case.sort
        fields.update(override)
        return fields

    def send(self, fields: dict[str, Any]) -> Exchange:
        if self.operation.location == "query":
            exchange = self.api.request(self.operation.method, self.path, params=fields)
        else:
            exchange = self.api.request(self.operation.method, self.path, json=fields)
        self.last = exchange
        return exchange

    def raw(self, case: Case, fresh: bool = False) -> tuple[Page, list[Any], Exchange]:
        if not fresh and case in self.cache:
            page, items, exchange = self.cache[case]
            self.last = exchange
            return page, items, exchange
        exchange = self.send(self.request_fields(case))
        items = laws.items_of(exchange.json_or_none()) if exchange.status == 200 else None
        ids = [self.label(self.recipe.identify(i)) for i in items or []]
        page = Page(case.offset or 0, case.limit, ids, exchange.status,
                    next=exchange.headers.get(laws.NEXT_HEADER), total=exchange.headers.get(laws.TOTAL_HEADER))
        if exchange.status == 200 and items is None:
            violate("PAGE-001", f"{self.operation.key}: the 200 body holds no list of items", exchange)
        if not fresh:
            self.cache[case] = (page, items or [], exchange)
        return page, items or [], exchange

    def page(self, case: Case, sort_key: str | None = None, fresh: bool = False) -> Page:
        page, items, _ = self.raw(case, fresh)
        if sort_key:
            page = Page(page.offset, page.limit, page.ids, page.status,
                        [i.get(sort_key) if isinstance(i, dict) else None for i in items], page.next, page.total)
        return page

    def label(self, raw: str | None) -> str:
        if raw is None:
            return "?"
        return self.seeded.labels.get(raw, f"?{raw[:8]}")

    def walk_by_offset(self, limit: int, sort: tuple[str, str] | None, filter_name: str) -> list[Page]:
        pages: list[Page] = []
        offset = 0
        for _ in range(self.size + 3):
            page = self.page(Case(limit, offset, sort, filter_name))
            pages.append(page)
            if page.status != 200 or len(page.ids) < limit:
                break
            offset += limit
        return pages

    def full(self, filter_name: str = "run", sort: tuple[str, str] | None = None, sort_key: str | None = None) -> Page:
        return self.page(Case(self.big_limit, 0 if self.operation.offset else None, sort, filter_name), sort_key)

    def sorts(self) -> list[tuple[str, str]]:
        return [(by, order) for by in self.operation.sort_by if by not in self.unsupported_sorts for order in self.operation.sort_orders]


# --- discovery and parametrisation ----------------------------------------------------------


def _discovered(config: pytest.Config) -> list[PaginatedOperation]:
    run = run_of(config)
    return laws.discover(run.spec.document) if run is not None and run.spec is not None else []


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "operation" in metafunc.fixturenames:
        operations = _discovered(metafunc.config)
        metafunc.parametrize("operation", operations, ids=[op.key for op in operations])


@pytest.fixture(scope="module")
def seeder(api: ApiClient, target: Any, request: pytest.FixtureRequest) -> Seeder:
    return Seeder(api, target, request)


_LISTINGS: dict[str, Listing] = {}


@pytest.fixture
def listing(operation: PaginatedOperation, seeder: Seeder, api: ApiClient, capabilities, spec, target) -> Listing:
    capability = capability_of(operation.path)
    if capability and not capabilities.has(capability):
        not_claimed(f"{operation.key} belongs to {capability}, which the target does not have")
    recipe = RECIPES.get(operation.key)
    if recipe is None:
        not_exercised(f"{operation.key} is paginated but the suite has no recipe to seed data for it")
    key = f"{api.run_id} {operation.key}"
    if key not in _LISTINGS:
        _LISTINGS[key] = Listing(api, operation, recipe, seeder.get(recipe.seed, operation),
                                 foreign_spec=spec.kind == SPEC_BUNDLED, validation=target.profile.validation_statuses)
    return _LISTINGS[key]


# --- hypothesis -----------------------------------------------------------------------------


def cases(listing: Listing, *, sorted_only: bool = False) -> st.SearchStrategy[Case]:
    op, n = listing.operation, listing.size
    low = max(op.limit.minimum or 1, 1)
    high = max(low, min(n + 1, op.limit.maximum or n + 1))
    sorts: list[Any] = listing.sorts() if sorted_only else [None, *listing.sorts()]
    names = list(listing.seeded.filters)
    return st.builds(
        Case,
        limit=st.integers(low, high),
        offset=st.integers(0, n + 1) if op.offset else st.none(),
        sort=st.sampled_from(sorts),
        filter=st.sampled_from(names),
    )


def baseline_cases(listing: Listing, sorted_only: bool = False) -> list[Case]:
    """Cases checked before hypothesis's, so a small --examples still covers every filter:
    a second page of 2 under each filter (sorted, when the law is about sorting)."""
    offset = 1 if listing.operation.offset else None
    limit = max(2, listing.operation.limit.minimum or 1)
    sorts = listing.sorts()
    if sorted_only:
        return [Case(limit, offset, sorts[0], name) for name in listing.seeded.filters] if sorts else []
    return [Case(limit, offset, None, name) for name in listing.seeded.filters]


def for_each_case(target: Any, strategy: st.SearchStrategy[Case], check: Callable[[Case], None],
                  baseline: Sequence[Case] = ()) -> None:
    """Run `check` on the baseline cases, then on target.examples cases from `target.seed`; a
    failure is shrunk to the smallest case and raised as the Violation it made."""
    for case in baseline:
        check(case)

    @settings(
        # quiet: the Violation names the shrunk case and its pages; hypothesis's own note adds nothing
        max_examples=target.examples, deadline=None, database=None, report_multiple_bugs=False, verbosity=Verbosity.quiet,
        phases=(Phase.generate, Phase.shrink), suppress_health_check=list(HealthCheck),
    )
    @hypothesis_seed(target.seed or 0)
    @given(strategy)
    def prop(case: Case) -> None:
        check(case)

    try:
        prop()
    except FlakyFailure as group:  # a response that changes between requests: still a violation
        inner = next((e for e in group.exceptions if isinstance(e, Violation)), None)
        if inner is None:
            raise
        raise inner from group


def _fail(requirement: str, listing: Listing, problem: str, context: str, pages: list[Page]) -> None:
    violate(requirement, f"{listing.operation.key}, {context}: {problem}", listing.last, laws.describe_pages(pages),
            operation=listing.operation.key)


# --- the laws -------------------------------------------------------------------------------


@pytest.mark.requirement("PAGE-001")
def test_a_page_never_holds_more_items_than_the_limit(operation, listing, target):
    def check(case: Case) -> None:
        page = listing.page(case)
        problem = laws.page_size_problem(page)
        if problem:
            _fail("PAGE-001", listing, problem, str(case), [page])

    for_each_case(target, cases(listing), check, baseline_cases(listing))


@pytest.mark.requirement("PAGE-002")
def test_every_item_on_a_page_matches_the_search_filter(operation, listing, target):
    if not any(listing.seeded.filters.values()):
        not_claimed(f"{operation.key} takes no filter the suite can narrow its data set with")

    def check(case: Case) -> None:
        page = listing.page(case)
        problem = laws.filter_problem(page.ids, listing.seeded.matching[case.filter])
        if problem:
            _fail("PAGE-002", listing, problem, str(case), [page])

    for_each_case(target, cases(listing), check, baseline_cases(listing))


@pytest.mark.requirement("PAGE-003")
def test_walking_pages_by_offset_visits_every_matching_item_exactly_once(operation, listing, target):
    if operation.offset is None:
        not_claimed(f"{operation.key} takes no offset (it pages with a cursor such as `before`)")

    def check(case: Case) -> None:
        full = listing.full(case.filter, case.sort)
        expected = listing.seeded.matching[case.filter]
        problem = laws.walk_problem([full], expected) if full.status == 200 else f"the full listing answered {full.status}"
        if problem:
            _fail("PAGE-003", listing, f"the full listing: {problem}", f"limit={full.limit}", [full])
        pages = listing.walk_by_offset(case.limit, case.sort, case.filter)
        if pages[-1].status != 200:
            _fail("PAGE-003", listing, f"a page of the walk answered {pages[-1].status}", f"walking by offset with {case.walk()}", pages)
        problem = laws.walk_problem(pages, full.ids)
        if problem:
            _fail("PAGE-003", listing, problem, f"walking by offset with {case.walk()}", pages)

    for_each_case(target, cases(listing), check, baseline_cases(listing))


@pytest.mark.requirement("PAGE-004")
def test_following_X_Pagination_Next_visits_every_matching_item_exactly_once(operation, listing, target):
    if operation.offset is None:
        not_claimed(f"{operation.key} takes no offset")
    probe = listing.page(Case(1, 0))
    if probe.next is None:
        not_claimed(f"{operation.key} sent no {laws.NEXT_HEADER} on a first page of 1 item out of {listing.size} (PAGE-014 judges that)")

    def check(case: Case) -> None:
        expected = listing.seeded.matching[case.filter]
        pages, offset = [], 0
        for _ in range(listing.size + 3):
            page = listing.page(Case(case.limit, offset, case.sort, case.filter))
            pages.append(page)
            if page.status != 200:
                _fail("PAGE-004", listing, f"a page answered {page.status}", f"following {laws.NEXT_HEADER} with {case.walk()}", pages)
            if page.next is None:
                break
            if not page.next.strip().isdigit():
                _fail("PAGE-004", listing, f"{laws.NEXT_HEADER}: {page.next!r} is not an offset", f"following it with {case.walk()}", pages)
            offset = int(page.next)
        problem = laws.walk_problem(pages, expected)
        if problem:
            _fail("PAGE-004", listing, problem, f"following {laws.NEXT_HEADER} with {case.walk()}", pages)

    for_each_case(target, cases(listing), check, baseline_cases(listing))


@pytest.mark.requirement("PAGE-005")
def test_an_offset_at_or_past_the_end_gives_200_and_an_empty_page(operation, listing, target):
    if operation.offset is None:
        not_claimed(f"{operation.key} takes no offset")
    for filter_name, expected in listing.seeded.matching.items():
        for extra in OUT_OF_RANGE_OFFSETS:
            offset = len(expected) + extra
            if operation.offset.maximum is not None and offset > operation.offset.maximum:
                continue
            page = listing.page(Case(min(3, listing.big_limit), offset, None, filter_name))
            problem = laws.end_problem(page)
            if problem:
                _fail("PAGE-005", listing, problem, f"{len(expected)} items match filter={filter_name}", [page])


@pytest.mark.requirement("PAGE-006")
def test_items_come_in_the_order_sort_by_and_sort_order_ask_for(operation, listing, target):
    if not listing.sorts():
        not_claimed(f"{operation.key} takes no sort_by/sort_order")
    for sort in listing.sorts():
        full = listing.full("run", sort, sort_key=sort[0])
        problem = laws.order_problem(full.ids, full.keys, sort[1], sort[0])
        if problem:
            _fail("PAGE-006", listing, problem, f"the full listing sorted by {sort[0]} {sort[1]}", [full])

    def check(case: Case) -> None:
        assert case.sort is not None
        page = listing.page(case, sort_key=case.sort[0])
        problem = laws.order_problem(page.ids, page.keys, case.sort[1], case.sort[0])
        if problem:
            _fail("PAGE-006", listing, problem, str(case), [page])

    for_each_case(target, cases(listing, sorted_only=True), check, baseline_cases(listing, sorted_only=True))


@pytest.mark.requirement("PAGE-007")
def test_sorted_asc_items_come_in_the_reverse_of_their_desc_order(operation, listing, target):
    if not {"asc", "desc"} <= set(operation.sort_orders) or not operation.sort_by:
        not_claimed(f"{operation.key} does not take sort_order asc and desc")
    for by in [b for b in operation.sort_by if b not in listing.unsupported_sorts]:
        asc = listing.full("run", (by, "asc"), sort_key=by)
        desc = listing.full("run", (by, "desc"), sort_key=by)
        problem = laws.reversal_problem(asc.ids, desc.ids, dict(zip(asc.ids, asc.keys, strict=True)), by)
        if problem:
            _fail("PAGE-007", listing, problem, f"sort_by={by}", [asc, desc])


@pytest.mark.requirement("PAGE-008")
def test_without_a_sort_items_come_in_the_documented_default_order(operation, listing, target):
    default = operation.default_sort
    documented = (target.profile.pagination.get("defaults") or {}).get(operation.key)
    source = "the spec"
    if default is None and documented:
        default, source = laws.parse_sort(documented), "the profile"
    if default is None:
        not_claimed(f"neither the spec nor the profile ([pagination.defaults]) documents the default order of {operation.key}")
    full = listing.full("run", None, sort_key=default[0])
    problem = laws.order_problem(full.ids, full.keys, default[1], default[0])
    if problem:
        _fail("PAGE-008", listing, problem, f"no sort given; the default per {source} is {default[0]} {default[1]}", [full])


@pytest.mark.requirement("PAGE-009")
def test_the_same_request_twice_gives_the_same_page(operation, listing, target):
    def twice(case: Case) -> None:
        first, second = listing.page(case, fresh=True), listing.page(case, fresh=True)
        problem = laws.stability_problem(first.ids, second.ids)
        if problem:
            _fail("PAGE-009", listing, problem, str(case), [first, second])

    twice(Case(listing.big_limit, 0 if operation.offset else None))
    for_each_case(target, cases(listing), twice, baseline_cases(listing))


@pytest.mark.requirement("PAGE-010")
def test_X_Pagination_Next_is_offset_plus_limit_and_sent_exactly_when_more_items_exist(operation, listing, target):
    if operation.offset is None:
        not_claimed(f"{operation.key} takes no offset")
    probe = listing.page(Case(1, 0))
    sends = probe.next is not None

    def check(case: Case) -> None:
        page = listing.page(case)
        problem = laws.next_header_problem(page, len(listing.seeded.matching[case.filter]), sends)
        if problem:
            _fail("PAGE-010", listing, problem, str(case), [page])

    for_each_case(target, cases(listing), check, baseline_cases(listing))
    if not sends and not any(p.next for p, _, _ in listing.cache.values()):
        not_claimed(f"{operation.key} never sends {laws.NEXT_HEADER} (PAGE-014 judges that)")


@pytest.mark.requirement("PAGE-014")
def test_a_page_followed_by_more_items_sends_X_Pagination_Next(operation, listing, target):
    if operation.offset is None or not operation.path.endswith("/search") or operation.path.startswith("/store/"):
        # The store's searches answer {"items": [...]}: the SDKs page them by offset alone.
        not_claimed(f"{operation.key} is not a search of resources paged by offset with headers")
    page = listing.page(Case(1, 0))
    expect(page.status == 200, "PAGE-014", f"{operation.key}: a first page of 1 answered {page.status}", listing.last)
    if page.next is None:
        violate("PAGE-014", f"{operation.key}: a first page of 1 item out of {listing.size} sent no {laws.NEXT_HEADER}",
                listing.last, operation=operation.key)


@pytest.mark.requirement("PAGE-011")
def test_X_Pagination_Total_agrees_with_what_the_profile_says_it_means(operation, listing, target):
    if operation.offset is None:
        not_claimed(f"{operation.key} takes no offset")
    meaning = target.profile.pagination.get("total_header", laws.DEFAULT_TOTAL_MEANING)
    if meaning not in laws.TOTAL_MEANINGS:
        not_judged(f"the profile's total_header {meaning!r} is none of {', '.join(laws.TOTAL_MEANINGS)}",
                   f"set [pagination] total_header to one of {', '.join(laws.TOTAL_MEANINGS)}")

    def check(case: Case) -> None:
        page = listing.page(case)
        problem = laws.total_header_problem(page, len(listing.seeded.matching[case.filter]), meaning)
        if problem:
            _fail("PAGE-011", listing, problem, str(case), [page])

    for_each_case(target, cases(listing), check, baseline_cases(listing))
    if not any(p.total for p, _, _ in listing.cache.values()):
        not_claimed(f"{operation.key} never sends {laws.TOTAL_HEADER} (PAGE-014 judges that)")


@pytest.mark.requirement("PAGE-012")
def test_the_count_equals_the_number_of_items_the_full_walk_visits(operation, listing, api, spec):
    count_path = listing.recipe.count_path
    if not count_path:
        not_claimed(f"{operation.key} has no count operation")
    if "post" not in spec.document["paths"].get(count_path, {}):
        not_claimed(f"the spec declares no POST {count_path}")
    for filter_name, fields in listing.seeded.filters.items():
        # The walk in one page: PAGE-003 proves that walks of smaller pages visit the same items.
        pages = [listing.full(filter_name)]
        walked = len(set(pages[0].ids))
        exchange = api.post(count_path, json=fields)
        expect(exchange.status == 200, "PAGE-012", f"POST {count_path} answered {exchange.status}", exchange)
        problem = laws.count_problem(exchange.json_or_none(), walked)
        if problem:
            violate("PAGE-012", f"POST {count_path} with filter={filter_name}: {problem}", exchange, laws.describe_pages(pages))


@pytest.mark.requirement("PAGE-013")
def test_a_limit_or_offset_outside_the_declared_bounds_is_rejected(operation, listing, target, spec):
    if spec.kind == SPEC_BUNDLED:
        not_claimed("the bounds are those of the bundled spec of another implementation, not of the deployment's own")
    probes = laws.out_of_bounds_probes(operation)
    if not probes:
        not_claimed(f"the spec declares no bounds for the limit/offset of {operation.key}: nothing to check, nothing guessed")
    allowed = target.profile.validation_statuses
    for name, value, why in probes:
        exchange = listing.send(listing.request_fields(Case(3, 0 if operation.offset else None), **{name: value}))
        what = f"{operation.key} with {name}={json.dumps(value)} ({why})"
        if exchange.status >= 500:
            violate("PAGE-013", f"{what}: answered {exchange.status}, a server error", exchange)
        if exchange.status == 200:
            violate("PAGE-013", f"{what}: answered 200 (silently clamped or accepted), expected one of {list(allowed)}", exchange)
        expect(exchange.status in allowed, "PAGE-013",
               f"{what}: answered {exchange.status}, expected a validation status {list(allowed)}", exchange)
