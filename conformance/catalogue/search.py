"""Search and count semantics: every declared filter narrows the result, counts equal walks."""

from ._model import Requirement

_FILTERS = ("spec: the filters of the search and listing operations (AssistantSearchRequest, ThreadSearchRequest, "
            "CronSearch, StoreSearchRequest, StoreListNamespacesRequest, ThreadStateSearch, the runs list's `status`), "
            "derived from the target's own spec; issue 13 item 6")

REQUIREMENTS = [
    Requirement(
        "SEARCH-001", "MUST", "search",
        "Every filter a search operation declares narrows its result to the items that match: the seeded item it "
        "matches is found, and no item that does not match is returned.",
        _FILTERS + "; a filter the suite cannot seed data for is not exercised (e.g. the store's semantic `query`)",
    ),
    Requirement(
        "SEARCH-002", "MUST", "search",
        "A count operation honours every filter it declares: under each, the count equals the number of items "
        "the walk of its search visits under the same filter.",
        "spec: AssistantCountRequest, ThreadCountRequest, CronCountRequest (the filters they share with their search)",
    ),
    Requirement(
        "SEARCH-003", "MUST", "search",
        "A search (and its count) whose id filter names an id nobody has (`ids`, `assistant_id`, `thread_id`) finds "
        "nothing: 200 with an empty list, a count of 0.",
        "spec: the id filters of ThreadSearchRequest and CronSearch (\"List of thread IDs to include. Others are excluded.\"); "
        "`graph_id` is left out: a graph is deployed, not created through the API, and honest servers answer an unknown one "
        "differently (the official server 404, LangGraph.js and Aegra an empty list)",
    ),
    Requirement(
        "SEARCH-004", "MUST", "search",
        "A `values` filter on threads finds exactly the threads whose current values hold it (never one without "
        "values), in search and count alike, and never fails with a 5xx.",
        "spec: ThreadSearchRequest.values / ThreadCountRequest.values (\"Filter by thread values\"); a requirement of its "
        "own because implementations break it in different ways (research: the official in-memory runtime 500s once a "
        "visible thread has no values, LangGraph.js matches value-less threads, Aegra ignores the filter)",
        needs=("threads",),
    ),
]
