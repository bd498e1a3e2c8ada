"""The foundation, end to end: configuration errors, the embedded reference's lifecycle, the
entry-point plugin, and a full live run against the embedded reference deployment."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from proxy import Fault, FaultProxy, ProxyRequest, ProxyResponse

from conformance.errors import EXIT_CONFIG, EXIT_CREDENTIALS, EXIT_SPEC_INVALID, EXIT_TARGET_UNREACHABLE
from conformance.reference.deployment import free_port
from conftest import ROOT, run_suite


def reference_processes() -> list[str]:
    """Command lines of running reference servers (they run from a conformance-reference-* dir)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cwd = os.readlink(proc / "cwd")
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if "conformance-reference-" in cwd and "defunct" not in cmdline:
            found.append(f"{proc.name}: {cmdline.strip()}")
    return found


def own_reference_processes(before: list[str]) -> list[str]:
    return [p for p in reference_processes() if p not in before]


def start_embedded_run(reports: Path, *args: str) -> tuple[subprocess.Popen, str]:
    """Start the suite against the embedded reference; return once the reference is up."""
    process = subprocess.Popen(
        [sys.executable, "-m", "conformance", "-q", *args, "--reports-dir", str(reports)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    seen = ""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        seen += line
        if "reference: ready at" in line or not line:
            break
    assert "reference: ready at" in seen, seen
    return process, seen


def one_error_line(run, *words: str) -> None:
    assert "Traceback" not in run.output, run.output
    lines = [line for line in run.output.splitlines() if line.startswith("Exit: conformance:")]
    assert len(lines) == 1, run.output
    for word in words:
        assert word in lines[0], lines[0]


def test_an_unreachable_base_url_is_one_line_and_its_own_exit_code(tmp_path):
    port = free_port()
    run = run_suite(f"http://127.0.0.1:{port}", tmp_path / "r")
    assert run.exit_code == EXIT_TARGET_UNREACHABLE, run.output
    one_error_line(run, "unreachable", "--base-url")


def test_an_unknown_profile_is_one_line_and_its_own_exit_code(tmp_path):
    run = run_suite(None, tmp_path / "r", "--profile", "no-such-profile")
    assert run.exit_code == EXIT_CONFIG, run.output
    one_error_line(run, "unknown profile 'no-such-profile'", "reference")


def test_a_malformed_profile_names_its_key_and_line(tmp_path):
    profile = tmp_path / "bad.toml"
    profile.write_text('name = "bad"\n[auth]\nenabled = "yes"\n')
    run = run_suite("http://127.0.0.1:9", tmp_path / "r", "--profile", str(profile))
    assert run.exit_code == EXIT_CONFIG, run.output
    one_error_line(run, "bad.toml:3", "auth.enabled")


def test_a_spec_that_is_not_openapi_3_is_one_line_and_its_own_exit_code(tmp_path, reference):
    spec = tmp_path / "swagger.json"
    spec.write_text(json.dumps({"swagger": "2.0", "info": {"title": "x", "version": "1"}, "paths": {}}))
    run = run_suite(reference.base_url, tmp_path / "r", "--spec", str(spec), api_key=reference.api_key)
    assert run.exit_code == EXIT_SPEC_INVALID, run.output
    one_error_line(run, "not OpenAPI 3.x", "swagger: 2.0")


class SpecNeedsKey(Fault):
    name = "spec-needs-key"
    description = "the spec is protected like every other route"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if request.path == "/openapi.json" and "x-api-key" not in request.headers:
            return ProxyResponse(401, {"content-type": "application/json"}, b'{"detail": "Missing API key"}')
        return None


def test_a_401_on_the_spec_fetch_names_the_missing_credential(tmp_path, reference):
    with FaultProxy(reference.base_url, SpecNeedsKey()) as proxy:
        run = run_suite(proxy.url, tmp_path / "r")
    assert run.exit_code == EXIT_CREDENTIALS, run.output
    one_error_line(run, "401", "--api-key")


def test_the_command_collects_only_the_conformance_suite_wherever_it_runs(tmp_path, reference):
    out = subprocess.run(
        [sys.executable, "-m", "conformance", "--base-url", reference.base_url, f"--api-key={reference.api_key}",
         "--reports-dir", str(tmp_path), "--", "--collect-only", "-q"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    collected = [line for line in out.stdout.splitlines() if "::" in line]
    assert collected and all("conformance/suites/test_" in line for line in collected), out.stdout


def test_plain_pytest_from_the_repo_root_runs_the_suite_with_namespaced_options(tmp_path, reference):
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", f"--conformance-base-url={reference.base_url}",
         f"--conformance-api-key={reference.api_key}", f"--conformance-reports-dir={tmp_path}"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    collected = [line for line in out.stdout.splitlines() if "::" in line]
    assert collected and all(line.startswith("conformance/suites/") for line in collected), out.stdout


def test_a_full_live_run_against_the_embedded_reference_passes_and_leaves_nothing_running(tmp_path):
    """The README's first command, minus tox: no base URL, the embedded reference, a pass,
    reports in a folder outside the repo given as `--reports-dir DIR` (with a space)."""
    before = reference_processes()
    run = run_suite(None, tmp_path / "reports")
    assert run.exit_code == 0, run.output[-6000:]
    assert run.summary["verdict"] == "pass"
    junit = ET.parse(tmp_path / "reports" / "junit.xml").getroot()
    assert int(junit.find("testsuite").get("tests")) > 0
    assert "reference: ready at http://127.0.0.1:" in run.output
    assert ":2024" not in run.output
    assert not own_reference_processes(before)


def test_a_failing_run_stops_the_reference_too(tmp_path):
    before = reference_processes()
    spec = json.loads((ROOT / "conformance/specs/langgraph-api-0.16.7.json").read_text())
    spec["paths"].pop("/threads")
    spec_file = tmp_path / "spec.json"
    spec_file.write_text(json.dumps(spec))
    run = run_suite(None, tmp_path / "r", "--area", "smoke", "--spec", str(spec_file))
    assert run.exit_code == 1, run.output[-4000:]
    assert run.outcome("SMOKE-003") == "fail"
    assert not own_reference_processes(before)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_an_interrupted_run_stops_the_reference(tmp_path, sig):
    before = reference_processes()
    process, seen = start_embedded_run(tmp_path)
    time.sleep(1.0)
    process.send_signal(sig)
    try:
        process.wait(timeout=60)
    finally:
        process.kill()
    time.sleep(0.5)
    assert not own_reference_processes(before), seen


def test_a_killed_run_does_not_orphan_the_reference(tmp_path):
    """SIGKILL gives the suite no chance to clean up: the server must notice on its own."""
    before = reference_processes()
    process, seen = start_embedded_run(tmp_path, "--area", "smoke")
    process.kill()
    process.wait(timeout=10)
    for _ in range(40):  # the server's own shutdown takes a moment
        if not own_reference_processes(before):
            break
        time.sleep(0.25)
    assert not own_reference_processes(before)


def test_the_suite_deletes_what_it_created(reference, suite):
    """A guest on someone's deployment: nothing tagged with the run's id survives the run."""
    import httpx

    run = suite(reference.base_url, "--area", "smoke,contract,runs,store,pagination,isolation", "--budget", "quick", "--examples", "3")
    assert run.summary is not None, run.output[-3000:]
    run_id = run.summary["run"]["id"]
    assert run.summary["cleanup"]["leftovers"] == []
    tag = {"conformance_run": run_id}
    for key in (reference.api_key, reference.alt_api_key):
        headers = {"X-Api-Key": key}
        for path in ("/threads/search", "/assistants/search", "/runs/crons/search"):
            found = httpx.post(f"{reference.base_url}{path}", json={"metadata": tag, "limit": 100}, headers=headers, timeout=30)
            assert found.status_code == 200 and found.json() == [], f"{path} still lists {found.text[:500]}"
        # The official server keeps listing a namespace after its last item is deleted: look for items.
        namespaces = httpx.post(f"{reference.base_url}/store/namespaces", json={"limit": 1000}, headers=headers, timeout=30)
        ours = [ns[1:] for ns in namespaces.json()["namespaces"] if any(run_id in label for label in ns)]
        for namespace in ours:
            items = httpx.post(
                f"{reference.base_url}/store/items/search", json={"namespace_prefix": namespace, "limit": 100},
                headers=headers, timeout=30,
            )
            assert items.status_code == 200 and items.json()["items"] == [], items.text[:500]


def test_with_auth_off_the_auth_requirements_read_not_claimed_and_the_run_passes(tmp_path):
    """The second bundled profile: the embedded reference with auth off."""
    from conformance.catalogue import CATALOGUE

    run = run_suite(None, tmp_path / "r", "--profile", "reference-noauth", "--area", "smoke,auth,isolation")
    assert run.exit_code == 0, run.output[-4000:]
    assert "auth off" in run.output
    for rid, req in CATALOGUE.items():
        if req.area in ("auth", "isolation"):
            assert run.outcome(rid) == "not-claimed", (rid, run.outcome(rid))
    assert run.outcome("SMOKE-004") == "pass"
