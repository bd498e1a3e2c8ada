"""`langgraph-conformance benchmark`: how fast the suite is, in figures and ratios, against the
embedded reference (a command that prints, never a timed test that asserts).

In one run, on one reference server:
- the suite's contract area: generated requests, the time its tests took, requests per second;
- the plain schemathesis CLI over the same operations and examples: cases and cases per second;
- the server's one-client ceiling: one keep-alive httpx client in a tight loop, for a cheap
  request (GET /ok) and a typical one (POST /threads/search);
- the ratios suite/CLI and suite/ceiling;
- the wall time of each budget's full run (the reference's start included: each starts its own).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Sequence

import httpx

# The operations the suite does not send generated calls to (its own exclusions and the errata's):
# the CLI is told to leave them out too, so both exercise the same operations.
EXCLUDED_PATHS = ("/mcp/", "/a2a/{assistant_id}", "/threads/{thread_id}/stream", "/threads/{thread_id}/commands")


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("CONFORMANCE_", "PYTEST_"))}


def suite_contract(base_url: str, key: str, alt: str, examples: int, budget: str, seed: int) -> dict[str, Any]:
    reports = Path(tempfile.mkdtemp(prefix="conformance-bench-"))
    env = {**_env(), "CONFORMANCE_API_KEY": key, "CONFORMANCE_ALT_API_KEY": alt}
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "conformance", "--base-url", base_url, "--profile", "reference-app", "--area", "contract",
                    "--examples", str(examples), "--budget", budget, "--seed", str(seed), f"--reports-dir={reports}", "-q"],
                   env=env, capture_output=True, text=True, check=False)
    wall = time.monotonic() - started
    contract = json.loads((reports / "contract.json").read_text())
    summary = json.loads((reports / "summary.json").read_text())
    requests = sum(sum(modes.values()) for modes in contract["exercised"].values()) + contract.get("stateful_steps", 0)
    per_operation = [r for r in summary["results"] if "test_every_operation_answers" in r["nodeid"] or "linked_operation" in r["nodeid"]]
    seconds = sum(r["duration"] for r in per_operation)
    return {"requests": requests, "test_seconds": seconds, "wall_seconds": wall, "rate": requests / seconds if seconds else 0.0}


def schemathesis_cli(base_url: str, key: str, examples: int, seed: int) -> dict[str, Any]:
    """The plain CLI, default phases without stateful, same operations and examples, one worker."""
    command = [str(Path(sys.executable).with_name("st")), "run", f"{base_url}/openapi.json", "--url", base_url,
               "-H", f"X-Api-Key: {key}", "--max-examples", str(examples), "--seed", str(seed),
               "--phases", "examples,coverage,fuzzing", "--workers", "1", "--no-shrink",
               "--generation-allow-x00", "false", "--exclude-path", "/runs/cancel"]
    for path in EXCLUDED_PATHS:
        command += ["--exclude-path", path]
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="conformance-benchmark-") as scratch:  # its .schemathesis/ cache lands there
        done = subprocess.run(command, env=_env(), capture_output=True, text=True, check=False, cwd=scratch)
    seconds = time.monotonic() - started
    found = re.search(r"(\d+) generated", done.stdout)  # "Test cases: N generated, ..."
    cases = int(found.group(1)) if found else 0
    return {"cases": cases, "seconds": seconds, "rate": cases / seconds if seconds else 0.0, "exit_code": done.returncode}


def ceiling(base_url: str, key: str, seconds: float) -> dict[str, float]:
    """Requests per second one keep-alive client gets from the server, for a cheap and a typical request."""
    out = {}
    with httpx.Client(base_url=base_url, headers={"X-Api-Key": key}, timeout=10) as client:
        for name, send in (("GET /ok", lambda: client.get("/ok")),
                           ("POST /threads/search", lambda: client.post("/threads/search", json={"limit": 10}))):
            send()
            count, started = 0, time.monotonic()
            while time.monotonic() - started < seconds:
                send()
                count += 1
            out[name] = count / (time.monotonic() - started)
    return out


def budget_wall_time(budget: str) -> tuple[float, str]:
    """A whole run with this budget against a reference it starts itself (its start included)."""
    reports = Path(tempfile.mkdtemp(prefix=f"conformance-bench-{budget}-"))
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "conformance", "--budget", budget, "--seed", "1", f"--reports-dir={reports}", "-q"],
                   env=_env(), capture_output=True, text=True, check=False)
    wall = time.monotonic() - started
    summary = reports / "summary.json"
    verdict = json.loads(summary.read_text())["verdict"] if summary.is_file() else "no summary"
    return wall, verdict


def main(argv: Sequence[str]) -> int:
    from .reference import deployment

    parser = argparse.ArgumentParser(prog="langgraph-conformance benchmark", description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=10, help="generated examples per operation (both tools)")
    parser.add_argument("--seconds", type=float, default=3.0, help="how long each ceiling loop runs")
    parser.add_argument("--budgets", default="quick,default", help="budgets whose full runs are timed (thorough takes minutes)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    print("benchmark: starting the reference (auth on, two tenants)", flush=True)
    server = deployment.start(auth=True, progress=lambda m: None)
    try:
        suite = suite_contract(server.base_url, server.api_key, server.alt_api_key, args.examples, "default", args.seed)
        cli = schemathesis_cli(server.base_url, server.api_key, args.examples, args.seed)
        top = ceiling(server.base_url, server.api_key, args.seconds)
    finally:
        deployment.stop(server)
    walls = {budget: budget_wall_time(budget) for budget in args.budgets.split(",") if budget}

    print(f"\n{'':34}{'requests':>10}{'seconds':>10}{'per second':>12}")
    print(f"{'suite, contract area':34}{suite['requests']:>10}{suite['test_seconds']:>10.1f}{suite['rate']:>12.1f}"
          f"   (wall {suite['wall_seconds']:.1f} s with start-up and discovery)")
    print(f"{'schemathesis CLI, same operations':34}{cli['cases']:>10}{cli['seconds']:>10.1f}{cli['rate']:>12.1f}")
    for name, rate in top.items():
        print(f"{'ceiling, one client, ' + name:34}{'':>10}{args.seconds:>10.1f}{rate:>12.1f}")
    typical = top.get("POST /threads/search") or 0.0
    print(f"\nratios: suite / CLI per request = {suite['rate'] / cli['rate']:.2f}x" if cli["rate"] else "\nratios: the CLI sent nothing")
    if typical:
        print(f"        suite / ceiling (POST /threads/search) = {suite['rate'] / typical:.0%}")
    for budget, (wall, verdict) in walls.items():
        print(f"budget {budget:9} full run, reference start included: {wall:6.1f} s (verdict {verdict})")
    return 0
