"""Security behaviour a buyer checks: CORS, routes outside the spec, cross-tenant use of resources."""

from ._model import Requirement

_TENANTS = "issue 13 item 8; docs: LangGraph custom auth, resource authorization (@auth.on owner filters)"

REQUIREMENTS = [
    Requirement(
        "SEC-001", "MUST", "security",
        "No response, preflights included, pairs an arbitrary request `Origin` echoed in "
        "`Access-Control-Allow-Origin` with `Access-Control-Allow-Credentials: true`.",
        "Fetch standard (CORS): that pair lets any web page make credentialed requests and read the answers; "
        "the official server, LangGraph.js and Aegra answer `*` without credentials by default (research §8)",
    ),
    Requirement(
        "SEC-002", "MUST", "security",
        "Routes outside the spec that change or disclose data (`/internal/truncate`, `/internal/debug/thread/{id}`, "
        "`/deploy` on some implementations) do not answer without a credential: a rejection or 404.",
        "issue 13 item 8; the routes of langgraph dev's in-memory runtime (langgraph_runtime_inmem/routes.py) and "
        "LangGraph.js (POST /internal/truncate). Probed without a credential, on auth-on targets only, with GET and "
        "OPTIONS only: the POSTs that wipe data or start a deployment are never sent (see the suite's docstring)",
        needs=("auth",),
    ),
    Requirement(
        "SEC-003", "MUST", "security",
        "Tenant B cannot run tenant A's assistant: a run naming it is refused (4xx), even on B's own thread, and "
        "nothing runs.",
        _TENANTS + "; the official server checks assistants.read when a run is made (INMEM Runs.put), Aegra scopes "
        "assistants by owner; LangGraph.js does not check (research §8)",
        needs=("auth", "second_tenant", "runs"),
    ),
    Requirement(
        "SEC-004", "MUST", "security",
        "Tenant B cannot copy tenant A's thread: the copy is refused (404 or 409) and no thread is created.",
        _TENANTS + "; the official server and LangGraph.js answer 409 (the spec's declared answer for a thread that cannot be copied)",
        needs=("auth", "second_tenant"),
    ),
]
