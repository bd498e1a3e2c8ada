"""The suite as a user installs it: from a wheel, into an environment that has other pytest
plugins, run from any directory with the installed command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

NEIGHBOURS = ("pytest-base-url", "pytest-profiling", "pytest-randomly")


def _run(command: list[str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CONFORMANCE_", "PYTEST_", "VIRTUAL_ENV"))}
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env, stdin=subprocess.DEVNULL)


def test_the_wheel_installs_beside_other_plugins_and_runs_from_an_empty_directory(tmp_path, reference):
    dist = tmp_path / "dist"
    built = _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dist), str(ROOT)], tmp_path)
    assert built.returncode == 0, built.stdout + built.stderr
    wheel = next(dist.glob("langgraph_conformance-*.whl"))
    venv = tmp_path / "venv"
    assert _run([sys.executable, "-m", "venv", str(venv)], tmp_path).returncode == 0
    python, pip = venv / "bin" / "python", [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    installed = _run([*pip, str(wheel), *NEIGHBOURS], tmp_path, timeout=900)
    assert installed.returncode == 0, installed.stdout + installed.stderr

    # Someone else's tests in the same environment: untouched by the suite (no entry point, no option clash).
    project = tmp_path / "project"
    project.mkdir()
    # pytest-base-url leaves base_url unset (None, or "" from its ini default): the suite does not set it.
    (project / "test_theirs.py").write_text("def test_theirs(base_url):\n    assert not base_url\n")
    theirs = _run([str(python), "-m", "pytest", "-q", "-p", "no:randomly"], project)
    assert theirs.returncode == 0 and "1 passed" in theirs.stdout, theirs.stdout + theirs.stderr

    # The suite, with the installed command, from an empty directory.
    empty = tmp_path / "empty"
    empty.mkdir()
    run = _run([str(venv / "bin" / "langgraph-conformance"), "--base-url", reference.base_url, f"--api-key={reference.api_key}",
                f"--alt-api-key={reference.alt_api_key}", "--profile", "reference-app", "--area", "smoke",
                "--reports-dir", "out"], empty)
    summary = empty / "out" / "summary.json"
    assert summary.is_file(), run.stdout[-3000:] + run.stderr[-3000:]
    assert json.loads(summary.read_text())["verdict"] == "pass" and run.returncode == 0, run.stdout[-3000:]
    assert {p.name for p in (empty / "out").iterdir()} >= {"summary.json", "report.html", "junit.xml", "allure-results"}
    assert sorted(p.name for p in empty.iterdir()) == ["out"], "nothing written outside the reports folder"
    listed = _run([str(venv / "bin" / "langgraph-conformance"), "explain", "AUTH-003"], empty)
    assert listed.returncode == 0 and "AUTH-003 (MUST, auth)" in listed.stdout, listed.stdout + listed.stderr


def test_no_module_reads_or_writes_a_private_attribute_of_pytest():
    import re

    offenders = []
    for path in sorted((ROOT / "conformance").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for pattern in (r"from _pytest", r"import _pytest", r"config\._\w+", r"early_config\._\w+", r"session\._\w+"):
            if re.search(pattern, text):
                offenders.append(f"{path.relative_to(ROOT)}: {pattern}")
    assert not offenders, offenders
