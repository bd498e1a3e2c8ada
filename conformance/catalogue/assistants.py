"""Assistants: versions, latest, search and count filters, the graph's description, deletion."""

from ._model import Requirement

_GRAPH = ("assistants", "graph")  # any graph the key may run
_GRAPHS = ("assistants", "conformance_graphs")  # graphs whose shape is known

REQUIREMENTS = [
    Requirement(
        "ASST-001", "MUST", "assistants",
        "An assistant created with a graph_id, name, config, context and metadata is answered, and read "
        "back by id, with those values.",
        "spec: POST /assistants (AssistantCreate), GET /assistants/{assistant_id}. Judged by containment: a "
        "server may add keys of its own (the official server and Aegra mirror context into "
        "config.configurable; custom auth may add an owner to metadata)",
        needs=_GRAPH,
    ),
    Requirement(
        "ASST-002", "MUST", "assistants",
        "PATCH of an assistant creates a new version: the answer and later reads carry a version one higher, "
        "the patched name and config, and the patch's metadata merged into the old.",
        "spec: PATCH /assistants/{assistant_id} (\"Update an assistant\"); SDK assistants.update (\"metadata: "
        "Metadata to merge with existing assistant metadata\"); official, JS and Aegra all raise the version by one",
        needs=_GRAPH,
    ),
    Requirement(
        "ASST-003", "MUST", "assistants",
        "The version listing (POST /assistants/{assistant_id}/versions) lists every version of an assistant, "
        "newest first, each with the values it was made with.",
        "spec: POST /assistants/{assistant_id}/versions (\"Get all versions of an assistant\"); the body the "
        "SDK sends ({limit, offset, metadata}) is an erratum of the spec, which declares none",
        needs=_GRAPH,
    ),
    Requirement(
        "ASST-004", "MUST", "assistants",
        "Setting an older version as latest (POST /assistants/{assistant_id}/latest) makes the answer and "
        "later reads that version: its version number, name, config and metadata.",
        "spec: POST /assistants/{assistant_id}/latest (\"Set the latest version for an assistant\"). The spec "
        "declares `version` a query parameter; the SDK sends a JSON body {\"version\": n}, which is what the "
        "official server, JS and Aegra read: the suite sends both",
        needs=_GRAPH,
    ),
    Requirement(
        "ASST-005", "SHOULD", "assistants",
        "Setting an older version as latest also restores that version's context.",
        "a version holds its context (the version listing shows it), and runs read it; SHOULD because the "
        "implementations differ: Aegra restores it, while the official server (in-memory runtime) and JS "
        "restore config but keep the newer context, so that config.configurable and context then disagree",
        needs=_GRAPH,
    ),
    Requirement(
        "ASST-006", "MUST", "assistants",
        "Searching assistants by graph_id, by name (a case-insensitive substring) and by metadata (every "
        "given pair) returns exactly the assistants that match.",
        "spec: POST /assistants/search (AssistantSearchRequest: graph_id; name \"case insensitive ... "
        "substring\"; metadata \"Exact match filter for each KV pair\")",
        needs=_GRAPHS,
    ),
    Requirement(
        "ASST-007", "MUST", "assistants",
        "Counting assistants by graph_id, name and metadata gives the number of assistants that match.",
        "spec: POST /assistants/count (AssistantCountRequest: the same filters as the search)",
        needs=_GRAPHS,
    ),
    Requirement(
        "ASST-008", "MUST", "assistants",
        "An assistant's graph (GET /assistants/{assistant_id}/graph) lists the nodes of its graph and edges "
        "between them.",
        "spec: GET /assistants/{assistant_id}/graph (\"Get an assistant's graph\"); the conformance echo graph "
        "has the node copy_text",
        needs=_GRAPHS,
    ),
    Requirement(
        "ASST-009", "MUST", "assistants",
        "An assistant's schemas (GET /assistants/{assistant_id}/schemas) name its graph and hold input, output "
        "and state schemas declaring the graph's state keys.",
        "spec: GET /assistants/{assistant_id}/schemas (GraphSchema: graph_id, input_schema, output_schema, "
        "state_schema); the conformance echo graph's state keys are text, echo and history",
        needs=_GRAPHS,
    ),
    Requirement(
        "ASST-010", "MUST", "assistants",
        "An assistant's subgraphs (GET /assistants/{assistant_id}/subgraphs) name the subgraphs of its graph, "
        "and none for a graph that has none.",
        "spec: GET /assistants/{assistant_id}/subgraphs (Subgraphs: namespace -> schemas); the conformance "
        "stream graph has the subgraph `inner`, the echo graph none",
        needs=_GRAPHS,
    ),
    Requirement(
        "ASST-011", "MUST", "assistants",
        "A deleted assistant is gone: reading it answers 404 and searches no longer list it.",
        "spec: DELETE /assistants/{assistant_id}, GET /assistants/{assistant_id} 404. The DELETE's own status "
        "differs (official 204, JS and Aegra 200): any 2xx is accepted",
        needs=_GRAPH,
    ),
]
