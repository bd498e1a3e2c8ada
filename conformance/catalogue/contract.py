from ._model import Requirement

# The contract area holds every response to generated requests against the deployment's own spec
# (after the documented errata, unless --strict-spec). Levels: what the spec states about responses
# is MUST; what it implies about requests (reject the invalid, accept the valid) is SHOULD, because
# a spec cannot express every business rule and lenient parsing is common and harmless.
REQUIREMENTS = [
    Requirement(
        "CON-001", "MUST", "contract",
        "No request, valid or invalid, is answered with a server error (5xx).",
        "RFC 9110 15.6: 5xx means the server failed to perform a request; a bad request is the client's (4xx)",
    ),
    Requirement(
        "CON-002", "MUST", "contract",
        "Every response has a status code the spec documents for its operation.",
        "OpenAPI 3.1 4.8.16 Responses Object: the responses of an operation are the ones it declares; a 400 to a body "
        "that is not JSON at all is HTTP's answer to a malformed request (RFC 9110 15.5.1) and is accepted",
    ),
    Requirement(
        "CON-003", "MUST", "contract",
        "Every response with a body carries a Content-Type the spec documents for its status.",
        "OpenAPI 3.1 4.8.17 Response Object `content`; RFC 9110 8.3",
    ),
    Requirement(
        "CON-004", "SHOULD", "contract",
        "Every response carries the headers the spec declares required for its status, in their declared form.",
        "OpenAPI 3.1 4.8.17 Response Object `headers` (SHOULD: the official spec declares headers only as optional)",
    ),
    Requirement(
        "CON-005", "MUST", "contract",
        "Every JSON response body matches the schema the spec declares for its status and content type.",
        "OpenAPI 3.1 4.8.17 Response Object / 4.8.14 Media Type Object `schema`",
    ),
    Requirement(
        "CON-006", "SHOULD", "contract",
        "A request that violates the spec's schema (wrong type, out-of-range value, missing required field) "
        "is rejected with a 4xx.",
        "OpenAPI 3.1 4.8.12 Parameter / 4.8.13 Request Body schemas; the official server answers 422 (TARGETS.md)",
    ),
    Requirement(
        "CON-007", "SHOULD", "contract",
        "A request that satisfies the spec's schema is not rejected as malformed (400/422).",
        "OpenAPI 3.1 request schemas; SHOULD because a spec cannot state every business rule",
    ),
    Requirement(
        "CON-008", "MUST", "contract",
        "A request naming a resource id that was never created is answered 404, not 2xx.",
        "RFC 9110 15.5.5 404 Not Found; the spec documents 404 for unknown ids",
    ),
    Requirement(
        "CON-009", "MUST", "contract",
        "A streaming (SSE) response is text/event-stream made of `event:`/`data:` lines whose data is JSON.",
        "WHATWG HTML 9.2 Server-sent events; docs: LangGraph streaming API (each event's data is JSON)",
    ),
    Requirement(
        "CON-010", "MUST", "contract",
        "A resource that was deleted successfully is gone: reading it again answers 404 "
        "(assistants, threads, runs, crons, store items).",
        "RFC 9110 9.3.5 DELETE; spec: GET on a deleted id documents 404",
    ),
    Requirement(
        "CON-011", "SHOULD", "contract",
        "Sequences of linked operations over real resources (create, read, update, list, delete) keep every "
        "response within the contract.",
        "schemathesis stateful testing over the spec's inferred links; OpenAPI 3.1 4.8.20 Link Object",
    ),
    Requirement(
        "CON-012", "SHOULD", "contract",
        "Held to the bundled official spec (the deployment serves none of its own), responses keep its status codes, "
        "content types, declared headers and body schemas.",
        "issue 12: fields only one implementation reports are no MUST of another; CON-002..005 are judged against "
        "the deployment's own spec, this one against another implementation's",
    ),
]
