"""The implementations of the LangGraph Server API that the matrix runs the suite against.

Each one installs into its own environment under the cache dir (reused when complete), gets a
fresh app dir (the conformance graphs of conformance/porting/ and a two-key custom auth where it
supports one), starts on a free loopback port chosen here (never 2024), is confirmed by its health
path, and is stopped with everything it started (server, PostgreSQL, Redis), also on errors and
Ctrl-C: `Implementation.deployment()` is a context manager.

Nothing here imports the suite: the matrix drives the suite only through its command line.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
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
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PORTING = REPO / "conformance" / "porting"
APPS = HERE / "apps"
FORBIDDEN_PORTS = frozenset({2024})  # owned by the machine: never bind it, never send traffic to it
START_TIMEOUT = 120.0
GRAPH_IDS = ("conformance_echo", "conformance_interrupt", "conformance_fail", "conformance_slow", "conformance_stream")
TENANTS = ("tenant-a", "tenant-b")

Progress = Callable[[str], None]


class MatrixError(Exception):
    """An implementation could not be installed or started; the message says why."""


def cache_root() -> Path:
    root = os.environ.get("CONFORMANCE_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "langgraph-conformance"
    )
    return Path(root) / "matrix"


# --- small process helpers --------------------------------------------------------------------


def free_port() -> int:
    """A free loopback port picked by the kernel, never one of FORBIDDEN_PORTS."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port not in FORBIDDEN_PORTS:
            return port


def tail(path: Path, lines: int = 20) -> str:
    try:
        text = path.read_text(errors="replace").rstrip().splitlines()
    except OSError:
        return "(no log)"
    return "\n".join(text[-lines:])


def new_key() -> str:
    """A random key of 43 characters that no command line mistakes for an option."""
    while True:
        key = secrets.token_urlsafe(32)
        if not key.startswith("-"):
            return key


def _load_prctl() -> Callable[..., int] | None:
    try:
        import ctypes

        return ctypes.CDLL("libc.so.6", use_errno=True).prctl
    except (OSError, AttributeError, ImportError):
        return None


_PRCTL = _load_prctl()  # loaded here: the child after fork (and setuid) should import nothing


def _die_with_parent() -> None:
    """In the child: SIGTERM when the runner dies, even by SIGKILL (Linux prctl)."""
    if _PRCTL is not None:
        _PRCTL(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@dataclass
class Service:
    """A process started in its own process group; `stop()` ends the whole group."""

    name: str
    process: subprocess.Popen
    log: Path
    stop_signal: int = signal.SIGTERM

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, grace: float = 10.0) -> None:
        pgid = self.process.pid
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, self.stop_signal)
            try:
                self.process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(pgid, signal.SIGKILL)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.process.wait(timeout=5)
        # Children that outlived the leader still carry its process group id.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)


def spawn(name: str, command: list[str], log: Path, cwd: Path, env: dict[str, str], user: str | None = None,
          stop_signal: int = signal.SIGTERM) -> Service:
    with open(log, "ab") as out:
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True, preexec_fn=_die_with_parent, user=user,
        )
    return Service(name, process, log, stop_signal)


def run_logged(command: list[str], log: Path, what: str, env: dict[str, str] | None = None, cwd: Path | None = None,
               user: str | None = None, timeout: float = 1800) -> None:
    with open(log, "ab") as out:
        out.write(f"\n$ {' '.join(command)}\n".encode())
        out.flush()
        try:
            result = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    env=env, cwd=cwd, user=user, timeout=timeout, start_new_session=True)
        except FileNotFoundError as exc:
            raise MatrixError(f"{what}: {exc}") from None
        except subprocess.TimeoutExpired:
            raise MatrixError(f"{what}: timed out after {timeout:.0f}s; last lines of {log}:\n{tail(log)}") from None
    if result.returncode != 0:
        raise MatrixError(f"{what} failed (exit {result.returncode}); last lines of {log}:\n{tail(log)}")


def http_status(url: str, headers: dict[str, str] | None = None, method: str = "GET", body: bytes | None = None,
                timeout: float = 3.0) -> int | None:
    """The status of one request, or None when nothing answered (loopback URLs only)."""
    if not url.startswith(("http://127.0.0.1:", "http://localhost:", "http://[::1]:")):
        raise ValueError(f"refusing to send traffic outside the loopback range: {url}")
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, OSError, ValueError):
        return None


def wait_until(check: Callable[[], bool], services: list[Service], timeout: float, what: str, log: Path) -> float:
    """Seconds until check() held; MatrixError when a service died or time ran out."""
    started = time.monotonic()
    while True:
        for service in services:
            if not service.alive():
                raise MatrixError(
                    f"{service.name} exited with code {service.process.returncode} while waiting for {what}; "
                    f"last lines of {service.log}:\n{tail(service.log)}"
                )
        if check():
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise MatrixError(f"{what} did not happen within {timeout:.0f}s; last lines of {log}:\n{tail(log)}")
        time.sleep(0.25)


def server_env(extra: dict[str, str] | None = None, venv: Path | None = None) -> dict[str, str]:
    """The environment of a server: none of the suite's variables, no telemetry."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CONFORMANCE_", "LANGGRAPH_API_KEY", "PYTEST", "VIRTUAL_ENV", "PYTHONPATH"))}
    env.update(
        LANGGRAPH_CLI_NO_ANALYTICS="1",
        LANGGRAPH_NO_VERSION_CHECK="true",
        LANGSMITH_TRACING="false",
        LANGCHAIN_TRACING_V2="false",
        PYTHONUNBUFFERED="1",
        NO_COLOR="1",
    )
    if venv is not None:
        env["VIRTUAL_ENV"] = str(venv)
        env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra or {})
    return env


# --- interpreters -------------------------------------------------------------------------------


def _python_version(python: str) -> tuple[int, int] | None:
    try:
        out = subprocess.run([python, "-c", "import sys; print(sys.version_info[0], sys.version_info[1])"],
                             capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    major, minor = out.stdout.split()
    return int(major), int(minor)


def find_python(minimum: tuple[int, int], progress: Progress) -> str:
    """An interpreter >= minimum: this one, pyenv's, one on PATH, or one `uv` installs."""
    candidates = [sys.executable]
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        root = subprocess.run(["pyenv", "root"], capture_output=True, text=True, timeout=30).stdout.strip()
        if root:
            candidates += sorted(glob.glob(f"{root}/versions/3.1[2-9]*/bin/python3.1[2-9]"))
    candidates += [p for p in (shutil.which(f"python3.{m}") for m in range(minimum[1], 16)) if p]
    for python in candidates:
        version = _python_version(python)
        if version and version >= minimum:
            return python
    wanted = f"{minimum[0]}.{minimum[1]}"
    uv = shutil.which("uv")
    if uv:
        progress(f"no Python >= {wanted} found; installing one with uv")
        subprocess.run([uv, "python", "install", wanted], capture_output=True, timeout=600)
        found = subprocess.run([uv, "python", "find", wanted], capture_output=True, text=True, timeout=60).stdout.strip()
        if found and (_python_version(found) or (0, 0)) >= minimum:
            return found
    raise MatrixError(
        f"needs Python >= {wanted}, and none was found (looked at {', '.join(candidates) or 'nothing'}; "
        f"uv {'could not install one' if uv else 'is not installed'}); install one, e.g. `uv python install {wanted}`, "
        "`pyenv install 3.12`, or a python3.12 package of your distribution"
    )


# --- PostgreSQL and Redis -------------------------------------------------------------------------


def _pg_user() -> str | None:
    """initdb refuses to run as root: run the cluster as the `postgres` user then."""
    if os.geteuid() != 0:
        return None
    try:
        import pwd

        pwd.getpwnam("postgres")
    except KeyError:
        raise MatrixError("running as root and there is no 'postgres' user to own a PostgreSQL cluster; "
                          "run as another user or create one (useradd postgres)") from None
    return "postgres"


def start_postgres(workdir: Path, stack: contextlib.ExitStack, progress: Progress, database: str) -> int:
    """A private PostgreSQL cluster in workdir: trust auth, loopback only, a free port; returns the port."""
    for tool in ("initdb", "postgres", "psql"):
        if not shutil.which(tool):
            raise MatrixError(f"PostgreSQL's `{tool}` is not on PATH; install PostgreSQL (apt-get install -y postgresql) "
                              "and put its bin directory (e.g. /usr/lib/postgresql/15/bin) on PATH")
    user = _pg_user()
    data = workdir / "pgdata"
    data.mkdir(mode=0o700)
    log = workdir / "postgres.log"
    log.touch()
    if user:
        shutil.chown(workdir, user)
        shutil.chown(data, user)
        shutil.chown(log, user)
    env = server_env()
    run_logged(["initdb", "-D", str(data), "--auth=trust", "-U", "postgres", "-E", "UTF8", "--no-sync"],
               log, "initdb", env=env, user=user, cwd=workdir)
    port = free_port()
    postgres = spawn("postgres", ["postgres", "-D", str(data), "-p", str(port), "-c", "listen_addresses=127.0.0.1",
                                  "-k", str(data), "-c", "fsync=off"],
                     log, workdir, env, user=user, stop_signal=signal.SIGINT)  # SIGINT: fast shutdown
    stack.callback(postgres.stop)
    psql = ["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-qAtc"]
    wait_until(lambda: subprocess.run([*psql, "select 1"], capture_output=True, env=env).returncode == 0,
               [postgres], 60, "PostgreSQL to accept connections", log)
    run_logged([*psql, f"create database {database}"], log, "create database", env=env)
    progress(f"  postgres: private cluster on 127.0.0.1:{port} ({data})")
    return port


def start_redis(workdir: Path, stack: contextlib.ExitStack, progress: Progress) -> int:
    """A private Redis on a free loopback port, nothing persisted; returns the port."""
    if not shutil.which("redis-server"):
        raise MatrixError("redis-server is not installed; install it (apt-get install -y redis-server)")
    port = free_port()
    log = workdir / "redis.log"
    redis = spawn("redis", ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                            "--dir", str(workdir), "--daemonize", "no"], log, workdir, server_env())
    stack.callback(redis.stop)

    def pong() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    wait_until(pong, [redis], 30, "Redis to answer PING", log)
    progress(f"  redis: private server on 127.0.0.1:{port}")
    return port


# --- the deployments ---------------------------------------------------------------------------------


@dataclass
class Deployment:
    """What the runner hands to the suite."""

    implementation: str
    base_url: str
    api_key: str | None
    alt_api_key: str | None
    profile: str
    version: str
    start_seconds: float
    log: Path

    def astuple(self) -> tuple[str, str | None, str | None, str, str]:
        return self.base_url, self.api_key, self.alt_api_key, self.profile, self.version


@dataclass
class Installed:
    path: Path
    seconds: float | None  # None: reused
    version: str


@dataclass
class Implementation:
    """One implementation: how it installs, what its app dir holds, how it starts."""

    name: str
    profile: str
    health: str
    description: str
    optional: bool = False
    keys: dict[str, str] = field(default_factory=dict)
    noauth_args: tuple[str, ...] = ()  # suite options for a run with auth off (the generic profile)

    # -- install --

    def install_dir(self) -> Path:
        return cache_root() / f"{self.name}-{self.install_key()}"

    def install_key(self) -> str:
        return hashlib.sha256("\n".join(self.install_spec()).encode()).hexdigest()[:10]

    def install_spec(self) -> list[str]:
        raise NotImplementedError

    def _install(self, target: Path, log: Path, progress: Progress) -> None:
        raise NotImplementedError

    def version(self, target: Path) -> str:
        raise NotImplementedError

    def install(self, progress: Progress = print) -> Installed:
        """Install once under a lock; reuse a complete install."""
        target = self.install_dir()
        marker = target / ".complete"
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target.parent / f"{target.name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if marker.exists():
                return Installed(target, None, self.version(target))
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
            log = target.parent / f"{target.name}.install.log"
            log.write_text("")
            progress(f"  installing {' '.join(self.install_spec())} into {target} (log: {log})")
            started = time.monotonic()
            try:
                self._install(target, log, progress)
            except BaseException:
                shutil.rmtree(target, ignore_errors=True)
                raise
            seconds = time.monotonic() - started
            marker.write_text("\n".join(self.install_spec()) + f"\ninstalled in {seconds:.0f}s\n")
            return Installed(target, seconds, self.version(target))

    # -- start --

    def write_app(self, app: Path, install: Path, auth: bool) -> None:
        raise NotImplementedError

    def start(self, app: Path, install: Path, workdir: Path, stack: contextlib.ExitStack, progress: Progress) -> tuple[Service, int]:
        raise NotImplementedError

    def app_parent(self, install: Path) -> Path | None:
        return None  # None: the system's temporary folder

    @contextlib.contextmanager
    def deployment(self, progress: Progress = print, auth: bool = True) -> Iterator[Deployment]:
        installed = self.install(progress)
        with contextlib.ExitStack() as stack:
            parent = self.app_parent(installed.path)
            workdir = Path(tempfile.mkdtemp(prefix=f"matrix-{self.name}-", dir=parent))
            stack.callback(shutil.rmtree, workdir, True)
            workdir.chmod(0o755)
            self.keys = {new_key(): TENANTS[0], new_key(): TENANTS[1]} if auth else {}
            app = workdir / "app"
            app.mkdir()
            self.write_app(app, installed.path, auth)
            started = time.monotonic()
            server, port = self.start(app, installed.path, workdir, stack, progress)
            base_url = f"http://127.0.0.1:{port}"
            wait_until(lambda: http_status(base_url + self.health) is not None, [server], START_TIMEOUT,
                       f"{self.name} to answer {self.health}", server.log)
            # Up is not ready: wait until an authenticated search answers 200 (graphs loaded, migrations done).
            key = next(iter(self.keys), None)
            headers = {"Content-Type": "application/json", **({"X-Api-Key": key} if key else {})}
            wait_until(lambda: http_status(base_url + "/assistants/search", headers, "POST", b"{}") == 200,
                       [server], START_TIMEOUT, f"{self.name} to answer POST /assistants/search with 200", server.log)
            seconds = time.monotonic() - started
            keys = list(self.keys)
            yield Deployment(
                self.name, base_url, keys[0] if keys else None, keys[1] if len(keys) > 1 else None,
                self.profile, installed.version, seconds, server.log,
            )

    def keys_env(self) -> str:
        return ",".join(f"{key}:{identity}" for key, identity in self.keys.items())


def _copy_python_graphs(app: Path) -> None:
    package = app / "langgraph_conformance_graphs"
    package.mkdir()
    shutil.copy(PORTING / "python" / "langgraph_conformance_graphs" / "__init__.py", package / "__init__.py")


def _python_graphs_config() -> dict[str, str]:
    # The file path form: it needs no install of the graphs into the server's environment.
    return {g: f"./langgraph_conformance_graphs/__init__.py:{g}" for g in GRAPH_IDS}


def _pip_versions(python: Path, *names: str) -> str:
    code = (
        "import importlib.metadata as m, sys\n"
        "out = []\n"
        "for n in sys.argv[1:]:\n"
        "    try: out.append(f'{n} {m.version(n)}')\n"
        "    except m.PackageNotFoundError: pass\n"
        "print(', '.join(out))"
    )
    result = subprocess.run([str(python), "-c", code, *names], capture_output=True, text=True, timeout=60)
    return result.stdout.strip() or "unknown"


class PythonVenvImplementation(Implementation):
    pins: tuple[str, ...] = ()
    min_python: tuple[int, int] = (3, 11)
    version_packages: tuple[str, ...] = ()

    def install_spec(self) -> list[str]:
        return [f"python>={self.min_python[0]}.{self.min_python[1]}", *self.pins]

    def _install(self, target: Path, log: Path, progress: Progress) -> None:
        python = find_python(self.min_python, progress)
        run_logged([python, "-m", "venv", str(target)], log, f"{self.name}: creating its venv with {python}")
        pip = [str(target / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check", "--no-input"]
        run_logged([*pip, *self.pins], log, f"{self.name}: pip install {' '.join(self.pins)}")

    def version(self, target: Path) -> str:
        return _pip_versions(target / "bin" / "python", *self.version_packages)


class LanggraphApi(PythonVenvImplementation):
    """The official server, in-memory runtime, started with `langgraph dev`."""

    pins = ("langgraph-cli[inmem]==0.4.40", "langgraph-api==0.16.7", "langgraph-runtime-inmem==0.36.7")
    version_packages = ("langgraph-api", "langgraph-runtime-inmem", "langgraph")

    def write_app(self, app: Path, install: Path, auth: bool) -> None:
        _copy_python_graphs(app)
        # The receiver of RUNS-029 listens on loopback: both keys, since require_https defaults to true
        # once the block exists.
        config: dict = {"dependencies": ["."], "graphs": _python_graphs_config(),
                        "webhooks": {"url": {"disable_loopback": False, "require_https": False}}}
        if auth:
            shutil.copy(APPS / "python_auth.py", app / "auth.py")
            config["auth"] = {"path": "./auth.py:auth", "disable_studio_auth": True}
        (app / "langgraph.json").write_text(json.dumps(config, indent=2))

    def command(self, install: Path, port: int) -> list[str]:
        return [str(install / "bin" / "langgraph"), "dev", "--no-browser", "--no-reload", "--host", "127.0.0.1",
                "--port", str(port), "--config", "langgraph.json", "--n-jobs-per-worker", "16"]

    def start(self, app, install, workdir, stack, progress):
        port = free_port()
        env = server_env({"MATRIX_KEYS": self.keys_env()}, install)
        server = spawn(self.name, self.command(install, port), workdir / "server.log", app, env)
        stack.callback(server.stop)
        progress(f"  starting {self.name} on 127.0.0.1:{port}")
        return server, port


class RuntimePg(PythonVenvImplementation):
    """langgraph-runtime-pg: the langgraph-api 0.11.1 HTTP layer on PostgreSQL + Redis, via `langhost serve`."""

    pins = ("langgraph-runtime-pg==0.11.1.post1", "langgraph-cli[inmem]", "langhost")
    min_python = (3, 11)
    version_packages = ("langgraph-runtime-pg", "langgraph-api", "langhost", "langgraph")

    def write_app(self, app: Path, install: Path, auth: bool) -> None:
        LanggraphApi.write_app(self, app, install, auth)  # same langgraph.json

    def start(self, app, install, workdir, stack, progress):
        pg = start_postgres(workdir, stack, progress, "langgraph")
        redis = start_redis(workdir, stack, progress)
        (app / ".env").write_text(
            f"DATABASE_URI=postgresql://postgres@127.0.0.1:{pg}/langgraph\n"
            f"REDIS_URI=redis://127.0.0.1:{redis}/0\n"
            f"MATRIX_KEYS={self.keys_env()}\n"
            "LANGGRAPH_CLI_NO_ANALYTICS=1\nLANGGRAPH_NO_VERSION_CHECK=true\n"
        )
        port = free_port()
        env = server_env({"MATRIX_KEYS": self.keys_env()}, install)
        command = [str(install / "bin" / "langhost"), "serve", "--host", "127.0.0.1", "--port", str(port),
                   "-c", "langgraph.json", "--env-file", ".env", "--no-browser"]
        server = spawn(self.name, command, workdir / "server.log", app, env)
        stack.callback(server.stop)
        progress(f"  starting {self.name} on 127.0.0.1:{port}")
        return server, port


class LanggraphApi011(RuntimePg):
    """The plain in-memory langgraph-api 0.11.1 from runtime-pg's venv, via `langgraph dev`: an older official server."""

    version_packages = ("langgraph-api", "langgraph-runtime-inmem", "langgraph")

    def install_dir(self) -> Path:
        return RuntimePg("runtime-pg", "", "", "").install_dir()

    def start(self, app, install, workdir, stack, progress):
        port = free_port()
        env = server_env({"MATRIX_KEYS": self.keys_env()}, install)
        server = spawn(self.name, LanggraphApi.command(self, install, port), workdir / "server.log", app, env)
        stack.callback(server.stop)
        progress(f"  starting {self.name} on 127.0.0.1:{port}")
        return server, port


class Aegra(PythonVenvImplementation):
    """Aegra: aegra-cli / aegra-api on PostgreSQL, `AUTH_TYPE=custom` with its auth file."""

    pins = ("aegra-cli==0.11.0", "aegra-api==0.11.0")
    min_python = (3, 12)
    version_packages = ("aegra-api", "aegra-cli", "langgraph")

    def write_app(self, app: Path, install: Path, auth: bool) -> None:
        _copy_python_graphs(app)
        config: dict = {"graphs": _python_graphs_config()}
        if auth:
            shutil.copy(APPS / "python_auth.py", app / "auth.py")  # Aegra runs langgraph_sdk Auth too
            config["auth"] = {"path": "./auth.py:auth"}
        (app / "aegra.json").write_text(json.dumps(config, indent=2))

    def start(self, app, install, workdir, stack, progress):
        pg = start_postgres(workdir, stack, progress, "aegra")
        auth = "custom" if self.keys else "noop"
        (app / ".env").write_text(
            "POSTGRES_USER=postgres\nPOSTGRES_PASSWORD=postgres\nPOSTGRES_HOST=127.0.0.1\n"
            f"POSTGRES_PORT={pg}\nPOSTGRES_DB=aegra\n"
            f"DATABASE_URL=postgresql+asyncpg://postgres:postgres@127.0.0.1:{pg}/aegra\n"
            f"AUTH_TYPE={auth}\nAEGRA_CONFIG=aegra.json\n"
            f"MATRIX_KEYS={self.keys_env()}\n"
        )
        port = free_port()
        env = server_env({"MATRIX_KEYS": self.keys_env()}, install)
        command = [str(install / "bin" / "aegra"), "dev", "--host", "127.0.0.1", "--port", str(port),
                   "--no-db-check", "--no-reload", "-e", ".env"]
        server = spawn(self.name, command, workdir / "server.log", app, env)
        stack.callback(server.stop)
        progress(f"  starting {self.name} on 127.0.0.1:{port}")
        return server, port


class LanggraphJs(Implementation):
    """The LangGraph.js dev server: @langchain/langgraph-cli from npm, the `langgraphjs` binary."""

    packages = {
        "@langchain/langgraph-cli": "1.5.1",
        "@langchain/langgraph": "^1.0.0",
        "@langchain/core": "^1.0.0",
        "@langchain/langgraph-sdk": "^1.0.0",
    }

    def install_spec(self) -> list[str]:
        return [f"{name}@{version}" for name, version in self.packages.items()]

    def _install(self, target: Path, log: Path, progress: Progress) -> None:
        for tool in ("node", "npm"):
            if not shutil.which(tool):
                raise MatrixError(f"`{tool}` is not on PATH; install Node.js >= 20 with npm")
        (target / "package.json").write_text(json.dumps(
            {"name": "matrix-langgraphjs", "private": True, "type": "module", "dependencies": self.packages}, indent=2))
        env = server_env({"npm_config_cache": str(cache_root() / "npm-cache")})
        run_logged(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"], log, f"{self.name}: npm install",
                   env=env, cwd=target)

    def version(self, target: Path) -> str:
        out = []
        for name in ("@langchain/langgraph-api", "@langchain/langgraph-cli", "@langchain/langgraph", "@langchain/core"):
            with contextlib.suppress(OSError, ValueError, KeyError):
                out.append(f"{name} {json.loads((target / 'node_modules' / name / 'package.json').read_text())['version']}")
        return ", ".join(out) or "unknown"

    def app_parent(self, install: Path) -> Path | None:
        # Inside the install dir, so that the graphs resolve @langchain/* from its node_modules.
        apps = install / "apps"
        apps.mkdir(exist_ok=True)
        return apps

    def write_app(self, app: Path, install: Path, auth: bool) -> None:
        shutil.copy(PORTING / "typescript" / "graphs.ts", app / "graphs.ts")
        config: dict = {"node_version": "20", "graphs": {g: f"./graphs.ts:{g}" for g in GRAPH_IDS}}
        if auth:
            shutil.copy(APPS / "js_auth.ts", app / "auth.ts")
            config["auth"] = {"path": "./auth.ts:auth", "disable_studio_auth": True}
        (app / "langgraph.json").write_text(json.dumps(config, indent=2))
        (app / "package.json").write_text(json.dumps({"name": "matrix-app", "private": True, "type": "module"}))

    def start(self, app, install, workdir, stack, progress):
        port = free_port()
        env = server_env({"MATRIX_KEYS": self.keys_env()})
        env["PATH"] = f"{install / 'node_modules' / '.bin'}{os.pathsep}{env.get('PATH', '')}"
        command = [str(install / "node_modules" / ".bin" / "langgraphjs"), "dev", "--port", str(port), "--host", "127.0.0.1",
                   "--no-browser", "--no-reload", "--config", "langgraph.json"]
        server = spawn(self.name, command, workdir / "server.log", app, env)
        stack.callback(server.stop)
        progress(f"  starting {self.name} on 127.0.0.1:{port}")
        return server, port


IMPLEMENTATIONS: dict[str, Implementation] = {
    impl.name: impl
    for impl in (
        LanggraphApi("langgraph-api", "langgraph-api", "/ok", "official server 0.16.7, in-memory runtime"),
        LanggraphJs("langgraphjs", "langgraphjs", "/ok", "LangGraph.js dev server (npm @langchain/langgraph-cli)",
                    noauth_args=("--spec", "bundled")),
        Aegra("aegra", "aegra", "/health", "Aegra 0.11.0 on a private PostgreSQL"),
        RuntimePg("runtime-pg", "runtime-pg", "/ok", "langgraph-runtime-pg (langgraph-api 0.11.1) on PostgreSQL + Redis"),
        LanggraphApi011("langgraph-api-0.11", "langgraph-api", "/ok",
                        "official server 0.11.1, in-memory (from runtime-pg's venv)", optional=True),
    )
}
