"""Authentication: every operation outside the public paths demands the right credential.

The spec declares no security schemes, so the protected surface is derived from it (all of its
operations minus the profile's public paths, see conformance.surface). Each test sends one
otherwise valid request per protected operation and credential variant, and reports every
offending operation in one violation.
"""

from __future__ import annotations

import uuid
from typing import Callable, Iterable

import pytest

from conformance import surface
from conformance.checks import not_applicable, violate
from conformance.http import TRACKER, ApiClient, Exchange

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

# Refusals of the HTTP layer itself, before auth runs: acceptable for an oversized or non-ASCII value.
HTTP_LAYER_REFUSALS = (400, 431)


@pytest.fixture(scope="module")
def protected(target, spec) -> list[surface.Operation]:
    if not target.auth_enabled:
        not_applicable("auth is off on this target (no API key configured, or the profile turns it off)")
    ops = surface.protected_operations(spec.document, target.profile.public_paths)
    if not ops:
        not_applicable("the spec declares no operation outside the public paths")
    return surface.in_sending_order(ops)


@pytest.fixture(autouse=True)
def _count_protected_operations(request, target, spec):
    # Says how much of the surface a run checked: all of the spec's operations minus the public set.
    if target.auth_enabled:
        count = len(surface.protected_operations(spec.document, target.profile.public_paths))
        request.node.user_properties.append(("coverage:protected_operations", count))


def _resources(target, spec, api: ApiClient, graph_id: str) -> surface.Resources:
    return surface.create_resources(
        api, graph_id, secret=uuid.uuid4().hex, tag={"conformance_run": target.run_id},
        crons=target.profile.has_crons is not False and "/runs/crons" in spec.document.get("paths", {}),
    )


@pytest.fixture(scope="module")
def resources(protected, target, spec, api, graph_id) -> surface.Resources:
    """Real resources of the main tenant, addressed by the requests that must be rejected."""
    return _resources(target, spec, api, graph_id)


def _send(
    client: ApiClient, prepared: surface.PreparedRequest, *, headers=None, params=None, auth=True, headers_only=False,
) -> Exchange:
    """`headers_only` when only the status matters: a run's answer need not be waited for."""
    exchange = client.request(
        prepared.method, prepared.path, json=prepared.json,
        params={**prepared.params, **(params or {})} or None,
        headers={**prepared.headers, **(headers or {})},
        auth=auth, stream_headers_only=True, headers_only=headers_only,
    )
    if prepared.operation.path.endswith("/runs/crons") and 200 <= exchange.status < 300:
        # A cron created on a thread is not tracked by the client: delete it with the rest.
        body = exchange.json_or_none()
        if isinstance(body, dict) and isinstance(body.get("cron_id"), str):
            TRACKER.add("cron", f"/runs/crons/{body['cron_id']}", client)
    return exchange


Offence = tuple[surface.Operation, str, Exchange]


def _sweep(
    ops: Iterable[surface.Operation],
    resources: surface.Resources,
    spec,
    variants: dict[str, Callable[[surface.PreparedRequest], Exchange]],
    judge: Callable[[str, Exchange], str],
) -> list[Offence]:
    """Every operation under every variant; `judge` names what is wrong with an answer, or ''."""
    offences = []
    for op in ops:
        prepared = surface.prepare(op, resources, spec.document)
        for name, send in variants.items():
            exchange = send(prepared)
            problem = judge(name, exchange)
            if problem:
                offences.append((op, f"{name}: {problem}", exchange))
    return offences


def _report(requirement: str, what: str, offences: list[Offence], total: int) -> None:
    if not offences:
        return
    operations = {op.label for op, _, _ in offences}
    lines = [f"{op.label} ({problem})" for op, problem, _ in offences[:40]]
    if len(offences) > 40:
        lines.append(f"... and {len(offences) - 40} more")
    violate(
        requirement,
        f"{what} on {len(operations)} of {total} protected operations",
        offences[0][2],
        detail="\n".join(lines),
    )


def _rejected(target, extra: tuple[int, ...] = ()) -> Callable[[str, Exchange], str]:
    allowed = (*target.profile.rejection_statuses, *extra)

    def judge(variant: str, exchange: Exchange) -> str:
        if exchange.status in allowed:
            return ""
        return f"answered {exchange.status}, expected a rejection ({', '.join(map(str, allowed))})"

    return judge


def _accepted(target) -> Callable[[str, Exchange], str]:
    def judge(variant: str, exchange: Exchange) -> str:
        if exchange.status in target.profile.rejection_statuses:
            return f"rejected with {exchange.status}"
        return ""

    return judge


def _credential(target, value: str | bytes) -> dict[str, str | bytes]:
    """`value` where the target expects its credential, with its scheme when it has one."""
    if not target.auth_scheme:
        return {target.auth_header: value}
    if isinstance(value, bytes):
        return {target.auth_header: target.auth_scheme.encode() + b" " + value}
    return {target.auth_header: f"{target.auth_scheme} {value}".strip()}


def _wrong_keys(target) -> dict[str, str]:
    # The right key with a character added (a prefix comparison accepts it); never a variant that
    # drops characters, which redaction could not recognise as the key.
    near_miss = f"{target.api_key or 'conformance'}x"
    return {"random key": f"conformance-wrong-{uuid.uuid4().hex}", "near-miss key": near_miss}


def _case_variants(name: str) -> list[str]:
    return [v for v in dict.fromkeys((name.lower(), name.upper())) if v != name]


# --- the tests --------------------------------------------------------------------------------


@pytest.mark.requirement("AUTH-001")
def test_every_protected_operation_rejects_a_request_without_a_credential(protected, resources, spec, target, anon_api):
    offences = _sweep(protected, resources, spec, {"no credential": lambda p: _send(anon_api, p)}, _rejected(target))
    _report("AUTH-001", "a request without a credential was not rejected", offences, len(protected))


@pytest.mark.requirement("AUTH-002")
def test_every_protected_operation_rejects_a_wrong_credential(protected, resources, spec, target, anon_api):
    variants = {
        name: (lambda p, key=key: _send(anon_api, p, headers=_credential(target, key)))
        for name, key in _wrong_keys(target).items()
    }
    offences = _sweep(protected, resources, spec, variants, _rejected(target))
    _report("AUTH-002", "a wrong credential was not rejected", offences, len(protected))


@pytest.mark.requirement("AUTH-003")
def test_every_protected_operation_rejects_a_malformed_credential_without_a_5xx(protected, resources, spec, target, anon_api):
    key = target.api_key or "conformance"
    malformed: dict[str, str | bytes] = {
        "empty": "",
        "whitespace inside the key": f"{key[: len(key) // 2]} {key[len(key) // 2:]}",
        "very long (4096 characters)": "k" * 4096,
        "non-ASCII": "clé-ключ-🔑".encode("utf-8"),
    }
    variants = {
        name: (lambda p, value=value: _send(anon_api, p, headers=_credential(target, value)))
        for name, value in malformed.items()
    }
    strict, lenient = _rejected(target), _rejected(target, HTTP_LAYER_REFUSALS)

    def judge(variant: str, exchange: Exchange) -> str:
        if exchange.status >= 500:
            return f"answered {exchange.status}, a server error"
        return (lenient if variant.startswith(("very long", "non-ASCII")) else strict)(variant, exchange)

    offences = _sweep(protected, resources, spec, variants, judge)
    _report("AUTH-003", "a malformed credential was not cleanly rejected", offences, len(protected))


@pytest.mark.requirement("AUTH-004")
def test_every_protected_operation_accepts_the_right_credential(protected, spec, target, api, graph_id):
    # Its own resources: the destructive operations (sent last) remove them.
    resources = _resources(target, spec, api, graph_id)
    offences = _sweep(protected, resources, spec, {"right credential": lambda p: _send(api, p, headers_only=True)}, _accepted(target))
    _report("AUTH-004", "the right credential was rejected", offences, len(protected))


@pytest.mark.requirement("AUTH-005")
def test_a_rejection_carries_no_data_of_the_resource_it_addressed(protected, resources, spec, target, anon_api):
    rejection = target.profile.rejection_statuses

    def judge(variant: str, exchange: Exchange) -> str:
        if exchange.status not in rejection:
            return ""  # not a rejection: AUTH-001/002 judge it
        sent = exchange.url + (exchange.request_body or b"").decode("utf-8", "replace")
        found = surface.leaked(exchange.body, resources, sent)
        return f"the {exchange.status} response carries {', '.join(found)}" if found else ""

    wrong = f"conformance-wrong-{uuid.uuid4().hex}"
    variants = {
        "no credential": lambda p: _send(anon_api, p),
        "wrong credential": lambda p: _send(anon_api, p, headers=_credential(target, wrong)),
    }
    offences = _sweep(protected, resources, spec, variants, judge)
    _report("AUTH-005", "a rejection carried data of the resource", offences, len(protected))


@pytest.mark.requirement("AUTH-006")
def test_the_studio_header_without_a_credential_does_not_let_a_request_through(protected, resources, spec, target, anon_api):
    studio = {"x-auth-scheme": "langsmith"}
    wrong = f"conformance-wrong-{uuid.uuid4().hex}"
    variants = {
        "x-auth-scheme: langsmith, no key": lambda p: _send(anon_api, p, headers=studio),
        "x-auth-scheme: langsmith, wrong key": lambda p: _send(anon_api, p, headers={**studio, **_credential(target, wrong)}),
    }
    offences = _sweep(protected, resources, spec, variants, _rejected(target))
    _report("AUTH-006", "the studio header let a request through", offences, len(protected))


@pytest.mark.requirement("AUTH-007")
def test_the_key_outside_the_credential_header_is_not_accepted(protected, resources, spec, target, anon_api):
    key = target.api_key or ""
    if target.auth_header.lower() == "authorization":
        other_headers = {"X-Api-Key": {"X-Api-Key": key}}
    else:
        other_headers = {"Authorization: Bearer": {"Authorization": f"Bearer {key}"}}
    variants: dict[str, Callable[[surface.PreparedRequest], Exchange]] = {
        name: (lambda p, h=h: _send(anon_api, p, headers=h)) for name, h in other_headers.items()
    }
    for param in ("api_key", "x-api-key"):
        variants[f"?{param}="] = lambda p, param=param: _send(anon_api, p, params={param: key})
    offences = _sweep(protected, resources, spec, variants, _rejected(target))
    _report("AUTH-007", "the key outside the credential header was accepted", offences, len(protected))


@pytest.mark.requirement("AUTH-008")
def test_a_wrong_key_under_a_differently_cased_header_name_is_rejected(protected, resources, spec, target, anon_api):
    wrong = next(iter(_credential(target, f"conformance-wrong-{uuid.uuid4().hex}").values()))
    variants = {
        f"wrong key in '{name}'": (lambda p, name=name: _send(anon_api, p, headers={name: wrong}))
        for name in _case_variants(target.auth_header)
    }
    offences = _sweep(protected, resources, spec, variants, _rejected(target))
    _report("AUTH-008", "a wrong key under a differently-cased header name was accepted", offences, len(protected))


@pytest.mark.requirement("AUTH-009")
def test_the_right_key_under_a_differently_cased_header_name_is_accepted(protected, spec, target, api, graph_id):
    right = next(iter(target.auth_headers(target.api_key).values()))
    offences: list[Offence] = []
    for name in _case_variants(target.auth_header)[:1]:  # one variant: each sweep of accepted requests costs runs
        resources = _resources(target, spec, api, graph_id)  # fresh: the destructive operations remove them
        # Sent by the main client (so what it creates is cleaned up with its key), its own header left out.
        variant = {f"right key in '{name}'": lambda p, name=name: _send(api, p, headers={name: right}, auth=False, headers_only=True)}
        offences += _sweep(protected, resources, spec, variant, _accepted(target))
    _report("AUTH-009", "the right key under a differently-cased header name was rejected", offences, len(protected))


@pytest.mark.requirement("AUTH-010")
def test_the_public_paths_answer_without_a_credential(target, anon_api):
    if not target.auth_enabled:
        not_applicable("auth is off on this target: every path is public")
    offences = []
    for path in target.profile.public_paths:
        exchange = anon_api.get(path, stream_headers_only=True)
        if exchange.status in target.profile.rejection_statuses or exchange.status >= 500:
            offences.append((surface.Operation("GET", path), f"answered {exchange.status}", exchange))
    if offences:
        violate(
            "AUTH-010",
            f"{len(offences)} of {len(target.profile.public_paths)} public paths did not answer without a credential",
            offences[0][2],
            detail="\n".join(f"{op.label} ({problem})" for op, problem, _ in offences),
        )
