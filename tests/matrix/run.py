"""The matrix: the conformance suite against several implementations of the LangGraph Server API.

    python tests/matrix/run.py [--only NAME,...] [--reports-dir DIR] [--keep-going] [--no-auth] [-- PYTEST ARGS...]
    python tests/matrix/run.py --serve NAME      # start one, print its URL and keys, stop on Ctrl-C
    tox -e matrix -- [the same options]

For each implementation (see implementations.py): install it into its own environment under
~/.cache/langgraph-conformance/matrix/ (reused when installed; the install time is printed), write
its app dir (the conformance graphs of conformance/porting/ and a two-key custom auth), start it on
a free loopback port, wait for its health path, run the suite against it with both keys, and stop
everything it started, also on errors and Ctrl-C. Reports go to reports/matrix/<implementation>/.

An implementation that fails to install or start is reported with the reason (the last lines of
its log) and does not stop the others. Without --keep-going the matrix stops after a suite run
that could not judge (exit codes other than 0 and 1: a configuration error, an unreachable or
dying target), because the next implementations would most likely fail the same way.

Not part of the default tests: it installs four servers (about 4 minutes the first time).
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from implementations import GRAPH_IDS, IMPLEMENTATIONS, REPO, MatrixError  # noqa: E402

DEFAULT_ORDER = ("langgraph-api", "langgraphjs", "aegra", "runtime-pg")
SUITE_VERDICTS = {0: "pass (every MUST judged and passed)", 1: "fail (a MUST failed)", 2: "interrupted", 5: "no tests ran",
                  65: "spec is not OpenAPI 3.x", 69: "unreachable", 70: "error (the target died or hung, or a suite bug)",
                  75: "incomplete (a MUST was not judged)",
                  77: "credential refused for the spec", 78: "configuration error"}


def suite_dir() -> Path:
    """The suite checkout the matrix runs: CONFORMANCE_SUITE_DIR, else this repo."""
    return Path(os.environ.get("CONFORMANCE_SUITE_DIR") or REPO).resolve()


def run_conformance(base_url: str, api_key: str | None, alt_api_key: str | None, profile: str, reports_dir: Path,
                    extra_args: list[str]) -> int:
    """Run the suite against one deployment, as a user runs it (the `langgraph-conformance` command);
    its exit code. The one place the matrix calls the suite. The keys go by environment, never on a
    command line another process could read."""
    command = [sys.executable, "-m", "conformance", "--base-url", base_url, "--profile", profile,
               f"--reports-dir={reports_dir}", *extra_args]
    # The caller's CONFORMANCE_* settings (seed, examples, ...) pass; its credentials never reach another server.
    env = {k: v for k, v in os.environ.items()
           if k not in ("CONFORMANCE_API_KEY", "CONFORMANCE_ALT_API_KEY", "LANGGRAPH_API_KEY", "CONFORMANCE_BASE_URL")}
    if api_key:
        env["CONFORMANCE_API_KEY"] = api_key
    if alt_api_key:
        env["CONFORMANCE_ALT_API_KEY"] = alt_api_key
    print(f"  $ (cd {suite_dir()} && {' '.join(command)})", flush=True)
    return subprocess.run(command, cwd=suite_dir(), env=env).returncode


@dataclass
class Outcome:
    name: str
    status: str  # "ran", "install-failed", "start-failed", "skipped"
    detail: str = ""
    version: str = ""
    install: str = ""
    start_seconds: float | None = None
    exit_code: int | None = None
    suite_seconds: float | None = None
    reports: str = ""  # its folder under the reports root: the name, with -noauth when auth was off


def _terminate_on_sigterm() -> None:
    # SIGTERM unwinds like Ctrl-C, so that every started server, PostgreSQL and Redis is stopped.
    def handler(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def run_one(name: str, reports_root: Path, extra: list[str], install_only: bool, auth: bool = True) -> Outcome:
    impl = IMPLEMENTATIONS[name]
    print(f"\n=== {name}: {impl.description}{'' if auth else ' (auth off)'}", flush=True)
    outcome = Outcome(name, "ran")
    try:
        installed = impl.install()
    except MatrixError as exc:
        return Outcome(name, "install-failed", str(exc))
    except Exception as exc:  # anything else: still reported, still not stopping the others
        return Outcome(name, "install-failed", f"{type(exc).__name__}: {exc}")
    outcome.version = installed.version
    outcome.install = "reused" if installed.seconds is None else f"{installed.seconds:.0f}s"
    print(f"  install: {'reused ' + str(installed.path) if installed.seconds is None else f'{installed.seconds:.0f}s'}"
          f" ({installed.version})", flush=True)
    if install_only:
        outcome.status = "installed"
        return outcome
    outcome.reports = name if auth else f"{name}-noauth"
    reports = reports_root / outcome.reports
    reports.mkdir(parents=True, exist_ok=True)
    profile_extra: list[str] = []
    try:
        with impl.deployment(auth=auth) as deployment:
            profile = deployment.profile
            if not auth:
                # Auth off: the implementation's profile with its [auth] turned off (its other facts and
                # deviations still hold; those only custom auth caused read fixed?), else the generic one.
                profile = _without_auth(deployment.profile, reports)
                if profile == "generic":
                    profile_extra = ["--graph-id", ",".join(GRAPH_IDS), *impl.noauth_args]
            outcome.start_seconds = deployment.start_seconds
            print(f"  up at {deployment.base_url} in {deployment.start_seconds:.1f}s (log: {deployment.log})", flush=True)
            started = time.monotonic()
            outcome.exit_code = run_conformance(
                deployment.base_url, deployment.api_key, deployment.alt_api_key, profile, reports, [*profile_extra, *extra])
            outcome.suite_seconds = time.monotonic() - started
            if outcome.exit_code not in (0, 1, 75):
                print(f"  server log, last lines:\n{_indent(_tail(deployment.log))}", flush=True)
    except Exception as exc:  # MatrixError carries the log's last lines; anything else its type and message
        detail = str(exc) if isinstance(exc, MatrixError) else f"{type(exc).__name__}: {exc}"
        if outcome.exit_code is None:
            return Outcome(name, "start-failed", detail, outcome.version, outcome.install)
        outcome.detail = f"stopping failed: {detail}"
    return outcome


def _without_auth(profile: str, reports: Path) -> str:
    """A copy of profiles/<profile>.toml with auth off, written beside the reports; 'generic' when
    the profile has no `[auth]` table that turns it on."""
    source = suite_dir() / "profiles" / f"{profile}.toml"
    text = source.read_text(encoding="utf-8") if source.is_file() else ""
    changed, count = re.subn(r"(?m)^(\[auth\]\n(?:[^\[\n][^\n]*\n)*?)enabled = true$", r"\1enabled = false", text, count=1)
    if not count:
        return "generic"
    target = reports / f"{profile}-noauth.toml"
    target.write_text(changed, encoding="utf-8")
    return str(target)


def _tail(path: Path) -> str:
    from implementations import tail

    return tail(path)


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    extra: list[str] = []
    if "--" in argv:
        at = argv.index("--")
        argv, extra = argv[:at], argv[at + 1:]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", help=f"comma-separated implementations (default: {','.join(DEFAULT_ORDER)}; "
                                       f"known: {','.join(IMPLEMENTATIONS)})")
    parser.add_argument("--reports-dir", type=Path, help="root of the reports (default: reports/matrix/ in the suite checkout)")
    parser.add_argument("--keep-going", action="store_true", help="go on after a suite run that could not judge")
    parser.add_argument("--install-only", action="store_true", help="install the implementations, start none")
    parser.add_argument("--no-auth", action="store_true", help="start the implementations without custom auth (generic profile)")
    parser.add_argument("--also-without-auth", metavar="NAMES", default="runtime-pg",
                        help="comma-separated implementations run a second time with auth off, so what custom auth "
                             "breaks is judged too (default: runtime-pg; '' for none)")
    parser.add_argument("--serve", metavar="NAME", help="start one implementation, print its URL and keys, wait for Ctrl-C")
    parser.add_argument("--conformance-md", type=Path, default=REPO / "CONFORMANCE.md",
                        help="where the matrix report is written (default: CONFORMANCE.md in the repo); 'none' to skip")
    args = parser.parse_args(argv)

    _terminate_on_sigterm()
    if args.serve:
        return serve(args.serve, auth=not args.no_auth)
    names = [n.strip() for n in args.only.split(",") if n.strip()] if args.only else list(DEFAULT_ORDER)
    twice = [] if args.no_auth else [n.strip() for n in args.also_without_auth.split(",") if n.strip() in names]
    unknown = [n for n in names if n not in IMPLEMENTATIONS]
    if unknown:
        print(f"unknown implementation(s): {', '.join(unknown)}; known: {', '.join(IMPLEMENTATIONS)}", file=sys.stderr)
        return 78
    reports_root = (args.reports_dir or suite_dir() / "reports" / "matrix").resolve()
    print(f"matrix: {', '.join(names)}; suite {suite_dir()} with {sys.executable}; reports in {reports_root}")

    outcomes: list[Outcome] = []
    try:
        for name, auth in [*((n, not args.no_auth) for n in names), *((n, False) for n in twice)]:
            outcome = run_one(name, reports_root, extra, args.install_only, auth=auth)
            outcomes.append(outcome)
            if outcome.status in ("install-failed", "start-failed"):
                print(f"  {outcome.status}: {outcome.detail}", flush=True)
            elif outcome.exit_code not in (None, 0, 1, 75) and not args.keep_going:
                print(f"  the suite could not judge {name} (exit {outcome.exit_code}); stopping (--keep-going goes on)")
                break
    except KeyboardInterrupt:
        print("\nmatrix: interrupted; everything started was stopped", file=sys.stderr)
        _summary(outcomes)
        return 130
    _summary(outcomes)
    _conformance_md(outcomes, reports_root, args.conformance_md)
    if any(o.status in ("install-failed", "start-failed") for o in outcomes):
        return 1
    return max((o.exit_code or 0 for o in outcomes), default=0)


def _conformance_md(outcomes: list[Outcome], reports_root: Path, output: Path) -> None:
    """CONFORMANCE.md from the summaries of the implementations that ran, by the suite's own command."""
    if str(output) == "none":
        return
    summaries = [reports_root / (o.reports or o.name) / "summary.json" for o in outcomes if o.status == "ran"]
    summaries = [s for s in summaries if s.is_file()]
    if not summaries:
        print("matrix: no summary to make CONFORMANCE.md from")
        return
    failed = [f"{o.name}: {o.status} ({(o.detail.splitlines() or [''])[0]})" for o in outcomes if o.status in ("install-failed", "start-failed")]
    subprocess.run([sys.executable, "-m", "conformance", "matrix-report", *map(str, summaries), "--output", str(output)],
                   cwd=suite_dir(), check=False)
    if failed:
        with open(output, "a", encoding="utf-8") as out:
            out.write("\n## Implementations that did not run\n\n" + "".join(f"- {line}\n" for line in failed))


def _summary(outcomes: list[Outcome]) -> None:
    print("\n=== matrix summary")
    for o in outcomes:
        if o.status == "ran":
            verdict = SUITE_VERDICTS.get(o.exit_code, f"exit {o.exit_code}")
            print(f"  {(o.reports or o.name):20} {verdict:32} install {o.install:>7}, up in {o.start_seconds or 0:4.1f}s, "
                  f"suite {o.suite_seconds or 0:5.0f}s  [{o.version}]")
        elif o.status == "installed":
            print(f"  {o.name:20} installed ({o.install})  [{o.version}]")
        else:
            first = o.detail.splitlines()[0] if o.detail else ""
            print(f"  {o.name:20} {o.status}: {first}")


def serve(name: str, auth: bool = True) -> int:
    """Start one implementation for manual checks; stop it on Ctrl-C."""
    if name not in IMPLEMENTATIONS:
        print(f"unknown implementation {name}; known: {', '.join(IMPLEMENTATIONS)}", file=sys.stderr)
        return 78
    try:
        with IMPLEMENTATIONS[name].deployment(auth=auth) as d:
            print(f"{name} ({d.version}) at {d.base_url}, up in {d.start_seconds:.1f}s\n"
                  f"BASE_URL={d.base_url}\nKEY={d.api_key}\nKEY2={d.alt_api_key}\nLOG={d.log}", flush=True)
            while True:
                time.sleep(3600)
    except MatrixError as exc:
        print(f"{name} could not start: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
