"""Self-verification: every requirement can fail, and fails under its own id.

Each fault runs the suite (the areas it concerns) against the official server behind the proxy;
the run must fail the fault's requirement and no other MUST but those the fault declares.
"""

from __future__ import annotations

import pytest
from faults import FAULTS, UNREACHABLE
from faults.setup import SETUP_FAULTS
from proxy import FaultProxy

from conformance.catalogue import CATALOGUE
from conftest import record_detection

FAST = ("--examples", "3")


def _areas(fault) -> list[str]:
    return list(fault.areas or (CATALOGUE[fault.requirement].area,))


def test_the_pass_through_proxy_gives_a_pass_like_the_deployment_itself(reference, suite):
    direct = suite(reference.base_url, *FAST, "--seed", "1")
    with FaultProxy(reference.base_url) as proxy:
        proxied = suite(proxy.url, *FAST, "--seed", "1")
    assert direct.exit_code == 0, direct.output[-4000:]
    assert proxied.exit_code == 0, proxied.output[-4000:]
    assert direct.summary["verdict"] == proxied.summary["verdict"] == "pass"
    outcomes = lambda run: {e["id"]: e["outcome"] for e in run.summary["requirements"]}  # noqa: E731
    assert outcomes(direct) == outcomes(proxied)


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_the_fault_fails_its_requirement_and_no_other_must(fault, reference, suite):
    assert fault.requirement in CATALOGUE, f"{fault.name} targets an unknown requirement"
    with FaultProxy(reference.base_url, fault) as proxy:
        run = suite(proxy.url, *FAST, "--area", ",".join(_areas(fault)), *fault.args)
    detected = run.summary is not None and run.outcome(fault.requirement) == "fail"
    record_detection(fault.name, fault.requirement, detected)  # printed at the end of the session
    assert detected, f"{fault.name} ({fault.description}) was not detected under {fault.requirement}:\n{run.output[-5000:]}"
    stray = run.failing("MUST") - {fault.requirement, *fault.also}
    assert not stray, f"{fault.name} also failed unrelated MUST requirements {sorted(stray)}:\n{run.output[-5000:]}"
    assert run.exit_code == (1 if CATALOGUE[fault.requirement].level == "MUST" else 0) or run.failing("MUST"), run.output[-3000:]


def test_every_requirement_is_reached_by_a_fault_or_listed_as_unreachable():
    reached = {f.requirement for f in FAULTS}
    gaps = sorted(set(CATALOGUE) - reached - set(UNREACHABLE))
    assert not gaps, f"requirements with no fault and no reason: {gaps}"
    for rid, reason in UNREACHABLE.items():
        assert rid in CATALOGUE and reason.strip(), rid


@pytest.mark.parametrize("fault", SETUP_FAULTS, ids=[f.name for f in SETUP_FAULTS])
def test_a_fault_that_breaks_setup_never_gives_pass(fault, reference, suite):
    """The other direction: checks whose setup produced nothing must not pass vacuously."""
    with FaultProxy(reference.base_url, fault) as proxy:
        run = suite(proxy.url, *FAST, "--area", ",".join(fault.areas), *fault.args)
    assert run.summary is not None, run.output[-4000:]
    assert run.summary["verdict"] != "pass" and run.exit_code != 0, run.output[-4000:]
    wrong = {rid: run.outcome(rid) for rid in fault.affected if run.outcome(rid) not in ("not-judged", "fail")}
    assert not wrong, f"{fault.name}: these requirements were judged anyway: {wrong}\n{run.output[-4000:]}"
    assert run.summary["verdict"] != "error", f"{fault.name}: the target was up, so the suite must not read error:\n{run.output[-4000:]}"
