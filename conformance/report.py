"""Writing the run's reports (summary.json, report.html) and the terminal summary."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from . import __version__
from .catalogue import AREAS, CATALOGUE
from .redact import redact
from .results import exit_code, regression, requirement_outcomes, verdict

SUMMARY_FORMAT = "langgraph-conformance/summary/v1"


def build_summary(run: Any) -> dict:
    c = run.config
    outcomes = requirement_outcomes(CATALOGUE, run.results, c.profile.known_deviations)
    diff = None
    if c.baseline is not None:
        before = json.loads(Path(c.baseline).read_text())
        diff = regression(outcomes, {r["id"]: r["outcome"] for r in before.get("requirements", [])})
    result = verdict(outcomes, c.fail_on, diff["newly_failing"] if diff else ())
    spec = run.spec
    summary = {
        "format": SUMMARY_FORMAT,
        "target": {
            "base_url": c.base_url,
            "embedded": c.embedded,
            "profile": c.profile.name,
            "implementation": c.profile.implementation,
            "spec_title": spec.title if spec else "",
            "spec_version": spec.version if spec else "",
            "spec_source": spec.source if spec else "",
            "auth": c.auth_enabled,
            "second_tenant": bool(c.alt_api_key),
            "graph_ids": list(c.graph_ids),
        },
        "run": {
            "id": c.run_id,
            "suite_version": __version__,
            "seed": c.seed,
            "examples": c.examples,
            "strict_spec": c.strict_spec,
            "fail_on": c.fail_on,
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(run.started)),
            "duration_seconds": round(time.time() - run.started, 2),
        },
        "verdict": result,
        "exit_code": exit_code(result),
        "counts": _counts(outcomes),
        "requirements": [entry.to_json() for entry in outcomes.values()],
        "cleanup": {"leftovers": run.leftovers},
    }
    if diff is not None:
        summary["regression"] = {"baseline": str(c.baseline), **diff}
    return summary


def _counts(outcomes: dict) -> dict:
    counts: dict[str, dict[str, int]] = {}
    for entry in outcomes.values():
        area = counts.setdefault(entry.area, {})
        area[entry.outcome] = area.get(entry.outcome, 0) + 1
    return {area: counts[area] for area in AREAS if area in counts}


def write_reports(session: Any, run: Any) -> int:
    summary = build_summary(run)
    run.summary = summary
    reports = run.config.reports_dir
    reports.mkdir(parents=True, exist_ok=True)
    text = redact(json.dumps(summary, indent=2))
    (reports / "summary.json").write_text(text + "\n", encoding="utf-8")
    try:
        from .html import render_html

        (reports / "report.html").write_text(redact(render_html(summary)), encoding="utf-8")
    except ImportError:
        pass
    return summary["exit_code"]


def terminal_summary(tr: Any, run: Any) -> None:
    summary = getattr(run, "summary", None)
    if summary is None:
        return
    tr.section("conformance", sep="=")
    for area, counts in summary["counts"].items():
        tr.write_line(f"  {area:<11} " + ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())))
    failing = [r for r in summary["requirements"] if r["outcome"] in ("fail", "error")]
    for r in failing:
        tr.write_line(f"  {r['outcome'].upper():<5} {r['id']} ({r['level']}) {r['statement']}")
    for r in summary["requirements"]:
        if r["outcome"] == "fixed?":
            tr.write_line(f"  FIXED? {r['id']}: known deviation now passes; remove it from the profile", yellow=True)
    if "regression" in summary:
        reg = summary["regression"]
        tr.write_line(f"  since baseline: newly failing {reg['newly_failing'] or 'none'}, newly fixed {reg['newly_fixed'] or 'none'}")
    if summary["cleanup"]["leftovers"]:
        tr.write_line(f"  cleanup: could not delete {len(summary['cleanup']['leftovers'])} resources: {summary['cleanup']['leftovers'][:5]}")
    verdict_ = summary["verdict"]
    colour = {"pass": {"green": True}, "fail": {"red": True}, "error": {"red": True}}[verdict_]
    tr.write_line(f"conformance verdict: {verdict_.upper()} (exit code {summary['exit_code']}); reports in {run.config.reports_dir}", bold=True, **colour)
