"""The one target configuration model and its resolution.

Precedence, highest first: command-line options, environment variables, the profile file,
defaults. Resolution is pure (options, environment and the profile text in, a `TargetConfig` out)
so it is unit-tested without pytest or a network.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit

from .errors import ConfigError
from .results import Deviation

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
# In a wheel the profiles are package data (conformance/profiles); in the repo they live in profiles/.
PROFILES_DIR = PACKAGE_DIR / "profiles" if (PACKAGE_DIR / "profiles").is_dir() else PROJECT_ROOT / "profiles"
BUNDLED_SPEC = PACKAGE_DIR / "specs" / "langgraph-api-0.16.7.json"
BUNDLED_SPEC_VERSION = "langgraph-api 0.16.7"

DEFAULT_PUBLIC_PATHS = ("/ok", "/info", "/openapi.json", "/docs", "/metrics")
DEFAULT_HEALTH_PATH = "/ok"
FAIL_ON_CHOICES = ("must", "should", "regression")
# Capabilities a profile may declare ([capabilities]); the others are detected (conformance.capabilities).
DECLARABLE_CAPABILITIES = ("assistants", "threads", "runs", "streaming", "crons", "store", "mcp", "a2a", "webhooks")
# What a budget changes: generated examples per operation, and whether slow checks run.
# `coverage`: how many of schemathesis' coverage-phase cases (boundary values, wrong types, missing
# fields, derived from the schema) each operation is sent, at most (None: all of them).
BUDGETS: dict[str, dict[str, Any]] = {
    "quick": {"examples": 4, "coverage": 6, "slow": False, "stateful": False},
    "default": {"examples": 12, "coverage": 40, "slow": False, "stateful": True},
    "thorough": {"examples": 50, "coverage": None, "slow": True, "stateful": True},
}


@dataclass(frozen=True)
class Profile:
    """What a target profile file says about an implementation (see profiles/*.toml)."""

    name: str
    path: str = ""
    description: str = ""
    implementation: str = ""
    embedded: bool = False
    base_url: str | None = None
    spec: str | None = None
    health_path: str = DEFAULT_HEALTH_PATH  # answers (any status) when the server is up
    graph_ids: tuple[str, ...] = ()
    conformance_graphs: bool | None = None  # None: detected (conformance.discovery)
    capabilities: Mapping[str, bool] = field(default_factory=dict)  # declared; the rest is detected
    # Operations of its spec (a bundled one, typically) the implementation does not serve: left out
    # of the spec the run uses, so they are not sent, not claimed and not failed (the report says so).
    absent_operations: tuple[str, ...] = ()
    auth_enabled: bool | None = None  # None: on when a key is configured
    auth_header: str = "X-Api-Key"
    auth_scheme: str = ""  # "Bearer" sends "Authorization: Bearer <key>"
    public_paths: tuple[str, ...] = DEFAULT_PUBLIC_PATHS
    rejection_statuses: tuple[int, ...] = (401, 403)
    foreign_statuses: tuple[int, ...] = (404,)
    validation_statuses: tuple[int, ...] = (422,)
    pagination: Mapping[str, Any] = field(default_factory=dict)
    deviations: tuple[Deviation, ...] = ()
    webhooks_to_loopback: bool = True  # the deployment may call a webhook on a loopback address


@dataclass(frozen=True)
class TargetConfig:
    """Everything a run needs to know about its target, resolved once."""

    base_url: str | None  # None until the embedded reference has started
    embedded: bool
    profile: Profile
    api_key: str | None = None
    alt_api_key: str | None = None
    # The environment variables a reproduction names instead of printing a key.
    api_key_variable: str = "CONFORMANCE_API_KEY"
    alt_api_key_variable: str = "CONFORMANCE_ALT_API_KEY"
    auth_header: str = "X-Api-Key"
    auth_scheme: str = ""
    spec_source: str | None = None  # URL or file; None: <base_url>/openapi.json, then /docs
    spec_credentials: bool = False  # send the key to a spec URL on another origin (opt-in)
    graph_ids: tuple[str, ...] = ()
    conformance_graphs: bool | None = None  # declared by option or profile; None: detected
    reports_dir: Path = PROJECT_ROOT / "reports"
    seed: int | None = None
    seed_given: bool = False  # --seed was given: the run replays exactly (no example database)
    examples: int = 12
    budget: str = "default"
    strict_spec: bool = False
    fail_on: str = "must"
    baseline: Path | None = None
    request_timeout: float = 30.0
    probe_key_in_url: bool = False  # opt-in: probes that put the real key in a URL
    run_id: str = ""

    @property
    def auth_enabled(self) -> bool:
        if self.profile.auth_enabled is not None:
            return self.profile.auth_enabled
        return bool(self.api_key)

    @property
    def slow_checks(self) -> bool:
        return bool(BUDGETS[self.budget]["slow"])

    @property
    def stateful(self) -> bool:
        return bool(BUDGETS[self.budget]["stateful"])

    @property
    def coverage_cases(self) -> int | None:
        return BUDGETS[self.budget]["coverage"]

    @property
    def spec_url(self) -> str:
        return self.spec_source or f"{self.base_url}/openapi.json"

    def auth_headers(self, key: str | None) -> dict[str, str]:
        """The headers that carry `key` the way this target expects it."""
        if not key:
            return {}
        value = f"{self.auth_scheme} {key}" if self.auth_scheme else key
        return {self.auth_header: value}

    def secrets(self) -> tuple[str, ...]:
        return tuple(k for k in (self.api_key, self.alt_api_key) if k)

    def secret_variables(self) -> dict[str, str]:
        """{secret: the environment variable a reproduction names for it}."""
        out = {}
        if self.alt_api_key:
            out[self.alt_api_key] = self.alt_api_key_variable
        if self.api_key:
            out[self.api_key] = self.api_key_variable
        return out

    def with_embedded_target(self, base_url: str, api_key: str | None, alt_api_key: str | None) -> "TargetConfig":
        return replace(self, base_url=base_url, api_key=api_key, alt_api_key=alt_api_key)


# --- profiles -------------------------------------------------------------------------------

_PROFILE_SCHEMA: dict[str, dict[str, type | tuple[type, ...]]] = {
    "": {"name": str, "description": str, "implementation": str},
    "target": {
        "embedded": bool, "base_url": str, "spec": str, "health": str, "graph_ids": list,
        "conformance_graphs": bool, "reference_graphs": bool, "webhooks_to_loopback": bool,
        "absent_operations": list,
    },
    "capabilities": {name: bool for name in DECLARABLE_CAPABILITIES},
    "auth": {
        "enabled": bool,
        "header": str,
        "scheme": str,
        "public": list,
        "rejection_statuses": list,
        "foreign_statuses": list,
    },
    "validation": {"statuses": list},
    "pagination": {"total_header": str, "next_header": str, "defaults": dict},
    "known_deviations": {},  # table of requirement id -> {reason, link}: the whole requirement
    "deviation": {},  # array of tables: {requirement, operations, match, reason, evidence, link}
}
_DEVIATION_KEYS = {"requirement": (str, list), "reason": str, "operations": list, "match": str, "evidence": str, "link": str}


def find_profile(name_or_path: str, profiles_dir: Path = PROFILES_DIR) -> Path:
    """A profile name (`reference`) or a path (`./my.toml`) to the file it means."""
    candidate = Path(name_or_path).expanduser()
    if candidate.suffix == ".toml" or "/" in name_or_path:
        if candidate.is_file():
            return candidate
        raise ConfigError(f"profile file {name_or_path} does not exist", "check the path given to --profile")
    path = profiles_dir / f"{name_or_path}.toml"
    if path.is_file():
        return path
    known = ", ".join(sorted(p.stem for p in profiles_dir.glob("*.toml"))) or "none"
    raise ConfigError(
        f"unknown profile '{name_or_path}'",
        f"use one of: {known}; or give a path to a .toml file",
    )


def _line_of(text: str, key: str) -> int:
    pattern = re.compile(rf'^\s*"?{re.escape(key)}"?\s*=|^\s*\[\[?{re.escape(key)}\]\]?', re.M)
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else 0


def parse_profile(text: str, path: str = "<profile>") -> Profile:
    """Parse and check a profile's TOML text; every mistake names its key and line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"profile {path} is not valid TOML: {exc}", "fix the line it names") from None

    def bad(key: str, problem: str, fix: str) -> ConfigError:
        line = _line_of(text, key.rsplit(".", 1)[-1])
        where = f"{path}:{line}" if line else path
        return ConfigError(f"profile {where}: key '{key}' {problem}", fix)

    for key, value in data.items():
        if key == "deviation":
            if not isinstance(value, list):
                raise bad("deviation", "must be an array of tables", "write [[deviation]] entries")
            for n, entry in enumerate(value, 1):
                for sub, subvalue in entry.items():
                    expected = _DEVIATION_KEYS.get(sub)
                    if expected is None:
                        raise bad(f"deviation.{sub}", "is not a known key", f"known keys in [[deviation]]: {', '.join(_DEVIATION_KEYS)}")
                    if not isinstance(subvalue, expected):
                        kind = " or ".join(t.__name__ for t in expected) if isinstance(expected, tuple) else expected.__name__
                        raise bad(f"deviation.{sub}", f"must be a {kind}, not {type(subvalue).__name__}", "fix its value")
                for required in ("requirement", "reason"):
                    if not entry.get(required):
                        raise bad("deviation", f"#{n} needs a {required}", 'write requirement = "CON-001", reason = "..."')
            continue
        if isinstance(value, dict):
            if key not in _PROFILE_SCHEMA or key == "":
                raise bad(key, "is not a known section", f"known sections: {', '.join(k for k in _PROFILE_SCHEMA if k)}")
            section = _PROFILE_SCHEMA[key]
            if key == "known_deviations":
                for req, entry in value.items():
                    if not isinstance(entry, dict) or not isinstance(entry.get("reason"), str):
                        raise bad(f"known_deviations.{req}", "needs a reason", 'write {reason = "...", link = "..."}')
                continue
            for sub, subvalue in value.items():
                expected = section.get(sub)
                if expected is None:
                    raise bad(f"{key}.{sub}", "is not a known key", f"known keys in [{key}]: {', '.join(section)}")
                if not isinstance(subvalue, expected) or (expected is int and isinstance(subvalue, bool)):
                    raise bad(f"{key}.{sub}", f"must be a {expected.__name__}, not {type(subvalue).__name__}", "fix its value")
        else:
            expected = _PROFILE_SCHEMA[""].get(key)
            if expected is None:
                raise bad(key, "is not a known key", f"top-level keys: {', '.join(_PROFILE_SCHEMA[''])}")
            if not isinstance(value, expected):
                raise bad(key, f"must be a {expected.__name__}, not {type(value).__name__}", "fix its value")

    def ints(section: str, key: str, default: tuple[int, ...]) -> tuple[int, ...]:
        raw = data.get(section, {}).get(key)
        if raw is None:
            return default
        if not raw or not all(isinstance(v, int) and 100 <= v <= 599 for v in raw):
            raise bad(f"{section}.{key}", "must be a non-empty list of HTTP status codes", "e.g. [401, 403]")
        return tuple(raw)

    def strs(section: str, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        raw = data.get(section, {}).get(key)
        if raw is None:
            return default
        if not all(isinstance(v, str) for v in raw):
            raise bad(f"{section}.{key}", "must be a list of strings", 'e.g. ["a", "b"]')
        return tuple(raw)

    def _labels(labels: tuple[str, ...]) -> tuple[str, ...]:
        for label in labels:
            if " /" not in label or not label.split(" ", 1)[0].isupper():
                raise bad("target.absent_operations", f"lists {label!r}, which is no operation", 'write "GET /threads/{thread_id}/stream"')
        return labels

    target = data.get("target", {})
    auth = data.get("auth", {})
    health = target.get("health", DEFAULT_HEALTH_PATH)
    if not health.startswith("/"):
        raise bad("target.health", "must be a path starting with /", 'e.g. health = "/ok"')
    deviations = [
        Deviation(req, entry["reason"], link=entry.get("link", ""))
        for req, entry in data.get("known_deviations", {}).items()
    ]
    from .catalogue import CATALOGUE

    def requirements_of(entry: dict) -> list[str]:
        named = entry.get("requirement", "")
        return list(named) if isinstance(named, list) else [named]

    for req in [*data.get("known_deviations", {}), *(r for e in data.get("deviation", []) for r in requirements_of(e))]:
        if req not in CATALOGUE:
            raise bad("deviation" if "deviation" in data else f"known_deviations.{req}", f"names {req!r}, which is no requirement",
                      "see `langgraph-conformance requirements` for the ids")
    for entry in data.get("deviation", []):
        operations = entry.get("operations", [])
        if not all(isinstance(o, str) and " /" in o for o in operations):
            raise bad("deviation.operations", "must list operations like \"GET /threads/{thread_id}\"", "fix its value")
        if entry.get("match"):
            try:
                re.compile(entry["match"])
            except re.error as exc:
                raise bad("deviation.match", f"is not a regular expression ({exc})", "fix its value") from None
        for requirement in requirements_of(entry):  # one defect may break several requirements
            deviations.append(Deviation(
                requirement, entry["reason"], tuple(operations), entry.get("match", ""),
                entry.get("evidence", ""), entry.get("link", ""),
            ))
    conformance_graphs = target.get("conformance_graphs", target.get("reference_graphs"))
    stem = Path(path).stem if path != "<profile>" else "custom"
    return Profile(
        name=data.get("name", stem),
        path=str(path),
        description=data.get("description", ""),
        implementation=data.get("implementation", ""),
        embedded=target.get("embedded", False),
        base_url=target.get("base_url"),
        spec=target.get("spec"),
        health_path=health,
        graph_ids=strs("target", "graph_ids", ()),
        conformance_graphs=conformance_graphs,
        capabilities=dict(data.get("capabilities", {})),
        absent_operations=_labels(strs("target", "absent_operations", ())),
        webhooks_to_loopback=target.get("webhooks_to_loopback", True),
        auth_enabled=auth.get("enabled"),
        auth_header=auth.get("header", "X-Api-Key"),
        auth_scheme=auth.get("scheme", ""),
        public_paths=strs("auth", "public", DEFAULT_PUBLIC_PATHS),
        rejection_statuses=ints("auth", "rejection_statuses", (401, 403)),
        foreign_statuses=ints("auth", "foreign_statuses", (404,)),
        validation_statuses=ints("validation", "statuses", (422,)),
        pagination=dict(data.get("pagination", {})),
        deviations=tuple(deviations),
    )


def load_profile(name_or_path: str, profiles_dir: Path = PROFILES_DIR) -> Profile:
    path = find_profile(name_or_path, profiles_dir)
    return parse_profile(path.read_text(encoding="utf-8"), str(path))


# --- resolution -----------------------------------------------------------------------------


def normalise_base_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"base URL '{_without_userinfo(url)}' is not an http(s) URL",
            "give one like http://127.0.0.1:8123 with --base-url or CONFORMANCE_BASE_URL",
        )
    if parts.username or parts.password:
        raise ConfigError(
            "the base URL carries user info (user:password@)",
            "give the credential with --api-key (it is then sent only in its header), not in the URL",
        )
    if parts.query or parts.fragment:
        raise ConfigError(f"base URL '{url}' has a query or fragment", "give the deployment's root URL only")
    return url.rstrip("/")


def _without_userinfo(url: str) -> str:
    parts = urlsplit(url)
    if parts.username or parts.password:
        return url.replace(parts.netloc, parts.netloc.rsplit("@", 1)[-1])
    return url


def _int_option(value: Any, name: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} '{value}' is not an integer", f"give {name} a whole number") from None


def _flag(value: Any) -> bool:
    return value is True or str(value).lower() in ("1", "true", "yes", "on")


def resolve(
    options: Mapping[str, Any],
    env: Mapping[str, str],
    profiles_dir: Path = PROFILES_DIR,
) -> TargetConfig:
    """Options (None when not given) and the environment to one validated `TargetConfig`."""

    def pick(option: str, *env_names: str) -> Any:
        value = options.get(option)
        if value not in (None, "", False):
            return value
        for name in env_names:
            if env.get(name):
                return env[name]
        return None

    base_url = pick("base_url", "CONFORMANCE_BASE_URL")
    profile_name = pick("profile", "CONFORMANCE_PROFILE")
    if profile_name is None:
        profile_name = "generic" if base_url else "reference"
    profile = load_profile(str(profile_name), profiles_dir)

    if base_url is None and profile.base_url:
        base_url = profile.base_url
    embedded = base_url is None
    if embedded and not profile.embedded:
        raise ConfigError(
            f"profile '{profile.name}' describes an external deployment but no base URL is set",
            "give --base-url / CONFORMANCE_BASE_URL, or use the 'reference' profile",
        )
    if base_url is not None:
        base_url = normalise_base_url(str(base_url))

    graph_option = pick("graph_id", "CONFORMANCE_GRAPH_ID")
    graph_ids = tuple(g for g in str(graph_option).split(",") if g) if graph_option else profile.graph_ids

    fail_on = str(pick("fail_on", "CONFORMANCE_FAIL_ON") or "must").lower()
    if fail_on not in FAIL_ON_CHOICES:
        raise ConfigError(f"--fail-on '{fail_on}' is not known", f"use one of: {', '.join(FAIL_ON_CHOICES)}")

    budget = str(pick("budget", "CONFORMANCE_BUDGET") or "default").lower()
    if budget not in BUDGETS:
        raise ConfigError(f"--budget '{budget}' is not known", f"use one of: {', '.join(BUDGETS)}")
    examples = _int_option(pick("examples", "CONFORMANCE_EXAMPLES"), "--examples")
    if examples is not None and examples < 1:
        raise ConfigError(f"--examples {examples} is below 1", "give at least 1 example per operation")
    timeout = pick("request_timeout", "CONFORMANCE_REQUEST_TIMEOUT")
    try:
        request_timeout = float(timeout) if timeout is not None else 30.0
    except ValueError:
        raise ConfigError(f"--request-timeout '{timeout}' is not a number", "give seconds, e.g. 30") from None
    if request_timeout <= 0:
        raise ConfigError(f"--request-timeout {timeout} is not positive", "give seconds, e.g. 30")

    baseline = pick("baseline", "CONFORMANCE_BASELINE")
    if baseline is not None:
        baseline = Path(baseline).expanduser()
        if not baseline.is_file():
            raise ConfigError(f"baseline {baseline} does not exist", "give the summary.json of an earlier run")

    reports_dir = Path(pick("reports_dir", "CONFORMANCE_REPORTS_DIR") or Path.cwd() / "reports").expanduser()
    spec = pick("spec", "CONFORMANCE_SPEC") or profile.spec
    if spec == "bundled":
        spec = str(BUNDLED_SPEC)

    api_key_variable = next((n for n in ("CONFORMANCE_API_KEY", "LANGGRAPH_API_KEY") if env.get(n)), "CONFORMANCE_API_KEY")
    api_key = pick("api_key", "CONFORMANCE_API_KEY", "LANGGRAPH_API_KEY")
    alt_api_key = pick("alt_api_key", "CONFORMANCE_ALT_API_KEY")
    if embedded and (api_key or alt_api_key):
        raise ConfigError(
            "an API key was given but no base URL: the embedded reference makes its own keys",
            "add --base-url for your deployment, or drop --api-key/--alt-api-key",
        )
    if profile.auth_enabled and not embedded and not api_key:
        raise ConfigError(
            f"profile '{profile.name}' has auth on but no API key is set",
            "give --api-key or CONFORMANCE_API_KEY (or LANGGRAPH_API_KEY)",
        )
    if alt_api_key and not api_key:
        raise ConfigError("a second tenant's key was given without the main key", "give --api-key as well")
    if api_key and alt_api_key and api_key == alt_api_key:
        raise ConfigError(
            "--api-key and --alt-api-key are the same key",
            "give the key of another tenant as --alt-api-key (isolation is judged between two tenants)",
        )
    for name, key in (("--api-key", api_key), ("--alt-api-key", alt_api_key)):
        if key is not None and (key != key.strip() or any(ord(c) < 32 for c in key)):
            raise ConfigError(f"{name} has surrounding whitespace or control characters", "give the key exactly as issued")

    seed = _int_option(pick("seed", "CONFORMANCE_SEED"), "--seed")
    conformance_graphs = pick("conformance_graphs", "CONFORMANCE_GRAPHS")
    return TargetConfig(
        base_url=base_url,
        embedded=embedded,
        profile=profile,
        api_key=api_key,
        alt_api_key=alt_api_key,
        api_key_variable=api_key_variable,
        auth_header=profile.auth_header if not profile.auth_scheme else "Authorization",
        auth_scheme=profile.auth_scheme,
        spec_source=str(spec) if spec else None,
        spec_credentials=_flag(pick("spec_credentials", "CONFORMANCE_SPEC_CREDENTIALS")),
        graph_ids=graph_ids,
        conformance_graphs=True if conformance_graphs and _flag(conformance_graphs) else profile.conformance_graphs,
        reports_dir=reports_dir,
        seed=seed,
        seed_given=seed is not None,
        examples=examples or int(BUDGETS[budget]["examples"]),
        budget=budget,
        strict_spec=_flag(options.get("strict_spec")) or _flag(env.get("CONFORMANCE_STRICT_SPEC", "")),
        fail_on=fail_on,
        baseline=baseline,
        request_timeout=request_timeout,
        probe_key_in_url=_flag(pick("probe_key_in_url", "CONFORMANCE_PROBE_KEY_IN_URL")),
        run_id=str(options.get("run_id") or ""),
    )
