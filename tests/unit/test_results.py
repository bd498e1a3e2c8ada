"""The result model: outcomes per requirement (four, like a TCK's), pass rates, the regression
diff, and a verdict that is never `pass` while a MUST was not judged."""

from __future__ import annotations

import pytest

from conformance.catalogue import Requirement
from conformance.errors import EXIT_CONFIG, EXIT_INCOMPLETE, EXIT_SUITE_ERROR, ConfigError
from conformance.results import (
    Deviation,
    Finding,
    TestResult,
    area_table,
    exit_code,
    load_baseline,
    outcome_counts,
    regression,
    requirement_outcomes,
    split_reason,
    verdict,
)

CATALOGUE = {
    "SMOKE-001": Requirement("SMOKE-001", "MUST", "smoke", "Health answers.", "spec"),
    "SMOKE-002": Requirement("SMOKE-002", "SHOULD", "smoke", "Info answers.", "spec"),
    "AUTH-001": Requirement("AUTH-001", "MUST", "auth", "A missing key is refused.", "docs", needs=("auth",)),
    "AUTH-002": Requirement("AUTH-002", "MUST", "auth", "A wrong key is refused.", "docs", needs=("auth",)),
}
NOT_JUDGED = "not judged: no graph id is known -- to judge it: give --graph-id"
NOT_CLAIMED = "not claimed: needs the deployment to authenticate requests"


def result(nodeid, *ids, outcome="passed", **kw) -> TestResult:
    return TestResult(nodeid=nodeid, requirements=ids, outcome=outcome, **kw)


def found(rid, message="m", operation="", reproduction="") -> Finding:
    return Finding(rid, message, operation, reproduction)


def outcomes(*results, deviations=()):
    return {rid: r.outcome for rid, r in requirement_outcomes(CATALOGUE, results, deviations).items()}


def test_every_requirement_gets_one_outcome_and_untested_ones_are_not_selected():
    got = requirement_outcomes(CATALOGUE, [result("t1", "SMOKE-001")])
    assert list(got) == list(CATALOGUE)
    assert got["SMOKE-001"].outcome == "pass"
    assert got["SMOKE-002"].outcome == "not-selected" and "no test" in got["SMOKE-002"].reason


def test_a_finding_fails_only_its_requirement_and_the_others_of_the_test_are_not_judged():
    failing = result("t", "AUTH-001", "AUTH-002", outcome="failed", findings=[found("AUTH-002", "m", "GET /x", "curl x")])
    got = requirement_outcomes(CATALOGUE, [failing])
    assert got["AUTH-002"].outcome == "fail"
    assert got["AUTH-002"].reproduction == "curl x" and got["AUTH-002"].message == "m"
    assert got["AUTH-002"].findings == [{"requirement": "AUTH-002", "message": "m", "operation": "GET /x", "reproduction": "curl x"}]
    assert got["AUTH-001"].outcome == "not-judged" and "stopped at a failure of AUTH-002" in got["AUTH-001"].reason


def test_every_finding_of_a_test_is_filed_under_its_own_requirement():
    failing = result("t", "AUTH-001", "AUTH-002", outcome="failed",
                     findings=[found("AUTH-001", "a", "GET /a"), found("AUTH-002", "b", "GET /b"), found("AUTH-002", "c", "GET /c")])
    got = requirement_outcomes(CATALOGUE, [failing])
    assert got["AUTH-001"].outcome == got["AUTH-002"].outcome == "fail"
    assert [f["operation"] for f in got["AUTH-002"].findings] == ["GET /b", "GET /c"]


def test_a_sibling_failure_does_not_hide_a_pass_from_another_test():
    assert outcomes(
        result("t1", "AUTH-001", "AUTH-002", outcome="failed", findings=[found("AUTH-002")]),
        result("t2", "AUTH-001"),
    )["AUTH-001"] == "not-judged"  # t1 did not finish checking it: a pass elsewhere is not the whole judgement


def test_a_failure_without_findings_fails_every_requirement_of_the_test():
    got = outcomes(result("t", "AUTH-001", "AUTH-002", outcome="failed", message="assert"))
    assert got["AUTH-001"] == got["AUTH-002"] == "fail"


def test_a_suite_error_is_an_error_but_a_failure_elsewhere_is_still_a_failure():
    crashed = result("b", "SMOKE-001", "SMOKE-002", outcome="failed", suite_error=True, message="Unsatisfiable")
    got = outcomes(result("a", "SMOKE-001", outcome="failed"), crashed)
    assert got["SMOKE-001"] == "fail" and got["SMOKE-002"] == "error"


def test_not_claimed_skips_leave_a_requirement_out_and_not_judged_ones_block_it():
    got = requirement_outcomes(CATALOGUE, [
        result("a", "AUTH-001", outcome="skipped", skip_reason=NOT_CLAIMED),
        result("b", "AUTH-002", outcome="skipped", skip_reason=NOT_JUDGED),
        result("c", "AUTH-002"),
    ])
    assert got["AUTH-001"].outcome == "not-claimed" and got["AUTH-001"].reason == "needs the deployment to authenticate requests"
    assert got["AUTH-002"].outcome == "not-judged"  # one pass does not judge a requirement another test could not
    assert got["AUTH-002"].reason == "no graph id is known" and got["AUTH-002"].fix == "give --graph-id"


def test_a_pass_beside_not_claimed_instances_is_a_pass_and_not_exercised_ones_are_gaps():
    got = requirement_outcomes(CATALOGUE, [
        result("a", "SMOKE-001"),
        result("b", "SMOKE-001", outcome="skipped", skip_reason="not claimed: takes no offset"),
        result("c", "SMOKE-001", outcome="skipped", skip_reason="not exercised: no recipe for GET /x"),
    ])
    assert got["SMOKE-001"].outcome == "pass"
    assert got["SMOKE-001"].gaps == ["c: no recipe for GET /x"]


def test_only_not_exercised_instances_is_not_judged():
    got = requirement_outcomes(CATALOGUE, [result("c", "SMOKE-001", outcome="skipped", skip_reason="not exercised: no recipe")])
    assert got["SMOKE-001"].outcome == "not-judged"


def test_a_failure_outweighs_an_instance_that_was_not_judged():
    assert outcomes(result("a", "AUTH-001", outcome="skipped", skip_reason=NOT_JUDGED),
                    result("b", "AUTH-001", outcome="failed"))["AUTH-001"] == "fail"


def test_skip_texts_split_into_kind_reason_and_fix():
    assert split_reason(NOT_JUDGED) == ("not judged", "no graph id is known", "give --graph-id")
    assert split_reason("not claimed: x") == ("not claimed", "x", "")
    assert split_reason("whatever") == ("", "whatever", "")


def test_a_finding_a_deviation_covers_is_a_known_deviation_and_one_it_does_not_is_a_failure():
    deviation = Deviation("AUTH-001", "500 on the store", operations=("POST /store/items/search",))
    covered = result("a", "AUTH-001", outcome="failed", findings=[found("AUTH-001", operation="POST /store/items/search")])
    got = requirement_outcomes(CATALOGUE, [covered], [deviation])
    assert got["AUTH-001"].outcome == "known-deviation" and "500 on the store" in got["AUTH-001"].reason
    assert got["AUTH-001"].deviations[0]["matched"] == 1
    assert got["AUTH-001"].findings[0]["deviation"] == "500 on the store"
    both = result("b", "AUTH-001", outcome="failed", findings=[
        found("AUTH-001", operation="POST /store/items/search"), found("AUTH-001", operation="GET /threads/{thread_id}")])
    assert outcomes(both, deviations=[deviation])["AUTH-001"] == "fail"


def test_a_deviation_scoped_by_match_covers_only_findings_whose_text_matches():
    deviation = Deviation("AUTH-001", "null prefix", match=r"namespace_prefix\": null")
    assert outcomes(result("a", "AUTH-001", outcome="failed", findings=[found("AUTH-001", 'body {"namespace_prefix": null}')]),
                    deviations=[deviation])["AUTH-001"] == "known-deviation"
    assert outcomes(result("a", "AUTH-001", outcome="failed", findings=[found("AUTH-001", "other")]),
                    deviations=[deviation])["AUTH-001"] == "fail"


def test_a_listed_deviation_that_passes_is_fixed():
    got = requirement_outcomes(CATALOGUE, [result("b", "SMOKE-002")], [Deviation("SMOKE-002", "no info")])
    assert got["SMOKE-002"].outcome == "fixed?" and "remove it from the profile" in got["SMOKE-002"].reason


def test_a_deviation_reads_fixed_only_where_a_passing_test_exercised_one_of_its_operations():
    deviation = Deviation("SMOKE-002", "500 on search", operations=("POST /threads/search",))
    elsewhere = result("c[GET /info]", "SMOKE-002", operations=("GET /info",))
    assert outcomes(elsewhere, deviations=[deviation])["SMOKE-002"] == "pass"
    there = result("c[POST /threads/search]", "SMOKE-002", operations=("POST /threads/search",))
    assert outcomes(elsewhere, there, deviations=[deviation])["SMOKE-002"] == "fixed?"
    unsaid = result("t", "SMOKE-002")  # a test that does not say what it exercised may have exercised it
    assert outcomes(unsaid, deviations=[deviation])["SMOKE-002"] == "fixed?"


def test_the_tests_behind_a_requirement_are_listed_with_their_outcomes():
    got = requirement_outcomes(CATALOGUE, [result("a", "SMOKE-001"), result("b", "SMOKE-001", outcome="skipped", skip_reason="not claimed: x")])
    assert got["SMOKE-001"].tests == [{"nodeid": "a", "outcome": "passed"}, {"nodeid": "b", "outcome": "skipped"}]


def test_pass_rates_leave_out_what_was_not_judged():
    got = requirement_outcomes(CATALOGUE, [
        result("a", "AUTH-001"),
        result("b", "AUTH-002", outcome="failed"),
        result("c", "SMOKE-001", outcome="skipped", skip_reason=NOT_CLAIMED),
        result("d", "SMOKE-002", outcome="skipped", skip_reason=NOT_JUDGED),
    ])
    rows = {row["area"]: row for row in area_table(got)}
    assert list(rows) == ["smoke", "auth"]
    assert rows["auth"]["must"] == {"passed": 1, "judged": 2, "total": 2, "not_judged": 0, "rate": 0.5}
    assert rows["smoke"]["must"] == {"passed": 0, "judged": 0, "total": 1, "not_judged": 0, "rate": None}
    assert rows["smoke"]["counts"]["not-claimed"] == 1 and rows["smoke"]["counts"]["not-judged"] == 1
    assert outcome_counts(got.values()) == {
        "pass": 1, "fail": 1, "known-deviation": 0, "fixed?": 0, "not-claimed": 1, "not-judged": 1, "error": 0, "not-selected": 0,
    }


def test_the_verdict_fails_on_a_must_only_unless_asked_to_fail_on_should():
    should_fails = requirement_outcomes(CATALOGUE, [result("a", "SMOKE-001"), result("b", "SMOKE-002", outcome="failed")])
    assert verdict(should_fails) == "pass"
    assert verdict(should_fails, "should") == "fail"
    must_fails = requirement_outcomes(CATALOGUE, [result("a", "SMOKE-001", outcome="failed")])
    assert verdict(must_fails) == "fail"


def test_a_must_not_judged_makes_the_verdict_incomplete_with_its_own_exit_code():
    got = requirement_outcomes(CATALOGUE, [result("a", "SMOKE-001", outcome="skipped", skip_reason=NOT_JUDGED)])
    assert verdict(got) == "incomplete" and exit_code("incomplete") == EXIT_INCOMPLETE
    not_claimed = requirement_outcomes(CATALOGUE, [result("a", "SMOKE-001", outcome="skipped", skip_reason=NOT_CLAIMED)])
    assert verdict(not_claimed) == "pass"
    should_only = requirement_outcomes(CATALOGUE, [result("a", "SMOKE-001"), result("b", "SMOKE-002", outcome="skipped", skip_reason=NOT_JUDGED)])
    assert verdict(should_only) == "pass"
    failing = requirement_outcomes(CATALOGUE, [result("a", "SMOKE-001", outcome="failed"), result("b", "AUTH-001", outcome="skipped", skip_reason=NOT_JUDGED)])
    assert verdict(failing) == "fail"  # a failure is a verdict of its own


def test_known_deviations_and_fixed_ones_do_not_fail_the_verdict():
    got = requirement_outcomes(
        CATALOGUE, [result("a", "SMOKE-001", outcome="failed", findings=[found("SMOKE-001")]), result("b", "AUTH-001")],
        [Deviation("SMOKE-001", "r"), Deviation("AUTH-001", "r")],
    )
    assert got["SMOKE-001"].outcome == "known-deviation" and got["AUTH-001"].outcome == "fixed?"
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
        result("d", "AUTH-002", outcome="skipped", skip_reason=NOT_JUDGED),
    ])
    diff = regression(current, {"SMOKE-001": "pass", "SMOKE-002": "fail", "AUTH-001": "fail", "AUTH-002": "pass"})
    assert diff["newly_failing"] == ["SMOKE-001"]
    assert diff["newly_fixed"] == ["SMOKE-002"]
    assert diff["unchanged"] == ["AUTH-001"]
    assert diff["changed"] == [{"id": "AUTH-002", "before": "pass", "after": "not-judged"}]


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
