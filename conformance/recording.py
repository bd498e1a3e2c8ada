"""From pytest's test reports to the run's results: what each test found, under which
requirement, with what reproduction; or why it could not judge.

Workers and the controller share this path: a worker's report reaches the controller with its
user properties, so everything a result needs travels in them (findings as JSON).
"""

from __future__ import annotations

import json
import re

import pytest

from .catalogue import CATALOGUE
from .checks import SetupFailed, Violation, Violations
from .errors import SuiteError, TargetUnavailable
from .http import BREAKER, RECORDER, Exchange
from .redact import redact
from .results import NOT_JUDGED_PREFIX, Deviation, Finding, TestResult
from .session import run_of

EXCHANGES_SHOWN = 8


def requirements_of(item: pytest.Item) -> tuple[str, ...]:
    ids: list[str] = []
    for mark in item.iter_markers("requirement"):
        ids.extend(mark.args)
    return tuple(dict.fromkeys(ids))


def operations_of(item: pytest.Item) -> tuple[str, ...]:
    """The operations a test exercises, where it says: `@pytest.mark.operations(...)`, or the
    `operation` it is parametrized with (a contract test). Empty: it does not say."""
    ops: list[str] = []
    for mark in item.iter_markers("operations"):
        ops.extend(mark.args)
    param = getattr(getattr(item, "callspec", None), "params", {}).get("operation")
    if isinstance(param, str):
        ops.append(param)
    return tuple(dict.fromkeys(ops))


def needs_of(item: pytest.Item) -> tuple[str, ...]:
    """What a test needs: its requirements' needs, and any `@pytest.mark.needs(...)` of its own."""
    needs: list[str] = []
    for rid in requirements_of(item):
        if rid in CATALOGUE:
            needs.extend(CATALOGUE[rid].needs)
    for mark in item.iter_markers("needs"):
        needs.extend(mark.args)
    return tuple(dict.fromkeys(needs))


def _findings_json(findings: list[Finding]) -> str:
    return json.dumps([{**f.to_json(), "message": redact(f.message)[:6000], "reproduction": redact(f.reproduction)}
                       for f in findings])


def make_report(item: pytest.Item, call: pytest.CallInfo, report: pytest.TestReport, deviations: tuple[Deviation, ...]) -> None:
    """Called for each phase's report of a test: redact it and attach what the results need."""
    from .report import redact_report

    redact_report(report)  # junit.xml, Allure and the terminal all read the report's text
    if call.excinfo is None:
        return
    exc = call.excinfo.value
    props = report.user_properties
    if isinstance(exc, (Violation, Violations)):
        run = run_of(item.config)
        if run is not None and run.spec is not None:
            for violation in exc.violations if isinstance(exc, Violations) else [exc]:
                violation.locate(run.spec.paths)
        findings = exc.findings
        props.append(("findings", _findings_json(findings)))
        if exc.complete:
            props.append(("complete", "1"))
        report.conformance_message = redact(str(exc))  # what was expected and what came back
        if findings and all(any(d.covers(f) for d in deviations) for f in findings):
            # Known deviations only: a pass of the gate; JUnit shows it as an expected failure.
            props.append(("deviation_only", "1"))
            report.outcome = "skipped"
            report.wasxfail = "known deviation: " + "; ".join(sorted({d.reason for d in deviations for f in findings if d.covers(f)}))
    elif isinstance(exc, SetupFailed):
        if exc.reproduction:
            props.append(("reproduction", redact(exc.reproduction)))
        if exc.exchange is not None and exc.exchange.status >= 500:
            # A server error while setting up is evidence in itself, whatever the test was about.
            message = f"[CON-001] {exc.what} answered {exc.exchange.status}, a server error\n{exc.exchange.describe()}"
            from .spec import operation_label

            run = run_of(item.config)
            operation = (operation_label(exc.exchange.method, exc.exchange.url, run.spec.paths)
                         if run is not None and run.spec is not None and exc.exchange.method else "")
            props.append(("setup_5xx", _findings_json([Finding("CON-001", message, operation, exc.reproduction)])))
    elif isinstance(exc, pytest.skip.Exception):
        pass
    elif isinstance(exc, TargetUnavailable) and not BREAKER.open:
        # One request got no answer from a target that still answers its health path: a finding
        # of what the test was judging (or, in its setup, a setup step that failed), not an error.
        exchange = exc.exchange if isinstance(exc.exchange, Exchange) else None
        if exchange is not None and exchange.method:
            props.append(("reproduction", redact(exchange.curl())))
        report.conformance_message = redact(f"a request got no answer: {exc}")
        props.append(("no_answer", "1"))
        if call.when == "setup":
            report.outcome = "skipped"
            report.longrepr = (str(item.path), 0, f"{NOT_JUDGED_PREFIX} setup failed: a request got no answer ({redact(str(exc))})")
    elif isinstance(exc, SuiteError) or not isinstance(exc, AssertionError):
        # A Violation or an assert is the deployment's failure; any other exception (the target
        # gone, a bug in a test, hypothesis giving up) means the suite could not judge: `error`.
        props.append(("suite_error", "1"))
        crash = getattr(report.longrepr, "reprcrash", None)
        where = f" ({crash.path}:{crash.lineno})" if crash is not None else ""
        report.conformance_message = redact(f"the suite could not judge: {type(exc).__name__}: {exc}{where}")
        exchange = getattr(exc, "exchange", None)
        if isinstance(exchange, Exchange) and exchange.method:
            props.append(("reproduction", redact(exchange.curl())))
    if isinstance(exc, TargetUnavailable) and report.failed:
        # A transport traceback says nothing the message does not.
        report.longrepr = redact(f"{BREAKER.reason or 'a request got no answer'}: {exc}")
    if (report.failed or hasattr(report, "wasxfail")) and RECORDER.exchanges:
        shown = RECORDER.exchanges[-EXCHANGES_SHOWN:]
        text = "\n\n".join(e.describe(2000) + f"\nreproduce: {e.curl()}" for e in shown)
        report.sections.append(("exchanges", redact(text)))
        _attach_exchanges(shown)


def _attach_exchanges(exchanges: list[Exchange]) -> None:
    """A failure's request/response pairs, redacted, as attachments of its Allure result."""
    try:
        import allure
    except ImportError:
        return
    for n, exchange in enumerate(exchanges, 1):
        text = exchange.describe(4000) + f"\n\nreproduce:\n{exchange.curl()}\n"
        allure.attach(redact(text), name=f"exchange {n}: {exchange.method} {redact(exchange.url)}",
                      attachment_type=allure.attachment_type.TEXT)


def _load(props: dict[str, str], key: str) -> list[Finding]:
    return [Finding(**f) for f in json.loads(props[key])] if key in props else []


def results_of(report: pytest.TestReport) -> list[TestResult]:
    """The results one phase's report contributes (none for a passing setup or teardown)."""
    props = dict(report.user_properties or ())
    requirements = tuple(v for k, v in report.user_properties or () if k == "requirement")
    operations = tuple(v for k, v in report.user_properties or () if k == "operation")
    wanted = report.when == "call" or (report.when == "setup" and not report.passed) or (report.when == "teardown" and report.failed)
    if not wanted:
        return []
    findings = _load(props, "findings")
    # Evidence is never lost: a finding under a requirement the test does not name still counts.
    requirements = tuple(dict.fromkeys([*requirements, *(f.requirement for f in findings)]))
    skip_reason, outcome = "", report.outcome
    if props.get("deviation_only"):
        outcome = "failed"
    elif report.skipped:
        if isinstance(report.longrepr, tuple):
            # pytest writes a skip's class before its text ("Skipped: ", "conformance.checks.SetupFailed: ").
            skip_reason = re.sub(r"^[\w.]+: (?=not (?:judged|claimed|exercised|selected):)", "", str(report.longrepr[2]))
            skip_reason = skip_reason.removeprefix("Skipped: ")
    elif report.when != "call" and report.failed:
        outcome = "error"
    message = ""
    if outcome in ("failed", "error"):
        message = getattr(report, "conformance_message", "") or redact(str(report.longreprtext)[-4000:])
    suite_error = bool(props.get("suite_error"))
    no_answer = bool(props.get("no_answer"))
    out = [TestResult(
        nodeid=report.nodeid, requirements=requirements, outcome=outcome, findings=findings, message=message,
        skip_reason=skip_reason, reproduction=props.get("reproduction", ""), suite_error=suite_error,
        complete=bool(props.get("complete")), unclaimed=json.loads(props.get("unclaimed", "{}")), no_answer=no_answer,
        duration=report.duration, operations=operations,
    )]
    for finding in _load(props, "setup_5xx"):
        out.append(TestResult(nodeid=f"{report.nodeid} (setup)", requirements=("CON-001",), outcome="failed",
                              findings=[finding], message=finding.message))
    return out
