from ._model import Requirement

_ISSUE = "issue 5 (auth); docs: LangGraph Platform deployments require X-Api-Key, custom auth (Auth.authenticate)"

REQUIREMENTS = [
    Requirement(
        "AUTH-001", "MUST", "auth",
        "Every protected operation (every operation of the spec outside the public paths) rejects an "
        "otherwise valid request that carries no credential.",
        _ISSUE, needs=("auth",),
    ),
    Requirement(
        "AUTH-002", "MUST", "auth",
        "Every protected operation rejects an otherwise valid request that carries a wrong credential.",
        _ISSUE, needs=("auth",),
    ),
    Requirement(
        "AUTH-003", "MUST", "auth",
        "Every protected operation rejects a malformed credential (empty, whitespace inside, very long, "
        "non-ASCII) with a rejection status, never a 5xx.",
        _ISSUE, needs=("auth",),
    ),
    Requirement(
        "AUTH-004", "MUST", "auth",
        "Every protected operation accepts an otherwise valid request that carries the right credential.",
        _ISSUE, needs=("auth",),
    ),
    Requirement(
        "AUTH-005", "MUST", "auth",
        "A rejected request's response carries no data of the resource it addressed.",
        _ISSUE, needs=("auth",),
    ),
    Requirement(
        "AUTH-006", "MUST", "auth",
        "The studio header `x-auth-scheme: langsmith` without a credential does not let a request "
        "through on any protected operation.",
        "TARGETS.md: without disable_studio_auth the official server admits such a request as a studio user",
        needs=("auth",),
    ),
    Requirement(
        "AUTH-007", "MUST", "auth",
        "The right key outside the configured credential header (in another auth header) is not accepted "
        "on any protected operation.",
        _ISSUE + "; the query-parameter form is AUTH-011 (opt-in)", needs=("auth",),
    ),
    Requirement(
        "AUTH-008", "MUST", "auth",
        "A wrong key under a differently-cased credential header name is rejected on every protected operation.",
        _ISSUE + "; RFC 9110 5.1: field names are case-insensitive", needs=("auth",),
    ),
    Requirement(
        "AUTH-009", "MUST", "auth",
        "The right key under a differently-cased credential header name is accepted on every protected "
        "operation, header names being case-insensitive.",
        "RFC 9110 5.1: field names are case-insensitive", needs=("auth",),
    ),
    Requirement(
        "AUTH-010", "MUST", "auth",
        "The public paths (by default /ok, /info, /openapi.json, /docs, /metrics) answer without a "
        "credential, neither rejected nor with a 5xx.",
        "TARGETS.md: public even with auth on; the profile's [auth] public list",
        needs=("auth",),
    ),
    Requirement(
        "AUTH-011", "SHOULD", "auth",
        "The right key as an api_key / x-api-key query parameter is not accepted on any protected operation.",
        _ISSUE + "; opt-in (--probe-key-in-url): the probe sends the real key in URLs, which access logs, proxies "
        "and CDNs keep; without it the suite judges AUTH-007 (other headers) only. SHOULD: a deployment that "
        "accepted it would still be reached only by clients that leak their own key",
        needs=("auth", "key_in_url_probes"),
    ),
]
