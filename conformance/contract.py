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
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterable

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


@dataclass(frozen=True)
class MappedCheck:
    requirement: str
    name: str  # what the check verifies, as the failure message says it
    function: Callable[..., Any]


def mapped_checks() -> tuple[MappedCheck, ...]:
    from schemathesis.checks import load_all_checks, not_a_server_error
    from schemathesis.specs.openapi import checks as oas

    load_all_checks()
    return (
        MappedCheck("CON-001", "not a server error", not_a_server_error),
        MappedCheck("CON-002", "status code documented", oas.status_code_conformance),
        MappedCheck("CON-003", "content type documented", oas.content_type_conformance),
        MappedCheck("CON-004", "declared response headers", oas.response_headers_conformance),
        MappedCheck("CON-005", "response body matches its schema", oas.response_schema_conformance),
        MappedCheck("CON-006", "invalid data rejected with 4xx", oas.negative_data_rejection),
        MappedCheck("CON-007", "valid data accepted", oas.positive_data_acceptance),
    )


def stateful_checks() -> tuple[MappedCheck, ...]:
    """In linked sequences every response check is filed under CON-011, a use after free under CON-010.

    (ensure_resource_availability is left out: a 404 naming the *other* id of a call, e.g. an
    unknown assistant on an existing thread, reads to it as a vanished resource.)"""
    from schemathesis.specs.openapi import checks as oas

    in_sequence = tuple(MappedCheck("CON-011", f"{c.name} (in a sequence)", c.function) for c in mapped_checks() if c.requirement not in ("CON-006", "CON-007"))
    return in_sequence + (MappedCheck("CON-010", "a deleted resource stays deleted", oas.use_after_free),)


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
    # The official server rejects NUL characters in every string (422): not worth an erratum per field.
    # Per-operation tests pick their mode; the state machine chains valid requests only.
    schema.config.generation.update(allow_x00=False, modes=[GenerationMode.POSITIVE])
    return schema


def operation_labels(document: dict[str, Any]) -> list[str]:
    from .errata import _labels

    return _labels(document)


# --- sending a case -----------------------------------------------------------------------------


def _is_streaming(operation: Any) -> bool:
    for response in (operation.definition.raw.get("responses") or {}).values():
        if isinstance(response, dict) and "text/event-stream" in (response.get("content") or {}):
            return True
    return False


def prepare(case: Any, api: ApiClient) -> None:
    """Tag a valid body that creates a resource with the run id (metadata stays a valid object);
    a valid store item goes under the run's namespace, so the final sweep finds it."""
    mode = getattr(getattr(case.meta, "generation", None), "mode", None)
    if mode is None or not mode.is_positive or not isinstance(case.body, dict):
        return
    if case.operation.label in TAGGED_CREATORS:
        metadata = case.body.get("metadata")
        case.body["metadata"] = {**(metadata if isinstance(metadata, dict) else {}), "conformance_run": api.run_id}
    elif case.operation.label == "PUT /store/items" and isinstance(case.body.get("namespace"), list):
        case.body["namespace"] = [*store_namespace(api.run_id), *case.body["namespace"]][:8]


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
        timeout=STREAM_DEADLINE if streaming else CALL_DEADLINE, events=streaming, max_events=200,
    )


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


def _failures(case: Any, response: Any, function: Callable[..., Any], **kwargs: Any) -> list[Any]:
    from schemathesis.core.failures import FailureGroup

    try:
        case.validate_response(response, checks=[function], **kwargs)
    except FailureGroup as group:
        return list(group.exceptions)
    return []


def judge(
    case: Any,
    exchange: Exchange,
    known_ids: Callable[[], set[str]],
    checks: Iterable[MappedCheck] | None = None,
    unknown_ids: bool = True,
    **kwargs: Any,
) -> list[Finding]:
    """Every mapped check on one response, plus the suite's own (SSE framing, unknown ids)."""
    label = case.operation.label
    response = as_response(exchange)
    is_sse = "text/event-stream" in exchange.content_type
    out: list[Finding] = []
    chosen = checks if checks is not None else mapped_checks()
    if exchange.status >= 500:
        # One defect, filed once: the other checks' complaints about a 5xx (undocumented status,
        # content type, body, invalid data not rejected) only repeat it.
        chosen = [c for c in chosen if c.requirement in ("CON-001", "CON-011")][:1]
    for check in chosen:
        if is_sse and check.function.__name__ == "response_schema_conformance":
            continue  # the spec types a stream as one opaque string; CON-009 checks its framing instead
        for failure in _failures(case, response, check.function, **kwargs):
            out.append(Finding(check.requirement, label, check.name, str(getattr(failure, "title", type(failure).__name__)), str(getattr(failure, "message", failure)), exchange))
    if is_sse:
        problem = framing_problem(exchange.body)
        if problem:
            out.append(Finding("CON-009", label, "SSE framing", "malformed event stream", problem, exchange))
    unknown = unknown_id_answered(case, exchange, known_ids) if unknown_ids else ""
    if unknown:
        out.append(Finding("CON-008", label, "unknown id answered 404", "a resource that was never created was found", unknown, exchange))
    return out


def unknown_id_answered(case: Any, exchange: Exchange, known_ids: Callable[[], set[str]]) -> str:
    """For a valid GET/PATCH/DELETE naming fresh UUIDs only, a 2xx JSON answer invents a resource."""
    mode = getattr(getattr(case.meta, "generation", None), "mode", None)
    if mode is None or not mode.is_positive or case.method.upper() not in ("GET", "PATCH", "DELETE"):
        return ""
    if not 200 <= exchange.status < 300 or "json" not in exchange.content_type:
        return ""
    ids = {k: v for k, v in (case.path_parameters or {}).items() if k.endswith("_id")}
    if not ids or not all(_is_uuid(v) for v in ids.values()):
        return ""
    existing = known_ids()
    if any(str(v).lower() in existing for v in ids.values()):
        return ""
    named = ", ".join(f"{k}={v}" for k, v in ids.items())
    return f"expected: 404 for {named} (never created in this run, not a deployed default)\nreceived: {exchange.status}"


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
        """Remember what a generated request was (the run's id aside), to compare runs of one seed."""
        kwargs = case.as_transport_kwargs(base_url="")
        headers = {k.lower(): str(v) for k, v in (kwargs.get("headers") or {}).items() if k.lower() not in VOLATILE_HEADERS}
        text = json.dumps([case.method.upper(), str(kwargs.get("url")), kwargs.get("params"), headers,
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


def _long_lived(path: str) -> bool:
    return path.endswith(("/wait", "/join")) or "/stream" in path


def run_stateful(schema: Any, record: ContractRecord, target: TargetConfig, api: ApiClient, excluded: Iterable[str]) -> list[Finding]:
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
    checks = stateful_checks()

    class Machine(base):  # type: ignore[misc, valid-type]
        def call(self, case: Any, **kwargs: Any) -> Any:
            prepare(case, api)
            try:
                exchange = send(case, api, base_url)
            except TargetUnavailable as exc:
                if BREAKER.open:
                    raise
                finding = transport_finding(case, exc)
                finding.requirement = "CON-011"
                findings.setdefault(finding.key, finding)
                exchange = exc.exchange if isinstance(exc.exchange, Exchange) else Exchange(case.method, "", [], None)
            exchanges[case.id] = exchange
            record.stateful_steps += 1
            return Response.from_any(as_response(exchange))

        def validate_response(self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any) -> None:
            exchange = exchanges.pop(case.id, None)
            if exchange is None:
                return
            for finding in judge(case, exchange, set, checks=checks, recorder=self.recorder, unknown_ids=False):
                if finding.requirement == "CON-009":
                    finding.requirement = "CON-011"
                if exchange.status >= 500:
                    finding.requirement = "CON-001"  # a server error is one in a sequence too
                findings.setdefault(finding.key, finding)

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
