"""The embedded reference deployment: the official server (langgraph-api, in-memory runtime).

It lives in a virtual environment of its own, created on first use from pinned versions: the
server's pins break current schemathesis, so server and suite never share an environment. Each
start copies the bundled app (deterministic graphs, two-tenant auth) into a fresh directory, so
the server's state directory (`.langgraph_api/` beside langgraph.json) is always clean.
"""

from __future__ import annotations

import atexit
import fcntl
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import httpx

from ..errors import ReferenceStartFailed

PINS = (
    "langgraph-cli[inmem]==0.4.40",
    "langgraph-api==0.16.7",
    "langgraph-runtime-inmem==0.36.7",
)
APP_DIR = Path(__file__).resolve().parent / "app"
# The conformance graphs (the porting package vendors deploy) are the reference's graphs too.
GRAPHS_MODULE = Path(__file__).resolve().parent.parent / "porting" / "python" / "langgraph_conformance_graphs" / "__init__.py"
FORBIDDEN_PORTS = frozenset({2024})  # owned by the machine: never bind, never send traffic
START_TIMEOUT = 90.0
GRAPH_IDS = ("conformance_echo", "conformance_interrupt", "conformance_fail", "conformance_slow", "conformance_stream")


def cache_dir() -> Path:
    root = os.environ.get("CONFORMANCE_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "langgraph-conformance"
    )
    return Path(root)


def venv_dir() -> Path:
    key = hashlib.sha256(("\n".join(PINS) + sys.version.split()[0]).encode()).hexdigest()[:12]
    return cache_dir() / f"reference-{key}"


def ensure_venv(progress: Callable[[str], None] = print) -> Path:
    """The reference server's environment, created once (under a lock) and reused."""
    target = venv_dir()
    marker = target / ".complete"
    if marker.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / f"{target.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.exists():
            return target
        shutil.rmtree(target, ignore_errors=True)
        progress(f"reference: creating its virtual environment in {target} (once; about a minute)")
        log = target.parent / f"{target.name}.install.log"
        with open(log, "w") as out:
            steps = [
                [sys.executable, "-m", "venv", str(target)],
                [str(target / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *PINS],
            ]
            for step in steps:
                result = subprocess.run(step, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
                if result.returncode != 0:
                    tail = _tail(log)
                    raise ReferenceStartFailed(
                        f"could not install the reference server ({' '.join(PINS)}): {tail}",
                        f"check that PyPI is reachable; full log in {log}",
                    )
        marker.write_text("\n".join(PINS) + "\n")
    return target


def free_port() -> int:
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port not in FORBIDDEN_PORTS:
            return port


def _tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return "(no log)"
    return " | ".join(line.strip() for line in text[-lines:])[-1500:]


def _new_key() -> str:
    """A random key that a command line cannot mistake for an option (no leading '-')."""
    while True:
        key = secrets.token_urlsafe(32)  # 43 characters, like a production key
        if not key.startswith("-"):
            return key


def _die_with_parent() -> None:
    """In the child: get SIGTERM when the suite dies, even by SIGKILL (Linux prctl)."""
    try:
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


@dataclass
class ReferenceDeployment:
    """A running reference server; `stop()` ends its whole process group."""

    base_url: str
    api_key: str | None
    alt_api_key: str | None
    process: subprocess.Popen
    workdir: Path
    log_path: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.process.wait(timeout=8)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.process.wait(timeout=5)
        # Children that outlived the leader still carry its process group id.
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        shutil.rmtree(self.workdir, ignore_errors=True)


def start(auth: bool = True, progress: Callable[[str], None] = print) -> ReferenceDeployment:
    """Install if needed, then start the reference server on a free port and wait for /ok."""
    venv = ensure_venv(progress)
    workdir = Path(tempfile.mkdtemp(prefix="conformance-reference-"))
    app = workdir / "app"
    shutil.copytree(APP_DIR, app, ignore=shutil.ignore_patterns("__pycache__", ".langgraph_api"))
    shutil.copyfile(GRAPHS_MODULE, app / "conformance_graphs.py")
    config = json.loads((app / "langgraph.json").read_text())
    keys: dict[str, str] = {}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CONFORMANCE_", "LANGGRAPH_API_KEY", "PYTEST"))}
    if auth:
        keys = {_new_key(): "tenant-a", _new_key(): "tenant-b"}
        env["CONFORMANCE_REFERENCE_KEYS"] = ",".join(f"{k}:{v}" for k, v in keys.items())
    else:
        config.pop("auth", None)
    (app / "langgraph.json").write_text(json.dumps(config, indent=2))
    env.update(
        LANGGRAPH_CLI_NO_ANALYTICS="1",
        LANGSMITH_TRACING="false",
        LANGCHAIN_TRACING_V2="false",
        PYTHONUNBUFFERED="1",
        VIRTUAL_ENV=str(venv),
        PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
    )
    env.pop("PYTHONPATH", None)
    port = free_port()
    log_path = workdir / "server.log"
    command = [
        str(venv / "bin" / "langgraph"), "dev", "--no-browser", "--no-reload",
        "--host", "127.0.0.1", "--port", str(port), "--config", "langgraph.json",
        "--n-jobs-per-worker", "16",
    ]
    progress(f"reference: starting langgraph-api on 127.0.0.1:{port} (auth {'on, two tenants' if auth else 'off'})")
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, cwd=app, env=env, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True, preexec_fn=_die_with_parent,
        )
    key_list = list(keys)
    deployment = ReferenceDeployment(
        f"http://127.0.0.1:{port}", key_list[0] if keys else None, key_list[1] if keys else None,
        process, workdir, log_path,
    )
    _RUNNING.append(deployment)
    started = time.monotonic()
    while True:
        if process.poll() is not None:
            deployment.stop()
            raise ReferenceStartFailed(
                f"the reference server exited with code {process.returncode} while starting: {_tail(log_path)}",
                f"see the log above; the environment is {venv}",
            )
        try:
            if httpx.get(f"{deployment.base_url}/ok", timeout=2.0).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() - started > START_TIMEOUT:
            tail = _tail(log_path)
            deployment.stop()
            raise ReferenceStartFailed(
                f"the reference server did not answer /ok within {START_TIMEOUT:.0f}s: {tail}",
                "see the log above",
            )
        time.sleep(0.25)
    progress(f"reference: ready at {deployment.base_url} in {time.monotonic() - started:.1f}s")
    return deployment


_RUNNING: list[ReferenceDeployment] = []


@atexit.register
def _stop_all() -> None:
    while _RUNNING:
        _RUNNING.pop().stop()


def stop(deployment: ReferenceDeployment) -> None:
    deployment.stop()
    if deployment in _RUNNING:
        _RUNNING.remove(deployment)
