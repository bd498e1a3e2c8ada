from ._model import Requirement

_SEARCH = "spec: the limit/offset/sort_by/sort_order of every paginated operation"
_HEADERS = ("observed: the official server and SDKs (langgraph-sdk follows X-Pagination-Next); "
            "the spec declares no pagination headers, hence SHOULD")

REQUIREMENTS = [
    Requirement(
        "PAGE-001", "MUST", "pagination",
        "A page of a paginated operation never holds more items than the `limit` asked for.",
        _SEARCH,
    ),
    Requirement(
        "PAGE-002", "MUST", "pagination",
        "Every item on a page of a search matches the search's filter.",
        "spec: the metadata/filter fields of the search operations",
    ),
    Requirement(
        "PAGE-003", "MUST", "pagination",
        "Walking the pages by `offset` visits every matching item exactly once: no duplicate, no gap, "
        "and the union is the full listing.",
        _SEARCH,
    ),
    Requirement(
        "PAGE-004", "SHOULD", "pagination",
        "Following `X-Pagination-Next` from the first page visits every matching item exactly once.",
        _HEADERS,
    ),
    Requirement(
        "PAGE-005", "MUST", "pagination",
        "An `offset` at or past the end of the listing gives 200 and an empty page.",
        "spec: offset 'the number of results to skip'; observed on the official server",
    ),
    Requirement(
        "PAGE-006", "MUST", "pagination",
        "Items come in the order `sort_by` and `sort_order` ask for.",
        "spec: the sort_by/sort_order enums of the search operations",
    ),
    Requirement(
        "PAGE-007", "MUST", "pagination",
        "Sorted `asc`, items with distinct keys come in the reverse of their order sorted `desc`.",
        "spec: the sort_order enum (asc, desc)",
    ),
    Requirement(
        "PAGE-008", "SHOULD", "pagination",
        "Without `sort_by`/`sort_order`, items come in the default order the spec (or, where it is "
        "silent, the profile) documents.",
        "spec: declared sort defaults (crons); profile [pagination.defaults] (official: threads "
        "updated_at desc, assistants created_at desc)",
    ),
    Requirement(
        "PAGE-009", "MUST", "pagination",
        "The order is stable: the same request twice gives the same page.",
        "implied by offset pagination: pages of an unstable order overlap and leave gaps",
    ),
    Requirement(
        "PAGE-010", "SHOULD", "pagination",
        "`X-Pagination-Next`, when sent, equals offset + limit, and it is sent exactly when more items exist.",
        _HEADERS,
    ),
    Requirement(
        "PAGE-011", "SHOULD", "pagination",
        "`X-Pagination-Total`, when sent, agrees with what the profile says it means (the official server: "
        "offset + items returned, +1 when more exist).",
        _HEADERS + "; profile [pagination] total_header",
    ),
    Requirement(
        "PAGE-012", "MUST", "pagination",
        "A count operation (/assistants/count, /threads/count, /runs/crons/count) equals the number of "
        "items the full walk of its search visits under the same filter.",
        "spec: POST /assistants/count, /threads/count, /runs/crons/count",
    ),
    Requirement(
        "PAGE-013", "MUST", "pagination",
        "A `limit` or `offset` outside the bounds the spec declares (below the minimum, above the maximum, "
        "not an integer) is rejected with a validation status, never a 5xx and never a clamped 200.",
        "spec: minimum/maximum/type of limit and offset",
    ),
    Requirement(
        "PAGE-014", "SHOULD", "pagination",
        "A paginated search whose page is followed by more matching items says so with `X-Pagination-Next`.",
        _HEADERS + "; the official server and the LangGraph.js server send it, Aegra sends none: clients that "
        "follow it (the SDKs' paged iteration) stop after one page",
    ),
]
