"""The project's own tests: they run the conformance suite (in a subprocess, as a user would)
against the real official server started here, directly or behind the fault-injecting proxy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # `import proxy`, `import faults`


@dataclass
class SuiteRun:
    exit_code: int
    summary: dict[str, Any] | None
    output: str
    reports_dir: Path

    def outcome(self, requirement: str) -> str:
        assert self.summary is not None, f"no summary.json was written:\n{self.output[-3000:]}"
        for entry in self.summary["requirements"]:
            if entry["id"] == requirement:
                return entry["outcome"]
        raise KeyError(requirement)

    def outcomes(self) -> dict[str, str]:
        assert self.summary is not None, f"no summary.json was written:\n{self.output[-3000:]}"
        return {e["id"]: e["outcome"] for e in self.summary["requirements"]}

    def failing(self, level: str | None = None) -> set[str]:
        assert self.summary is not None, f"no summary.json was written:\n{self.output[-3000:]}"
        return {
            e["id"] for e in self.summary["requirements"]
            if e["outcome"] in ("fail", "error") and (level is None or e["level"] == level)
        }


def run_suite(
    base_url: str | None,
    reports_dir: Path,
    *args: str,
    api_key: str | None = None,
    alt_api_key: str | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 600,
) -> SuiteRun:
    """Run the conformance suite exactly as a user runs it: the `langgraph-conformance` command."""
    command = [sys.executable, "-m", "conformance", "--reports-dir", str(reports_dir)]
    if base_url:
        command += ["--base-url", base_url]
    if api_key:
        command += [f"--api-key={api_key}"]  # a key may start with "-"
    if alt_api_key:
        command += [f"--alt-api-key={alt_api_key}"]
    command += [*args, "-q"]
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("CONFORMANCE_", "PYTEST_XDIST", "LANGGRAPH_API_KEY"))}
    full_env.pop("PYTEST_CURRENT_TEST", None)
    if "CONFORMANCE_CACHE_DIR" in os.environ:
        full_env["CONFORMANCE_CACHE_DIR"] = os.environ["CONFORMANCE_CACHE_DIR"]
    full_env.update(env or {})
    done = subprocess.run(
        command, cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
    )
    summary_path = reports_dir / "summary.json"
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else None
    return SuiteRun(done.returncode, summary, done.stdout + done.stderr, reports_dir)


@dataclass
class Reference:
    base_url: str
    api_key: str | None
    alt_api_key: str | None


@pytest.fixture(scope="session")
def reference() -> Iterator[Reference]:
    """The official server with auth on and two tenants, started once per test process."""
    from conformance.reference import deployment

    server = deployment.start(auth=True, progress=lambda m: None)
    try:
        yield Reference(server.base_url, server.api_key, server.alt_api_key)
    finally:
        deployment.stop(server)


@pytest.fixture
def suite(tmp_path: Path, reference: Reference):
    """`suite(base_url, *args)` runs the conformance suite with the reference's keys."""

    counter = iter(range(1000))

    def go(base_url: str, *args: str, keys: bool = True, profile: str = "reference-app", **kw: Any) -> SuiteRun:
        reports = tmp_path / f"reports-{next(counter)}"
        return run_suite(
            base_url, reports, "--profile", profile, *args,
            api_key=reference.api_key if keys else None,
            alt_api_key=reference.alt_api_key if keys else None,
            **kw,
        )

    return go


DETECTIONS_ENV = "SELF_VERIFICATION_DETECTIONS"


def pytest_configure(config: pytest.Config) -> None:
    # Detections are made in xdist workers; they append to one file the controller reads at the end.
    if not hasattr(config, "workerinput") and DETECTIONS_ENV not in os.environ:
        import tempfile

        handle, path = tempfile.mkstemp(prefix="self-verification-", suffix=".jsonl")
        os.close(handle)
        os.environ[DETECTIONS_ENV] = path


def record_detection(fault: str, requirement: str, detected: bool) -> None:
    path = os.environ.get(DETECTIONS_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps([fault, requirement, detected]) + "\n")


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """The self-verification figures: faults detected / injected, requirements covered."""
    path = os.environ.get(DETECTIONS_ENV)
    if hasattr(config, "workerinput") or not path or not os.path.exists(path):
        return
    with open(path, encoding="utf-8") as lines:
        detections = [json.loads(line) for line in lines if line.strip()]
    os.unlink(path)
    os.environ.pop(DETECTIONS_ENV, None)
    if not detections:
        return
    from faults import FAULTS, UNREACHABLE

    from conformance.catalogue import CATALOGUE

    detected = sum(1 for _, _, ok in detections if ok)
    covered = {req for _, req, ok in detections if ok}
    terminalreporter.section("self-verification", sep="=")
    terminalreporter.write_line(f"faults detected / injected: {detected} / {len(detections)} (catalogue of {len(FAULTS)} faults)")
    terminalreporter.write_line(
        f"requirements covered by a detected fault / in the catalogue: {len(covered)} / {len(CATALOGUE)} "
        f"({len(UNREACHABLE)} listed as unreachable by a proxy fault)"
    )
