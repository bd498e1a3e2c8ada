"""`langgraph-conformance`: the suite as a command, from any directory (pytest underneath).

    langgraph-conformance [run] [--base-url URL] [--api-key KEY] ... [-- PYTEST ARGS]
    langgraph-conformance requirements [--area A] [--level MUST|SHOULD] [--json]
    langgraph-conformance explain AUTH-003
    langgraph-conformance profiles
    langgraph-conformance graphs [--python DIR] [--typescript DIR]
    langgraph-conformance merge SUMMARY.json... --reports-dir DIR
    langgraph-conformance matrix-report SUMMARY.json... [--output CONFORMANCE.md]

`run` takes the same options as the pytest plugin (without its `--conformance-` prefix) and
writes the same reports; arguments it does not know go to pytest (e.g. `-n 2`, `-x`, `-k ...`).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

from .options import OPTIONS

PACKAGE_DIR = Path(__file__).resolve().parent
SUITES_DIR = PACKAGE_DIR / "suites"
SUITES_INI = PACKAGE_DIR / "suites.ini"
COMMANDS = ("run", "requirements", "explain", "profiles", "graphs", "merge", "matrix-report", "benchmark")


def pytest_arguments(parsed: argparse.Namespace, passthrough: Sequence[str]) -> list[str]:
    """The pytest command line of a run: the packaged suites, the plugin, options as `--x=value`
    (so pytest can never read a value for a test path), and the caller's own pytest arguments."""
    args = [
        "-p", "conformance.plugin", "-p", "no:cacheprovider", "-p", "no:randomly",
        f"--rootdir={PACKAGE_DIR.parent}", "-c", str(SUITES_INI), str(SUITES_DIR),
    ]
    for option in OPTIONS:
        value = getattr(parsed, option.dest)
        if option.flag:
            if value:
                args.append(option.pytest_flag)
        elif value is not None:
            args.append(f"{option.pytest_flag}={value}")
    return args + list(passthrough)


def _run_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="langgraph-conformance run",
        description="Run the LangGraph Server API conformance suite (no --base-url: against the embedded reference).",
        epilog="Arguments it does not know are passed to pytest (e.g. -n 2, -x, -k EXPR).",
    )
    for option in OPTIONS:
        if option.flag:
            parser.add_argument(f"--{option.name}", dest=option.dest, action="store_true", help=option.help)
        else:
            parser.add_argument(f"--{option.name}", dest=option.dest, metavar=option.metavar or None, help=option.help)
    return parser


def run(argv: Sequence[str]) -> int:
    import pytest

    argv = list(argv)
    passthrough: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, passthrough = argv[:cut], argv[cut + 1:]
    parsed, unknown = _run_parser().parse_known_args(argv)
    return int(pytest.main(pytest_arguments(parsed, [*unknown, *passthrough])))


def requirements(argv: Sequence[str]) -> int:
    from .catalogue import AREAS, CATALOGUE

    parser = argparse.ArgumentParser(prog="langgraph-conformance requirements", description="List the requirement catalogue.")
    parser.add_argument("--area", choices=AREAS)
    parser.add_argument("--level", choices=("MUST", "SHOULD"))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    chosen = [r for r in CATALOGUE.values() if (not args.area or r.area == args.area) and (not args.level or r.level == args.level)]
    if args.json:
        print(json.dumps([{"id": r.id, "level": r.level, "area": r.area, "statement": r.statement, "source": r.source,
                           "needs": list(r.needs)} for r in chosen], indent=2))
        return 0
    area = ""
    for r in chosen:
        if r.area != area:
            area = r.area
            print(f"\n{area}")
        print(f"  {r.id:<11} {r.level:<6} {r.statement}")
    print(f"\n{len(chosen)} requirements ({sum(r.level == 'MUST' for r in chosen)} MUST)")
    return 0


def explain(argv: Sequence[str]) -> int:
    from .capabilities import NEEDS
    from .catalogue import CATALOGUE
    from .coverage import tests_of

    parser = argparse.ArgumentParser(prog="langgraph-conformance explain", description="Explain one requirement.")
    parser.add_argument("id")
    args = parser.parse_args(argv)
    req = CATALOGUE.get(args.id.upper())
    if req is None:
        print(f"langgraph-conformance: no requirement {args.id} -- see `langgraph-conformance requirements`", file=sys.stderr)
        return 2
    print(f"{req.id} ({req.level}, {req.area})\n  {req.statement}\n\nsource: {req.source}")
    if req.needs:
        print("\nneeds:")
        for name in req.needs:
            need = NEEDS[name]
            effect = "not claimed" if need.kind == "capability" else "not judged"
            print(f"  {need.what} (without it: {effect}; {need.fix})")
    tests = tests_of(req.id)
    if tests:
        print("\nverified by:")
        for test in tests:
            print(f"  {test}")
    return 0


def profiles(argv: Sequence[str]) -> int:
    from .config import PROFILES_DIR, load_profile

    for path in sorted(PROFILES_DIR.glob("*.toml")):
        profile = load_profile(str(path))
        print(f"  {path.stem:<18} {profile.description}")
    return 0


def graphs(argv: Sequence[str]) -> int:
    from .porting_info import main as porting_main

    return porting_main(argv)


def merge(argv: Sequence[str]) -> int:
    from .merge import main as merge_main

    return merge_main(argv)


def matrix_report(argv: Sequence[str]) -> int:
    from .matrix_report import main as report_main

    return report_main(argv)


def benchmark(argv: Sequence[str]) -> int:
    from .benchmark import main as benchmark_main

    return benchmark_main(argv)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    if argv and argv[0] in COMMANDS:
        command, argv = argv[0], argv[1:]
    else:
        command = "run"
    handler = {"run": run, "requirements": requirements, "explain": explain, "profiles": profiles, "graphs": graphs,
               "merge": merge, "matrix-report": matrix_report, "benchmark": benchmark}[command]
    return handler(argv)


if __name__ == "__main__":
    raise SystemExit(main())
