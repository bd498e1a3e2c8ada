"""Schemathesis wiring for the contract area: the target's spec (with errata) loaded at run time,
generated cases sent through the suite's bounded HTTP client, every schemathesis check mapped to
a requirement id, and findings turned into `Violation`s with a redacted curl reproduction.

Schemathesis generates and judges; the suite's `ApiClient` sends (deadline, size cap, breaker,
recording, cleanup of what is created). Findings are collected, not raised inside hypothesis: a
failing case is reported as generated (no shrinking), so a run costs what its budget says.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import threading
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterable
from urllib.parse import urlsplit

import httpx

from .checks import Violation, Violations
from .cleanup import TRACKER, store_namespace
from .config import TargetConfig
from .errata import Overlay, apply_errata, load_errata
from .errors import TargetUnavailable
from .http import BREAKER, ApiClient, Exchange
from .sse import framing_problem

# Operations never sent by generated calls whatever the errata say: they act on everything the
# credential owns, so a generated call is not safe on a shared deployment.
UNSAFE: dict[str, str] = {
    "POST /runs/cancel": "with a generated `status` it cancels every run of the tenant: not safe on a shared deployment",
}
STREAM_DEADLINE = 5.0  # seconds an SSE response is read before it is cut (an open stream is not an error)
CALL_DEADLINE = 10.0  # total deadline of one generated request (long-polling operations included)
# Held to a bundled spec of another implementation, what the deployment's responses are held to is
# not its own contract: those findings are filed under CON-012 (SHOULD) instead.
OWN_SPEC_ONLY = ("CON-002", "CON-003", "CON-004", "CON-005")
FOREIGN_SPEC_REQUIREMENT = "CON-012"
REQUIREMENT_ORDER = ("CON-001", "CON-002", "CON-003", "CON-004", "CON-005", "CON-009", "CON-008", "CON-006", "CON-007", "CON-010", "CON-011")
# Operations whose successful POST creates something that carries metadata: tag it with the run.
TAGGED_CREATORS = ("POST /assistants", "POST /threads", "POST /runs/crons", "POST /threads/{thread_id}/runs/crons")


def replaying(target: TargetConfig) -> bool:
    """A run that must send exactly what another run with its seed sends: in CI, or given --seed.
    No example database then (its examples would come first); generation is seeded either way."""
    return bool(os.environ.get("CI")) or target.seed_given


def hypothesis_database(target: TargetConfig) -> Any:
    """Outside the repo: under the suite's cache directory; none when the run replays a seed."""
    if replaying(target):
        return None
    from hypothesis.database import DirectoryBasedExampleDatabase

    from .reference.deployment import cache_dir

    return DirectoryBasedExampleDatabase(str(cache_dir() / "hypothesis"))


def operation_seed(seed: int | None, *parts: str) -> int:
    digest = hashlib.blake2b(":".join([str(seed), *parts]).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


# --- checks -> requirements ---------------------------------------------------------------------
#
# Every CON check is a schemathesis check: schemathesis' own, and the suite's two registered in its
# registry (`unknown_id_answered_404` for CON-008, `sse_framing` for CON-009), so the state machine's
# own validation runs them too. One validation per response runs them all; the `after_validate` hook
# says which check raised each failure, and this table files it under its requirement.

CHECK_REQUIREMENTS = {
    "not_a_server_error": "CON-001",
    "status_code_conformance": "CON-002",
    "content_type_conformance": "CON-003",
    "response_headers_conformance": "CON-004",
    "response_schema_conformance": "CON-005",
    "negative_data_rejection": "CON-006",
    "positive_data_acceptance": "CON-007",
    "unknown_id_answered_404": "CON-008",
    "sse_framing": "CON-009",
    "use_after_free": "CON-010",
}
CHECK_TITLES = {
    "not_a_server_error": "not a server error", "status_code_conformance": "status code documented",
    "content_type_conformance": "content type documented", "response_headers_conformance": "declared response headers",
    "response_schema_conformance": "response body matches its schema", "negative_data_rejection": "invalid data rejected with 4xx",
    "positive_data_acceptance": "valid data accepted", "unknown_id_answered_404": "unknown id answered 404",
    "sse_framing": "SSE framing", "use_after_free": "a deleted resource stays deleted",
}
PER_OPERATION_CHECKS = tuple(n for n in CHECK_REQUIREMENTS if n != "use_after_free")
# In linked sequences: validity of requests is not judged (it is the per-operation tests' job), and
# ensure_resource_availability is left out (a 404 naming the *other* id of a call, e.g. an unknown
# assistant on an existing thread, reads to it as a vanished resource).
STATEFUL_CHECKS = tuple(n for n in CHECK_REQUIREMENTS if n not in ("negative_data_rejection", "positive_data_acceptance"))

_STATE = threading.local()  # the ids known to exist, for the CON-008 check of the current thread


def _registered() -> dict[str, Callable[..., Any]]:
    """Schemathesis' check registry, with the suite's checks in it (registered once per process)."""
    import schemathesis
    from schemathesis.checks import CHECKS, load_all_checks
    from schemathesis.core.failures import Failure, Severity

    load_all_checks()
    if "sse_framing" not in CHECKS.get_all_names():
        class MalformedEventStream(Failure):
            code = "CONF009"
            checks = ("sse_framing",)
            kind_title = "Malformed event stream"

            @property
            def _unique_key(self) -> str:
                return self.message

        class UnknownIdFound(Failure):
            code = "CONF008"
            checks = ("unknown_id_answered_404",)
            kind_title = "A resource that was never created was found"

            @property
            def _unique_key(self) -> str:
                return self.message

        @schemathesis.check
        def sse_framing(ctx: Any, response: Any, case: Any) -> bool | None:
            """CON-009: an event stream is made of SSE fields whose data is JSON."""
            content_type = (response.headers.get("content-type") or [""])[0]
            if "text/event-stream" not in content_type:
                return True  # not an event stream: skipped
            problem = framing_problem(response.content)
            if problem:
                raise MalformedEventStream(operation=case.operation.label, title="malformed event stream", message=problem,
                                           severity=Severity.MEDIUM)
            return None

        @schemathesis.check
        def unknown_id_answered_404(ctx: Any, response: Any, case: Any) -> bool | None:
            """CON-008: a valid GET/PATCH/DELETE naming only ids never created answers 404, not 2xx."""
            known = getattr(_STATE, "known_ids", None)
            problem = unknown_id_problem(case, response.status_code, (response.headers.get("content-type") or [""])[0],
                                         known() if known else set())
            if problem:
                raise UnknownIdFound(operation=case.operation.label, title="a resource that was never created was found",
                                     message=problem, severity=Severity.HIGH)
            return None

    return {name: CHECKS.get_one(name) for name in CHECK_REQUIREMENTS}


def install_hooks(schema: Any) -> None:
    """The schema's hooks: say which check raised each failure; drop schemathesis' own SSE body
    validation (the spec types a stream as one opaque string; CON-009 judges its framing)."""

    @schema.hook
    def after_validate(context: Any, case: Any, response: Any, results: Any) -> None:
        sink = getattr(_STATE, "results", None)
        if sink is not None:
            sink.extend((r.name, r.failure) for r in results if r.failure is not None)

    @schema.hook
    def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
        return getattr(failure, "title", "") != "SSE event violates schema"


@dataclass
class Finding:
    requirement: str
    operation: str
    check: str
    title: str
    message: str
    exchange: Exchange | None = None

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.requirement, self.operation, self.title, self.message.split("\n", 1)[0][:120])

    def headline(self) -> str:
        return f"{self.operation}: {self.check}: {self.title}"

    def distinct_key(self, deviations: Iterable[Any]) -> tuple:
        """`key`, and which of a profile's deviations would cover this finding: of many findings
        alike, one a deviation covers must not hide one it does not (a 500 without the deviation's
        pattern is a defect the profile does not know)."""
        text = f"{self.message}\n{self.exchange.curl() if self.exchange is not None and self.exchange.method else ''}"
        covering = tuple(
            n for n, d in enumerate(deviations)
            if d.requirement == self.requirement and (not d.operations or self.operation in d.operations)
            and (not d.match or re.search(d.match, text))
        )
        return (*self.key, covering)


def findings_to_violations(findings: list[Finding]) -> Violation | Violations | None:
    """Every finding as a violation of its requirement and operation (the first by requirement
    order leads the message); None when there is none."""
    if not findings:
        return None
    ordered = sorted(findings, key=lambda f: REQUIREMENT_ORDER.index(f.requirement) if f.requirement in REQUIREMENT_ORDER else 99)
    violations = [
        Violation(f.requirement, f.headline(), f.exchange, "\n".join(d for d in (f"check: {f.check} (schemathesis)", _expected_received(f.message)) if d),
                  operation=f.operation)
        for f in ordered
    ]
    if len(violations) == 1:
        violations[0].complete = True  # every check ran on every request: the others are judged
        return violations[0]
    return Violations(violations, complete=True)


def _expected_received(message: str) -> str:
    text = message.strip()
    return "\n".join("  " + line for line in text.splitlines()[:40]) if text else ""


# --- the spec, corrected ------------------------------------------------------------------------


_OVERLAYS: dict[int, Overlay] = {}


def corrected(document: dict[str, Any], target: TargetConfig) -> Overlay:
    """The spec with the errata that apply to it (none with --strict-spec), computed once per document."""
    key = id(document)
    if key not in _OVERLAYS:
        _OVERLAYS[key] = apply_errata(document, load_errata(), strict=target.strict_spec)
    return _OVERLAYS[key]


def build_schema(overlay: Overlay, target: TargetConfig) -> Any:  # noqa: D401
    """A schemathesis schema over the corrected spec, bound to the target's base URL."""
    import schemathesis
    from schemathesis.config import SchemathesisConfig
    from schemathesis.generation import GenerationMode

    config = SchemathesisConfig()  # never a schemathesis.toml from the working directory
    schema = schemathesis.openapi.from_dict(overlay.document, config=config)
    schema.config.update(base_url=target.base_url or "", request_timeout=CALL_DEADLINE)
    _registered()
    install_hooks(schema)
    # No probes of undeclared methods in the coverage phase: on a shared deployment a DELETE the spec
    # does not declare is not a request to send.
    schema.config.phases.coverage.unexpected_methods = set()
    # The official server rejects NUL characters in every string (422): not worth an erratum per field.
    # Per-operation tests pick their mode; the state machine chains valid requests only.
    schema.config.generation.update(allow_x00=False, modes=[GenerationMode.POSITIVE])
    return schema


def coverage_cases(operation: Any, schema: Any, cap: int | None) -> list[Any]:
    """Schemathesis' coverage phase for one operation: the boundary and near-boundary values, enums,
    wrong types and missing fields it derives from the schema (what random generation misses).
    Deterministic; `cap` keeps an evenly spaced selection of them (None: all)."""
    from schemathesis.generation import GenerationMode
    from schemathesis.generation.coverage import GenerationSession
    from schemathesis.generation.drivers import CoverageGenerator
    from schemathesis.generation.feedback import FeedbackSources
    from schemathesis.generation.overrides import Override

    generator = CoverageGenerator(
        operation=operation, generation_modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
        generation_config=schema.config.generation_for(operation=operation, phase="coverage"),
        auth_storage=None, override=Override(), feedback=FeedbackSources(), session=GenerationSession(),
    )
    cases = list(generator)
    if cap is None or len(cases) <= cap:
        return cases
    step = len(cases) / cap
    return [cases[int(i * step)] for i in range(cap)]


def operation_labels(document: dict[str, Any]) -> list[str]:
    from .errata import _labels

    return _labels(document)


# --- sending a case -----------------------------------------------------------------------------


def _is_streaming(operation: Any) -> bool:
    for response in (operation.definition.raw.get("responses") or {}).values():
        if isinstance(response, dict) and "text/event-stream" in (response.get("content") or {}):
            return True
    return False


# Ids a creating request may choose for the resource it makes (POST /threads {"thread_id": ...}).
CHOSEN_IDS = ("thread_id", "assistant_id", "cron_id")


def prepare(case: Any, api: ApiClient, seed: int | None = None, index: int = 0) -> None:
    """Tag a body that may create a resource with the run id, and put a store item under the run's
    namespace, so the final sweep finds whatever a generated request created. Invalid requests too:
    a server may accept one (that is CON-006's finding), and what it made must not be left behind;
    the tag only adds to an object or a list the case already holds, so it stays as invalid as it was."""
    mode = getattr(getattr(case.meta, "generation", None), "mode", None)
    if mode is None or not isinstance(case.body, dict):
        return
    if case.operation.label in TAGGED_CREATORS:
        metadata = case.body.get("metadata", {})
        if isinstance(metadata, dict):
            case.body["metadata"] = {**metadata, "conformance_run": api.run_id}
        # Hypothesis draws the same simple UUIDs again and again: an id a creation chooses is derived
        # from it, the run and the case's place in it, so no other request's generated id names what
        # it made (results do not depend on the order requests go out in, in flight together or across
        # xdist workers, nor on another run at the same time); the seed still replays what was drawn.
        for key in CHOSEN_IDS:
            if isinstance(case.body.get(key), str) and _is_uuid(case.body[key]):
                case.body[key] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{api.run_id}:{seed}:{case.operation.label}:{index}:{case.body[key]}"))
    elif case.operation.label == "PUT /store/items" and isinstance(case.body.get("namespace"), list):
        namespace = [*store_namespace(api.run_id), *case.body["namespace"]]
        case.body["namespace"] = namespace[:8] if mode.is_positive else namespace


def send(case: Any, api: ApiClient, base_url: str) -> Exchange:
    """Send a generated case through the suite's client: only ever to the target's base URL."""
    kwargs = case.as_transport_kwargs(base_url=base_url)
    url = str(kwargs["url"])
    if not (url == base_url or url.startswith(base_url + "/")):
        raise RuntimeError(f"a generated request left the target: {url}")  # never send elsewhere
    path = url[len(base_url):] or "/"
    headers = {str(k): str(v) for k, v in (kwargs.get("headers") or {}).items() if k.lower() not in VOLATILE_HEADERS}
    params = kwargs.get("params") or None
    body_json, content = None, None
    if "json" in kwargs:
        body_json = kwargs["json"]
    elif kwargs.get("data") is not None:
        content = kwargs["data"] if isinstance(kwargs["data"], (bytes, str)) else json.dumps(kwargs["data"])
    streaming = _is_streaming(case.operation) and content is None
    # SSE: read up to a short deadline; a stream that stays open is cut there, which is no error.
    return api.request(
        case.method.upper(), path, json=body_json, content=content, params=params, headers=headers,
        timeout=min(STREAM_DEADLINE if streaming else CALL_DEADLINE, api.timeout), events=streaming, max_events=200,
    )


SENDERS = 3  # generated requests in flight at once: sending and judging overlap generating the next


class Pipeline:
    """Sends generated cases and judges their answers on a few threads while hypothesis (which holds
    the interpreter while it draws) generates the next: the network waits overlap the drawing.
    Findings come back in the order the cases were generated, so a seeded run reads the same."""

    def __init__(self, api: ApiClient, base_url: str, known_ids: Callable[[], set[str]], senders: int = SENDERS) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self.api, self.base_url, self.known_ids = api, base_url, known_ids
        self.pool = ThreadPoolExecutor(max_workers=senders, thread_name_prefix="conformance-send")
        self.pending: list[Any] = []

    def submit(self, case: Any) -> None:
        if BREAKER.open:  # the target is dead: stop drawing cases nobody will send
            raise TargetUnavailable(BREAKER.reason)
        self.pending.append(self.pool.submit(self._one, case))

    def _one(self, case: Any) -> list["Finding"]:
        if BREAKER.open:
            raise TargetUnavailable(BREAKER.reason)
        try:
            exchange = send(case, self.api, self.base_url)
        except TargetUnavailable as exc:
            if BREAKER.open:
                raise
            return [transport_finding(case, exc)]  # this request's finding; the others still count
        return judge(case, exchange, self.known_ids)

    def drain(self) -> list["Finding"]:
        """Every finding so far, in generation order; re-raises what ended the run (a dead target)."""
        try:
            return [finding for future in self.pending for finding in future.result()]
        finally:
            self.pending = []

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def transport_finding(case: Any, exc: TargetUnavailable) -> "Finding":
    """A generated request that got no answer is a finding of that request, with its reproduction."""
    exchange = exc.exchange if isinstance(exc.exchange, Exchange) else None
    message = f"expected: an HTTP answer\nreceived: none ({exchange.error if exchange else exc})"
    return Finding("CON-001", case.operation.label, "an answer at all", "no answer", message, exchange)


def as_response(exchange: Exchange) -> httpx.Response:
    """The exchange as the httpx response schemathesis' checks read."""
    request = httpx.Request(exchange.method, exchange.url, headers=exchange.request_headers, content=exchange.request_body or b"")
    headers = [(k, v) for k, v in exchange.headers.multi_items() if k.lower() not in ("content-encoding", "transfer-encoding")]
    response = httpx.Response(exchange.status, headers=headers, content=exchange.body, request=request)
    response.elapsed = datetime.timedelta(seconds=exchange.elapsed)
    return response


# --- judging a response -------------------------------------------------------------------------


def unparseable_json_body(exchange: Exchange) -> bool:
    """The request said its body is JSON and it is not JSON at all (a negative case of schemathesis):
    400 is then HTTP's own answer to a malformed request (RFC 9110 15.5.1), documented or not
    (FastAPI servers such as Aegra answer it so, and their generated specs never list it)."""
    declared = next((v for k, v in exchange.request_headers if k.lower() == "content-type"), "")
    if "json" not in declared.lower() or not exchange.request_body:
        return False
    try:
        json.loads(exchange.request_body)
    except ValueError:  # UnicodeDecodeError included
        return True
    return False


def judge(case: Any, exchange: Exchange, known_ids: Callable[[], set[str]], *, stateful: bool = False,
          foreign_spec: bool = False, **kwargs: Any) -> list[Finding]:
    """Every CON check on one response, in one validation; each failure filed under its requirement.
    In a sequence (`stateful`), response checks are CON-011's, a use after free CON-010's; held to a
    bundled spec of another implementation (`foreign_spec`), the sequence's response checks are CON-012's."""
    from schemathesis.core.failures import FailureGroup

    checks = _registered()
    chosen = STATEFUL_CHECKS if stateful else PER_OPERATION_CHECKS
    if exchange.status >= 500:
        # One defect, filed once: the other checks' complaints about a 5xx (undocumented status,
        # content type, body, invalid data not rejected) only repeat it.
        chosen = ("not_a_server_error",)
    elif exchange.status == 400 and unparseable_json_body(exchange):
        return []  # (validate_response with no checks would run all of them)
    _STATE.results, _STATE.known_ids = [], known_ids
    try:
        case.validate_response(as_response(exchange), checks=[checks[name] for name in chosen], **kwargs)
    except FailureGroup:
        pass  # each failure reached after_validate with the name of its check
    raised, _STATE.results = _STATE.results, None
    out: list[Finding] = []
    for name, failure in raised:
        requirement = CHECK_REQUIREMENTS.get(name, "CON-011")
        if stateful and requirement not in ("CON-001", "CON-010"):
            requirement = FOREIGN_SPEC_REQUIREMENT if foreign_spec and requirement in OWN_SPEC_ONLY else "CON-011"
        title = str(getattr(failure, "title", type(failure).__name__))
        check = CHECK_TITLES.get(name, name) + (" (in a sequence)" if stateful else "")
        out.append(Finding(requirement, case.operation.label, check, title, str(getattr(failure, "message", failure)), exchange))
    return out


def unknown_id_problem(case: Any, status: int, content_type: str, existing: set[str]) -> str:
    """For a valid GET/PATCH/DELETE naming fresh UUIDs only, a 2xx JSON answer invents a resource."""
    mode = getattr(getattr(case.meta, "generation", None), "mode", None)
    if mode is None or not mode.is_positive or case.method.upper() not in ("GET", "PATCH", "DELETE"):
        return ""
    if not 200 <= status < 300 or "json" not in content_type:
        return ""
    ids = {k: v for k, v in (case.path_parameters or {}).items() if k.endswith("_id")}
    if not ids or not all(_is_uuid(v) for v in ids.values()):
        return ""
    if any(str(v).lower() in existing for v in ids.values()):
        return ""
    named = ", ".join(f"{k}={v}" for k, v in ids.items())
    return f"expected: 404 for {named} (never created in this run, not a deployed default)\nreceived: {status}"


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def known_resource_ids(graph_ids: Iterable[str]) -> set[str]:
    """Ids that legitimately exist: what this run created, and the default assistants of deployed graphs."""
    ids = {str(uuid.uuid5(uuid.NAMESPACE_DNS, g)) for g in graph_ids}
    ids.update(i for i in TRACKER.ids() if _is_uuid(i))
    return ids


# --- run record, for the summary line and contract.json -------------------------------------------


@dataclass
class ContractRecord:
    """What one contract test did to its operation; travels to the controller as a user property
    (one per test), where `assemble` makes contract.json and the terminal lines of the whole run."""

    operation: str = ""
    exercised: dict[str, int] = field(default_factory=dict)  # mode -> cases sent
    excluded: str = ""  # why no generated request was sent
    unexercised: str = ""  # why no valid request was sent
    stateful_steps: int = 0
    findings: list[dict[str, Any]] = field(default_factory=list)  # every distinct finding
    sent: list[str] = field(default_factory=list)  # digests of the generated requests, in order

    def note(self, findings: Iterable[Finding]) -> None:
        for f in findings:
            self.findings.append({
                "requirement": f.requirement, "operation": f.operation, "check": f.check, "title": f.title,
                "message": f.message[:1500],
                "status": f.exchange.status if f.exchange else None,
                "response": f.exchange.text[:300] if f.exchange else "",
                "reproduce": f.exchange.curl() if f.exchange and f.exchange.method else "",
            })

    def add(self, mode: str, cases: int) -> None:
        self.exercised[mode] = self.exercised.get(mode, 0) + cases

    def sending(self, case: Any, run_id: str) -> None:
        """Remember what was generated (before the run's tags go in), to compare runs of one seed."""
        kwargs = case.as_transport_kwargs(base_url="")
        headers = {k.lower(): str(v) for k, v in (kwargs.get("headers") or {}).items() if k.lower() not in VOLATILE_HEADERS}
        text = json.dumps([case.method.upper(), urlsplit(str(kwargs.get("url"))).path, kwargs.get("params"), headers,
                           kwargs.get("json", kwargs.get("data"))], sort_keys=True, default=str)
        if run_id:
            text = text.replace(run_id, "<run>")
        self.sent.append(hashlib.sha256(text.encode()).hexdigest()[:16])

    def to_property(self) -> str:
        from .redact import redact

        return redact(json.dumps(asdict(self)))


# Headers that differ between two runs of one seed (schemathesis draws a random test case id).
VOLATILE_HEADERS = ("user-agent", "x-schemathesis-testcaseid")


def assemble(parts: Iterable[dict[str, Any]], overlay: Overlay | None, operations: int) -> dict[str, Any]:
    """contract.json: every operation's record, the errata and what the area exercised as a whole."""
    by_operation: dict[str, dict[str, Any]] = {}
    stateful_steps = 0
    findings: list[dict[str, Any]] = []
    for part in parts:
        stateful_steps += part.get("stateful_steps", 0)
        findings += part.get("findings", [])
        if part.get("operation"):
            by_operation[part["operation"]] = part
    return {
        "operations": operations,
        "exercised": {label: p["exercised"] for label, p in sorted(by_operation.items()) if p.get("exercised")},
        "excluded": {label: p["excluded"] for label, p in sorted(by_operation.items()) if p.get("excluded")},
        "unexercised": {label: p["unexercised"] for label, p in sorted(by_operation.items()) if p.get("unexercised")},
        "requests": {label: hashlib.sha256("".join(p["sent"]).encode()).hexdigest()[:16]
                     for label, p in sorted(by_operation.items()) if p.get("sent")},
        "errata_applied": [{"id": e.id, "title": e.title, "operations": list(e.operations)} for e in (overlay.applied if overlay else [])],
        "errata_not_applicable": [{"id": e.id, "why": why} for e, why in (overlay.skipped if overlay else [])],
        "stateful_steps": stateful_steps,
        "findings": findings,
    }


def summary_lines(contract: dict[str, Any]) -> list[str]:
    requests = sum(sum(m.values()) for m in contract["exercised"].values())
    out = [
        f"contract: {len(contract['exercised'])} of {contract['operations']} operations exercised with {requests} generated requests"
        + (f"; {len(contract['excluded'])} excluded" if contract["excluded"] else ""),
    ]
    out += [f"  excluded {label}: {reason}" for label, reason in contract["excluded"].items()]
    out += [f"  no valid request for {label}: {reason}" for label, reason in contract["unexercised"].items()]
    applied = contract["errata_applied"]
    out.append(f"contract: {len(applied)} spec errata applied" + (f" ({', '.join(e['id'] for e in applied)})" if applied else ""))
    if contract["errata_not_applicable"]:
        out.append("  not applicable: " + ", ".join(f"{e['id']} ({e['why']})" for e in contract["errata_not_applicable"]))
    if contract["stateful_steps"]:
        out.append(f"contract: {contract['stateful_steps']} stateful steps over linked operations")
    return out


# --- stateful sequences ---------------------------------------------------------------------------

STATEFUL_SCENARIOS_MAX = 6  # scenarios per run, at most; each is a short chain of linked calls
STATEFUL_STEPS = 6


_UUID_TEXT = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _ids_in(text: str) -> set[str]:
    return {match.lower() for match in _UUID_TEXT.findall(text)}


def _long_lived(path: str) -> bool:
    return path.endswith(("/wait", "/join")) or "/stream" in path


def run_stateful(schema: Any, record: ContractRecord, target: TargetConfig, api: ApiClient, excluded: Iterable[str],
                 *, foreign_spec: bool = False, exercised: set[str] | None = None) -> list[Finding]:
    """Schemathesis' state machine over the spec's inferred links, sent through the suite's client.

    Bounded: a few short scenarios, each call under the contract deadline; findings collected."""
    from hypothesis import HealthCheck, Phase, Verbosity, settings
    from schemathesis.core.transport import Response
    from schemathesis.generation.stateful import run_state_machine_as_test

    skipped = set(excluded)
    # Long-polling and streaming calls on real runs can outlive any short deadline (a graph may
    # sleep); the per-operation tests exercise them against unknown ids, which answer at once.
    chosen = schema.exclude(func=lambda ctx: ctx.operation.label in skipped or _long_lived(ctx.operation.path))
    base = chosen.as_state_machine()
    base_url = target.base_url or ""
    findings: dict[tuple, Finding] = {}
    exchanges: dict[str, Exchange] = {}
    seen: set[str] = set()  # every id a response of the sequence carried: such an id exists

    def known() -> set[str]:
        return known_resource_ids(target.graph_ids) | seen

    class Machine(base):  # type: ignore[misc, valid-type]
        def call(self, case: Any, **kwargs: Any) -> Any:
            prepare(case, api, target.seed, record.stateful_steps)
            try:
                exchange = send(case, api, base_url)
            except TargetUnavailable as exc:
                if BREAKER.open:
                    raise
                finding = transport_finding(case, exc)
                finding.requirement = "CON-011"
                findings.setdefault(finding.distinct_key(target.profile.deviations), finding)
                exchange = exc.exchange if isinstance(exc.exchange, Exchange) else Exchange(case.method, "", [], None)
            exchanges[case.id] = exchange
            seen.update(_ids_in(exchange.text))
            record.stateful_steps += 1
            if exercised is not None:
                exercised.add(case.operation.label)  # what the sequences exercised (a deviation reads fixed? only there)
            return Response.from_any(as_response(exchange))

        def validate_response(self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any) -> None:
            # The machine's own validation point: every registered CON check, CON-008/009 included.
            exchange = exchanges.pop(case.id, None)
            if exchange is None:
                return
            for finding in judge(case, exchange, known, stateful=True, foreign_spec=foreign_spec, recorder=self.recorder):
                findings.setdefault(finding.distinct_key(target.profile.deviations), finding)

    scenarios = max(1, min(STATEFUL_SCENARIOS_MAX, target.examples // 2))
    if not target.stateful:
        return []
    run_state_machine_as_test(
        Machine,  # findings are collected in validate_response; nothing raises inside hypothesis
        settings=settings(
            max_examples=scenarios,
            stateful_step_count=STATEFUL_STEPS,
            deadline=None,
            derandomize=replaying(target),
            database=None,
            phases=(Phase.explicit, Phase.generate),
            suppress_health_check=list(HealthCheck),
            verbosity=Verbosity.quiet,
            print_blob=False,
        ),
    )
    return list(findings.values())
