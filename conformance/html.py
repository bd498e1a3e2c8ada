"""report.html: one self-contained page (inline CSS, no script, no external asset) rendered
from the summary document, so the page and summary.json can never disagree."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

TEMPLATES = Path(__file__).resolve().parent / "templates"

OUTCOME_LABELS = {
    "pass": "pass",
    "fail": "fail",
    "known-deviation": "known deviation",
    "fixed?": "fixed?",
    "not-claimed": "not claimed",
    "not-judged": "not judged",
    "error": "error",
    "not-selected": "not selected",
}


def _percent(rate: float | None) -> str:
    return "–" if rate is None else f"{rate * 100:.0f}%"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html", "j2"], default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["percent"] = _percent
    env.globals["outcome_label"] = OUTCOME_LABELS.get
    return env


def render_html(summary: dict[str, Any]) -> str:
    requirements = summary["requirements"]
    by_area: dict[str, list[dict]] = {}
    for entry in requirements:
        by_area.setdefault(entry["area"], []).append(entry)
    levels = {
        level: {
            "passed": sum(a[level.lower()]["passed"] for a in summary["areas"]),
            "judged": sum(a[level.lower()]["judged"] for a in summary["areas"]),
            "total": sum(a[level.lower()]["total"] for a in summary["areas"]),
        }
        for level in ("MUST", "SHOULD")
    }
    for figures in levels.values():
        figures["rate"] = figures["passed"] / figures["judged"] if figures["judged"] else None
    return _environment().get_template("report.html.j2").render(
        s=summary,
        by_area=by_area,
        levels=levels,
        failing=[r for r in requirements if r["outcome"] in ("fail", "error")],
        deviations=[r for r in requirements if r["outcome"] in ("known-deviation", "fixed?")],
        by_id={r["id"]: r for r in requirements},
    )
