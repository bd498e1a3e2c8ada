"""The pytest plugin (entry point `pytest11`): options, target resolution, the embedded reference,
fixtures, and the hand-off of results to the reports. It wires things together; the logic lives
in config, spec, http, results and report.

The plugin is active when the run collects the conformance suites (`pytest` from the repo root,
or a path inside conformance/suites); the project's own tests (`pytest tests`) leave it inert.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sys
import time
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from . import __version__
from .catalogue import AREAS, CATALOGUE
from .config import TargetConfig, resolve
from .errors import EXIT_CONFIG, ConfigError, SuiteError
from .http import BREAKER, RECORDER, TRACKER, ApiClient, sweep_tagged
from .redact import redact, register_secret
from .results import NOT_APPLICABLE_PREFIX, TestResult

SUITES_DIR = Path(__file__).resolve().parent / "suites"
STASH_KEY = pytest.StashKey["Run"]()


@dataclass
class Run:
    """What one conformance run knows, shared by the plugin's hooks and fixtures."""

    config: TargetConfig
    started: float = field(default_factory=time.time)
    reference: Any = None  # ReferenceDeployment when embedded
    spec: Any = None  # LoadedSpec, loaded once per process
    results: list[TestResult] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)
    clients: dict[str, ApiClient] = field(default_factory=dict)
    coverage: dict[str, Any] = field(default_factory=dict)  # "coverage:<name>" properties of tests

    def loaded_spec(self) -> Any:
        """The spec, fetched once per process (the controller loads it at configure)."""
        if self.spec is None:
            from .spec import load_spec

            self.spec = load_spec(self.config)
        return self.spec


def spec_of(config: pytest.Config) -> Any:
    """The run's spec at collection time, for suites that parametrize over it; None when inactive."""
    run = config.stash.get(STASH_KEY, None)
    return run.loaded_spec() if run is not None else None


# --- options --------------------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance", "LangGraph Server API conformance")
    add = group.addoption
    add("--base-url", help="deployment to test (CONFORMANCE_BASE_URL); none: start the embedded reference")
    add("--api-key", help="API key (CONFORMANCE_API_KEY, falling back to LANGGRAPH_API_KEY)")
    add("--alt-api-key", help="a second tenant's API key, for isolation tests (CONFORMANCE_ALT_API_KEY)")
    add("--spec", help="OpenAPI spec URL or file, or 'bundled' (default: <base-url>/openapi.json)")
    add("--profile", help="profile name in profiles/ or a path to a .toml file (CONFORMANCE_PROFILE)")
    add("--graph-id", help="graph(s) deployed on the target, comma-separated (CONFORMANCE_GRAPH_ID)")
    add("--reports-dir", help="where reports are written (default: reports/)")
    add("--seed", help="seed for generated data; printed at every run (CONFORMANCE_SEED)")
    add("--examples", help="generated examples per operation (CONFORMANCE_EXAMPLES, default 12)")
    add("--strict-spec", action="store_true", default=False, help="apply no spec errata: list the spec's own defects")
    add("--fail-on", help="must (default) | should | regression (needs --baseline)")
    add("--baseline", help="a previous summary.json: report what changed since")
    add("--request-timeout", help="total deadline of one request in seconds (default 30)")
    add("--area", help="run only these areas, comma-separated (smoke, contract, auth, ...)")
    add("--requirement", help="run only the tests of these requirement ids, comma-separated; a trailing * matches a prefix")


_OPTION_NAMES = (
    "base_url", "api_key", "alt_api_key", "spec", "profile", "graph_id", "reports_dir", "seed",
    "examples", "strict_spec", "fail_on", "baseline", "request_timeout",
)


_PATH_OPTIONS = ("reports_dir", "spec", "profile", "baseline")


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config, parser: pytest.Parser, args: list[str]) -> None:
    """Decide the rootdir again, now that this plugin's options are known.

    pytest decides its rootdir and ini file before it loads entry-point plugins, so in
    `pytest --reports-dir /tmp/out` the value is taken for a test path: the rootdir moves to
    /tmp/out, the project's pyproject.toml (testpaths) is never read and every test under the
    current directory is collected. Here the options are parsed for what they are.
    """
    ns = early_config.known_args_namespace
    if getattr(ns, "rootdir", None) or getattr(ns, "inifilename", None):
        return
    values = {str(getattr(ns, name)) for name in _PATH_OPTIONS if getattr(ns, name, None)}
    if not values:
        return
    from _pytest.config.findpaths import determine_setup

    common = dict(inifile=None, args=ns.file_or_dir, rootdir_cmd_arg=None, invocation_dir=early_config.invocation_params.dir)
    try:
        rootpath, inipath, inicfg, *_ = determine_setup(override_ini=ns.override_ini, **common)
    except TypeError:  # pytest < 9 has no override_ini argument
        rootpath, inipath, inicfg, *_ = determine_setup(**common)
    if rootpath == early_config.rootpath:
        return
    early_config._rootpath = rootpath
    early_config._inipath = inipath
    early_config._inicfg = inicfg
    early_config._inicache.clear()
    early_config._parser.extra_info["rootdir"] = str(rootpath)
    early_config._parser.extra_info["inifile"] = str(inipath)
    ns.confcutdir = str(inipath.parent if inipath else rootpath)


def _active(config: pytest.Config) -> bool:
    """True when the run collects (some of) the conformance suites."""
    for arg in config.args:
        path = Path(str(arg).split("::")[0])
        path = (config.invocation_params.dir / path).resolve() if not path.is_absolute() else path.resolve()
        if path == SUITES_DIR or SUITES_DIR in path.parents or path in SUITES_DIR.parents:
            return True
        if str(arg).startswith("conformance.suites"):
            return True
    return False


# --- configure / unconfigure ----------------------------------------------------------------


@pytest.hookimpl(tryfirst=True)  # before allure-pytest's, which reads the report path we set
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "requirement(*ids): the catalogue requirement(s) a test verifies")
    if not _active(config):
        return
    worker = getattr(config, "workerinput", None)
    options = {name: config.getoption(name) for name in _OPTION_NAMES}
    try:
        if worker is not None:
            options["run_id"] = worker["conformance_run_id"]
            options["seed"] = worker["conformance_seed"]
            resolved = resolve(options, os.environ)
            if resolved.embedded:
                resolved = resolved.with_embedded_target(
                    worker["conformance_base_url"], worker["conformance_api_key"], worker["conformance_alt_api_key"]
                )
            config.stash[STASH_KEY] = Run(resolved)
            _register_secrets(resolved)
            _set_report_paths(config, resolved)  # each worker writes its own Allure results
            return
        options["run_id"] = uuid.uuid4().hex[:12]
        resolved = resolve(options, os.environ)
        if resolved.seed is None:
            resolved = replace(resolved, seed=random.randrange(2**31))
        run = Run(resolved)
        config.stash[STASH_KEY] = run
        _install_signal_handlers()
        if resolved.embedded:
            from .reference import deployment

            auth_on = resolved.profile.auth_enabled is not False
            run.reference = deployment.start(auth=auth_on, progress=_progress)
            resolved = resolved.with_embedded_target(
                run.reference.base_url, run.reference.api_key, run.reference.alt_api_key
            )
            if not resolved.graph_ids:
                resolved = replace(resolved, graph_ids=deployment.GRAPH_IDS)
            run.config = resolved
        _register_secrets(resolved)
        from .spec import check_reachable, load_spec

        check_reachable(resolved)
        run.spec = load_spec(resolved)
    except ConfigError as exc:
        _stop_reference(config)
        pytest.exit(f"conformance: {redact(str(exc))}", returncode=exc.exit_code)
    _set_report_paths(config, run.config)


def _register_secrets(config: TargetConfig) -> None:
    for secret in config.secrets():
        register_secret(secret)


def _set_report_paths(config: pytest.Config, target: TargetConfig) -> None:
    from .report import check_report_options

    try:
        check_report_options(target)
    except ConfigError as exc:
        _stop_reference(config)
        pytest.exit(f"conformance: {redact(str(exc))}", returncode=exc.exit_code)
    target.reports_dir.mkdir(parents=True, exist_ok=True)
    if not getattr(config.option, "xmlpath", None):
        # pytest's junitxml plugin reads the path at configure; set it before it runs.
        config.option.xmlpath = str(target.reports_dir / "junit.xml")
    if hasattr(config.option, "allure_report_dir") and not config.option.allure_report_dir:
        allure_dir = target.reports_dir / "allure-results"
        config.option.allure_report_dir = str(allure_dir)
        # Cleaned here, once: xdist workers inherit the options, and a worker that cleaned
        # the directory would delete the results the others wrote.
        config.option.clean_alluredir = False
        if allure_dir.is_dir() and not hasattr(config, "workerinput"):
            for old in allure_dir.iterdir():
                if old.is_file():
                    old.unlink()


def pytest_configure_node(node: Any) -> None:
    """pytest-xdist: hand the controller's resolved target to each worker."""
    run = node.config.stash.get(STASH_KEY, None)
    if run is None:
        return
    node.workerinput["conformance_run_id"] = run.config.run_id
    node.workerinput["conformance_seed"] = run.config.seed
    node.workerinput["conformance_base_url"] = run.config.base_url
    node.workerinput["conformance_api_key"] = run.config.api_key
    node.workerinput["conformance_alt_api_key"] = run.config.alt_api_key


def _stop_reference(config: pytest.Config) -> None:
    run = config.stash.get(STASH_KEY, None)
    if run is not None and run.reference is not None:
        from .reference import deployment

        deployment.stop(run.reference)
        run.reference = None


def pytest_unconfigure(config: pytest.Config) -> None:
    _stop_reference(config)


def _install_signal_handlers() -> None:
    # SIGTERM/SIGHUP take the same path as Ctrl-C, so the reference server is always stopped.
    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    for sig in (signal.SIGTERM, signal.SIGHUP):
        try:
            signal.signal(sig, interrupt)
        except (ValueError, OSError):
            pass


def _progress(message: str) -> None:
    sys.stderr.write(f"{message}\n")
    sys.stderr.flush()


def pytest_report_header(config: pytest.Config) -> list[str]:
    run = config.stash.get(STASH_KEY, None)
    if run is None:
        return []
    c = run.config
    spec = run.spec
    lines = [
        f"conformance {__version__}: target {c.base_url} ({'embedded reference' if c.embedded else 'external'}), "
        f"profile {c.profile.name}, run {c.run_id}",
        f"conformance: seed {c.seed} (replay with --seed {c.seed}), {c.examples} examples per operation, "
        f"auth {'on' if c.auth_enabled else 'off'}, second tenant {'yes' if c.alt_api_key else 'no'}",
    ]
    if spec is not None:
        lines.append(f"conformance: spec {spec.title} {spec.version} from {redact(spec.source)}, {len(spec.operations())} operations")
    lines.append(f"conformance: reports in {c.reports_dir}")
    return lines


# --- collection -----------------------------------------------------------------------------


def requirements_of(item: pytest.Item) -> tuple[str, ...]:
    ids: list[str] = []
    for mark in item.iter_markers("requirement"):
        ids.extend(mark.args)
    return tuple(dict.fromkeys(ids))


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    run = config.stash.get(STASH_KEY, None)
    if run is None:
        return
    deviations = {d.requirement for d in run.config.profile.known_deviations}
    _select(config, items)
    for item in items:
        ids = requirements_of(item)
        unknown = [rid for rid in ids if rid not in CATALOGUE]
        if unknown:
            raise pytest.UsageError(f"{item.nodeid} names requirements not in the catalogue: {', '.join(unknown)}")
        for rid in ids:
            item.user_properties.append(("requirement", rid))
        _add_allure_labels(item, ids)
        if ids and all(rid in deviations for rid in ids):
            item.add_marker(pytest.mark.xfail(reason="known deviation: " + ", ".join(ids), strict=False))


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


def _select(config: pytest.Config, items: list[pytest.Item]) -> None:
    areas = {a.strip() for a in (config.getoption("area") or "").split(",") if a.strip()}
    wanted = [r.strip() for r in (config.getoption("requirement") or "").split(",") if r.strip()]
    if not areas and not wanted:
        return
    unknown_areas = areas - set(AREAS)
    if unknown_areas:
        pytest.exit(f"conformance: unknown area(s) {', '.join(sorted(unknown_areas))} -- use: {', '.join(AREAS)}", returncode=EXIT_CONFIG)

    def chosen(rid: str) -> bool:
        if areas and CATALOGUE[rid].area in areas:
            return True
        return any(rid == w or (w.endswith("*") and rid.startswith(w[:-1])) for w in wanted)

    keep, drop = [], []
    for item in items:
        (keep if any(chosen(r) for r in requirements_of(item) if r in CATALOGUE) else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


# --- fixtures -------------------------------------------------------------------------------


def _run(request: pytest.FixtureRequest) -> Run:
    run = request.config.stash.get(STASH_KEY, None)
    if run is None:
        pytest.skip("the conformance plugin is not active in this run")
    return run


@pytest.fixture(scope="session")
def conformance_run(request: pytest.FixtureRequest) -> Run:
    return _run(request)


@pytest.fixture(scope="session")
def target(conformance_run: Run) -> TargetConfig:
    """The resolved target configuration."""
    return conformance_run.config


@pytest.fixture(scope="session")
def spec(conformance_run: Run):
    """The deployment's spec as loaded (errata are applied by the suites that use them)."""
    return conformance_run.loaded_spec()


def _client(run: Run, name: str, key: str | None) -> ApiClient:
    if name not in run.clients:
        c = run.config
        run.clients[name] = ApiClient(
            c.base_url or "", c.auth_headers(key), timeout=c.request_timeout, run_id=c.run_id,
            secrets=c.secrets(), name=name,
        )
    return run.clients[name]


@pytest.fixture(scope="session")
def api(conformance_run: Run) -> ApiClient:
    """The main tenant's client (no credential when the target has auth off)."""
    return _client(conformance_run, "main", conformance_run.config.api_key)


@pytest.fixture(scope="session")
def alt_api(conformance_run: Run) -> ApiClient:
    """The second tenant's client; the test is not applicable without a second key."""
    if not conformance_run.config.alt_api_key:
        pytest.skip(f"{NOT_APPLICABLE_PREFIX} no second tenant's key (--alt-api-key) is configured")
    return _client(conformance_run, "alt", conformance_run.config.alt_api_key)


@pytest.fixture(scope="session")
def anon_api(conformance_run: Run) -> ApiClient:
    """A client that sends no credential."""
    return _client(conformance_run, "anonymous", None)


@pytest.fixture(scope="session")
def graph_id(target: TargetConfig, api: ApiClient) -> str:
    """A graph deployed on the target: the configured one, or one the deployment lists."""
    if target.graph_ids:
        return target.graph_ids[0]
    exchange = api.post("/assistants/search", json={"limit": 100})
    if exchange.status == 200 and isinstance(exchange.json_or_none(), list):
        for assistant in exchange.json():
            if isinstance(assistant, dict) and assistant.get("graph_id"):
                return assistant["graph_id"]
    pytest.skip(
        f"{NOT_APPLICABLE_PREFIX} no graph id is known: give --graph-id / CONFORMANCE_GRAPH_ID "
        "(the deployment lists no assistants to this key; with owner-scoped auth system assistants may be hidden)"
    )


@pytest.fixture(scope="session")
def reference_graphs(target: TargetConfig) -> bool:
    """Whether the reference graphs (echo, interrupt, fail, slow) are deployed on the target."""
    return target.embedded or target.profile.reference_graphs


# --- per-test recording and results ---------------------------------------------------------


def pytest_runtest_setup(item: pytest.Item) -> None:
    RECORDER.reset()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    if item.config.stash.get(STASH_KEY, None) is None:
        return
    from .report import redact_report

    redact_report(report)  # junit.xml, Allure and the terminal all read the report's text
    if call.excinfo is not None and (report.failed or hasattr(report, "wasxfail")):
        exc = call.excinfo.value
        violated = getattr(exc, "requirement", None)
        if violated:
            report.user_properties.append(("violated", violated))
            report.conformance_message = redact(str(exc))  # what was expected and what came back
        if getattr(exc, "reproduction", ""):
            report.user_properties.append(("reproduction", redact(exc.reproduction)))
        # A Violation or an assert is the deployment's failure; any other exception (the target
        # gone, a bug in a test, hypothesis giving up) means the suite could not judge: `error`.
        if isinstance(exc, SuiteError) or (isinstance(exc, Exception) and not isinstance(exc, AssertionError)):
            report.user_properties.append(("suite_error", "1"))
            crash = getattr(report.longrepr, "reprcrash", None)
            where = f" ({crash.path}:{crash.lineno})" if crash is not None else ""
            report.conformance_message = redact(f"the suite could not judge: {type(exc).__name__}: {exc}{where}")
        if RECORDER.exchanges:
            text = "\n\n".join(e.describe(2000) + f"\nreproduce: {e.curl()}" for e in RECORDER.exchanges[-8:])
            report.sections.append(("exchanges", redact(text)))
            _attach_exchanges(RECORDER.exchanges[-8:])
        if BREAKER.open:
            item.session.shouldstop = BREAKER.reason


def _attach_exchanges(exchanges: list) -> None:
    """A failure's request/response pairs, redacted, as attachments of its Allure result."""
    try:
        import allure
    except ImportError:
        return
    for n, exchange in enumerate(exchanges, 1):
        text = exchange.describe(4000) + f"\n\nreproduce:\n{exchange.curl()}\n"
        allure.attach(redact(text), name=f"exchange {n}: {exchange.method} {redact(exchange.url)}", attachment_type=allure.attachment_type.TEXT)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    run = _RUN_FOR_REPORTS[0] if _RUN_FOR_REPORTS else None
    if run is None:
        return
    props = dict(report.user_properties) if report.user_properties else {}
    for key, value in report.user_properties or ():
        if isinstance(key, str) and key.startswith("coverage:"):
            run.coverage[key.removeprefix("coverage:")] = value
    requirements = tuple(v for k, v in report.user_properties if k == "requirement")
    if report.when == "call" or (report.when == "setup" and not report.passed) or (report.when == "teardown" and report.failed):
        outcome = report.outcome
        if hasattr(report, "wasxfail"):
            outcome = "xpassed" if report.passed else "xfailed"
        elif report.when != "call" and report.failed:
            outcome = "error"
        skip_reason = ""
        if report.skipped and isinstance(report.longrepr, tuple):
            skip_reason = str(report.longrepr[2]).removeprefix("Skipped: ")
        message = ""
        if report.failed or outcome == "xfailed":
            message = getattr(report, "conformance_message", "") or redact(str(report.longreprtext)[-4000:])
        violated = tuple(v for k, v in report.user_properties if k == "violated")
        run.results.append(
            TestResult(
                nodeid=report.nodeid,
                requirements=requirements,
                outcome=outcome,
                violated=violated,
                message=message,
                reproduction=props.get("reproduction", ""),
                skip_reason=skip_reason,
                suite_error=bool(props.get("suite_error")) or (report.when != "call" and report.failed and "TargetUnavailable" in message),
                duration=report.duration,
            )
        )


_RUN_FOR_REPORTS: list[Run] = []


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    run = session.config.stash.get(STASH_KEY, None)
    if run is not None and not hasattr(session.config, "workerinput"):
        _RUN_FOR_REPORTS[:] = [run]


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    run = session.config.stash.get(STASH_KEY, None)
    if run is None:
        return
    run.leftovers = TRACKER.cleanup()
    for client in run.clients.values():
        client.close()
    leftovers_dir = run.config.reports_dir / ".leftovers"
    if hasattr(session.config, "workerinput"):
        # Workers end before the controller writes the summary: hand what they could not delete over.
        if run.leftovers:
            leftovers_dir.mkdir(parents=True, exist_ok=True)
            worker = session.config.workerinput.get("workerid", "worker")
            (leftovers_dir / f"{worker}.json").write_text(json.dumps([redact(x) for x in run.leftovers]))
        return
    if leftovers_dir.is_dir():
        for part in sorted(leftovers_dir.glob("*.json")):
            run.leftovers.extend(json.loads(part.read_text()))
        shutil.rmtree(leftovers_dir, ignore_errors=True)
    # Last, when every worker is done: whatever carries the run's tag and escaped the tracker
    # (a thread a run created on the fly, say) is found by search and deleted.
    keys = {run.config.api_key, run.config.alt_api_key} if run.config.auth_enabled else {None}
    for key in keys:
        if key is None and run.config.auth_enabled:
            continue
        sweeper = ApiClient(run.config.base_url or "", run.config.auth_headers(key), timeout=run.config.request_timeout)
        try:
            run.leftovers.extend(sweep_tagged(sweeper, run.config.run_id))
        finally:
            sweeper.close()
    from .report import write_reports

    option = session.config.option
    selection = {"areas": option.area or "", "requirements": option.requirement or ""}
    code = write_reports(run, getattr(option, "allure_report_dir", None), selection)
    # The breaker stops the session like an interrupt; that is the suite's `error`, not Ctrl-C.
    if BREAKER.open or exitstatus not in (pytest.ExitCode.INTERRUPTED, pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.USAGE_ERROR):
        session.exitstatus = code


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    run = config.stash.get(STASH_KEY, None)
    if run is None or hasattr(config, "workerinput"):
        return
    from .report import terminal_summary

    terminal_summary(terminalreporter, run)
