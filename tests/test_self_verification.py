"""Self-verification: every requirement can fail, and fails under its own id.

Each fault runs the suite (the areas it concerns) against the official server behind the proxy;
the run must fail the fault's requirement and no other MUST but those the fault declares.

Faults that do not interact share a run: faults of one area whose requirements (and the others
they may fail) are all different go together, up to BATCH at a time, behind one proxy that applies
them all; each must still fail its own requirement, and the run no MUST but theirs. Set
SELF_VERIFICATION_BATCH=1 to run every fault alone.
"""

from __future__ import annotations

import os

import pytest
from faults import FAULTS, UNREACHABLE
from faults.setup import SETUP_FAULTS
from proxy import CompositeFault, Fault, FaultProxy

from conformance.catalogue import CATALOGUE
from conftest import record_detection

FAST = ("--budget", "quick", "--examples", "3")
BATCH = int(os.environ.get("SELF_VERIFICATION_BATCH", "8"))


def _areas(fault) -> list[str]:
    return list(fault.areas or (CATALOGUE[fault.requirement].area,))


def _judged(fault: Fault) -> set[str]:
    return {fault.requirement, *fault.also}


def batches(faults: list[Fault], size: int = BATCH) -> list[list[Fault]]:
    """Faults in runs of up to `size`: same areas and arguments, no requirement in common."""
    out: list[list[Fault]] = []
    for fault in faults:
        home = next((b for b in out if len(b) < size and _areas(b[0]) == _areas(fault) and b[0].args == fault.args
                     and not fault.alone and not b[0].alone and not any(_judged(m) & _judged(fault) for m in b)), None)
        if home is None:
            out.append([fault])
        else:
            home.append(fault)
    return out


def _selection(batch: list[Fault]) -> tuple[str, ...]:
    """The tests that can see the batch's faults (-k), when every member names them."""
    if not all(f.select for f in batch):
        return ()
    return ("-k", " or ".join(f"({f.select})" for f in batch))


BATCHES = [pytest.param(b, marks=[pytest.mark.slow] if any(f.slow for f in b) else [], id="+".join(f.name for f in b))
           for b in batches(FAULTS)]


def test_the_pass_through_proxy_gives_a_pass_like_the_deployment_itself(reference, suite):
    from concurrent.futures import ThreadPoolExecutor

    with FaultProxy(reference.base_url) as proxy, ThreadPoolExecutor(max_workers=2) as pool:
        runs = [pool.submit(suite, url, *FAST, "--seed", "1") for url in (reference.base_url, proxy.url)]
        direct, proxied = (r.result() for r in runs)
    assert direct.exit_code == 0, direct.output[-4000:]
    assert proxied.exit_code == 0, proxied.output[-4000:]
    assert direct.summary["verdict"] == proxied.summary["verdict"] == "pass"
    outcomes = lambda run: {e["id"]: e["outcome"] for e in run.summary["requirements"]}  # noqa: E731
    assert outcomes(direct) == outcomes(proxied)


@pytest.mark.parametrize("batch", BATCHES)
def test_the_fault_fails_its_requirement_and_no_other_must(batch, reference, suite):
    for fault in batch:
        assert fault.requirement in CATALOGUE, f"{fault.name} targets an unknown requirement"
    fault = batch[0] if len(batch) == 1 else CompositeFault(batch)
    with FaultProxy(reference.base_url, fault) as proxy:
        run = suite(proxy.url, *FAST, "--area", ",".join(_areas(batch[0])), *batch[0].args, *_selection(batch))
    missed = []
    for member in batch:
        detected = run.summary is not None and run.outcome(member.requirement) == "fail"
        record_detection(member.name, member.requirement, detected)  # printed at the end of the session
        if not detected:
            missed.append(f"{member.name} ({member.description}) under {member.requirement}")
    assert not missed, f"not detected: {missed}:\n{run.output[-5000:]}"
    stray = run.failing("MUST") - set().union(*(_judged(m) for m in batch))
    assert not stray, f"{fault.name} also failed unrelated MUST requirements {sorted(stray)}:\n{run.output[-5000:]}"
    any_must = any(CATALOGUE[m.requirement].level == "MUST" for m in batch)
    assert run.exit_code == (1 if any_must else 0) or run.failing("MUST"), run.output[-3000:]


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
        run = suite(proxy.url, *FAST, "--area", ",".join(fault.areas), *fault.args, *_selection([fault]))
    assert run.summary is not None, run.output[-4000:]
    assert run.summary["verdict"] != "pass" and run.exit_code != 0, run.output[-4000:]
    wrong = {rid: run.outcome(rid) for rid in fault.affected if run.outcome(rid) not in ("not-judged", "fail")}
    assert not wrong, f"{fault.name}: these requirements were judged anyway: {wrong}\n{run.output[-4000:]}"
    assert run.summary["verdict"] != "error", f"{fault.name}: the target was up, so the suite must not read error:\n{run.output[-4000:]}"
