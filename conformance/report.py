"""Writing the run's reports (summary.json, report.html, Allure's environment) and the terminal
summary. `make_summary` is pure (results and configuration in, the summary document out); the
rest reads and writes files. The format is documented in schemas/summary.schema.json."""

from __future__ import annotations

import dataclasses
import json
import platform
import time
from pathlib import Path
from typing import Any, Iterable, Mapping

from . import __version__
from .catalogue import CATALOGUE, Requirement
from .config import TargetConfig
from .errors import ConfigError
from .redact import redact
from .results import (
    TestResult,
    area_table,
    exit_code,
    load_baseline,
    outcome_counts,
    regression,
    requirement_outcomes,
    verdict,
)

SUMMARY_FORMAT = "langgraph-conformance/summary/v1"
SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "summary.schema.json"


def _iso(timestamp: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(timestamp))


def check_report_options(config: TargetConfig) -> dict[str, Any] | None:
    """Validate the reporting options before any test runs; returns the loaded baseline."""
    if config.fail_on == "regression" and config.baseline is None:
        raise ConfigError("--fail-on regression needs a baseline", "give --baseline with the summary.json of an earlier run")
    if config.baseline is None:
        return None
    try:
        text = Path(config.baseline).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"baseline {config.baseline} cannot be read ({exc.strerror})", "give a readable summary.json") from None
    return load_baseline(text, f"baseline {config.baseline}")


def configuration(config: TargetConfig, selection: dict[str, str] | None = None) -> dict[str, Any]:
    """What the run was configured with, for the reader of a report: never a credential's value."""
    p = config.profile
    return {
        "base_url": redact(config.base_url or ""),
        "profile": p.name,
        "profile_file": p.path,
        "profile_description": p.description,
        "implementation": p.implementation,
        "spec_source": redact(config.spec_url) if config.base_url or config.spec_source else "",
        "auth": "on" if config.auth_enabled else "off",
        "auth_header": config.auth_header,
        "auth_scheme": config.auth_scheme,
        "api_key": "set (redacted)" if config.api_key else "not set",
        "alt_api_key": "set (redacted)" if config.alt_api_key else "not set",
        "public_paths": list(p.public_paths),
        "rejection_statuses": list(p.rejection_statuses),
        "foreign_statuses": list(p.foreign_statuses),
        "validation_statuses": list(p.validation_statuses),
        "pagination": {k: v for k, v in p.pagination.items()},
        "graph_ids": list(config.graph_ids),
        "reference_graphs": bool(config.embedded or p.reference_graphs),
        "request_timeout_seconds": config.request_timeout,
        "examples": config.examples,
        "seed": config.seed,
        "strict_spec": config.strict_spec,
        "fail_on": config.fail_on,
        "baseline": str(config.baseline) if config.baseline else "",
        "selected_areas": (selection or {}).get("areas", ""),
        "selected_requirements": (selection or {}).get("requirements", ""),
        "known_deviations": [
            {"id": d.requirement, "reason": d.reason, "link": d.link} for d in p.known_deviations
        ],
    }


def make_summary(
    config: TargetConfig,
    results: Iterable[TestResult],
    *,
    started: float,
    finished: float,
    spec: dict[str, str] | None = None,
    baseline: dict[str, Any] | None = None,
    leftovers: Iterable[str] = (),
    selection: dict[str, str] | None = None,
    coverage: Mapping[str, Any] | None = None,
    catalogue: Mapping[str, Requirement] = CATALOGUE,
) -> dict[str, Any]:
    """The summary document: pure, so unit tests build it from hand-made results."""
    outcomes = requirement_outcomes(catalogue, results, config.profile.known_deviations)
    diff = None
    if baseline is not None:
        diff = regression(outcomes, baseline["outcomes"])
    result = verdict(outcomes, config.fail_on, diff["newly_failing"] if diff else ())
    spec = spec or {}
    summary: dict[str, Any] = {
        "format": SUMMARY_FORMAT,
        "target": {
            "base_url": redact(config.base_url or ""),
            "embedded": config.embedded,
            "profile": config.profile.name,
            "implementation": config.profile.implementation,
            "spec_title": spec.get("title", ""),
            "spec_version": spec.get("version", ""),
            "spec_source": redact(spec.get("source", "")),
            "auth": config.auth_enabled,
            "second_tenant": bool(config.alt_api_key),
            "graph_ids": list(config.graph_ids),
        },
        "run": {
            "id": config.run_id,
            "suite_version": __version__,
            "seed": config.seed,
            "examples": config.examples,
            "strict_spec": config.strict_spec,
            "fail_on": config.fail_on,
            "started": _iso(started),
            "finished": _iso(finished),
            "duration_seconds": round(finished - started, 2),
            "python": platform.python_version(),
        },
        "verdict": result,
        "exit_code": exit_code(result),
        "counts": outcome_counts(outcomes.values()),
        "areas": area_table(outcomes),
        "requirements": [_entry(entry, baseline) for entry in outcomes.values()],
        "configuration": configuration(config, selection),
        "cleanup": {"leftovers": [redact(x) for x in leftovers]},
        "coverage": {str(k): v for k, v in sorted((coverage or {}).items())},
    }
    if diff is not None:
        run = baseline.get("run", {}) if baseline else {}
        summary["regression"] = {
            "baseline": str(config.baseline or ""),
            "baseline_run": {"id": str(run.get("id", "")), "started": str(run.get("started", ""))},
            **diff,
        }
    return summary


def _entry(entry: Any, baseline: dict[str, Any] | None) -> dict[str, Any]:
    data = entry.to_json()
    if baseline is not None:
        data["baseline"] = baseline["outcomes"].get(entry.id)  # None: absent from the baseline
    return data


def build_summary(run: Any, selection: dict[str, str] | None = None) -> dict:
    """The summary of a finished run (reads the baseline file)."""
    c = run.config
    spec = run.spec
    spec_meta = {"title": spec.title, "version": spec.version, "source": spec.source} if spec else None
    baseline = check_report_options(c) if c.baseline is not None else None
    return make_summary(
        c, run.results, started=run.started, finished=time.time(), spec=spec_meta, baseline=baseline,
        leftovers=run.leftovers, selection=selection, coverage=getattr(run, "coverage", None),
    )


def allure_environment(summary: dict) -> str:
    """Allure's environment.properties: the target and run, one `key = value` a line."""
    t, r, cfg = summary["target"], summary["run"], summary["configuration"]
    pairs = {
        "target": t["base_url"],
        "profile": t["profile"],
        "implementation": t["implementation"],
        "spec": f"{t['spec_title']} {t['spec_version']}".strip(),
        "auth": cfg["auth"],
        "second_tenant": "yes" if t["second_tenant"] else "no",
        "suite_version": r["suite_version"],
        "seed": r["seed"],
        "examples": r["examples"],
        "fail_on": r["fail_on"],
        "run_id": r["id"],
        "verdict": summary["verdict"],
    }
    lines = []
    for key, value in pairs.items():
        text = str(value if value is not None else "").replace("\\", "\\\\").replace("\n", " ")
        lines.append(f"{key} = {text}")
    return redact("\n".join(lines)) + "\n"


def write_reports(run: Any, allure_dir: str | None = None, selection: dict[str, str] | None = None) -> int:
    """Write summary.json and report.html (and Allure's environment); returns the exit code."""
    summary = build_summary(run, selection)
    run.summary = summary
    reports = run.config.reports_dir
    reports.mkdir(parents=True, exist_ok=True)
    text = redact(json.dumps(summary, indent=2, ensure_ascii=False))
    (reports / "summary.json").write_text(text + "\n", encoding="utf-8")
    from .html import render_html

    (reports / "report.html").write_text(redact(render_html(summary)), encoding="utf-8")
    if allure_dir:
        Path(allure_dir).mkdir(parents=True, exist_ok=True)
        (Path(allure_dir) / "environment.properties").write_text(allure_environment(summary), encoding="utf-8")
        scrub_directory(Path(allure_dir))
    return summary["exit_code"]


# --- redaction of what pytest and allure write ------------------------------------------------


def _redacted(value: Any, depth: int = 0) -> Any:
    """`value` with secrets masked: strings and tuples are rebuilt, lists and dataclasses (pytest's
    failure representations) are changed in place."""
    if isinstance(value, str):
        return redact(value)
    if depth > 12:
        return value
    if isinstance(value, tuple):
        return tuple(_redacted(v, depth + 1) for v in value)
    if isinstance(value, list):
        value[:] = [_redacted(v, depth + 1) for v in value]
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            try:
                setattr(value, f.name, _redacted(getattr(value, f.name), depth + 1))
            except (AttributeError, dataclasses.FrozenInstanceError):
                pass
    return value


def redact_report(report: Any) -> None:
    """Mask secrets in a test report's failure text and captured sections, which pytest's
    traceback fills with the repr of arguments (a response body can echo a key back)."""
    if report.longrepr is not None:
        report.longrepr = _redacted(report.longrepr)
    report.sections = [_redacted(section) for section in report.sections]


def scrub_directory(directory: Path) -> list[Path]:
    """Rewrite any file under `directory` that holds a secret with the secret masked (a last line
    of defence for files third-party plugins write, such as Allure's); returns those it fixed."""
    fixed = []
    for path in sorted(directory.rglob("*")) if directory.is_dir() else []:
        if not path.is_file():
            continue
        text = path.read_bytes().decode("utf-8", "surrogateescape")
        clean = redact(text)
        if clean != text:
            path.write_bytes(clean.encode("utf-8", "surrogateescape"))
            fixed.append(path)
    return fixed


# --- terminal -------------------------------------------------------------------------------

_SHORT = {"pass": "pass", "fail": "FAIL", "skip": "skip", "not-applicable": "n/a", "error": "ERROR",
          "known-deviation": "known-dev", "fixed?": "FIXED?"}


def _rate(level: dict) -> str:
    return f"{level['passed']}/{level['judged']}" if level["judged"] else "-"


def terminal_lines(summary: dict, reports_dir: str) -> list[tuple[str, dict]]:
    """The end-of-run summary as (line, markup) pairs; pure, so it is unit-tested."""
    out: list[tuple[str, dict]] = []
    out.append((f"  {'area':<11} {'MUST':>6} {'SHOULD':>7}   outcomes", {"bold": True}))
    for row in summary["areas"]:
        if row["counts"]["skip"] == sum(row["counts"].values()):
            continue  # an area this run did not select
        counts = ", ".join(f"{n} {_SHORT[o]}" for o, n in row["counts"].items() if n)
        out.append((f"  {row['area']:<11} {_rate(row['must']):>6} {_rate(row['should']):>7}   {counts}", {}))
    for r in summary["requirements"]:
        if r["outcome"] in ("fail", "error"):
            markup = {"red": True} if r["level"] == "MUST" or r["outcome"] == "error" else {"yellow": True}
            out.append((f"  {r['outcome'].upper():<5} {r['id']} ({r['level']}) {r['statement']}", markup))
    for r in summary["requirements"]:
        if r["outcome"] == "known-deviation":
            out.append((f"  known deviation {r['id']}: {r['deviation']['reason']}", {"yellow": True}))
        elif r["outcome"] == "fixed?":
            out.append((f"  FIXED? {r['id']}: listed as a known deviation but passes; remove it from the profile", {"yellow": True, "bold": True}))
    if "regression" in summary:
        reg = summary["regression"]
        names = lambda ids: ", ".join(ids) if ids else "none"  # noqa: E731
        out.append((f"  since baseline {reg['baseline']}:", {"bold": True}))
        out.append((f"    newly failing: {names(reg['newly_failing'])}", {"red": True} if reg["newly_failing"] else {}))
        out.append((f"    newly fixed:   {names(reg['newly_fixed'])}", {"green": True} if reg["newly_fixed"] else {}))
        out.append((f"    unchanged:     {len(reg['unchanged'])} requirements; other changes: {len(reg['changed'])}", {}))
    if summary.get("coverage"):
        out.append(("  coverage: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in summary["coverage"].items()), {}))
    leftovers = summary["cleanup"]["leftovers"]
    if leftovers:
        out.append((f"  cleanup: could not delete {len(leftovers)} resources: {leftovers[:5]}", {"yellow": True}))
    else:
        out.append(("  cleanup: everything the run created was deleted", {}))
    v = summary["verdict"]
    colour = {"pass": {"green": True}, "fail": {"red": True}, "error": {"red": True}}[v]
    gate = {"must": "every MUST", "should": "every MUST and SHOULD", "regression": "no new failure"}[summary["run"]["fail_on"]]
    out.append((f"conformance verdict: {v.upper()} (gate: {gate}; exit code {summary['exit_code']})", {"bold": True, **colour}))
    out.append((f"reports: {reports_dir}/summary.json, report.html, junit.xml, allure-results/", {}))
    return out


def terminal_summary(tr: Any, run: Any) -> None:
    summary = getattr(run, "summary", None)
    if summary is None:
        return
    tr.section("conformance", sep="=")
    for line, markup in terminal_lines(summary, str(run.config.reports_dir)):
        tr.write_line(redact(line), **markup)
