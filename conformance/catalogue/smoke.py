from ._model import Requirement

REQUIREMENTS = [
    Requirement(
        "SMOKE-001", "MUST", "smoke",
        "GET /ok answers 200 with a JSON body whose `ok` is true.",
        "docs: LangGraph Server health check; spec: GET /ok",
    ),
    Requirement(
        "SMOKE-002", "SHOULD", "smoke",
        "GET /info answers 200 with a JSON object describing the server.",
        "spec: GET /info",
    ),
    Requirement(
        "SMOKE-003", "MUST", "smoke",
        "The deployment's spec is a valid OpenAPI 3.x document that declares the core paths "
        "(/assistants, /threads, /runs or /threads/{thread_id}/runs, /store).",
        "docs: the Agent Server API reference; spec: /openapi.json",
    ),
    Requirement(
        "SMOKE-004", "MUST", "smoke",
        "An assistant created from a deployed graph can run on a new thread, and joining the run "
        "returns its final state.",
        "spec: POST /assistants, POST /threads, POST /threads/{thread_id}/runs, GET .../join",
        needs=("graph",),
    ),
    Requirement(
        "SMOKE-005", "SHOULD", "smoke",
        "The deployment serves its own OpenAPI spec, at /openapi.json or from its /docs page.",
        "docs: LangSmith Deployment API reference (\"available with each deployment at the /docs URL path\"); "
        "SHOULD: the LangGraph.js server serves none",
    ),
]
