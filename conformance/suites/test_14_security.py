"""Security behaviour a buyer checks: CORS, routes outside the spec, cross-tenant use of resources.

- CORS: requests and preflights from an arbitrary origin must never be answered with that origin
  echoed together with `Access-Control-Allow-Credentials: true` (a browser would then let any web
  page act with the user's credentials).
- Routes outside the spec that some implementation serves and that change or disclose data must
  not answer without a credential. The probes are kept harmless: they are sent only to targets with
  auth on, only without a credential, and only with methods that change nothing (GET, OPTIONS).
  `POST /internal/truncate` (langgraph dev, LangGraph.js) wipes the whole deployment when it is
  reachable, and `POST /deploy` (langgraph dev) starts a deployment: neither is ever sent. On
  langgraph dev both share one mount, outside the auth middleware, with the GET routes probed here
  (`/internal/debug/thread/{thread_id}`, `/deploy`), so those GETs tell whether it is reachable. A
  GET to `/internal/truncate` falls through to the protected routes there (and says nothing of its
  POST); it is probed for servers that route every method of it.
- Tenant B can neither run tenant A's assistant (even on B's own thread) nor copy A's thread.
"""

from __future__ import annotations

import uuid

import pytest

from conformance.checks import Violation, expect, not_judged, raise_all, require, require_json
from conformance.http import ApiClient, Exchange, segment

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

EVIL_ORIGIN = "http://evil.example"
STREAM_SECONDS = 5.0


def _declared(spec, method: str, path: str) -> bool:
    item = (spec.document.get("paths") or {}).get(path)
    return isinstance(item, dict) and method.lower() in item


def _report(requirement: str, what: str, offences: list[tuple[str, str, Exchange | None]], total: int) -> None:
    raise_all(Violation(requirement, f"{what}: {label}: {problem}", exchange, detail=f"{len(offences)} of {total} requests",
                        operation=label) for label, problem, exchange in offences)


# --- CORS -------------------------------------------------------------------------------------


def cors_problem(origin: str, headers) -> str:
    """'' unless the answer echoes `origin` and allows credentials: the pair that lets any page
    read responses made with the user's credentials."""
    allowed = (headers.get("access-control-allow-origin") or "").strip()
    credentials = (headers.get("access-control-allow-credentials") or "").strip().lower()
    if allowed.lower() == origin.lower() and credentials == "true":
        return f"Access-Control-Allow-Origin: {allowed} with Access-Control-Allow-Credentials: true"
    return ""


@pytest.mark.requirement("SEC-001")
def test_cors_never_echoes_an_arbitrary_origin_with_credentials(api, anon_api, spec, target):
    origin = {"Origin": EVIL_ORIGIN}
    probes: list[tuple[str, Exchange]] = []
    for path in ("/ok", "/info"):
        if path in (spec.document.get("paths") or {}):
            probes.append((f"GET {path}", anon_api.get(path, headers=origin)))
    searches = [p for p in ("/threads/search", "/assistants/search") if _declared(spec, "POST", p)]
    preflight = {**origin, "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": f"{target.auth_header.lower()}, content-type"}
    for path in searches:
        probes.append((f"POST {path}", api.post(path, json={"limit": 1}, headers=origin)))
        probes.append((f"OPTIONS {path} (preflight)", anon_api.request("OPTIONS", path, headers=preflight)))
    # Positive control: the probes were answered (a target that answered none proves nothing).
    if not any(200 <= exchange.status < 300 for _, exchange in probes):
        not_judged("no request with an Origin header was answered with a 2xx", "a target that answers GET /info or a search")
    offences = [(label, problem, exchange) for label, exchange in probes if (problem := cors_problem(EVIL_ORIGIN, exchange.headers))]
    _report("SEC-001", f"a response to Origin: {EVIL_ORIGIN} let it use credentials", offences, len(probes))


# --- routes outside the spec ------------------------------------------------------------------

# (method, path, what it is): routes some implementation serves beside the spec. Only methods that
# change nothing; see the module's docstring for why the data-changing POSTs are never sent.
OUTSIDE_ROUTES = (
    ("GET", "/internal/debug/thread/{thread_id}",
     "langgraph dev: the raw thread; it shares its mount with POST /internal/truncate, which wipes the deployment"),
    ("GET", "/deploy", "langgraph dev: deploy metadata; its POST starts `langgraph deploy` with the server's LangSmith key"),
    ("GET", "/internal/truncate", "langgraph dev and LangGraph.js: its POST wipes every thread, assistant, run and store item"),
    ("OPTIONS", "/internal/truncate", "langgraph dev and LangGraph.js: its POST wipes every thread, assistant, run and store item"),
)


@pytest.fixture(scope="module")
def owned_thread(api: ApiClient) -> tuple[str, str]:
    """A thread of the main tenant carrying a secret: (thread id, secret)."""
    secret = uuid.uuid4().hex
    thread_id = require_json(api.post("/threads", json=api.tag({"metadata": {"conformance_secret": secret}})),
                             "creating a thread", "thread_id")
    return thread_id, secret


@pytest.mark.requirement("SEC-002")
def test_routes_outside_the_spec_that_change_or_disclose_data_need_a_credential(anon_api, spec, target, owned_thread):
    thread_id, secret = owned_thread
    # Positive control: this target rejects a request of the spec made without a credential.
    control = anon_api.get(f"/threads/{segment(thread_id)}")
    if control.status not in target.profile.rejection_statuses:
        not_judged(f"GET /threads/{{thread_id}} without a credential answered {control.status}, not a rejection "
                   "(AUTH-001 judges that), so a rejection of the routes outside the spec would say nothing")
    not_reachable = (*target.profile.rejection_statuses, 404)
    offences, conclusive, inconclusive = [], 0, []
    # What a route that does not exist answers to each method: a server that answers a preflight
    # (CORS middleware) or any method alike everywhere says nothing about one route by it.
    nowhere = f"/conformance-no-such-route-{uuid.uuid4().hex[:12]}"
    baseline = {method: anon_api.request(method, nowhere).status for method in {m for m, _, _ in OUTSIDE_ROUTES}}
    for method, template, what in OUTSIDE_ROUTES:
        if template in (spec.document.get("paths") or {}):
            continue  # a route of the spec: the auth area judges it
        exchange = anon_api.request(method, template.replace("{thread_id}", segment(thread_id)))
        label = f"{method} {template}"
        if exchange.status == 405:
            inconclusive.append(label)  # routed before auth: says nothing about the method that matters
            continue
        if exchange.status == baseline[method] and exchange.status not in not_reachable:
            inconclusive.append(f"{label} (answered {exchange.status} like a route that does not exist)")
            continue
        conclusive += 1
        if exchange.status not in not_reachable:
            leak = " and discloses the thread" if secret in exchange.text or thread_id in exchange.text else ""
            offences.append((label, f"answered {exchange.status} without a credential{leak} ({what})", exchange))
    if not conclusive:
        not_judged(f"every probe was answered 405 before any credential check ({', '.join(inconclusive)})")
    _report("SEC-002", "a route outside the spec was reachable without a credential", offences, conclusive)


# --- tenants ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tenants(api, alt_api) -> tuple[ApiClient, ApiClient]:
    return api, alt_api


def _assistant(client: ApiClient, graph_id: str, name: str) -> str:
    return require_json(client.post("/assistants", json=client.assistant_body(graph_id, name=name)),
                        f"creating the assistant {name!r}", "assistant_id")


def _thread(client: ApiClient, what: str, metadata: dict | None = None) -> str:
    return require_json(client.post("/threads", json=client.tag({"metadata": metadata or {}})), what, "thread_id")


@pytest.mark.requirement("SEC-003")
@pytest.mark.needs("graph")
@pytest.mark.operations("POST /threads/{thread_id}/runs")
def test_tenant_b_cannot_run_tenant_a_assistant_even_on_its_own_thread(tenants, spec, graph_id):
    a, b = tenants
    foreign = _assistant(a, graph_id, "conformance security: tenant A's")
    require(a.get(f"/assistants/{segment(foreign)}"), "tenant A reading its own assistant back")
    own = _assistant(b, graph_id, "conformance security: tenant B's")
    # Positive control: B may run its own assistant on its own thread, so a refusal below is about A's assistant.
    control_thread = _thread(b, "creating tenant B's thread")
    require(b.post(f"/threads/{segment(control_thread)}/runs", json={"assistant_id": own, "input": {"text": "own"}}),
            "tenant B running its own assistant on its own thread")
    thread = _thread(b, "creating tenant B's second thread")
    body = {"assistant_id": foreign, "input": {"text": "foreign"}}
    attempts = [(f"POST {path}", path.replace("{thread_id}", segment(thread)))
                for path in ("/threads/{thread_id}/runs", "/threads/{thread_id}/runs/wait", "/threads/{thread_id}/runs/stream", "/runs/wait")
                if _declared(spec, "POST", path)]
    offences = []
    for label, path in attempts:
        streams = path.endswith("/stream")
        exchange = b.request("POST", path, json=body, events=streams, max_events=20, timeout=STREAM_SECONDS if streams else 60)
        if not 400 <= exchange.status < 500:
            offences.append((label, f"a run naming tenant A's assistant answered {exchange.status}, expected a refusal (4xx)", exchange))
    runs = b.get(f"/threads/{segment(thread)}/runs", params={"limit": 10})
    ran = runs.json_or_none() if runs.status == 200 else None
    expect(isinstance(ran, list), "SEC-003", f"tenant B listing the runs of its own thread answered {runs.status}", runs)
    if ran:
        offences.append(("GET /threads/{thread_id}/runs", f"tenant B's thread holds {len(ran)} run(s) of tenant A's assistant", runs))
    _report("SEC-003", "tenant B ran tenant A's assistant", offences, len(attempts) + 1)


@pytest.mark.requirement("SEC-004")
@pytest.mark.operations("POST /threads/{thread_id}/copy", "POST /threads/search")
def test_tenant_b_cannot_copy_tenant_a_thread(tenants):
    a, b = tenants
    secret = uuid.uuid4().hex
    source = _thread(a, "creating tenant A's thread", {"conformance_secret": secret})
    # Positive control: A may copy its own thread, so a refusal below is about the tenant.
    require_json(a.post(f"/threads/{segment(source)}/copy"), "tenant A copying its own thread", "thread_id")
    by_secret = {"metadata": {"conformance_secret": secret}, "limit": 10}
    before = require_json(a.post("/threads/search", json=by_secret), "tenant A searching its threads by their secret")
    if not isinstance(before, list) or len(before) != 2:
        not_judged(f"tenant A's search by the secret finds {len(before) if isinstance(before, list) else before!r} thread(s), "
                   "not its thread and its copy", "a deployment whose thread search honours metadata (SEARCH-001)")
    offences = []
    copied = b.post(f"/threads/{segment(source)}/copy")
    if not 400 <= copied.status < 500:
        offences.append(("POST /threads/{thread_id}/copy", f"tenant B copying tenant A's thread answered {copied.status}, "
                         "expected a refusal (404 or 409)", copied))
    for who, client, expected in (("B", b, 0), ("A", a, 2)):
        found = client.post("/threads/search", json=by_secret)
        listed = found.json_or_none() if found.status == 200 else None
        if not isinstance(listed, list) or len(listed) != expected:
            offences.append(("POST /threads/search", f"after B's copy, tenant {who}'s search by the secret finds "
                             f"{len(listed) if isinstance(listed, list) else found.status} thread(s), expected {expected}", found))
    _report("SEC-004", "tenant B copied tenant A's thread", offences, 3)

