"""The summary document and what is rendered from it: schema-valid, stable, redacted, and the
HTML page and terminal lines saying what the summary says."""

from __future__ import annotations

import json

import jsonschema
import pytest

from conformance.catalogue import Requirement
from conformance.config import Profile, TargetConfig
from conformance.errors import ConfigError
from conformance.html import render_html
from conformance.redact import register_secret
from conformance.report import SCHEMA_PATH, allure_environment, check_report_options, make_summary, terminal_lines
from conformance.results import Deviation, Finding, TestResult

SECRET = "sk-unit-test-secret-4242"
CATALOGUE = {
    "SMOKE-001": Requirement("SMOKE-001", "MUST", "smoke", "GET /ok answers 200.", "spec: GET /ok"),
    "SMOKE-002": Requirement("SMOKE-002", "SHOULD", "smoke", "GET /info answers 200.", "spec: GET /info"),
    "AUTH-001": Requirement("AUTH-001", "MUST", "auth", "A request without a key is refused.", "docs", needs=("auth",)),
    "AUTH-002": Requirement("AUTH-002", "MUST", "auth", "A wrong key is refused.", "docs", needs=("auth",)),
    "STORE-001": Requirement("STORE-001", "SHOULD", "store", "An item put reads back.", "spec"),
}
SCHEMA = json.loads(SCHEMA_PATH.read_text())


def config(**kw) -> TargetConfig:
    profile = Profile(
        name="unit", implementation="impl 1.0",
        deviations=(Deviation("AUTH-002", "accepts any key", link="https://example.org/issue/2"),
                    Deviation("STORE-001", "stale reads")),
    )
    base = dict(base_url="http://127.0.0.1:9", embedded=False, profile=profile, api_key=SECRET, alt_api_key=None,
                seed=7, run_id="run1")
    return TargetConfig(**{**base, **kw})


RESULTS = [
    TestResult("suites/test_01.py::test_ok", ("SMOKE-001",), "failed",
               [Finding("SMOKE-001", "[SMOKE-001] <b>503</b>", "GET /ok", "curl -sS -H 'X-Api-Key: ${CONFORMANCE_API_KEY}' http://127.0.0.1:9/ok")]),
    TestResult("suites/test_01.py::test_info", ("SMOKE-002",), "passed"),
    TestResult("suites/test_03.py::test_no_key", ("AUTH-001",), "skipped",
               skip_reason="not judged: no graph id is known -- to judge it: give --graph-id"),
    TestResult("suites/test_03.py::test_wrong_key", ("AUTH-002",), "failed", [Finding("AUTH-002", "accepted", "GET /threads")]),
    TestResult("suites/test_08.py::test_put", ("STORE-001",), "passed"),
]


def summary(**kw):
    register_secret(SECRET)
    return make_summary(config(), RESULTS, started=1_700_000_000.0, finished=1_700_000_012.5,
                        spec={"title": "LangSmith Deployment", "version": "0.1.0", "source": "http://127.0.0.1:9/openapi.json"},
                        catalogue=CATALOGUE, **kw)


def test_the_summary_validates_against_its_published_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    jsonschema.validate(summary(), SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def test_the_summary_has_one_entry_per_requirement_with_outcome_tests_and_reproduction():
    s = summary()
    entries = {e["id"]: e for e in s["requirements"]}
    assert list(entries) == list(CATALOGUE)
    assert {rid: e["outcome"] for rid, e in entries.items()} == {
        "SMOKE-001": "fail", "SMOKE-002": "pass", "AUTH-001": "not-judged", "AUTH-002": "known-deviation", "STORE-001": "fixed?",
    }
    assert entries["SMOKE-001"]["reproduction"].startswith("curl")
    assert entries["SMOKE-001"]["tests"] == [{"nodeid": "suites/test_01.py::test_ok", "outcome": "failed"}]
    assert entries["AUTH-002"]["deviations"][0]["link"] == "https://example.org/issue/2"
    assert entries["AUTH-002"]["deviations"][0]["matched"] == 1
    assert s["not_judged"] == [{"id": "AUTH-001", "statement": "A request without a key is refused.",
                                "reason": "no graph id is known", "fix": "give --graph-id"}]
    assert s["verdict"] == "fail" and s["exit_code"] == 1
    assert s["run"]["started"] == "2023-11-14T22:13:20Z" and s["run"]["duration_seconds"] == 12.5
    assert s["target"]["spec_title"] == "LangSmith Deployment" and s["target"]["implementation"] == "impl 1.0"


def test_the_summary_never_holds_a_credential():
    text = json.dumps(summary())
    assert SECRET not in text
    assert summary()["configuration"]["api_key"] == "set (redacted)"


def test_a_baseline_adds_the_regression_and_each_entry_s_previous_outcome():
    baseline = {"outcomes": {"SMOKE-001": "pass", "SMOKE-002": "fail", "AUTH-002": "known-deviation"}, "run": {"id": "r0", "started": "x"}}
    s = summary(baseline=baseline)
    jsonschema.validate(s, SCHEMA)
    assert s["regression"]["newly_failing"] == ["SMOKE-001"]
    assert s["regression"]["newly_fixed"] == ["SMOKE-002"]
    assert s["regression"]["baseline_run"]["id"] == "r0"
    assert {e["id"]: e["baseline"] for e in s["requirements"]}["AUTH-001"] is None


def test_fail_on_regression_without_a_baseline_is_a_configuration_error():
    with pytest.raises(ConfigError, match="needs a baseline"):
        check_report_options(config(fail_on="regression"))
    assert check_report_options(config()) is None


def test_the_html_page_states_the_verdict_rates_failures_deviations_and_configuration():
    page = render_html(summary())
    assert '<meta name="conformance-verdict" content="fail">' in page
    assert "&lt;b&gt;503&lt;/b&gt;" in page and "<b>503</b>" not in page  # messages are escaped
    assert "curl -sS -H &#39;X-Api-Key: ${CONFORMANCE_API_KEY}&#39;" in page
    assert "MUST requirements not judged" in page and "give --graph-id" in page
    assert "https://example.org/issue/2" in page and "remove it from the profile" in page
    assert SECRET not in page and "set (redacted)" in page
    assert "http" not in page.split("<style>")[1].split("</style>")[0]  # no external asset in the CSS
    assert "<script" not in page and "<link" not in page


def test_the_terminal_names_the_verdict_failing_ids_unjudged_musts_and_the_reports():
    lines = [text for text, _ in terminal_lines(summary(), "/tmp/out")]
    assert any("FAIL  SMOKE-001 (MUST)" in line for line in lines)
    assert any("NOT JUDGED AUTH-001: no graph id is known -- to judge it: give --graph-id" in line for line in lines)
    assert any("FIXED? STORE-001" in line for line in lines)
    assert any(line.startswith("conformance verdict: FAIL") for line in lines)
    assert lines[-1].startswith("reports: /tmp/out/summary.json")


def test_allure_environment_holds_the_target_but_no_credential():
    text = allure_environment(summary())
    assert "target = http://127.0.0.1:9" in text and "verdict = fail" in text
    assert SECRET not in text


def test_a_failure_s_traceback_is_redacted_in_place_before_reports_read_it():
    from types import SimpleNamespace

    from conformance.report import redact_report

    register_secret(SECRET)

    def fails(body):
        raise AssertionError(f"server said {body}")

    try:
        fails(f"hello {SECRET}")
    except AssertionError:
        excinfo = pytest.ExceptionInfo.from_current()
    longrepr = excinfo.getrepr(style="long", funcargs=True)
    assert SECRET in str(longrepr)
    report = SimpleNamespace(longrepr=longrepr, sections=[("Captured stdout call", f"key={SECRET}")])
    redact_report(report)
    assert SECRET not in str(report.longrepr) and "[REDACTED]" in str(report.longrepr)
    assert report.sections == [("Captured stdout call", "key=[REDACTED]")]


def test_scrub_directory_masks_secrets_in_files_others_wrote(tmp_path):
    from conformance.report import scrub_directory

    register_secret(SECRET)
    (tmp_path / "a-result.json").write_text(f'{{"trace": "{SECRET}"}}')
    (tmp_path / "b-result.json").write_text("{}")
    assert scrub_directory(tmp_path) == [tmp_path / "a-result.json"]
    assert SECRET not in (tmp_path / "a-result.json").read_text()


def test_a_run_with_an_unjudged_must_and_no_failure_reads_incomplete_everywhere():
    results = [r for r in RESULTS if r.requirements != ("SMOKE-001",)] + [TestResult("t::ok", ("SMOKE-001",), "passed")]
    s = make_summary(config(), results, started=0.0, finished=1.0, catalogue=CATALOGUE)
    jsonschema.validate(s, SCHEMA)
    assert s["verdict"] == "incomplete" and s["exit_code"] == 75
    assert '<meta name="conformance-verdict" content="incomplete">' in render_html(s)
    assert any(line.startswith("conformance verdict: INCOMPLETE") for line, _ in terminal_lines(s, "/tmp/out"))


def test_the_cleanup_line_says_what_may_be_left_and_never_claims_more_than_was_checked():
    from conformance.report import cleanup_line

    assert "everything the run created was deleted (3 resources" in cleanup_line({"deleted": 3, "leftovers": [], "unknown": []})[0]
    left = cleanup_line({"deleted": 3, "leftovers": ["thread /threads/x (DELETE answered 500)"], "unknown": ["could not check /threads/search"]})[0]
    assert "may be left" in left and "could not check" in left and "everything" not in left


def test_matrix_columns_are_named_by_report_folder_unless_folders_repeat(tmp_path):
    from conformance.matrix_report import column_names

    runs = [tmp_path / "runtime-pg" / "summary.json", tmp_path / "runtime-pg-noauth" / "summary.json"]
    assert column_names(runs, ["runtime-pg", "runtime-pg"]) == ["runtime-pg", "runtime-pg-noauth"]
    same = [tmp_path / "a" / "reports" / "summary.json", tmp_path / "b" / "reports" / "summary.json"]
    assert column_names(same, ["aegra", "langgraphjs"]) == ["aegra", "langgraphjs"]
