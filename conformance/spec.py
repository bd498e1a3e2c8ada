"""Loading the deployment's OpenAPI spec: from its URL, a file, or the bundled snapshot.

Everything that can go wrong here is the user's to fix (a wrong URL, a missing key, a document
that is not OpenAPI 3.x) and becomes one line with its own exit code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from .config import BUNDLED_SPEC, BUNDLED_SPEC_VERSION, TargetConfig
from .errors import CredentialsRefused, SpecInvalid, TargetUnreachable
from .redact import redact

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True)
class LoadedSpec:
    document: dict[str, Any]
    source: str  # where it came from, for the report

    @property
    def title(self) -> str:
        return str(self.document.get("info", {}).get("title", ""))

    @property
    def version(self) -> str:
        return str(self.document.get("info", {}).get("version", ""))

    def operations(self) -> list[tuple[str, str, dict[str, Any]]]:
        """(METHOD, path, operation object) for every operation, in document order."""
        out = []
        for path, item in self.document.get("paths", {}).items():
            if not isinstance(item, dict):
                continue
            for method in HTTP_METHODS:
                if isinstance(item.get(method), dict):
                    out.append((method.upper(), path, item[method]))
        return out


def check_reachable(config: TargetConfig) -> None:
    """Any HTTP answer proves the base URL is a server; no answer at all is a config error."""
    try:
        httpx.get(f"{config.base_url}/ok", timeout=min(config.request_timeout, 10.0), headers=config.auth_headers(config.api_key))
    except httpx.HTTPError as exc:
        raise TargetUnreachable(
            f"base URL {config.base_url} is unreachable ({type(exc).__name__})",
            "check --base-url / CONFORMANCE_BASE_URL and that the deployment is running",
        ) from None


def validate_openapi(document: Any, source: str) -> None:
    if not isinstance(document, dict):
        raise SpecInvalid(f"spec at {source} is not a JSON object", "point --spec at an OpenAPI 3.x document")
    version = str(document.get("openapi", ""))
    if not version.startswith("3."):
        found = f"openapi: {version}" if version else ("swagger: " + str(document["swagger"]) if "swagger" in document else "no 'openapi' field")
        raise SpecInvalid(
            f"spec at {source} is not OpenAPI 3.x ({found})",
            "point --spec at an OpenAPI 3.0/3.1 document, or use --spec bundled",
        )
    if not isinstance(document.get("paths"), dict) or not document["paths"]:
        raise SpecInvalid(f"spec at {source} declares no paths", "point --spec at the deployment's full spec")
    errors = schema_errors(document)
    if errors:
        raise SpecInvalid(f"spec at {source} is not valid OpenAPI {version}: {errors[0]}", "fix the spec or give another with --spec")


def schema_errors(document: dict[str, Any], limit: int = 5) -> list[str]:
    """Violations of the OpenAPI meta-schema (the one schemathesis itself validates with)."""
    from schemathesis.specs.openapi import definitions

    version = str(document.get("openapi", ""))
    validator = definitions.OPENAPI_30_VALIDATOR if version.startswith("3.0") else definitions.OPENAPI_31_VALIDATOR
    out = []
    for error in validator.iter_errors(document):
        where = "/".join(str(p) for p in error.instance_path) or "(root)"
        out.append(f"at {where}: {error.message[:200]}")
        if len(out) >= limit:
            break
    return out


def load_spec(config: TargetConfig) -> LoadedSpec:
    source = config.spec_url
    if source.startswith(("http://", "https://")):
        try:
            response = httpx.get(source, timeout=config.request_timeout, headers=config.auth_headers(config.api_key))
        except httpx.HTTPError as exc:
            raise TargetUnreachable(f"spec URL {source} is unreachable ({type(exc).__name__})", "check --spec / --base-url") from None
        if response.status_code in (401, 403):
            credential = "the API key (--api-key / CONFORMANCE_API_KEY)" if not config.api_key else f"a key the deployment accepts in {config.auth_header}"
            raise CredentialsRefused(
                f"the spec fetch {source} answered {response.status_code}: the deployment wants {credential}",
                "give the deployment's API key with --api-key, or a spec file with --spec",
            )
        if response.status_code != 200:
            raise SpecInvalid(
                f"the spec fetch {source} answered {response.status_code}",
                f"give the spec with --spec URL|FILE, or --spec bundled for the official spec ({BUNDLED_SPEC_VERSION})",
            )
        text = response.text
    else:
        path = Path(source).expanduser()
        if not path.is_file():
            raise SpecInvalid(f"spec file {source} does not exist", "check the path given to --spec")
        text = path.read_text(encoding="utf-8")
        if path.resolve() == BUNDLED_SPEC.resolve():
            source = f"bundled snapshot ({BUNDLED_SPEC_VERSION})"
    try:
        document = json.loads(text)
    except ValueError:
        try:
            import yaml  # schemathesis depends on PyYAML

            document = yaml.safe_load(text)
        except Exception:  # noqa: BLE001 - any parse failure is the same user error
            raise SpecInvalid(f"spec at {redact(source)} is neither JSON nor YAML", "point --spec at an OpenAPI document") from None
    validate_openapi(document, source)
    return LoadedSpec(document, source)
