"""Loading the deployment's OpenAPI spec: the one it serves (/openapi.json, else the one its /docs
page loads), or one the user gives (a URL or a file), or the bundled snapshot of the official spec.

Everything that can go wrong here is the user's to fix (a wrong URL, a missing key, a document
that is not OpenAPI 3.x) and becomes one line with its own exit code.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx

from .config import BUNDLED_SPEC, BUNDLED_SPEC_VERSION, TargetConfig
from .errors import CredentialsRefused, SpecInvalid, TargetUnreachable
from .http import Exchange, fetch, origin
from .redact import redact

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True)
class LoadedSpec:
    document: dict[str, Any]
    source: str  # where it came from, for the report
    kind: str = "own"  # own (the deployment's) | given (by the user) | bundled (another implementation's)
    how: str = ""  # how it was found, for the report

    @property
    def paths(self) -> list[str]:
        return [p for p, item in (self.document.get("paths") or {}).items() if isinstance(item, dict)]

    def to_json(self) -> dict[str, Any]:
        return {"document": self.document, "source": self.source, "kind": self.kind, "how": self.how}

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
    """Any HTTP answer on the health path proves the base URL is a server; none is a config error."""
    try:
        fetch(f"{config.base_url}{config.profile.health_path}", timeout=min(config.request_timeout, 10.0))
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


# Where a /docs page names its spec: Swagger UI (`url: "..."`), ReDoc (`spec-url="..."`), or a link.
_DOCS_SPEC = re.compile(r"""(?:\burl\s*[:=]\s*|spec-url\s*=\s*|href\s*=\s*)["']([^"']+\.(?:json|ya?ml)(?:\?[^"']*)?)["']""", re.I)
SPEC_OWN, SPEC_GIVEN, SPEC_BUNDLED = "own", "given", "bundled"


def _spec_headers(config: TargetConfig, url: str) -> dict[str, str]:
    """Credentials go with a spec fetch only to the base URL's origin, unless the user asked otherwise."""
    same_origin = bool(config.base_url) and origin(url) == origin(config.base_url or "")
    if same_origin or config.spec_credentials:
        return config.auth_headers(config.api_key)
    return {}


def _fetch_spec(config: TargetConfig, url: str) -> Exchange:
    try:
        exchange = fetch(url, headers=_spec_headers(config, url), timeout=config.request_timeout)
    except httpx.HTTPError as exc:
        raise TargetUnreachable(f"spec URL {redact(url)} is unreachable ({type(exc).__name__})", "check --spec / --base-url") from None
    if exchange.status in (401, 403):
        if config.base_url and origin(url) != origin(config.base_url) and not config.spec_credentials:
            raise CredentialsRefused(
                f"the spec fetch {redact(url)} answered {exchange.status}; no key was sent: it is another origin than the base URL's",
                "give --spec-credentials to send the key there too, or a spec file with --spec",
            )
        credential = "the API key (--api-key / CONFORMANCE_API_KEY)" if not config.api_key else f"a key the deployment accepts in {config.auth_header}"
        raise CredentialsRefused(
            f"the spec fetch {redact(url)} answered {exchange.status}: the deployment wants {credential}",
            "give the deployment's API key with --api-key, or a spec file with --spec",
        )
    if exchange.cut:
        raise SpecInvalid(f"the spec fetch {redact(url)} was cut off ({exchange.cut})", "give the spec as a file with --spec")
    return exchange


def _parse(text: str, source: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        try:
            import yaml  # schemathesis depends on PyYAML

            return yaml.safe_load(text)
        except Exception:  # noqa: BLE001 - any parse failure is the same user error
            raise SpecInvalid(f"spec at {redact(source)} is neither JSON nor YAML", "point --spec at an OpenAPI document") from None


def spec_link_in_docs(html: str, docs_url: str) -> str | None:
    """The spec a /docs page loads (Swagger UI or ReDoc), as an absolute URL; None if it names none."""
    match = _DOCS_SPEC.search(html)
    return urljoin(docs_url, match.group(1)) if match else None


def discover_spec(config: TargetConfig) -> LoadedSpec:
    """The deployment's own spec: at /openapi.json, else the one its /docs page embeds or links."""
    base = config.base_url or ""
    tried = []
    own = _fetch_spec(config, f"{base}/openapi.json")
    if own.status == 200 and isinstance(own.json_or_none(), dict):
        document = own.json()
        validate_openapi(document, own.url)
        return LoadedSpec(document, own.url, SPEC_OWN, "served at /openapi.json")
    tried.append(f"/openapi.json answered {own.status}")
    docs = _fetch_spec(config, f"{base}/docs")
    link = spec_link_in_docs(docs.text, docs.url) if docs.status == 200 else None
    if link and origin(link) == origin(base):
        linked = _fetch_spec(config, link)
        if linked.status == 200:
            document = _parse(linked.text, link)
            validate_openapi(document, link)
            return LoadedSpec(document, link, SPEC_OWN, "linked from the /docs page")
        tried.append(f"the spec /docs links ({link}) answered {linked.status}")
    else:
        tried.append(f"/docs answered {docs.status}" + (" and names no spec" if docs.status == 200 else ""))
    raise SpecInvalid(
        f"the deployment serves no spec ({'; '.join(tried)})",
        f"give it with --spec URL|FILE, or --spec bundled for the official spec ({BUNDLED_SPEC_VERSION})",
    )


def load_spec(config: TargetConfig) -> LoadedSpec:
    if not config.spec_source:
        return discover_spec(config)
    source = config.spec_source
    if source.startswith(("http://", "https://")):
        exchange = _fetch_spec(config, source)
        if exchange.status != 200:
            raise SpecInvalid(
                f"the spec fetch {redact(source)} answered {exchange.status}",
                f"give the spec with --spec URL|FILE, or --spec bundled for the official spec ({BUNDLED_SPEC_VERSION})",
            )
        document = _parse(exchange.text, source)
        validate_openapi(document, source)
        kind, how = SPEC_GIVEN, "given with --spec"
        if config.base_url and origin(source) == origin(config.base_url):
            kind, how = SPEC_OWN, "served by the deployment"
        return LoadedSpec(document, source, kind, how)
    path = Path(source).expanduser()
    if not path.is_file():
        raise SpecInvalid(f"spec file {source} does not exist", "check the path given to --spec")
    document = _parse(path.read_text(encoding="utf-8"), source)
    if path.resolve() == BUNDLED_SPEC.resolve():
        validate_openapi(document, source)
        return LoadedSpec(document, f"bundled snapshot ({BUNDLED_SPEC_VERSION})", SPEC_BUNDLED,
                          f"the official spec of {BUNDLED_SPEC_VERSION}, bundled with the suite (the deployment's own is not used)")
    validate_openapi(document, source)
    return LoadedSpec(document, source, SPEC_GIVEN, "given as a file")


def operation_label(method: str, url: str, paths: list[str]) -> str:
    """The spec operation ("METHOD /template") a request was sent to, or '' when none matches."""
    from urllib.parse import urlsplit

    path = urlsplit(url).path.rstrip("/") or "/"
    best = ""
    for template in paths:
        pattern = "^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template.rstrip("/") or "/")) + "$"
        if re.match(pattern, path) and (not best or template.count("{") < best.count("{")):
            best = template  # the most literal template wins (/threads/search over /threads/{thread_id})
    return f"{method.upper()} {best}" if best else ""
