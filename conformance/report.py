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
    Finding,
    TestResult,
    area_table,
    exit_code,
    load_baseline,
    outcome_counts,
    regression,
    requirement_outcomes,
    unjudged_musts,
    verdict,
)

SUMMARY_FORMAT = "langgraph-conformance/summary/v2"
SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "summary.schema.json"


def _iso(timestamp: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(timestamp))


def prepare_report_paths(config: Any, target: TargetConfig) -> None:
    """Check the reporting options and point JUnit and Allure into the reports folder (before
    their plugins read the paths at configure)."""
    check_report_options(target)
    target.reports_dir.mkdir(parents=True, exist_ok=True)
    if not getattr(config.option, "xmlpath", None):
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
        "health_path": p.health_path,
        "declared_capabilities": dict(p.capabilities),
        "request_timeout_seconds": config.request_timeout,
        "budget": config.budget,
        "examples": config.examples,
        "seed": config.seed,
        "probe_key_in_url": config.probe_key_in_url,
        "spec_credentials": config.spec_credentials,
        "strict_spec": config.strict_spec,
        "fail_on": config.fail_on,
        "baseline": str(config.baseline) if config.baseline else "",
        "selected_areas": (selection or {}).get("areas", ""),
        "selected_requirements": (selection or {}).get("requirements", ""),
        "shard": (selection or {}).get("shard", ""),
        "known_deviations": [d.to_json() for d in p.deviations],
    }


def make_summary(
    config: TargetConfig,
    results: Iterable[TestResult],
    *,
    started: float,
    finished: float,
    spec: dict[str, str] | None = None,
    baseline: dict[str, Any] | None = None,
    cleanup: Mapping[str, Any] | None = None,
    selection: dict[str, str] | None = None,
    coverage: Mapping[str, Any] | None = None,
    discovery: Mapping[str, Any] | None = None,
    errata: list[dict[str, Any]] | None = None,
    catalogue: Mapping[str, Requirement] = CATALOGUE,
) -> dict[str, Any]:
    """The summary document: pure, so unit tests build it from hand-made results."""
    results = list(results)
    outcomes = requirement_outcomes(catalogue, results, config.profile.deviations)
    diff = None
    if baseline is not None:
        diff = regression(outcomes, baseline["outcomes"])
    result = verdict(outcomes, config.fail_on, diff["newly_failing"] if diff else ())
    spec = spec or {}
    discovery = dict(discovery or {})
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
            "spec_kind": spec.get("kind", ""),
            "auth": config.auth_enabled,
            "second_tenant": bool(discovery.get("capabilities", {}).get("second_tenant", bool(config.alt_api_key))),
            "graph_ids": list(config.graph_ids),
            "capabilities": discovery.get("capabilities", {}),
            "discovery": [redact(n) for n in discovery.get("notes", [])],
        },
        "run": {
            "id": config.run_id,
            "suite_version": __version__,
            "seed": config.seed,
            "budget": config.budget,
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
        "not_judged": [
            {"id": r.id, "statement": r.statement, "reason": r.reason, "fix": r.fix} for r in unjudged_musts(outcomes)
        ],
        "requirements": [_entry(entry, baseline) for entry in outcomes.values()],
        "errata": list(errata or []),
        "configuration": configuration(config, selection),
        "cleanup": dict(cleanup or {"deleted": 0, "leftovers": [], "unknown": [], "complete": True}),
        "coverage": {str(k): v for k, v in sorted((coverage or {}).items())},
        "results": [result_to_json(r) for r in results],
    }
    if diff is not None:
        run = baseline.get("run", {}) if baseline else {}
        summary["regression"] = {
            "baseline": str(config.baseline or ""),
            "baseline_run": {"id": str(run.get("id", "")), "started": str(run.get("started", ""))},
            **diff,
        }
    return summary


def result_to_json(result: TestResult) -> dict[str, Any]:
    data = dataclasses.asdict(result)
    data["requirements"] = list(result.requirements)
    data["operations"] = list(result.operations)
    return data


def result_from_json(data: Mapping[str, Any]) -> TestResult:
    """A test result as summary.json holds it (the merge of shards recomputes outcomes from these)."""
    return TestResult(
        nodeid=data["nodeid"], requirements=tuple(data["requirements"]), outcome=data["outcome"],
        findings=[Finding(**f) for f in data.get("findings", [])], message=data.get("message", ""),
        skip_reason=data.get("skip_reason", ""), reproduction=data.get("reproduction", ""),
        suite_error=bool(data.get("suite_error")), complete=bool(data.get("complete")), unclaimed=dict(data.get("unclaimed", {})),
        no_answer=bool(data.get("no_answer")), duration=float(data.get("duration", 0.0)),
        operations=tuple(data.get("operations", ())),
    )


def _entry(entry: Any, baseline: dict[str, Any] | None) -> dict[str, Any]:
    data = entry.to_json()
    if baseline is not None:
        data["baseline"] = baseline["outcomes"].get(entry.id)  # None: absent from the baseline
    return data


def errata_applied(run: Any) -> list[dict[str, Any]]:
    """The spec errata this run applied, each with the requirements it relaxes."""
    if run.spec is None:
        return []
    from .contract import corrected
    from .errata import relaxes

    overlay = corrected(run.spec.document, run.config)
    return [{"id": e.id, "title": e.title, "operations": list(e.operations), "relaxes": relaxes(e), "evidence": e.evidence}
            for e in overlay.applied]


def build_summary(run: Any, selection: dict[str, str] | None = None) -> dict:
    """The summary of a finished run (reads the baseline file)."""
    c = run.config
    spec = run.spec
    spec_meta = {"title": spec.title, "version": spec.version, "source": spec.source, "kind": spec.kind} if spec else None
    baseline = check_report_options(c) if c.baseline is not None else None
    discovery = None
    if run.discovery is not None:
        discovery = {"capabilities": run.discovery.capabilities.have, "notes": run.discovery.notes}
    return make_summary(
        c, run.results, started=run.started, finished=time.time(), spec=spec_meta, baseline=baseline,
        cleanup=run.cleanup.to_json(), selection=selection, coverage=getattr(run, "coverage", None),
        discovery=discovery, errata=errata_applied(run),
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


def write_area_reports(run: Any) -> None:
    """contract.json and the areas' own end-of-run lines, from what every worker's tests recorded."""
    if run.spec is None:
        return
    from . import pagination
    from .contract import assemble, corrected, operation_labels, summary_lines

    parts = run.parts.get("contract", [])
    if parts:
        contract = assemble(parts, corrected(run.spec.document, run.config), len(operation_labels(run.spec.document)))
        run.config.reports_dir.mkdir(parents=True, exist_ok=True)
        (run.config.reports_dir / "contract.json").write_text(redact(json.dumps(contract, indent=2)), encoding="utf-8")
        run.area_lines += summary_lines(contract)
    run.area_lines += pagination.coverage_lines(pagination.discover(run.spec.document), run.results)


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

_SHORT = {"pass": "pass", "fail": "FAIL", "known-deviation": "known-dev", "fixed?": "FIXED?", "not-claimed": "not claimed",
          "not-judged": "NOT JUDGED", "error": "ERROR", "not-selected": "not selected"}
_VERDICT_COLOUR = {"pass": {"green": True}, "fail": {"red": True}, "incomplete": {"yellow": True}, "error": {"red": True}}


def _rate(level: dict) -> str:
    return f"{level['passed']}/{level['judged']}" if level["judged"] else "-"


def cleanup_line(cleanup: Mapping[str, Any]) -> tuple[str, dict]:
    """What the guest left behind, as checked (never "everything was deleted" unless it was)."""
    leftovers, unknown = cleanup.get("leftovers", []), cleanup.get("unknown", [])
    if not leftovers and not unknown:
        return (f"  cleanup: everything the run created was deleted ({cleanup.get('deleted', 0)} resources, "
                "each read back as gone)", {})
    parts = []
    if leftovers:
        parts.append(f"{len(leftovers)} resources may be left: {', '.join(leftovers[:5])}")
    if unknown:
        parts.append(f"could not check: {', '.join(unknown[:5])}")
    return "  cleanup: " + "; ".join(parts), {"yellow": True}


def terminal_lines(summary: dict, reports_dir: str) -> list[tuple[str, dict]]:
    """The end-of-run summary as (line, markup) pairs; pure, so it is unit-tested."""
    out: list[tuple[str, dict]] = []
    out.append((f"  {'area':<11} {'MUST':>6} {'SHOULD':>7}   outcomes", {"bold": True}))
    for row in summary["areas"]:
        if row["counts"]["not-selected"] == sum(row["counts"].values()):
            continue  # an area this run did not select
        counts = ", ".join(f"{n} {_SHORT[o]}" for o, n in row["counts"].items() if n)
        out.append((f"  {row['area']:<11} {_rate(row['must']):>6} {_rate(row['should']):>7}   {counts}", {}))
    for r in summary["requirements"]:
        if r["outcome"] in ("fail", "error"):
            markup = {"red": True} if r["level"] == "MUST" or r["outcome"] == "error" else {"yellow": True}
            out.append((f"  {r['outcome'].upper():<5} {r['id']} ({r['level']}) {r['statement']}", markup))
    for r in summary["requirements"]:
        if r["outcome"] == "known-deviation":
            out.append((f"  known deviation {r['id']}: {r['reason'].removeprefix('known deviation: ')}", {"yellow": True}))
        elif r["outcome"] == "fixed?":
            out.append((f"  FIXED? {r['id']}: listed as a known deviation but passes; remove it from the profile", {"yellow": True, "bold": True}))
    if summary.get("not_judged"):
        out.append((f"  {len(summary['not_judged'])} MUST requirements were not judged:", {"yellow": True, "bold": True}))
        for entry in summary["not_judged"][:25]:
            fix = f" -- to judge it: {entry['fix']}" if entry["fix"] else ""
            out.append((f"    NOT JUDGED {entry['id']}: {entry['reason']}{fix}", {"yellow": True}))
        if len(summary["not_judged"]) > 25:
            out.append((f"    ... and {len(summary['not_judged']) - 25} more (report.html lists them all)", {"yellow": True}))
    if "regression" in summary:
        reg = summary["regression"]
        names = lambda ids: ", ".join(ids) if ids else "none"  # noqa: E731
        out.append((f"  since baseline {reg['baseline']}:", {"bold": True}))
        out.append((f"    newly failing: {names(reg['newly_failing'])}", {"red": True} if reg["newly_failing"] else {}))
        out.append((f"    newly fixed:   {names(reg['newly_fixed'])}", {"green": True} if reg["newly_fixed"] else {}))
        out.append((f"    unchanged:     {len(reg['unchanged'])} requirements; other changes: {len(reg['changed'])}", {}))
    if summary.get("errata"):
        out.append((f"  spec errata applied: {', '.join(e['id'] for e in summary['errata'])}", {}))
    if summary.get("coverage"):
        out.append(("  coverage: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in summary["coverage"].items()), {}))
    out.append(cleanup_line(summary["cleanup"]))
    v = summary["verdict"]
    gate = {"must": "every MUST", "should": "every MUST and SHOULD", "regression": "no new failure"}[summary["run"]["fail_on"]]
    deviations = summary["counts"]["known-deviation"]
    extra = f", {deviations} known deviations" if deviations and v == "pass" else ""
    out.append((f"conformance verdict: {v.upper()}{extra} (gate: {gate} judged and passed; exit code {summary['exit_code']})",
                {"bold": True, **_VERDICT_COLOUR[v]}))
    out.append((f"reports: {reports_dir}/summary.json, report.html, junit.xml, allure-results/", {}))
    return out


def terminal_summary(tr: Any, run: Any) -> None:
    summary = getattr(run, "summary", None)
    if summary is None:
        return
    for line in run.area_lines:
        tr.write_line(redact(line))
    tr.section("conformance", sep="=")
    for line, markup in terminal_lines(summary, str(run.config.reports_dir)):
        tr.write_line(redact(line), **markup)
