"""The pytest plugin: it wires the suite into pytest and holds no logic of its own.

Loaded on demand, never by an entry point (so it cannot disturb other pytest runs in the same
environment): by the `langgraph-conformance` command, by the repo's conftest.py, or with
`pytest -p conformance.plugin`. It is active only when the run collects the conformance suites.

options -> conformance.options; target, reference, discovery, end of session -> conformance.session;
fixtures -> conformance.fixtures; what a test found -> conformance.recording; selection ->
conformance.selection; reports -> conformance.report.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from . import options, recording, selection
from . import session as lifecycle
from .capabilities import skip_text
from .catalogue import CATALOGUE
from .checks import require_operations
from .errors import ConfigError
from .http import BREAKER, RECORDER
from .results import NOT_SELECTED_PREFIX

pytest_plugins = ["conformance.fixtures"]

SUITES_DIR = Path(__file__).resolve().parent / "suites"
_CONTROLLER_RUN: list[lifecycle.Run] = []  # the run whose results the reports are made of


def pytest_addoption(parser: pytest.Parser) -> None:
    options.add_pytest_options(parser)


def _active(config: pytest.Config) -> bool:
    """True when the run collects (some of) the conformance suites."""
    for arg in config.args:
        text = str(arg)
        if text.startswith("conformance.suites"):
            return True
        path = Path(text.split("::")[0])
        path = (config.invocation_params.dir / path).resolve() if not path.is_absolute() else path.resolve()
        if path == SUITES_DIR or SUITES_DIR in path.parents or path in SUITES_DIR.parents:
            return True
    return False


@pytest.hookimpl(tryfirst=True)  # before allure-pytest's, which reads the report path set here
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "requirement(*ids): the catalogue requirement(s) a test verifies")
    config.addinivalue_line("markers", "needs(*names): what a test needs of its target beyond its requirements' needs")
    config.addinivalue_line("markers", "slow: a check that waits for real time to pass (the thorough budget)")
    config.addinivalue_line("markers", "operations(*labels): operations a test sends; a spec that lacks one does not claim it")
    if not _active(config):
        return
    given = options.values(config)
    try:
        selection.check_areas(selection.parse_list(given["area"]))
        selection.check_requirements(selection.parse_list(given["requirement"]))
        selection.parse_shard(given["shard"])
    except ConfigError as exc:
        pytest.exit(f"conformance: {exc}", returncode=exc.exit_code)
    if hasattr(config, "workerinput"):
        lifecycle.configure_worker(config, given)
    else:
        run = lifecycle.configure_controller(config, given)
        if run is not None:
            _CONTROLLER_RUN[:] = [run]
    run = lifecycle.run_of(config)
    if run is not None:
        from .report import prepare_report_paths

        try:
            prepare_report_paths(config, run.config)
        except ConfigError as exc:
            lifecycle.stop_reference(config)
            pytest.exit(f"conformance: {exc}", returncode=exc.exit_code)


def pytest_configure_node(node: Any) -> None:
    lifecycle.configure_node(node)


def pytest_unconfigure(config: pytest.Config) -> None:
    lifecycle.stop_reference(config)


def pytest_report_header(config: pytest.Config) -> list[str]:
    run = lifecycle.run_of(config)
    return lifecycle.header_lines(run) if run is not None else []


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    run = lifecycle.run_of(config)
    if run is None:
        return
    areas = selection.parse_list(config.option.conformance_area)
    wanted = selection.parse_list(config.option.conformance_requirement)
    shard = selection.parse_shard(config.option.conformance_shard)
    keep, drop = [], []
    for item in items:
        ids = recording.requirements_of(item)
        unknown = [rid for rid in ids if rid not in CATALOGUE]
        if unknown:
            raise pytest.UsageError(f"{item.nodeid} names requirements not in the catalogue: {', '.join(unknown)}")
        for rid in ids:
            item.user_properties.append(("requirement", rid))
        item.user_properties.extend(("operation", op) for op in recording.operations_of(item))
        _add_allure_labels(item, ids)
        if not selection.chosen(ids, areas, wanted) or (shard and not selection.in_shard(item.nodeid, shard)):
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def _add_allure_labels(item: pytest.Item, ids: tuple[str, ...]) -> None:
    """Requirement id, area and level as Allure labels (allure-pytest reads these markers)."""
    for rid in ids:
        req = CATALOGUE[rid]
        item.add_marker(pytest.mark.allure_label(rid, label_type="requirement"))
        item.add_marker(pytest.mark.allure_label(req.area, label_type="area"))
        item.add_marker(pytest.mark.allure_label(req.area, label_type="feature"))
        item.add_marker(pytest.mark.allure_label(f"{rid}: {req.statement}", label_type="story"))
        item.add_marker(pytest.mark.allure_label(req.level, label_type="tag"))
    if ids:
        levels = {CATALOGUE[rid].level for rid in ids}
        item.add_marker(pytest.mark.allure_label("critical" if "MUST" in levels else "normal", label_type="severity"))
        item.add_marker(pytest.mark.allure_label("LangGraph Server API conformance", label_type="epic"))


def pytest_runtest_setup(item: pytest.Item) -> None:
    RECORDER.reset()
    run = lifecycle.run_of(item.config)
    if run is None:
        return
    if item.get_closest_marker("slow") is not None and not run.config.slow_checks:
        pytest.skip(f"{NOT_SELECTED_PREFIX} a slow check: it runs with --budget thorough")
    unmet = run.capabilities.unmet(recording.needs_of(item))
    if unmet:
        pytest.skip(skip_text(unmet)[1])
    labels = [label for mark in item.iter_markers("operations") for label in mark.args]
    if labels and run.spec is not None:
        require_operations(run.spec, *labels)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    run = lifecycle.run_of(item.config)
    if run is not None:
        recording.make_report(item, call, report, run.config.profile.deviations)
        if BREAKER.open:
            item.session.shouldstop = BREAKER.reason
    return report


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    run = _CONTROLLER_RUN[0] if _CONTROLLER_RUN else None
    if run is None:
        return
    for key, value in report.user_properties or ():
        if isinstance(key, str) and key.startswith("coverage:"):
            run.coverage[key.removeprefix("coverage:")] = value
        elif key == "contract":
            run.parts.setdefault(key, []).append(json.loads(value))
    run.results.extend(recording.results_of(report))


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    lifecycle.finish(session, exitstatus)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    run = lifecycle.run_of(config)
    if run is None or run.is_worker:
        return
    from .report import terminal_summary

    terminal_summary(terminalreporter, run)

