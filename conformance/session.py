"""One conformance run: its configuration, the embedded reference's lifecycle, discovery, the
hand-off to xdist workers, and the end of the session (cleanup, reports, exit code).

The controller resolves the target, starts the reference if there is no base URL, discovers
the target once and hands the result to the workers (a file in the run's folder, plus their
keys in memory); workers run tests, the controller writes the reports.
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

from .capabilities import Capabilities
from .cleanup import TRACKER, CleanupReport, sweep_tagged
from .config import TargetConfig, resolve
from .discovery import Discovery, discover
from .errors import EXIT_SUITE_ERROR, ConfigError, SuiteError
from .http import BREAKER, ApiClient, fetch
from .redact import redact, register_secret, register_sensitive_header
from .results import TestResult
from .spec import LoadedSpec

STASH_KEY = pytest.StashKey["Run"]()
CI_SEED = 0  # a CI run without --seed is still deterministic: it uses this seed


@dataclass
class Run:
    """What one conformance run knows, shared by the plugin's hooks and fixtures."""

    config: TargetConfig
    is_worker: bool = False
    started: float = field(default_factory=time.time)
    reference: Any = None  # ReferenceDeployment when embedded
    discovery: Discovery | None = None
    results: list[TestResult] = field(default_factory=list)
    cleanup: CleanupReport = field(default_factory=CleanupReport)
    clients: dict[str, ApiClient] = field(default_factory=dict)
    coverage: dict[str, Any] = field(default_factory=dict)  # "coverage:<name>" properties of tests
    parts: dict[str, list[dict]] = field(default_factory=dict)  # per-test records of an area ("contract")
    area_lines: list[str] = field(default_factory=list)  # what the areas say at the end of the run
    summary: dict | None = None

    @property
    def spec(self) -> LoadedSpec | None:
        return self.discovery.spec if self.discovery else None

    @property
    def capabilities(self) -> Capabilities:
        return self.discovery.capabilities if self.discovery else Capabilities()

    @property
    def run_dir(self) -> Path:
        """Files the controller and its workers share during the run (removed at its end)."""
        return self.config.reports_dir / f".run-{self.config.run_id}"

    def client(self, name: str, key: str | None) -> ApiClient:
        if name not in self.clients:
            c = self.config
            self.clients[name] = ApiClient(
                c.base_url or "", c.auth_headers(key), timeout=c.request_timeout, run_id=c.run_id, name=name,
                on_created=TRACKER.created,
            )
        return self.clients[name]

    @property
    def main(self) -> ApiClient:
        return self.client("main", self.config.api_key)

    @property
    def alt(self) -> ApiClient | None:
        return self.client("alt", self.config.alt_api_key) if self.config.alt_api_key else None


def run_of(config: pytest.Config) -> Run | None:
    return config.stash.get(STASH_KEY, None)


def _exit(config: pytest.Config, exc: ConfigError) -> None:
    stop_reference(config)
    pytest.exit(f"conformance: {redact(str(exc))}", returncode=exc.exit_code)


def _register_secrets(target: TargetConfig) -> None:
    for secret, variable in target.secret_variables().items():
        register_secret(secret, variable)
    register_sensitive_header(target.auth_header)


def _liveness_probe(target: TargetConfig):
    """The breaker's question: does the target answer its health path at all (any status)?"""

    def probe() -> str:
        try:
            exchange = fetch(f"{target.base_url}{target.profile.health_path}", timeout=min(5.0, target.request_timeout))
        except Exception as exc:  # noqa: BLE001 - any failure means no answer
            return f"no answer ({type(exc).__name__})"
        return f"its answer did not complete ({exchange.cut})" if exchange.cut else ""

    return probe


def configure_worker(config: pytest.Config, options: dict[str, Any]) -> None:
    worker = config.workerinput  # type: ignore[attr-defined]
    options = {**options, "run_id": worker["conformance_run_id"], "seed": worker["conformance_seed"]}
    try:
        target = resolve(options, os.environ)
    except ConfigError as exc:
        _exit(config, exc)
        return
    if target.embedded:
        target = target.with_embedded_target(
            worker["conformance_base_url"], worker["conformance_api_key"], worker["conformance_alt_api_key"])
    target = replace(target, seed_given=bool(worker["conformance_seed_given"]))
    run = Run(target, is_worker=True)
    run.discovery = Discovery.read(Path(worker["conformance_discovery"]))
    config.stash[STASH_KEY] = run
    _register_secrets(target)
    BREAKER.probe = _liveness_probe(target)


def configure_controller(config: pytest.Config, options: dict[str, Any]) -> Run | None:
    options = {**options, "run_id": uuid.uuid4().hex[:12]}
    try:
        target = resolve(options, os.environ)
    except ConfigError as exc:
        _exit(config, exc)
        return None
    if target.seed is None:
        # Deterministic in CI: the same commit sends the same requests. Elsewhere: a fresh seed, printed.
        target = replace(target, seed=CI_SEED if os.environ.get("CI") else random.randrange(2**31))
    run = Run(target)
    config.stash[STASH_KEY] = run
    _install_signal_handlers()
    try:
        if target.embedded:
            from .reference import deployment

            auth_on = target.profile.auth_enabled is not False
            run.reference = deployment.start(auth=auth_on, progress=_progress)
            target = target.with_embedded_target(run.reference.base_url, run.reference.api_key, run.reference.alt_api_key)
            run.config = target
        _register_secrets(target)
        BREAKER.probe = _liveness_probe(target)
        run.discovery = discover(target, run.main, run.alt)
        run.discovery.write(run.run_dir / "discovery.json")
    except ConfigError as exc:
        _exit(config, exc)
    except SuiteError as exc:
        stop_reference(config)
        pytest.exit(f"conformance: the target failed while the suite discovered it: {redact(str(exc))} -- "
                    "check that the deployment is up and answers its health path", returncode=EXIT_SUITE_ERROR)
    return run


def configure_node(node: Any) -> None:
    """pytest-xdist: hand the controller's resolved target to each worker."""
    run = run_of(node.config)
    if run is None:
        return
    node.workerinput.update(
        conformance_run_id=run.config.run_id,
        conformance_seed=run.config.seed,
        conformance_seed_given=run.config.seed_given,
        conformance_base_url=run.config.base_url,
        conformance_api_key=run.config.api_key,
        conformance_alt_api_key=run.config.alt_api_key,
        conformance_discovery=str(run.run_dir / "discovery.json"),
    )


def stop_reference(config: pytest.Config) -> None:
    run = run_of(config)
    if run is not None and run.reference is not None:
        from .reference import deployment

        deployment.stop(run.reference)
        run.reference = None


def _install_signal_handlers() -> None:
    # SIGTERM/SIGHUP take the same path as Ctrl-C: the session ends, cleans up and stops the reference.
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


def header_lines(run: Run) -> list[str]:
    c = run.config
    lines = [
        f"conformance: target {redact(c.base_url or '')} ({'embedded reference' if c.embedded else 'external'}), "
        f"profile {c.profile.name}, run {c.run_id}",
        f"conformance: seed {c.seed} (replay with --seed {c.seed}), budget {c.budget}, {c.examples} examples per operation, "
        f"auth {'on' if c.auth_enabled else 'off'}, second tenant {'yes' if run.capabilities.has('second_tenant') else 'no'}",
    ]
    if run.discovery is not None:
        lines += [f"conformance: {note}" for note in run.discovery.notes]
    lines.append(f"conformance: reports in {c.reports_dir}")
    return lines


def _leftovers_file(run: Run, worker: str) -> Path:
    return run.run_dir / f"cleanup-{worker}.json"


def finish(session: pytest.Session, exitstatus: int) -> None:
    """End of the session: cleanup (workers hand theirs over), then the reports and the exit code."""
    run = run_of(session.config)
    if run is None:
        return
    report = TRACKER.cleanup()
    if run.is_worker:
        worker = session.config.workerinput.get("workerid", "worker")  # type: ignore[attr-defined]
        _leftovers_file(run, worker).write_text(json.dumps(report.to_json()))
        for client in run.clients.values():
            client.close()
        return
    for part in sorted(run.run_dir.glob("cleanup-*.json")):
        data = json.loads(part.read_text())
        report.extend(CleanupReport(data["deleted"], data["leftovers"], data["unknown"]))
    # Last, when every worker is done: whatever carries the run's tag and escaped the tracker
    # (a thread a run created on the fly, say) is found by search and deleted.
    caps = run.capabilities
    skip = {"/runs/crons/search"} if not caps.has("crons") else set()
    if not caps.has("store"):
        skip.add("/store/items/search")
    keys = [run.main] + ([run.alt] if run.alt is not None and caps.has("second_tenant") else [])
    for client in keys:
        report.extend(sweep_tagged(client, run.config.run_id, skip=skip))
    run.cleanup = report
    for client in run.clients.values():
        client.close()
    if BREAKER.open:
        # The target died: the requests that got no answer before the breaker opened were its death
        # throes, not findings about a live target.
        for result in run.results:
            if result.no_answer:
                result.suite_error = True
    from .report import write_area_reports, write_reports

    write_area_reports(run)
    option = session.config.option
    selection = {"areas": option.conformance_area or "", "requirements": option.conformance_requirement or "",
                 "shard": option.conformance_shard or ""}
    code = write_reports(run, getattr(option, "allure_report_dir", None), selection)
    shutil.rmtree(run.run_dir, ignore_errors=True)
    # The breaker stops the session like an interrupt; that is the suite's `error`, not Ctrl-C.
    if BREAKER.open or exitstatus not in (pytest.ExitCode.INTERRUPTED, pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.USAGE_ERROR):
        session.exitstatus = code
