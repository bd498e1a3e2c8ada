"""The reports the three users read, from real runs of the suite against the official server:
the CI gate (junit.xml, exit codes), the vendor (report.html, summary.json, Allure results) and
the nightly job (--baseline, --fail-on regression). Runs are small: the smoke area, 3 examples."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import tempfile
import zlib
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import jsonschema
import pytest
from proxy import Fault, FaultProxy, ProxyRequest, ProxyResponse

from conformance.errors import EXIT_CONFIG, EXIT_INCOMPLETE, EXIT_SUITE_ERROR
from conformance.report import SCHEMA_PATH
from conftest import ROOT, SuiteRun, run_suite

FAST = ("--area", "smoke", "--examples", "3", "--seed", "3", "--profile", "reference-app")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


class HealthLeaksTheKey(Fault):
    """Breaks SMOKE-001 (MUST) and SMOKE-002 (SHOULD), echoing the caller's key in the bodies:
    the reports must still never contain it."""

    name = "health-and-info-leak-the-key"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        key = request.headers.get("x-api-key", "")
        if request.matches("GET", "/ok"):
            return ProxyResponse(503, {"content-type": "application/json", "x-echo": key}, json.dumps({"ok": False, "key": key}).encode())
        if request.matches("GET", "/info"):
            return ProxyResponse(200, {"content-type": "text/plain"}, f"who: {key}".encode())
        return None


class InfoBroken(Fault):
    name = "info-not-json"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        if request.matches("GET", "/info"):
            return ProxyResponse(200, {"content-type": "text/plain"}, b"version: unknown")
        return response


class DiesAfterStart(Fault):
    """Answers the suite's discovery of the target, then drops every connection (its health path's too)."""

    name = "dies-after-start"
    discovery = (("GET", "/ok"), ("GET", "/openapi.json"), ("GET", "/info"), ("POST", "/threads/search"))

    def __init__(self) -> None:
        self.dead = False

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if not self.dead and (request.method, request.path) in self.discovery:
            return None
        self.dead = True
        raise ConnectionAbortedError("proxy: the target died")  # the handler closes without answering


class HidesTheGraphs(Fault):
    """A deployment whose key sees no assistant and may create none: no graph to run."""

    name = "hides-the-graphs"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if request.matches("POST", "/assistants/search"):
            return ProxyResponse(200, {"content-type": "application/json"}, b"[]")
        if request.matches("POST", "/assistants"):
            return ProxyResponse(403, {"content-type": "application/json"}, b'{"detail": "forbidden"}')
        return None


@pytest.fixture(scope="module")
def runs(reference, tmp_path_factory):
    """A baseline run straight at the server, then one behind a fault with --baseline on it."""
    base = tmp_path_factory.mktemp("reports")
    keys = {"api_key": reference.api_key, "alt_api_key": reference.alt_api_key}
    baseline = run_suite(reference.base_url, base / "baseline", *FAST, **keys)
    with FaultProxy(reference.base_url, HealthLeaksTheKey()) as proxy:
        faulty = run_suite(proxy.url, base / "faulty", *FAST, "--baseline", str(base / "baseline" / "summary.json"), **keys)
    return {"baseline": baseline, "faulty": faulty, "base": base, "keys": keys}


# --- the four artefacts ---------------------------------------------------------------------


def test_one_run_leaves_junit_summary_html_and_allure_results(runs):
    run: SuiteRun = runs["baseline"]
    assert run.exit_code == 0, run.output[-3000:]
    reports = run.reports_dir
    cases = ElementTree.parse(reports / "junit.xml").getroot().findall(".//testcase")
    assert cases, "junit.xml has no test case"
    for case in cases:
        ids = [p.get("value") for p in case.findall("./properties/property") if p.get("name") == "requirement"]
        assert ids and all(rid.startswith("SMOKE-") for rid in ids), ElementTree.tostring(case)

    jsonschema.validate(run.summary, json.loads(SCHEMA_PATH.read_text()), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    assert run.summary["verdict"] == "pass" and run.summary["target"]["spec_title"]

    results = [json.loads(p.read_text()) for p in (reports / "allure-results").glob("*-result.json")]
    assert len(results) == len(cases), "one Allure result per test"
    for result in results:
        labels = {(label["name"], label["value"]) for label in result["labels"]}
        assert ("area", "smoke") in labels and any(name == "requirement" for name, _ in labels), labels
    environment = (reports / "allure-results" / "environment.properties").read_text()
    assert f"run_id = {run.summary['run']['id']}" in environment


def test_the_summary_lists_every_requirement_with_its_tests(runs):
    summary = runs["baseline"].summary
    smoke = [e for e in summary["requirements"] if e["area"] == "smoke"]
    assert smoke and all(e["outcome"] == "pass" and e["tests"] for e in smoke)
    others = [e for e in summary["requirements"] if e["area"] != "smoke"]
    assert all(e["outcome"] == "not-selected" and e["reason"] for e in others), "unselected areas read not selected, with a reason"


# --- report.html in a real browser ----------------------------------------------------------


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("style", "script", "head")

    def handle_endtag(self, tag):
        self._skip -= tag in ("style", "script", "head")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


def _chromium(html: Path, *args: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
             f"--user-data-dir={profile}", *args, html.as_uri()],
            capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
        )


def _pixel(png: bytes, x: int, y: int) -> tuple[int, int, int]:
    """One RGB pixel of an 8-bit, non-interlaced PNG (what Chromium writes)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        chunk = png[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, _, depth, colour, *_ = struct.unpack(">IIBBBBB", chunk)
            assert depth == 8 and colour in (2, 6), (depth, colour)
            bpp = 4 if colour == 6 else 3
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw, stride, prev = zlib.decompress(idat), width * bpp, bytearray(width * bpp)
    for row in range(y + 1):
        kind, line = raw[row * (stride + 1)], bytearray(raw[row * (stride + 1) + 1:(row + 1) * (stride + 1)])
        for i in range(stride):
            a, b, c = (line[i - bpp] if i >= bpp else 0), prev[i], (prev[i - bpp] if i >= bpp else 0)
            p = a + b - c
            predictor = (0, a, b, (a + b) // 2, a if abs(p - a) <= min(abs(p - b), abs(p - c)) else (b if abs(p - b) <= abs(p - c) else c))[kind]
            line[i] = (line[i] + predictor) & 0xFF
        prev = line
    return tuple(prev[x * bpp:x * bpp + 3])


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (Debian: apt-get install chromium)")
@pytest.mark.parametrize("which", ["baseline", "faulty"])
def test_report_html_renders_offline_in_chromium_and_shows_what_the_summary_says(runs, which):
    run: SuiteRun = runs[which]
    html, summary = run.reports_dir / "report.html", run.summary
    dom = _chromium(html, "--dump-dom")
    assert dom.returncode == 0 and "<main>" in dom.stdout, dom.stderr[-2000:]
    parser = _Text()
    parser.feed(dom.stdout)
    text = parser.text
    assert text.startswith(summary["verdict"].upper()), text[:200]
    assert summary["target"]["base_url"] in text and summary["run"]["id"] in text
    for entry in summary["requirements"]:
        assert entry["id"] in text and " ".join(entry["statement"].split()) in text, entry["id"]
    for row in summary["areas"]:
        if row["must"]["judged"]:
            assert f"{row['must']['passed']}/{row['must']['judged']}" in text
    for entry in summary["requirements"]:
        if entry["outcome"] == "fail":
            assert " ".join(entry["reproduction"].split()) in text, "each failure shows its reproduction"
    if "regression" in summary:
        assert "Since the baseline" in text

    shot = run.reports_dir.parent / f"{which}-screenshot.png"
    done = _chromium(html, f"--screenshot={shot}", "--window-size=1280,1600", "--hide-scrollbars")
    assert done.returncode == 0 and shot.is_file(), done.stderr[-2000:]
    png = shot.read_bytes()
    assert struct.unpack(">II", png[16:24]) == (1280, 1600)
    red, green, blue = _pixel(png, 120, 60)  # inside the verdict banner at the top
    if summary["verdict"] == "pass":
        assert green > red + 40 and green > blue, (red, green, blue)
    else:
        assert red > green + 40 and red > blue, (red, green, blue)


# --- the nightly job: regression against a baseline -----------------------------------------


def test_the_second_run_names_exactly_the_newly_failing_requirements(runs):
    faulty: SuiteRun = runs["faulty"]
    assert faulty.exit_code == 1, faulty.output[-3000:]
    regression = faulty.summary["regression"]
    assert regression["newly_failing"] == ["SMOKE-001", "SMOKE-002"]
    assert regression["newly_fixed"] == [] and regression["changed"] == []
    assert set(regression["unchanged"]) == {e["id"] for e in faulty.summary["requirements"]} - {"SMOKE-001", "SMOKE-002"}
    assert "newly failing: SMOKE-001, SMOKE-002" in faulty.output
    jsonschema.validate(faulty.summary, json.loads(SCHEMA_PATH.read_text()))


def test_fail_on_regression_passes_when_the_failures_are_old_and_lists_the_fixed(runs, reference):
    with FaultProxy(reference.base_url, InfoBroken()) as proxy:
        run = run_suite(
            proxy.url, runs["base"] / "nightly", *FAST, "--baseline", str(runs["faulty"].reports_dir / "summary.json"),
            "--fail-on", "regression", **runs["keys"],
        )
    assert run.exit_code == 0, run.output[-3000:]
    assert run.outcome("SMOKE-002") == "fail"  # still failing, but not new
    assert run.summary["regression"]["newly_failing"] == []
    assert run.summary["regression"]["newly_fixed"] == ["SMOKE-001"]


# --- credentials ----------------------------------------------------------------------------


def test_no_report_file_contains_an_api_key(runs):
    faulty: SuiteRun = runs["faulty"]
    attachments = list((faulty.reports_dir / "allure-results").glob("*-attachment*"))
    assert attachments, "the failures' exchanges are attached to their Allure results"
    assert any("[REDACTED]" in p.read_text(errors="replace") for p in attachments)
    keys = [k for k in runs["keys"].values() if k]
    assert keys
    checked = 0
    for path in runs["base"].rglob("*"):
        if path.is_file() and path.suffix != ".png":
            data = path.read_bytes()
            checked += 1
            for key in keys:
                assert key.encode() not in data, f"{path} contains an API key"
    assert checked > 10


# --- exit codes and known deviations --------------------------------------------------------


def test_known_deviations_read_as_such_and_a_passing_one_is_flagged_fixed(reference, tmp_path):
    profile = tmp_path / "vendor.toml"
    profile.write_text(
        (ROOT / "profiles" / "reference-app.toml").read_text()
        + '\n[known_deviations]\n"SMOKE-001" = {reason = "health is 503 while warming up", link = "https://example.org/1"}\n'
        + '"SMOKE-003" = {reason = "spec once lacked /store"}\n'
    )
    with FaultProxy(reference.base_url, HealthLeaksTheKey()) as proxy:
        run = run_suite(
            proxy.url, tmp_path / "reports", "--area", "smoke", "--examples", "3", "--profile", str(profile),
            "--fail-on", "should", api_key=reference.api_key, alt_api_key=reference.alt_api_key,
        )
    assert run.outcome("SMOKE-001") == "known-deviation"
    entry = next(e for e in run.summary["requirements"] if e["id"] == "SMOKE-001")
    assert entry["deviations"][0]["link"] == "https://example.org/1" and entry["reproduction"].startswith("curl")
    assert run.outcome("SMOKE-003") == "fixed?"
    assert "FIXED? SMOKE-003" in run.output
    assert run.exit_code == 1, "--fail-on should: the failing SHOULD (SMOKE-002) is fatal"
    assert run.summary["verdict"] == "fail"
    html = (tmp_path / "reports" / "report.html").read_text()
    assert "Known deviations" in html and "health is 503 while warming up" in html


def test_a_target_that_dies_mid_run_gives_error_outcomes_and_the_suite_error_exit_code(reference, tmp_path):
    with FaultProxy(reference.base_url, DiesAfterStart()) as proxy:
        run = run_suite(proxy.url, tmp_path / "reports", *FAST, api_key=reference.api_key, alt_api_key=reference.alt_api_key)
    assert run.exit_code == EXIT_SUITE_ERROR, run.output[-3000:]
    assert run.summary["verdict"] == "error" and run.outcome("SMOKE-004") == "error"
    assert not run.failing() - {e["id"] for e in run.summary["requirements"] if e["outcome"] == "error"}


def test_report_options_are_checked_before_any_test(reference, tmp_path):
    bad = tmp_path / "not-a-summary.json"
    bad.write_text("[1, 2]")
    for args in (("--fail-on", "regression"), ("--baseline", str(bad))):
        run = run_suite(reference.base_url, tmp_path / "reports", *FAST, *args, api_key=reference.api_key)
        assert run.exit_code == EXIT_CONFIG, run.output[-2000:]
        assert "conformance:" in run.output and run.summary is None


def _unjudged_musts(run: SuiteRun) -> dict[str, str]:
    return {e["id"]: e.get("fix", "") for e in run.summary["not_judged"]}


def test_a_must_not_judged_reads_incomplete_with_what_would_judge_it_and_passes_once_given(reference, tmp_path):
    args = ("--area", "isolation", "--examples", "3", "--profile", "reference-app")
    without = run_suite(reference.base_url, tmp_path / "without", *args, api_key=reference.api_key)
    assert without.exit_code == EXIT_INCOMPLETE and without.summary["verdict"] == "incomplete", without.output[-3000:]
    unjudged = _unjudged_musts(without)
    assert {"ISO-001", "ISO-003"} <= set(unjudged), unjudged
    assert all("--alt-api-key" in fix for fix in unjudged.values()), unjudged
    assert "INCOMPLETE" in without.output.upper() and "ISO-001" in without.output  # the terminal names them too
    given = run_suite(reference.base_url, tmp_path / "given", *args, api_key=reference.api_key, alt_api_key=reference.alt_api_key)
    assert given.exit_code == 0 and given.summary["verdict"] == "pass", given.output[-3000:]


def test_a_target_with_no_graph_to_run_reads_incomplete_and_names_the_graph_it_needs(reference, tmp_path):
    with FaultProxy(reference.base_url, HidesTheGraphs()) as proxy:
        run = run_suite(proxy.url, tmp_path / "reports", "--area", "smoke,runs", "--profile", "generic",
                        api_key=reference.api_key, alt_api_key=reference.alt_api_key)
    assert run.exit_code == EXIT_INCOMPLETE and run.summary["verdict"] == "incomplete", run.output[-3000:]
    unjudged = _unjudged_musts(run)
    assert {"SMOKE-004", "RUNS-001"} <= set(unjudged), unjudged
    assert all(fix for fix in unjudged.values()), unjudged
    assert any("--graph-id" in fix for fix in unjudged.values()), unjudged
    assert not run.failing("MUST"), run.output[-3000:]
