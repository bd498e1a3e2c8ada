"""Same seed, same run: generated requests replay exactly (also in CI), and a run split over
xdist workers or over shards gives the outcomes of the serial run, requirement by requirement."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT

AREAS = ("--area", "smoke,contract,store,pagination", "--budget", "quick")
# The contract area's assistant operations stand for all of it (generation, derived ids, one contract.json).
SOME_CONTRACT = ("-k", "not test_02_contract or assistants")
CONTRACT = ("--area", "contract", "--budget", "quick", "-k", "assistants")


def _digests(run) -> dict[str, str]:
    return json.loads((run.reports_dir / "contract.json").read_text())["requests"]


def test_with_ci_set_the_same_seed_sends_the_same_generated_requests_and_another_seed_others(suite, reference):
    ci = {"CI": "true"}
    first = suite(reference.base_url, *CONTRACT, "--seed", "7", env=ci)
    second = suite(reference.base_url, *CONTRACT, "--seed", "7", env=ci)
    other = suite(reference.base_url, *CONTRACT, "--seed", "8", env=ci)
    assert first.summary["run"]["seed"] == 7 and _digests(first), first.output[-3000:]
    assert _digests(first) == _digests(second)
    differing = [op for op, digest in _digests(first).items() if _digests(other).get(op) != digest]
    assert len(differing) > len(_digests(first)) // 2, "another seed sends other requests"


def test_serial_xdist_and_merged_shards_give_the_same_outcomes(suite, reference, tmp_path):
    serial = suite(reference.base_url, *AREAS, *SOME_CONTRACT, "--seed", "3")
    parallel = suite(reference.base_url, *AREAS, *SOME_CONTRACT, "--seed", "3", "-n", "2")
    shards = [suite(reference.base_url, *AREAS, *SOME_CONTRACT, "--seed", "3", "--shard", f"{i}/2") for i in (1, 2)]
    merged_dir = tmp_path / "merged"
    merged = subprocess.run([sys.executable, "-m", "conformance", "merge", *(str(s.reports_dir / "summary.json") for s in shards),
                             "--reports-dir", str(merged_dir)], cwd=ROOT, capture_output=True, text=True)
    assert merged.returncode == serial.exit_code, merged.stdout + merged.stderr
    merged_summary = json.loads((merged_dir / "summary.json").read_text())
    outcomes = {e["id"]: e["outcome"] for e in merged_summary["requirements"]}
    assert serial.outcomes() == parallel.outcomes() == outcomes
    assert serial.summary["verdict"] == parallel.summary["verdict"] == merged_summary["verdict"]
    # Each shard ran a part, and together every test once.
    ran = [{r["nodeid"] for r in s.summary["results"]} for s in shards]
    assert ran[0] and ran[1] and not ran[0] & ran[1]
    assert ran[0] | ran[1] == {r["nodeid"] for r in serial.summary["results"]}
    # One contract.json under xdist, with every operation's record.
    assert set(_digests(parallel)) == set(_digests(serial))
    assert (merged_dir / "junit.xml").is_file() and (merged_dir / "report.html").is_file()
