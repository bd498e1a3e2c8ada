"""`langgraph-conformance merge`: the reports of a run split into shards (`--shard i/n`, e.g. one
CI job each), combined into one verdict. Outcomes are recomputed from every shard's test results
(summary.json keeps them), so the merged verdict is the one an unsplit run would give."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Sequence
from xml.etree import ElementTree

from .catalogue import CATALOGUE
from .report import result_from_json, result_to_json
from .results import (
    Deviation,
    area_table,
    exit_code,
    outcome_counts,
    requirement_outcomes,
    unjudged_musts,
    verdict,
)


class MergeError(ValueError):
    pass


def merge_summaries(summaries: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One summary from the shards' (pure): the first shard's target and configuration, every
    shard's results, outcomes and verdict recomputed."""
    if not summaries:
        raise MergeError("no summary to merge")
    first = summaries[0]
    for other in summaries[1:]:
        if other["target"].get("base_url") != first["target"].get("base_url") or other["run"].get("seed") != first["run"].get("seed"):
            raise MergeError("the summaries are not shards of one run (their target or seed differ)")
    results = [result_from_json(r) for s in summaries for r in s.get("results", [])]
    seen: set[str] = set()
    unique = []
    for result in results:  # a test that ran in two shards (it should not) counts once
        if result.nodeid not in seen:
            seen.add(result.nodeid)
            unique.append(result)
    deviations = [Deviation(d["requirement"], d["reason"], tuple(d.get("operations", ())), d.get("match", ""),
                            d.get("evidence", ""), d.get("link", "")) for d in first["configuration"].get("known_deviations", [])]
    outcomes = requirement_outcomes(CATALOGUE, unique, deviations)
    result = verdict(outcomes, first["run"].get("fail_on", "must"))
    merged = dict(first)
    merged["run"] = {**first["run"], "duration_seconds": round(sum(s["run"].get("duration_seconds", 0) for s in summaries), 2),
                     "shards": len(summaries)}
    merged["verdict"], merged["exit_code"] = result, exit_code(result)
    merged["counts"] = outcome_counts(outcomes.values())
    merged["areas"] = area_table(outcomes)
    merged["not_judged"] = [{"id": r.id, "statement": r.statement, "reason": r.reason, "fix": r.fix} for r in unjudged_musts(outcomes)]
    merged["requirements"] = [entry.to_json() for entry in outcomes.values()]
    merged["results"] = [result_to_json(r) for r in unique]
    merged["cleanup"] = {
        "deleted": sum(s["cleanup"].get("deleted", 0) for s in summaries),
        "leftovers": [x for s in summaries for x in s["cleanup"].get("leftovers", [])],
        "unknown": [x for s in summaries for x in s["cleanup"].get("unknown", [])],
    }
    merged["cleanup"]["complete"] = not merged["cleanup"]["leftovers"] and not merged["cleanup"]["unknown"]
    coverage: dict[str, Any] = {}
    for s in summaries:
        coverage.update(s.get("coverage", {}))
    merged["coverage"] = coverage
    merged["configuration"] = {**first["configuration"], "shard": "merged"}
    merged.pop("regression", None)
    return merged


def merge_junit(paths: Sequence[Path], out: Path) -> None:
    """The shards' junit.xml files as one <testsuites>."""
    root = ElementTree.Element("testsuites", name="langgraph-conformance")
    for path in paths:
        if path.is_file():
            tree = ElementTree.parse(path).getroot()
            for suite in tree.iter("testsuite"):
                root.append(suite)
    ElementTree.ElementTree(root).write(out, encoding="utf-8", xml_declaration=True)


def merge_contract(paths: Sequence[Path], out: Path) -> None:
    parts = [json.loads(p.read_text()) for p in paths if p.is_file()]
    if not parts:
        return
    merged = dict(parts[0])
    for key in ("exercised", "excluded", "unexercised", "requests"):
        merged[key] = {k: v for p in parts for k, v in p.get(key, {}).items()}
    merged["stateful_steps"] = sum(p.get("stateful_steps", 0) for p in parts)
    merged["findings"] = [f for p in parts for f in p.get("findings", [])]
    out.write_text(json.dumps(merged, indent=2), encoding="utf-8")


def main(argv: Sequence[str]) -> int:
    from .html import render_html
    from .redact import redact

    parser = argparse.ArgumentParser(prog="langgraph-conformance merge", description="Merge the reports of a run's shards.")
    parser.add_argument("summaries", nargs="+", type=Path, help="each shard's summary.json")
    parser.add_argument("--reports-dir", type=Path, required=True, help="where the merged reports go")
    args = parser.parse_args(argv)
    try:
        loaded = [json.loads(p.read_text(encoding="utf-8")) for p in args.summaries]
        merged = merge_summaries(loaded)
    except (OSError, ValueError, KeyError) as exc:
        print(f"langgraph-conformance merge: {exc} -- give the summary.json of each shard of one run", file=sys.stderr)
        return 78
    out = args.reports_dir
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").write_text(redact(json.dumps(merged, indent=2)) + "\n", encoding="utf-8")
    (out / "report.html").write_text(redact(render_html(merged)), encoding="utf-8")
    dirs = [p.parent for p in args.summaries]
    merge_junit([d / "junit.xml" for d in dirs], out / "junit.xml")
    merge_contract([d / "contract.json" for d in dirs], out / "contract.json")
    print(f"merged {len(loaded)} shards: verdict {merged['verdict']} (exit code {merged['exit_code']}); reports in {out}")
    return int(merged["exit_code"])
