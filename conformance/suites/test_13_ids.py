"""Unknown ids: every operation that names a resource by id answers 404 for one nobody has.

The operations come from the target's spec: every one with a path parameter ending in `_id`
(conformance.surface prepares an otherwise valid request for each). Each is sent with fresh
UUIDs in its path (the run bodies name a real assistant, so that a 404 is about the unknown
thread), and the operations under a thread's runs also with a real thread and an unknown run.
Writes are then shown to have created nothing: the ids they named still read 404.

Left out: the protocol bridges (`/a2a/{assistant_id}`, `/threads/{thread_id}/commands`), which
answer in their own protocols (erratum LG-041; the protocols area judges them), and a known
thread's unknown `checkpoint_id` (the official server answers that checkpoint's empty state, and
the spec declares no 404 for it: a checkpoint is a point of a thread's history, not a resource).
"""

from __future__ import annotations

import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest

from conformance import surface
from conformance.capabilities import capability_of
from conformance.checks import Violation, not_claimed, not_judged, raise_all
from conformance.http import ApiClient, Exchange, segment
from conformance.suites.test_03_auth import SWEEP_CONCURRENCY

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

STREAM_SECONDS = 2.0  # how long a stream about an unknown id is read before it is judged
BRIDGES = ("/threads/{thread_id}/commands",)  # protocol bridges besides the mcp/a2a capabilities
UNKNOWN, UNKNOWN_RUN = "every id unknown", "a real thread, an unknown run"


def _placeholders(path: str) -> set[str]:
    return set(re.findall(r"\{([^}/]+)\}", path))


def observes(op: surface.Operation) -> bool:
    """A join or a stream that follows what exists (rather than a request that makes a run)."""
    return (op.method == "GET" and (op.streams or op.path.endswith("/join"))) or op.path.endswith("/stream/events")


def id_operations(spec, capabilities) -> list[surface.Operation]:
    out = []
    for op in surface.operations(spec.document):
        if not any(name.endswith("_id") for name in _placeholders(op.path)) or op.path in BRIDGES:
            continue
        capability = capability_of(op.path)
        if capability in ("mcp", "a2a") or (capability and not capabilities.has(capability)):
            continue
        out.append(op)
    return out


@dataclass
class Sent:
    op: surface.Operation
    variant: str
    resources: surface.Resources
    exchange: Exchange

    @property
    def label(self) -> str:
        return f"{self.op.label} ({self.variant})"


@pytest.fixture(scope="module")
def known(api: ApiClient, capabilities, target) -> surface.Resources:
    """A real assistant, and a real thread with a finished run: what a request may name besides
    the unknown id it is about. Without a graph, runs name an unknown assistant too."""
    tag = {"conformance_run": target.run_id}
    graph_id = capabilities.graph_id
    assistant_id = thread_id = run_id = ""
    if graph_id and capabilities.has("assistants"):
        made = api.post("/assistants", json=api.assistant_body(graph_id, name="conformance ids"))
        assistant_id = (made.json_or_none() or {}).get("assistant_id", "") if made.status == 200 else ""
    made = api.post("/threads", json=api.tag())
    thread_id = (made.json_or_none() or {}).get("thread_id", "") if made.status == 200 else ""
    if thread_id and assistant_id and capabilities.has("runs"):
        run = api.post(f"/threads/{segment(thread_id)}/runs", json={"assistant_id": assistant_id, "input": {"text": "ids"}})
        run_id = (run.json_or_none() or {}).get("run_id", "") if run.status == 200 else ""
        if run_id:
            api.get(f"/threads/{segment(thread_id)}/runs/{segment(run_id)}/join", timeout=60)
    return surface.Resources(graph_id=graph_id, assistant_id=assistant_id, thread_id=thread_id, run_id=run_id, tag=tag)


def _resources(op: surface.Operation, variant: str, known: surface.Resources) -> surface.Resources:
    fresh = lambda: str(uuid.uuid4())  # noqa: E731
    names = _placeholders(op.path)
    assistant = fresh() if "assistant_id" in names or not known.assistant_id else known.assistant_id
    thread = known.thread_id if variant == UNKNOWN_RUN else fresh()
    return surface.Resources(graph_id=known.graph_id, assistant_id=assistant, thread_id=thread, run_id=fresh(),
                             cron_id=fresh(), checkpoint_id=fresh(), tag=known.tag)


def _send(client: ApiClient, op: surface.Operation, resources: surface.Resources, spec) -> Exchange:
    prepared = surface.prepare(op, resources, spec.document)
    streams = op.streams
    return client.request(prepared.method, prepared.path, json=prepared.json, params=prepared.params or None,
                          headers=prepared.headers, events=streams, max_events=20,
                          timeout=STREAM_SECONDS if streams else None)


@pytest.fixture(scope="module")
def sweep(api, spec, capabilities, known) -> list[Sent]:
    """Every id operation with unknown ids, and those under a thread's runs with a real thread and
    an unknown run; a few at a time, the destructive ones (DELETE, cancel) last."""
    ops = id_operations(spec, capabilities)
    if not ops:
        not_claimed("the spec declares no operation with an id in its path")
    plan = [(op, UNKNOWN) for op in ops]
    if known.thread_id:
        plan += [(op, UNKNOWN_RUN) for op in ops if {"thread_id", "run_id"} <= _placeholders(op.path)]

    def one(item: tuple[surface.Operation, str]) -> Sent:
        op, variant = item
        resources = _resources(op, variant, known)
        return Sent(op, variant, resources, _send(api, op, resources, spec))

    safe = [item for item in plan if not item[0].destructive]
    with ThreadPoolExecutor(max_workers=SWEEP_CONCURRENCY) as pool:
        sent = list(pool.map(one, safe))
    return sent + [one(item) for item in plan if item[0].destructive]


def _accepted_statuses(op: surface.Operation) -> tuple[int, ...]:
    """404; also 409 where the spec declares 409 and no 404 (copying an unknown thread: the
    official server and LangGraph.js answer 409, as the spec says)."""
    declared = {str(code) for code in (op.spec.get("responses") or {})}
    return (404, 409) if "409" in declared and "404" not in declared else (404,)


def _report(requirement: str, what: str, offences: list[tuple[str, str, Exchange | None]], total: int) -> None:
    raise_all(Violation(requirement, f"{what}: {label}: {problem}", exchange, detail=f"{len(offences)} of {total} requests",
                        operation=label.split(" (")[0]) for label, problem, exchange in offences)


@pytest.mark.requirement("IDS-001")
def test_an_operation_on_an_unknown_id_answers_404(sweep):
    judged = [s for s in sweep if not observes(s.op)]
    offences = []
    for s in judged:
        allowed = _accepted_statuses(s.op)
        if s.exchange.status not in allowed:
            body = s.exchange.text[:120] if not s.exchange.is_event_stream else f"an event stream ({len(s.exchange.events)} events)"
            offences.append((s.label, f"answered {s.exchange.status} {body!r}, expected {' or '.join(map(str, allowed))}", s.exchange))
    _report("IDS-001", "an unknown id was not answered 404", offences, len(judged))


def _read_backs(s: Sent) -> list[str]:
    """The reads that show whether the write `s` created what it named."""
    r, names = s.resources, _placeholders(s.op.path)
    reads = []
    if "thread_id" in names and s.variant == UNKNOWN:
        reads.append(f"/threads/{segment(r.thread_id)}")
    if "run_id" in names:
        reads.append(f"/threads/{segment(r.thread_id)}/runs/{segment(r.run_id)}")
    if "assistant_id" in names:
        reads.append(f"/assistants/{segment(r.assistant_id)}")
    if "cron_id" in names:
        reads.append(f"/runs/crons/{segment(r.cron_id)}")
    return reads


@pytest.mark.requirement("IDS-002")
def test_a_write_to_an_unknown_id_creates_nothing(sweep, api, known, spec):
    paths = spec.document.get("paths") or {}
    readable = {p.replace("{thread_id}", "*").replace("{run_id}", "*").replace("{assistant_id}", "*").replace("{cron_id}", "*")
                for p, item in paths.items() if isinstance(item, dict) and "get" in item}
    # Positive control: reading a thread (and an assistant) that exists finds it, or a 404 proves nothing.
    controls = [f"/threads/{segment(known.thread_id)}"] if known.thread_id else []
    controls += [f"/assistants/{segment(known.assistant_id)}"] if known.assistant_id else []
    blind = [path for path in controls if api.get(path).status != 200]
    if not controls or blind:
        not_judged(f"reading a resource that exists does not find it ({', '.join(blind) or 'none could be made'}), "
                   "so a 404 after a write would prove nothing", "a key that may create and read threads")
    writes = [s for s in sweep if s.op.method != "GET"]
    offences, checked = [], 0
    for s in writes:
        for path in _read_backs(s):
            template = re.sub(r"/[0-9a-f-]{36}", "/*", path)
            if template not in readable:
                continue
            checked += 1
            read = api.get(path)
            if read.status != 404:
                offences.append((s.label, f"after it answered {s.exchange.status}, GET {template} answers {read.status}: "
                                 "the write created what it named", read))
                if read.status == 200:
                    api.delete(path)  # what it created should not outlive the run
    _report("IDS-002", "a write to an unknown id created it", offences, checked)


def _not_found_at_once(exchange: Exchange) -> bool:
    """The form erratum LG-052 records: 200, then at once an error naming the 404 (an SSE
    `error` event, or a join's `__error__`)."""
    says = lambda text: "404" in text or "not found" in text.lower()  # noqa: E731
    if exchange.is_event_stream:
        first = next((e for e in exchange.events if e.event != "metadata"), None)
        return first is not None and first.event == "error" and says(first.data)
    body = exchange.json_or_none()
    return isinstance(body, dict) and "__error__" in body and says(str(body["__error__"]))


@pytest.mark.requirement("IDS-003")
def test_a_join_or_stream_of_an_unknown_id_says_not_found_at_once(sweep):
    judged = [s for s in sweep if observes(s.op)]
    if not judged:
        not_claimed("the spec declares no join or stream of a thread or run")
    offences = []
    for s in judged:
        ex = s.exchange
        if ex.status == 404 or (ex.status == 200 and _not_found_at_once(ex)):
            continue
        if ex.is_event_stream:
            how = (f"stayed open for {STREAM_SECONDS:.0f} s" if ex.cut else "ended") + \
                  f" with {len(ex.events)} event(s) ({', '.join(e.event for e in ex.events[:4]) or 'none'}) and no error naming the 404"
        else:
            how = f"{ex.text[:120]!r}"
        offences.append((s.label, f"answered {ex.status}, {how}", ex))
    _report("IDS-003", "a join or stream of an unknown id did not say not found", offences, len(judged))
