"""Authentication: every operation outside the public paths demands the right credential.

The spec declares no security schemes, so the protected surface is derived from it (all of its
operations minus the profile's public paths, see conformance.surface). Each test sends one
otherwise valid request per protected operation and credential variant, and reports every
offending operation in one violation.
"""

from __future__ import annotations

import secrets
import string
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Iterable

import pytest

from conformance import surface
from conformance.capabilities import capability_of
from conformance.checks import Violation, not_claimed, not_judged, raise_all
from conformance.http import ApiClient, Exchange
from conformance.redact import register_secret

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

# Refusals of the HTTP layer itself, before auth runs: acceptable for an oversized or non-ASCII value.
HTTP_LAYER_REFUSALS = (400, 431)


SWEEP_CONCURRENCY = 4  # independent requests of a sweep in flight at once


def claimed_operations(target, spec, capabilities) -> list[surface.Operation]:
    """The protected operations of capabilities the target has (the others are not sent)."""
    ops = surface.protected_operations(spec.document, target.profile.public_paths)
    return [op for op in ops if not capability_of(op.path) or capabilities.has(capability_of(op.path))]


@pytest.fixture(scope="module")
def protected(target, spec, capabilities) -> list[surface.Operation]:
    ops = claimed_operations(target, spec, capabilities)
    if not ops:
        not_claimed("the spec declares no operation outside the public paths")
    return surface.in_sending_order(ops)


@pytest.fixture(autouse=True)
def _count_protected_operations(request, target, spec):
    # Says how much of the surface a run checked: all of the spec's operations minus the public set.
    if target.auth_enabled:
        count = len(surface.protected_operations(spec.document, target.profile.public_paths))
        request.node.user_properties.append(("coverage:protected_operations", count))


def _resources(target, api: ApiClient, capabilities) -> surface.Resources:
    return surface.create_resources(
        api, capabilities.graph_id, secret=uuid.uuid4().hex, tag={"conformance_run": target.run_id},
        run_id=target.run_id, have=capabilities.has,
    )


@pytest.fixture(scope="module")
def resources(protected, target, api, capabilities) -> surface.Resources:
    """Real resources of the main tenant, addressed by the requests that must be rejected. What
    could not be made is addressed by a fresh id: a rejection is judged all the same."""
    return _resources(target, api, capabilities)


def _send(
    client: ApiClient, prepared: surface.PreparedRequest, *, headers=None, params=None, auth=True, headers_only=False,
) -> Exchange:
    """`headers_only` when only the status matters: a run's answer need not be waited for."""
    return client.request(
        prepared.method, prepared.path, json=prepared.json,
        params={**prepared.params, **(params or {})} or None,
        headers={**prepared.headers, **(headers or {})},
        auth=auth, stream_headers_only=True, headers_only=headers_only,
    )


Offence = tuple[surface.Operation, str, Exchange]


def _sweep(
    ops: Iterable[surface.Operation],
    resources: surface.Resources,
    spec,
    variants: dict[str, Callable[[surface.PreparedRequest], Exchange]],
    judge: Callable[[str, Exchange], str],
) -> list[Offence]:
    """Every operation under every variant; `judge` names what is wrong with an answer, or ''.
    Requests that change nothing go out a few at a time; destructive ones last, one by one."""
    ops = list(ops)

    def one(op: surface.Operation) -> list[Offence]:
        found = []
        prepared = surface.prepare(op, resources, spec.document)
        for name, send in variants.items():
            exchange = send(prepared)
            problem = judge(name, exchange)
            if problem:
                found.append((op, f"{name}: {problem}", exchange))
        return found

    safe = [op for op in ops if not op.destructive]
    with ThreadPoolExecutor(max_workers=SWEEP_CONCURRENCY) as pool:
        results = list(pool.map(one, safe))
    results += [one(op) for op in ops if op.destructive]
    return [offence for found in results for offence in found]


def _report(requirement: str, what: str, offences: list[Offence], total: int) -> None:
    """One finding per offending operation, each with its own reproduction."""
    by_operation: dict[str, list[Offence]] = {}
    for offence in offences:
        by_operation.setdefault(offence[0].label, []).append(offence)
    raise_all(
        Violation(requirement, f"{what}: {label} ({'; '.join(p for _, p, _ in found)})", found[0][2],
                  detail=f"{len(by_operation)} of {total} operations checked", operation=label)
        for label, found in by_operation.items()
    )


def _require_resources(requirement: str, resources: surface.Resources, kinds: Iterable[str] | None = None) -> None:
    """A check that nothing leaks is judged only over resources that exist and their owner reads."""
    missing = {k: v for k, v in resources.missing.items() if kinds is None or k in kinds}
    if missing:
        what = "; ".join(f"the {kind}: {why}" for kind, why in sorted(missing.items()))
        not_judged(f"{requirement} needs real resources of every kind, and some could not be made ({what})",
                   "give --graph-id with a graph the key may run, and a key that may create assistants, threads, runs and crons")


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
    # The right key with a character added (a prefix comparison accepts it): it derives from the
    # real key, so it is registered as a secret before it is ever sent.
    near_miss = f"{target.api_key or 'conformance'}x"
    register_secret(near_miss)
    return {"random key": f"conformance-wrong-{uuid.uuid4().hex}", "near-miss key": near_miss}


def synthetic_key(real: str) -> str:
    """A key of the real key's shape (length and character classes), that is not the real key."""
    alphabet = "".join(sorted({c for c in real if c.isalnum()})) or string.ascii_letters + string.digits
    made = "".join(c if not c.isalnum() else secrets.choice(alphabet) for c in real) or "conformance-key"
    return made if made != real else made[::-1] + "z"


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
    key = synthetic_key(target.api_key or "conformance-key")  # never the real key, nor a piece of it
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
def test_every_protected_operation_accepts_the_right_credential(protected, spec, target, api, capabilities):
    # Its own resources: the destructive operations (sent last) remove them.
    resources = _resources(target, api, capabilities)
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
    _require_resources("AUTH-005", resources)


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
    offences = _sweep(protected, resources, spec, variants, _rejected(target))
    _report("AUTH-007", "the key outside the credential header was accepted", offences, len(protected))


@pytest.mark.requirement("AUTH-011")
def test_the_key_in_a_query_parameter_is_not_accepted(protected, resources, spec, target, anon_api):
    # Opt-in (--probe-key-in-url): these requests put the real key in URLs, which the target's
    # access logs keep. The key is still masked in every report of this run.
    key = target.api_key or ""
    variants = {f"?{param}=": (lambda p, param=param: _send(anon_api, p, params={param: key})) for param in ("api_key", "x-api-key")}
    offences = _sweep(protected, resources, spec, variants, _rejected(target))
    _report("AUTH-011", "the key in a query parameter was accepted", offences, len(protected))


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
def test_the_right_key_under_a_differently_cased_header_name_is_accepted(protected, spec, target, api, capabilities):
    right = next(iter(target.auth_headers(target.api_key).values()))
    offences: list[Offence] = []
    for name in _case_variants(target.auth_header)[:1]:  # one variant: each sweep of accepted requests costs runs
        resources = _resources(target, api, capabilities)  # fresh: the destructive operations remove them
        # Sent by the main client (so what it creates is cleaned up with its key), its own header left out.
        variant = {f"right key in '{name}'": lambda p, name=name: _send(api, p, headers={name: right}, auth=False, headers_only=True)}
        offences += _sweep(protected, resources, spec, variant, _accepted(target))
    _report("AUTH-009", "the right key under a differently-cased header name was rejected", offences, len(protected))


@pytest.mark.requirement("AUTH-010")
def test_the_public_paths_answer_without_a_credential(target, spec, anon_api):
    # The public paths the spec declares (a profile may list paths another implementation serves).
    declared = [p for p in target.profile.public_paths if p in spec.document.get("paths", {}) or p in ("/openapi.json", "/docs")]
    offences = []
    for path in declared:
        exchange = anon_api.get(path, stream_headers_only=True)
        if exchange.status in target.profile.rejection_statuses or exchange.status >= 500:
            offences.append((surface.Operation("GET", path), f"answered {exchange.status}", exchange))
    _report("AUTH-010", "a public path did not answer without a credential", offences, len(declared))
