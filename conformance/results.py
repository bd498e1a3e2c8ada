"""The result model: test results in, one outcome per requirement and a verdict out. Pure logic,
apart from printing and file I/O, so it is unit-tested on hand-made results."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Iterable, Mapping

from .catalogue import Requirement
from .config import KnownDeviation
from .errors import EXIT_SUITE_ERROR

OUTCOMES = ("pass", "fail", "skip", "not-applicable", "error", "known-deviation", "fixed?")
NOT_APPLICABLE_PREFIX = "not applicable:"


@dataclass
class TestResult:
    nodeid: str
    requirements: tuple[str, ...]
    outcome: str  # passed | failed | skipped | error | xfailed | xpassed
    violated: tuple[str, ...] = ()  # requirements a Violation named; empty: all of them
    message: str = ""
    reproduction: str = ""
    skip_reason: str = ""
    suite_error: bool = False  # the suite or the network failed, not the deployment
    duration: float = 0.0


@dataclass
class RequirementResult:
    id: str
    level: str
    area: str
    statement: str
    source: str
    outcome: str
    tests: list[str] = field(default_factory=list)
    reason: str = ""
    message: str = ""
    reproduction: str = ""
    deviation: dict | None = None

    def to_json(self) -> dict:
        data = asdict(self)
        if data["deviation"] is None:
            del data["deviation"]
        return data


def requirement_outcomes(
    catalogue: Mapping[str, Requirement],
    results: Iterable[TestResult],
    deviations: Iterable[KnownDeviation] = (),
) -> dict[str, RequirementResult]:
    by_req: dict[str, list[TestResult]] = {rid: [] for rid in catalogue}
    for result in results:
        for rid in result.requirements:
            by_req.setdefault(rid, []).append(result)
    known = {d.requirement: d for d in deviations}
    out: dict[str, RequirementResult] = {}
    for rid, req in catalogue.items():
        tests = by_req.get(rid, [])
        entry = RequirementResult(rid, req.level, req.area, req.statement, req.source, "skip", [t.nodeid for t in tests])
        deviation = known.get(rid)
        if deviation:
            entry.deviation = {"reason": deviation.reason, "link": deviation.link}
        failing = [t for t in tests if t.outcome in ("failed", "error", "xfailed") and (not t.violated or rid in t.violated)]
        errors = [t for t in failing if t.suite_error]
        real = [t for t in failing if not t.suite_error]
        if not tests:
            entry.reason = "no test for this requirement ran (deselected or not collected)"
        elif errors:
            entry.outcome, entry.message = "error", errors[0].message
        elif real:
            first = real[0]
            entry.outcome = "known-deviation" if deviation else "fail"
            entry.message, entry.reproduction = first.message, first.reproduction
        elif deviation and any(t.outcome in ("passed", "xpassed") for t in tests):
            entry.outcome = "fixed?"
            entry.reason = "listed as a known deviation but passed: remove it from the profile if it is fixed"
        elif any(t.outcome in ("passed", "xpassed", "xfailed") for t in tests):
            entry.outcome = "pass"
        else:
            reasons = [t.skip_reason for t in tests if t.outcome == "skipped"]
            if reasons and all(r.startswith(NOT_APPLICABLE_PREFIX) for r in reasons):
                entry.outcome = "not-applicable"
                entry.reason = reasons[0][len(NOT_APPLICABLE_PREFIX):].strip()
            else:
                entry.outcome = "skip"
                entry.reason = next((r for r in reasons if not r.startswith(NOT_APPLICABLE_PREFIX)), "skipped")
        out[rid] = entry
    return out


def regression(current: Mapping[str, RequirementResult], baseline: Mapping[str, str]) -> dict[str, list[str]]:
    """Compare with a baseline's {id: outcome}: what newly fails, is newly fixed, or is unchanged."""
    bad = ("fail", "error", "known-deviation")
    newly_failing, newly_fixed, unchanged = [], [], []
    for rid, entry in current.items():
        before = baseline.get(rid)
        if entry.outcome == "fail" and before not in ("fail",):
            newly_failing.append(rid)
        elif entry.outcome == "pass" and before in bad:
            newly_fixed.append(rid)
        else:
            unchanged.append(rid)
    return {"newly_failing": newly_failing, "newly_fixed": newly_fixed, "unchanged": unchanged}


def verdict(requirements: Mapping[str, RequirementResult], fail_on: str = "must", newly_failing: Iterable[str] = ()) -> str:
    """`error` when the suite could not judge, `fail` when the gate fails, else `pass`."""
    if any(r.outcome == "error" for r in requirements.values()):
        return "error"
    if fail_on == "regression":
        return "fail" if list(newly_failing) else "pass"
    levels = ("MUST", "SHOULD") if fail_on == "should" else ("MUST",)
    if any(r.outcome == "fail" and r.level in levels for r in requirements.values()):
        return "fail"
    return "pass"


def exit_code(verdict_: str) -> int:
    return {"pass": 0, "fail": 1, "error": EXIT_SUITE_ERROR}[verdict_]
