"""Tenant isolation: what tenant A owns, tenant B (the second key) can neither see, find nor change.

Tenant A creates real resources (assistant, thread with a finished run, cron, store item), each
carrying a secret in its data; tenant B then sends every protected operation of the spec at them
(conformance.surface prepares the requests). B must never receive the secret or ids it did not
send, must be answered as about an unknown id, and A must read its resources back unchanged.
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from conformance import surface
from conformance.checks import Violation, not_judged, raise_all
from conformance.http import ApiClient, Exchange
from conformance.suites.test_03_auth import SWEEP_CONCURRENCY, claimed_operations

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

STREAM_SECONDS = 2.0  # how long a stream B should not see is read before judging it
STREAM_BYTES = 64 * 1024


@pytest.fixture(scope="module")
def tenants(api, alt_api) -> tuple[ApiClient, ApiClient]:
    return api, alt_api


def _create(target, client: ApiClient, capabilities) -> surface.Resources:
    return surface.create_resources(
        client, capabilities.graph_id, secret=uuid.uuid4().hex, tag={"conformance_run": target.run_id},
        run_id=target.run_id, have=capabilities.has,
    )


def require_resources(requirement: str, resources: surface.Resources) -> None:
    """Positive control: "B saw nothing of A's" is judged only over resources that exist and A reads
    back; a kind that could not be made leaves the requirement not judged for that kind."""
    if resources.missing:
        what = "; ".join(f"A's {kind}: {why}" for kind, why in sorted(resources.missing.items()))
        not_judged(f"{requirement} is judged over every kind of resource, and some could not be made or read back ({what})",
                   "give --graph-id with a graph the main key may run, and a key that may create assistants, threads, runs, crons and store items")


def _unknown(like: surface.Resources) -> surface.Resources:
    """Resources nobody owns, addressed like `like`: what an unknown id is answered."""
    fresh = lambda: str(uuid.uuid4())  # noqa: E731
    return surface.Resources(
        graph_id=like.graph_id, assistant_id=fresh(), thread_id=fresh(), run_id=fresh(), cron_id=fresh(),
        checkpoint_id=fresh(), store_namespace=(*like.store_namespace[:2], uuid.uuid4().hex[:12]),
        store_key=f"item-{uuid.uuid4().hex[:8]}", tag=like.tag,
    )


def _store_view(client: ApiClient, resources: surface.Resources) -> tuple[str, ...]:
    """The namespace of the store item as its owner reads it back (a server may prefix it)."""
    body = client.get(
        "/store/items", params={"namespace": ".".join(resources.store_namespace), "key": resources.store_key}
    ).json_or_none()
    if isinstance(body, dict) and isinstance(body.get("namespace"), list):
        return tuple(str(part) for part in body["namespace"])
    return resources.store_namespace


def _send(client: ApiClient, prepared: surface.PreparedRequest) -> Exchange:
    """A request whose answer may be an endless stream is read for STREAM_SECONDS, then judged on
    what came (a stream that stays open without data tells B nothing)."""
    streams = prepared.operation.streams
    return client.request(
        prepared.method, prepared.path, json=prepared.json, params=prepared.params or None,
        headers=prepared.headers, events=streams, max_events=50, timeout=STREAM_SECONDS if streams else None,
    )


def _sent(exchange: Exchange) -> str:
    return exchange.url + (exchange.request_body or b"").decode("utf-8", "replace")


def _report(requirement: str, what: str, offences: list[tuple[str, str, Exchange | None]], total: int | None = None) -> None:
    """One finding per offence, each with its own reproduction."""
    scope = f"{len(offences)} of {total} requests" if total else ""
    raise_all(Violation(requirement, f"{what}: {label}: {problem}", exchange, detail=scope, operation=label.split(" (")[0])
              for label, problem, exchange in offences)


@pytest.fixture(scope="module")
def owned(tenants, target, capabilities) -> surface.Resources:
    """Tenant A's resources, each carrying a secret B must never see."""
    a, _ = tenants
    return _create(target, a, capabilities)


@pytest.fixture(scope="module")
def b_sweep(tenants, owned, target, spec, capabilities) -> list[tuple[surface.Operation, Exchange, Exchange]]:
    """Tenant B sends every non-destructive protected operation at A's resources, and at unknown
    ones: (operation, answer about A's, answer about unknown)."""
    a, b = tenants
    unknown = _unknown(owned)
    ops = [op for op in claimed_operations(target, spec, capabilities) if not op.destructive]

    def both(op: surface.Operation) -> tuple[surface.Operation, Exchange, Exchange]:
        return op, _send(b, surface.prepare(op, owned, spec.document)), _send(b, surface.prepare(op, unknown, spec.document))

    with ThreadPoolExecutor(max_workers=SWEEP_CONCURRENCY) as pool:
        out = list(pool.map(both, ops))
    # The store item also under the namespace its owner reads back (e.g. prefixed with A's identity).
    view = _store_view(a, owned)
    if view != owned.store_namespace and "/store/items" in spec.document.get("paths", {}):
        params = {"namespace": ".".join(view), "key": owned.store_key}
        foreign = b.get("/store/items", params=params)
        baseline = b.get("/store/items", params={**params, "key": unknown.store_key})
        out.append((surface.Operation("GET", "/store/items (owner's namespace)"), foreign, baseline))
    return out


@pytest.mark.requirement("ISO-001")
def test_tenant_b_receives_no_data_of_tenant_a_resources(b_sweep, owned):
    offences = []
    for op, foreign, _ in b_sweep:
        found = surface.leaked(foreign.body, owned, _sent(foreign))
        if found:
            offences.append((op.label, f"B's {foreign.status} answer carries A's {', '.join(found)}", foreign))
    _report("ISO-001", "tenant B received data of tenant A's resources", offences, len(b_sweep))
    require_resources("ISO-001", owned)


@pytest.mark.requirement("ISO-002")
def test_tenant_b_searches_and_counts_never_include_tenant_a_resources(tenants, owned, spec):
    a, b = tenants
    paths = spec.document.get("paths", {})
    secret_filter = {"metadata": {"conformance_secret": owned.secret}}
    view = list(_store_view(a, owned))
    queries: list[tuple[str, dict[str, Any], bool]] = [  # (path, body, is a filtered count that must be 0)
        ("/threads/search", {**secret_filter, "limit": 100}, False),
        ("/threads/search", {"limit": 1000}, False),
        ("/threads/count", secret_filter, True),
        ("/assistants/search", {**secret_filter, "limit": 100}, False),
        ("/assistants/search", {"limit": 1000}, False),
        ("/assistants/count", secret_filter, True),
        ("/runs/crons/search", {"assistant_id": owned.assistant_id, "limit": 100}, False),
        ("/runs/crons/search", {"limit": 1000}, False),
        ("/runs/crons/count", {"assistant_id": owned.assistant_id}, True),
        ("/store/items/search", {"namespace_prefix": list(owned.store_namespace), "limit": 100}, False),
        ("/store/items/search", {"namespace_prefix": view, "limit": 100}, False),
        ("/store/items/search", {"namespace_prefix": [], "limit": 1000}, False),
        ("/store/namespaces", {"prefix": view, "limit": 1000}, False),
        ("/store/namespaces", {"limit": 1000}, False),
    ]
    offences, sent, blind = [], 0, []
    for path, body, zero_count in queries:
        if path not in paths or (path.startswith("/runs/crons") and not owned.cron_id):
            continue
        if path.startswith("/store/") and "store item" in owned.missing:
            continue
        # A's view of its namespace (behind the labels the server put first) is not one A can query.
        as_a_reads = view != list(owned.store_namespace) and (body.get("namespace_prefix") == view or body.get("prefix") == view)
        filtered = any(body.get(k) for k in ("metadata", "assistant_id", "namespace_prefix", "prefix")) and not as_a_reads
        if filtered:
            # Positive control: A's own query finds A's resource, or B's finding nothing proves nothing.
            control = a.post(path, json=body)
            if not zero_count and not surface.leaked(control.body, owned) and not _lists_namespace(control, view):
                blind.append(f"POST {path} {body} (A's own query answered {control.status} without A's resource)")
                continue
            if zero_count and control.json_or_none() in (0, None):
                blind.append(f"POST {path} {body} (A's own count answered {control.text[:40]!r})")
                continue
        sent += 1
        exchange = b.post(path, json=body)
        found = surface.leaked(exchange.body, owned, _sent(exchange))
        label = f"POST {path} {body}"
        if found:
            offences.append((label, f"lists A's {', '.join(found)}", exchange))
        elif zero_count and exchange.status == 200 and exchange.json_or_none() not in (0, None):
            offences.append((label, f"counts {exchange.json_or_none()} of A's resources, expected 0", exchange))
        elif path == "/store/namespaces" and len(view) > len(owned.store_namespace) and _lists_namespace(exchange, view):
            offences.append((label, f"lists A's namespace {view}", exchange))
    _report("ISO-002", "tenant B's searches and counts included tenant A's resources", offences, sent)
    require_resources("ISO-002", owned)
    if blind:
        not_judged("some searches cannot tell a leak from nothing, because they do not find A's resource for A either: "
                   + "; ".join(blind), "a deployment whose searches honour their filters")


def _lists_namespace(exchange: Exchange, namespace: list[str]) -> bool:
    body = exchange.json_or_none()
    listed = body.get("namespaces") if isinstance(body, dict) else body
    return isinstance(listed, list) and any(list(n) == list(namespace) for n in listed if isinstance(n, list))


@pytest.mark.requirement("ISO-004")
def test_spoofed_ownership_metadata_is_not_honoured(tenants, owned, target, spec):
    a, b = tenants
    offences = []
    for kind, path in (("thread", "threads"), ("assistant", "assistants")):
        resource_id = getattr(owned, f"{kind}_id")
        read = a.get(f"/{path}/{resource_id}")
        metadata = (read.json_or_none() or {}).get("metadata") if read.status == 200 else None
        if not resource_id or not isinstance(metadata, dict):
            continue
        # What the server stamped itself (an owner, a user id) is what a spoofer would copy.
        stamped = {k: v for k, v in metadata.items() if k not in ("conformance_run", "conformance_secret")}
        for name, spoof in (("A's full metadata", metadata), ("A's server-stamped metadata", stamped)):
            if not spoof:
                continue
            exchange = b.post(f"/{path}/search", json={"metadata": spoof, "limit": 100})
            found = surface.leaked(exchange.body, owned, _sent(exchange))
            if found:
                offences.append((f"B searching {path} by {name}", f"finds A's {', '.join(found)}", exchange))
        if kind == "thread" and stamped:
            mark = uuid.uuid4().hex
            created = b.post("/threads", json=b.tag({"metadata": {**stamped, "conformance_spoof": mark}}))
            spoofed = (created.json_or_none() or {}).get("thread_id") if created.status == 200 else None
            if spoofed:
                for exchange in (a.get(f"/threads/{spoofed}"), a.post("/threads/search", json={"metadata": {"conformance_spoof": mark}})):
                    if mark in exchange.text:
                        offences.append((f"B's thread created with A's metadata {stamped}", "is within A's reach", exchange))
    _report("ISO-004", "spoofed ownership metadata was honoured", offences)
    require_resources("ISO-004", owned)


@pytest.mark.requirement("ISO-005")
def test_tenant_b_is_answered_about_a_foreign_resource_as_about_an_unknown_one(b_sweep, target):
    offences = []
    for op, foreign, baseline in b_sweep:
        if foreign.status in target.profile.foreign_statuses or foreign.status == baseline.status:
            continue
        offences.append((op.label, f"A's resource: {foreign.status}, an unknown one: {baseline.status}", foreign))
    _report("ISO-005", "tenant B could tell tenant A's resources from unknown ones", offences, len(b_sweep))


# Fields of A's resources that B's writes must leave as they were (as A reads them).
_SNAPSHOT_FIELDS = {
    "thread": ("metadata", "values", "status"),
    "assistant": ("metadata", "version", "name", "config"),
    "cron": ("schedule", "metadata", "enabled", "payload"),
    "run": ("status", "metadata"),
    "store item": ("value",),
}


def _snapshot(a: ApiClient, r: surface.Resources, view: tuple[str, ...]) -> dict[str, Any]:
    reads = {
        "thread": f"/threads/{r.thread_id}" if r.thread_id else "",
        "assistant": f"/assistants/{r.assistant_id}" if r.assistant_id else "",
        "cron": f"/runs/crons/{r.cron_id}" if r.cron_id else "",
        "run": f"/threads/{r.thread_id}/runs/{r.run_id}" if r.run_id else "",
    }
    out: dict[str, Any] = {}
    for kind, path in reads.items():
        if path:
            exchange = a.get(path)
            body = exchange.json_or_none() if exchange.status == 200 else None
            out[kind] = {f: body.get(f) for f in _SNAPSHOT_FIELDS[kind]} if isinstance(body, dict) else f"gone ({exchange.status})"
    item = a.get("/store/items", params={"namespace": ".".join(r.store_namespace), "key": r.store_key}).json_or_none()
    out["store item"] = item.get("value") if isinstance(item, dict) else "gone"
    return out


@pytest.mark.requirement("ISO-003")
def test_tenant_b_writes_to_tenant_a_resources_are_refused_and_change_nothing(tenants, target, spec, capabilities):
    a, b = tenants
    owned = _create(target, a, capabilities)  # its own: B's deletes must not reach the shared ones
    unknown = _unknown(owned)
    view = _store_view(a, owned)
    before = _snapshot(a, owned, view)
    writes = [
        op for op in surface.in_sending_order(claimed_operations(target, spec, capabilities))
        if op.method != "GET" and ("{" in op.path or op.destructive or op.path.startswith("/store/"))
    ]
    offences: list[tuple[str, str, Exchange | None]] = []
    sent = 0
    for op in writes:
        foreign = _send(b, surface.prepare(op, owned, spec.document))
        baseline = _send(b, surface.prepare(op, unknown, spec.document))
        sent += 1
        if 200 <= foreign.status < 300 and not 200 <= baseline.status < 300:
            offences.append((op.label, f"B's write was accepted ({foreign.status}; an unknown id gets {baseline.status})", foreign))
    # Creating with A's ids, and writing the store item under the namespace A reads it back from.
    extra = [("POST", "/threads", {"thread_id": owned.thread_id, "if_exists": "do_nothing"}),
             ("POST", "/assistants", {"assistant_id": owned.assistant_id, "graph_id": owned.graph_id, "if_exists": "do_nothing"})]
    if "/store/items" in spec.document.get("paths", {}):
        extra += [("PUT", "/store/items", {"namespace": list(view), "key": owned.store_key, "value": {"hijacked": True}}),
                  ("DELETE", "/store/items", {"namespace": list(view), "key": owned.store_key})]
    for method, path, body in extra:
        if (path == "/threads" and not owned.thread_id) or (path == "/assistants" and not owned.assistant_id):
            continue
        exchange = b.request(method, path, json=b.tag(body) if method == "POST" else body)
        sent += 1
        found = surface.leaked(exchange.body, owned, _sent(exchange))
        if found:
            offences.append((f"{method} {path} with A's ids", f"B's answer carries A's {', '.join(found)}", exchange))
    after = _snapshot(a, owned, view)
    for kind, was in before.items():
        if after.get(kind) != was:
            offences.append((f"A's {kind}", f"changed by B's writes: was {was!r:.300}, now {after.get(kind)!r:.300}", None))
    _report("ISO-003", "tenant B's writes to tenant A's resources took effect", offences, sent)
    require_resources("ISO-003", owned)
