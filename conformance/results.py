"""The result model: test results in, one outcome per requirement, a table per area, a
regression diff and a verdict out. Pure logic, apart from printing and file I/O, so it is
unit-tested on hand-made results."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable, Mapping

from .catalogue import AREAS, Requirement
from .config import KnownDeviation
from .errors import EXIT_SUITE_ERROR, ConfigError

OUTCOMES = ("pass", "fail", "skip", "not-applicable", "error", "known-deviation", "fixed?")
NOT_APPLICABLE_PREFIX = "not applicable:"
# Outcomes that count as a requirement met, and as a requirement broken by the deployment.
PASSING = ("pass", "fixed?")
FAILING = ("fail", "known-deviation")
# Outcomes with no verdict on the deployment: left out of pass rates.
UNJUDGED = ("skip", "not-applicable")


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

    __test__ = False  # not a pytest test class

    def breaks(self, rid: str) -> bool:
        """Whether this result is a failure of requirement `rid` (not of a sibling requirement)."""
        return self.outcome in ("failed", "error", "xfailed") and (not self.violated or rid in self.violated)


@dataclass
class RequirementResult:
    id: str
    level: str
    area: str
    statement: str
    source: str
    outcome: str
    tests: list[dict] = field(default_factory=list)  # [{"nodeid", "outcome"}]
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
    """One outcome per catalogue requirement, from the results of the tests that name it."""
    by_req: dict[str, list[TestResult]] = {rid: [] for rid in catalogue}
    for result in results:
        for rid in result.requirements:
            by_req.setdefault(rid, []).append(result)
    known = {d.requirement: d for d in deviations}
    out: dict[str, RequirementResult] = {}
    for rid, req in catalogue.items():
        tests = by_req.get(rid, [])
        entry = RequirementResult(
            rid, req.level, req.area, req.statement, req.source, "skip",
            [{"nodeid": t.nodeid, "outcome": t.outcome} for t in tests],
        )
        deviation = known.get(rid)
        if deviation:
            entry.deviation = {"reason": deviation.reason, "link": deviation.link}
        failing = [t for t in tests if t.breaks(rid)]
        errors = [t for t in failing if t.suite_error]
        real = [t for t in failing if not t.suite_error]
        # A test that stopped at a sibling requirement's failure did not finish checking this one.
        cut_short = [t for t in tests if t.outcome in ("failed", "error", "xfailed") and not t.breaks(rid)]
        passed = [t for t in tests if t.outcome in ("passed", "xpassed")]
        if not tests:
            entry.reason = "no test for this requirement ran (deselected or not collected)"
        elif real:  # evidence of a failure outweighs another test's inability to judge
            first = real[0]
            entry.outcome = "known-deviation" if deviation else "fail"
            entry.message, entry.reproduction = first.message, first.reproduction
            if deviation:
                entry.reason = f"known deviation: {deviation.reason}"
        elif errors:
            entry.outcome, entry.message = "error", errors[0].message
            entry.reason = "the suite or the network failed, not the deployment"
        elif deviation and passed:
            entry.outcome = "fixed?"
            entry.reason = "listed as a known deviation but passed: remove it from the profile if it is fixed"
        elif passed:
            entry.outcome = "pass"
        elif cut_short:
            entry.outcome = "skip"
            stopped_at = sorted({v for t in cut_short for v in t.violated})
            entry.reason = f"not fully checked: {cut_short[0].nodeid} stopped at a failure of {', '.join(stopped_at)}"
        else:
            reasons = [t.skip_reason for t in tests if t.outcome == "skipped"]
            if reasons and all(r.startswith(NOT_APPLICABLE_PREFIX) for r in reasons):
                entry.outcome = "not-applicable"
                entry.reason = reasons[0][len(NOT_APPLICABLE_PREFIX):].strip()
            else:
                entry.outcome = "skip"
                entry.reason = next((r for r in reasons if not r.startswith(NOT_APPLICABLE_PREFIX)), "") or "skipped"
        out[rid] = entry
    return out


def outcome_counts(requirements: Iterable[RequirementResult]) -> dict[str, int]:
    """{outcome: n} over every outcome, zeros included, in the order of OUTCOMES."""
    counts = dict.fromkeys(OUTCOMES, 0)
    for entry in requirements:
        counts[entry.outcome] += 1
    return counts


def level_rate(requirements: Iterable[RequirementResult], level: str) -> dict[str, Any]:
    """How many of a level's requirements passed, out of those the run could judge."""
    chosen = [r for r in requirements if r.level == level]
    judged = [r for r in chosen if r.outcome not in UNJUDGED]
    passed = sum(1 for r in judged if r.outcome in PASSING)
    return {
        "passed": passed,
        "judged": len(judged),
        "total": len(chosen),
        "rate": round(passed / len(judged), 4) if judged else None,
    }


def area_table(requirements: Mapping[str, RequirementResult]) -> list[dict[str, Any]]:
    """One row per area that has requirements: outcome counts and MUST/SHOULD pass rates."""
    rows = []
    for area in AREAS:
        entries = [r for r in requirements.values() if r.area == area]
        if not entries:
            continue
        rows.append({
            "area": area,
            "counts": outcome_counts(entries),
            "must": level_rate(entries, "MUST"),
            "should": level_rate(entries, "SHOULD"),
        })
    return rows


def load_baseline(text: str, source: str = "baseline") -> dict[str, Any]:
    """A previous summary.json's text to {"outcomes": {id: outcome}, "run": ..., "target": ...}."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"{source} is not JSON ({exc})", "give the summary.json of an earlier run to --baseline") from None
    entries = data.get("requirements") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not all(isinstance(e, dict) and "id" in e and "outcome" in e for e in entries):
        raise ConfigError(f"{source} is not a conformance summary (no requirements list)", "give the summary.json of an earlier run to --baseline")
    return {
        "outcomes": {str(e["id"]): str(e["outcome"]) for e in entries},
        "run": data.get("run", {}),
        "target": data.get("target", {}),
    }


def regression(current: Mapping[str, RequirementResult], baseline: Mapping[str, str]) -> dict[str, Any]:
    """Compare with a baseline's {id: outcome}: what newly fails, is newly fixed, is unchanged,
    and what otherwise changed (for instance pass -> skip, or a requirement new to the catalogue)."""
    newly_failing, newly_fixed, unchanged, changed = [], [], [], []
    for rid, entry in current.items():
        before = baseline.get(rid)
        if entry.outcome == "fail" and before not in FAILING:
            newly_failing.append(rid)
        elif entry.outcome in PASSING and before in FAILING:
            newly_fixed.append(rid)
        elif entry.outcome == before:
            unchanged.append(rid)
        else:
            changed.append({"id": rid, "before": before, "after": entry.outcome})
    return {"newly_failing": newly_failing, "newly_fixed": newly_fixed, "unchanged": unchanged, "changed": changed}


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
