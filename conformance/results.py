"""The result model: test results in, one outcome per requirement, a table per area, a
regression diff and a verdict out. Pure logic, so it is unit-tested on hand-made results.

Outcomes of a requirement, like the TCKs that decide compatibility:
- `pass`: judged, and nothing broke it;
- `fail`: a finding broke it (a finding the profile lists as a known deviation gives
  `known-deviation` instead; a listed deviation that no longer shows gives `fixed?`);
- `not-claimed`: the deployment does not have the capability the requirement needs (declared in
  its profile, or detected from its spec and /info): it is not part of the verdict;
- `not-judged`: the suite could not judge it (information it was not given, a setup step the
  target refused, a precondition unmet). A MUST not judged keeps the verdict from `pass`;
- `error`: the suite or the network failed (the target died or hung, or a bug of the suite);
- `not-selected`: the run did not select it (`--area`, `--requirement`, a budget).
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable, Mapping

from .catalogue import AREAS, Requirement
from .errors import EXIT_INCOMPLETE, EXIT_SUITE_ERROR, ConfigError

OUTCOMES = ("pass", "fail", "known-deviation", "fixed?", "not-claimed", "not-judged", "error", "not-selected")
VERDICTS = ("pass", "fail", "incomplete", "error")
# How a test says why it did not judge (the text of its skip): see conformance.checks.
NOT_CLAIMED_PREFIX = "not claimed:"
NOT_JUDGED_PREFIX = "not judged:"
NOT_EXERCISED_PREFIX = "not exercised:"  # one instance of a requirement the suite cannot exercise
NOT_SELECTED_PREFIX = "not selected:"
HINT_SEPARATOR = " -- to judge it: "
# Outcomes that count as a requirement met, and as a requirement broken by the deployment.
PASSING = ("pass", "fixed?")
FAILING = ("fail", "known-deviation")
# Outcomes with no verdict on the deployment: left out of pass rates.
UNJUDGED = ("not-claimed", "not-judged", "not-selected", "error")


@dataclass(frozen=True)
class Deviation:
    """A defect of one implementation, listed in its profile: findings it matches read
    `known-deviation`. Scoped to operations (none: the whole requirement) and, optionally, to
    findings whose text contains `match`."""

    requirement: str
    reason: str
    operations: tuple[str, ...] = ()
    match: str = ""
    evidence: str = ""
    link: str = ""

    def covers(self, finding: "Finding") -> bool:
        if finding.requirement != self.requirement:
            return False
        if self.operations and finding.operation not in self.operations:
            return False
        if self.match and not re.search(self.match, f"{finding.message}\n{finding.reproduction}"):
            return False
        return True

    def to_json(self) -> dict[str, Any]:
        return {"requirement": self.requirement, "reason": self.reason, "operations": list(self.operations),
                "match": self.match, "evidence": self.evidence, "link": self.link}


@dataclass
class Finding:
    """One way the deployment broke a requirement: what was expected, what came back, and the
    command that reproduces it."""

    requirement: str
    message: str
    operation: str = ""  # "METHOD /path" it is about, when it is about one operation
    reproduction: str = ""

    def to_json(self) -> dict[str, str]:
        return asdict(self)


@dataclass
class TestResult:
    nodeid: str
    requirements: tuple[str, ...]
    outcome: str  # passed | failed | skipped | error
    findings: list[Finding] = field(default_factory=list)  # empty on a failure: every requirement broke
    message: str = ""
    skip_reason: str = ""  # the whole text of a skip: "not judged: ... -- to judge it: ..."
    reproduction: str = ""  # of a setup request that failed, or of the request the suite crashed on
    suite_error: bool = False  # the suite or the network failed, not the deployment
    complete: bool = False  # a failure that still checked every requirement it names (findings collected)
    unclaimed: dict[str, str] = field(default_factory=dict)  # requirements the test found not claimed here, and why
    no_answer: bool = False  # it failed because a request got no answer (an error once the target turns out dead)
    duration: float = 0.0
    operations: tuple[str, ...] = ()  # what it exercised, where it says (empty: it does not say)

    __test__ = False  # not a pytest test class

    def breaks(self, rid: str) -> bool:
        """Whether this result is a failure of requirement `rid` (not of a sibling requirement)."""
        if self.outcome not in ("failed", "error"):
            return False
        return not self.findings or any(f.requirement == rid for f in self.findings)



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
    fix: str = ""  # for not-judged: what would judge it
    message: str = ""
    reproduction: str = ""
    findings: list[dict] = field(default_factory=list)  # every finding, each with `deviation` when one covers it
    deviations: list[dict] = field(default_factory=list)  # listed for it, each with `matched`
    gaps: list[str] = field(default_factory=list)  # instances the suite could not exercise

    def to_json(self) -> dict:
        return asdict(self)


def split_reason(text: str) -> tuple[str, str, str]:
    """A skip's text to (kind, reason, fix): kind is the prefix without its colon, or ''."""
    for prefix in (NOT_CLAIMED_PREFIX, NOT_JUDGED_PREFIX, NOT_EXERCISED_PREFIX, NOT_SELECTED_PREFIX):
        if text.startswith(prefix):
            rest = text[len(prefix):].strip()
            reason, _, fix = rest.partition(HINT_SEPARATOR)
            return prefix[:-1], reason.strip(), fix.strip()
    return "", text.strip(), ""


def requirement_outcomes(
    catalogue: Mapping[str, Requirement],
    results: Iterable[TestResult],
    deviations: Iterable[Deviation] = (),
) -> dict[str, RequirementResult]:
    """One outcome per catalogue requirement, from the results of the tests that name it."""
    by_req: dict[str, list[TestResult]] = {rid: [] for rid in catalogue}
    for result in results:
        for rid in result.requirements:
            by_req.setdefault(rid, []).append(result)
    listed: dict[str, list[Deviation]] = {}
    for deviation in deviations:
        listed.setdefault(deviation.requirement, []).append(deviation)
    out: dict[str, RequirementResult] = {}
    for rid, req in catalogue.items():
        tests = [_unclaimed_view(t, rid) for t in by_req.get(rid, [])]
        entry = RequirementResult(
            rid, req.level, req.area, req.statement, req.source, "not-judged",
            [{"nodeid": t.nodeid, "outcome": t.outcome} for t in tests],
        )
        own = listed.get(rid, [])
        findings: list[Finding] = []
        errors: list[TestResult] = []
        cut_short: list[TestResult] = []  # stopped at a sibling requirement's failure: not finished
        for t in tests:
            if t.outcome not in ("failed", "error"):
                continue
            explicit = [f for f in t.findings if f.requirement == rid]
            if explicit:
                findings += explicit
            elif t.suite_error:
                errors.append(t)
            elif not t.findings:
                findings.append(Finding(rid, t.message))  # a plain assertion: every requirement of the test
            elif not t.complete:
                cut_short.append(t)
        matched = {id(d): 0 for d in own}
        real: list[Finding] = []
        for finding in findings:
            cover = next((d for d in own if d.covers(finding)), None)
            item = finding.to_json()
            if cover is not None:
                matched[id(cover)] += 1
                item["deviation"] = cover.reason
            else:
                real.append(finding)
            entry.findings.append(item)
        entry.deviations = [{**d.to_json(), "matched": matched[id(d)]} for d in own]
        passed = [t for t in tests if t.outcome == "passed" or (t.complete and not any(f.requirement == rid for f in t.findings))]
        skips = [(t, *split_reason(t.skip_reason)) for t in tests if t.outcome == "skipped"]
        blocking = [s for s in skips if s[1] not in ("not claimed", "not exercised", "not selected")]
        entry.gaps = [f"{t.nodeid}: {reason}" for t, kind, reason, _ in skips if kind == "not exercised"]
        if not tests or (len(skips) == len(tests) and all(kind == "not selected" for _, kind, _, _ in skips)):
            entry.outcome = "not-selected"
            entry.reason = skips[0][2] if skips else "no test of this requirement ran (deselected or not collected)"
        elif real:  # evidence of a failure outweighs another test's inability to judge
            entry.outcome = "fail"
            entry.message, entry.reproduction = real[0].message, real[0].reproduction
        elif errors:
            entry.outcome, entry.message, entry.reproduction = "error", errors[0].message, errors[0].reproduction
            entry.reason = "the suite or the network failed, not the deployment"
        elif findings:  # every finding is a listed deviation
            entry.outcome = "known-deviation"
            entry.message, entry.reproduction = findings[0].message, findings[0].reproduction
            entry.reason = "known deviation: " + "; ".join(sorted({d.reason for d in own if matched[id(d)]}))
        elif blocking or cut_short:
            entry.outcome = "not-judged"
            if blocking:
                first, _, entry.reason, entry.fix = blocking[0]
                entry.reason = entry.reason or "skipped"
                entry.reproduction = first.reproduction
            else:
                stopped_at = sorted({f.requirement for t in cut_short for f in t.findings})
                entry.reason = f"not fully checked: {cut_short[0].nodeid} stopped at a failure of {', '.join(stopped_at)}"
        elif passed:
            # A deviation can read fixed only where a passing test exercised one of its operations.
            tried = [d for d in own if not d.operations
                     or any(not t.operations or set(t.operations) & set(d.operations) for t in passed)]
            entry.outcome = "fixed?" if tried else "pass"
            if tried:
                entry.reason = "listed as a known deviation but passed: remove it from the profile if it is fixed"
        elif skips and all(kind == "not claimed" for _, kind, _, _ in skips):
            entry.outcome = "not-claimed"
            entry.reason = skips[0][2]
        else:  # only instances the suite could not exercise, or a mix of those and unclaimed ones
            entry.outcome = "not-judged"
            entry.reason = next((r for _, k, r, _ in skips if k == "not exercised"), "") or "no instance of it could be exercised"
        out[rid] = entry
    return out


def _unclaimed_view(test: TestResult, rid: str) -> TestResult:
    """A test that found `rid` not claimed on this target reads, for `rid`, as a not-claimed skip."""
    if rid not in test.unclaimed or any(f.requirement == rid for f in test.findings):
        return test
    return TestResult(test.nodeid, test.requirements, "skipped", skip_reason=f"{NOT_CLAIMED_PREFIX} {test.unclaimed[rid]}",
                      duration=test.duration)


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
        "not_judged": sum(1 for r in chosen if r.outcome == "not-judged"),
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
    and what otherwise changed (for instance pass -> not-judged, or a requirement new to the catalogue)."""
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


def unjudged_musts(requirements: Mapping[str, RequirementResult]) -> list[RequirementResult]:
    return [r for r in requirements.values() if r.level == "MUST" and r.outcome == "not-judged"]


def verdict(requirements: Mapping[str, RequirementResult], fail_on: str = "must", newly_failing: Iterable[str] = ()) -> str:
    """`error` when the suite could not judge; `fail` when the gate fails; `incomplete` when a
    selected MUST was not judged; `pass` only when every selected MUST was judged (or not claimed)."""
    if any(r.outcome == "error" for r in requirements.values()):
        return "error"
    if fail_on == "regression":
        if list(newly_failing):
            return "fail"
    else:
        levels = ("MUST", "SHOULD") if fail_on == "should" else ("MUST",)
        if any(r.outcome == "fail" and r.level in levels for r in requirements.values()):
            return "fail"
    if unjudged_musts(requirements):
        return "incomplete"
    return "pass"


def exit_code(verdict_: str) -> int:
    return {"pass": 0, "fail": 1, "incomplete": EXIT_INCOMPLETE, "error": EXIT_SUITE_ERROR}[verdict_]
