"""The result model: outcome mapping per requirement, pass rates, the regression diff, the verdict."""

from __future__ import annotations

import pytest

from conformance.catalogue import Requirement
from conformance.config import KnownDeviation
from conformance.errors import EXIT_CONFIG, EXIT_SUITE_ERROR, ConfigError
from conformance.results import (
    TestResult,
    area_table,
    exit_code,
    load_baseline,
    outcome_counts,
    regression,
    requirement_outcomes,
    verdict,
)

CATALOGUE = {
    "SMOKE-001": Requirement("SMOKE-001", "MUST", "smoke", "Health answers.", "spec"),
    "SMOKE-002": Requirement("SMOKE-002", "SHOULD", "smoke", "Info answers.", "spec"),
    "AUTH-001": Requirement("AUTH-001", "MUST", "auth", "A missing key is refused.", "docs", needs="auth"),
    "AUTH-002": Requirement("AUTH-002", "MUST", "auth", "A wrong key is refused.", "docs", needs="auth"),
}


def result(nodeid, *ids, outcome="passed", **kw) -> TestResult:
    return TestResult(nodeid=nodeid, requirements=ids, outcome=outcome, **kw)


def outcomes(*results, deviations=()):
    return {rid: r.outcome for rid, r in requirement_outcomes(CATALOGUE, results, deviations).items()}


def test_every_requirement_gets_one_outcome_and_untested_ones_are_skipped_with_a_reason():
    got = requirement_outcomes(CATALOGUE, [result("t1", "SMOKE-001")])
    assert list(got) == list(CATALOGUE)
    assert got["SMOKE-001"].outcome == "pass"
    assert got["SMOKE-002"].outcome == "skip" and "no test" in got["SMOKE-002"].reason


def test_a_violation_fails_only_the_requirement_it_names_and_the_others_are_not_fully_checked():
    failing = result("t", "AUTH-001", "AUTH-002", outcome="failed", violated=("AUTH-002",), message="m", reproduction="curl x")
    got = requirement_outcomes(CATALOGUE, [failing])
    assert got["AUTH-002"].outcome == "fail"
    assert got["AUTH-002"].reproduction == "curl x" and got["AUTH-002"].message == "m"
    assert got["AUTH-001"].outcome == "skip" and "stopped at a failure of AUTH-002" in got["AUTH-001"].reason


def test_a_sibling_failure_does_not_hide_a_pass_from_another_test():
    assert outcomes(
        result("t1", "AUTH-001", "AUTH-002", outcome="failed", violated=("AUTH-002",)),
        result("t2", "AUTH-001"),
    )["AUTH-001"] == "pass"


def test_a_failure_without_a_violation_fails_every_requirement_of_the_test():
    got = outcomes(result("t", "AUTH-001", "AUTH-002", outcome="failed"))
    assert got["AUTH-001"] == got["AUTH-002"] == "fail"


def test_one_failing_test_fails_a_requirement_whatever_the_others_did():
    assert outcomes(result("a", "SMOKE-001"), result("b", "SMOKE-001", outcome="failed"))["SMOKE-001"] == "fail"


def test_a_suite_error_is_an_error_not_a_failure_but_a_failure_elsewhere_is_still_a_failure():
    crashed = result("b", "SMOKE-001", "SMOKE-002", outcome="failed", suite_error=True, message="Unsatisfiable")
    got = outcomes(result("a", "SMOKE-001", outcome="failed"), crashed)
    assert got["SMOKE-001"] == "fail" and got["SMOKE-002"] == "error"


def test_skips_that_all_say_not_applicable_make_the_requirement_not_applicable():
    got = requirement_outcomes(CATALOGUE, [
        result("a", "AUTH-001", outcome="skipped", skip_reason="not applicable: auth is off"),
        result("b", "AUTH-002", outcome="skipped", skip_reason="not applicable: auth is off"),
        result("c", "AUTH-002", outcome="skipped", skip_reason="needs a graph"),
    ])
    assert got["AUTH-001"].outcome == "not-applicable" and got["AUTH-001"].reason == "auth is off"
    assert got["AUTH-002"].outcome == "skip" and got["AUTH-002"].reason == "needs a graph"


def test_a_known_deviation_that_fails_is_a_known_deviation_and_one_that_passes_is_fixed():
    deviations = [KnownDeviation("SMOKE-001", "health is 503", "https://example.org/1"), KnownDeviation("SMOKE-002", "no info")]
    got = requirement_outcomes(CATALOGUE, [
        result("a", "SMOKE-001", outcome="xfailed", violated=("SMOKE-001",), reproduction="curl ok"),
        result("b", "SMOKE-002", outcome="xpassed"),
    ], deviations)
    assert got["SMOKE-001"].outcome == "known-deviation"
    assert got["SMOKE-001"].deviation == {"reason": "health is 503", "link": "https://example.org/1"}
    assert got["SMOKE-001"].reproduction == "curl ok"
    assert got["SMOKE-002"].outcome == "fixed?" and "remove it from the profile" in got["SMOKE-002"].reason


def test_a_failing_test_of_a_deviation_alongside_other_requirements_still_fails_those():
    deviations = [KnownDeviation("AUTH-001", "open")]
    got = outcomes(result("a", "AUTH-001", "AUTH-002", outcome="failed"), deviations=deviations)
    assert got == {**got, "AUTH-001": "known-deviation", "AUTH-002": "fail"}


def test_the_tests_behind_a_requirement_are_listed_with_their_outcomes():
    got = requirement_outcomes(CATALOGUE, [result("a", "SMOKE-001"), result("b", "SMOKE-001", outcome="skipped")])
    assert got["SMOKE-001"].tests == [{"nodeid": "a", "outcome": "passed"}, {"nodeid": "b", "outcome": "skipped"}]


def test_pass_rates_leave_out_what_was_not_judged():
    got = requirement_outcomes(CATALOGUE, [
        result("a", "AUTH-001"),
        result("b", "AUTH-002", outcome="failed"),
        result("c", "SMOKE-001", outcome="skipped", skip_reason="not applicable: x"),
    ])
    rows = {row["area"]: row for row in area_table(got)}
    assert list(rows) == ["smoke", "auth"]
    assert rows["auth"]["must"] == {"passed": 1, "judged": 2, "total": 2, "rate": 0.5}
    assert rows["smoke"]["must"] == {"passed": 0, "judged": 0, "total": 1, "rate": None}
    assert rows["smoke"]["counts"]["not-applicable"] == 1 and rows["smoke"]["counts"]["skip"] == 1
    assert outcome_counts(got.values()) == {
        "pass": 1, "fail": 1, "skip": 1, "not-applicable": 1, "error": 0, "known-deviation": 0, "fixed?": 0,
    }


def test_the_verdict_fails_on_a_must_only_unless_asked_to_fail_on_should():
    should_fails = requirement_outcomes(CATALOGUE, [result("a", "SMOKE-001"), result("b", "SMOKE-002", outcome="failed")])
    assert verdict(should_fails) == "pass"
    assert verdict(should_fails, "should") == "fail"
    must_fails = requirement_outcomes(CATALOGUE, [result("a", "SMOKE-001", outcome="failed")])
    assert verdict(must_fails) == "fail"


def test_known_deviations_and_fixed_ones_do_not_fail_the_verdict():
    got = requirement_outcomes(
        CATALOGUE, [result("a", "SMOKE-001", outcome="xfailed"), result("b", "AUTH-001", outcome="xpassed")],
        [KnownDeviation("SMOKE-001", "r"), KnownDeviation("AUTH-001", "r")],
    )
    assert verdict(got) == "pass"


def test_an_error_outcome_makes_the_verdict_error_with_its_own_exit_code():
    got = requirement_outcomes(CATALOGUE, [result("a", "SMOKE-002", outcome="error", suite_error=True)])
    assert verdict(got) == "error" and verdict(got, "regression") == "error"
    assert (exit_code("pass"), exit_code("fail"), exit_code("error")) == (0, 1, EXIT_SUITE_ERROR)


def test_fail_on_regression_fails_only_on_new_failures():
    got = requirement_outcomes(CATALOGUE, [result("a", "SMOKE-001", outcome="failed")])
    assert verdict(got, "regression", newly_failing=[]) == "pass"
    assert verdict(got, "regression", newly_failing=["SMOKE-001"]) == "fail"


def test_the_regression_diff_sorts_every_requirement_into_one_bucket():
    current = requirement_outcomes(CATALOGUE, [
        result("a", "SMOKE-001", outcome="failed"),
        result("b", "SMOKE-002"),
        result("c", "AUTH-001", outcome="failed"),
        result("d", "AUTH-002", outcome="skipped", skip_reason="x"),
    ])
    diff = regression(current, {"SMOKE-001": "pass", "SMOKE-002": "fail", "AUTH-001": "fail", "AUTH-002": "pass"})
    assert diff["newly_failing"] == ["SMOKE-001"]
    assert diff["newly_fixed"] == ["SMOKE-002"]
    assert diff["unchanged"] == ["AUTH-001"]
    assert diff["changed"] == [{"id": "AUTH-002", "before": "pass", "after": "skip"}]


def test_a_failure_that_was_a_known_deviation_or_absent_in_the_baseline():
    current = requirement_outcomes(CATALOGUE, [result("a", "SMOKE-001", outcome="failed"), result("b", "AUTH-001", outcome="failed")])
    diff = regression(current, {"SMOKE-001": "known-deviation"})
    assert diff["newly_failing"] == ["AUTH-001"]  # new in the catalogue and failing: a new failure
    assert "SMOKE-001" not in diff["newly_failing"]


def test_a_baseline_must_be_a_summary():
    loaded = load_baseline('{"run": {"id": "r1"}, "requirements": [{"id": "SMOKE-001", "outcome": "pass"}]}')
    assert loaded["outcomes"] == {"SMOKE-001": "pass"} and loaded["run"]["id"] == "r1"
    for text in ("not json", "[]", '{"requirements": [{"id": "X"}]}'):
        with pytest.raises(ConfigError) as caught:
            load_baseline(text, "baseline b.json")
        assert caught.value.exit_code == EXIT_CONFIG and "baseline b.json" in str(caught.value)
