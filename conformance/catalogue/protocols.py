"""The protocol endpoints the spec lists (MCP, A2A), as capabilities."""

from ._model import Requirement

_MCP = ("spec: POST /mcp/ (\"Implemented according to the Streamable HTTP Transport specification\"); the Model Context "
        "Protocol's lifecycle (initialize) and tools/list; JSON-RPC 2.0. Only the official server serves it (research §9)")
_A2A = ("spec: POST /a2a/{assistant_id} (message/send: \"Send a message and wait for the final Task result\"); the A2A "
        "protocol over JSON-RPC 2.0. Only the official server serves it (research §9)")

REQUIREMENTS = [
    Requirement(
        "PROTO-001", "MUST", "protocols",
        "The MCP endpoint answers `initialize` with a JSON-RPC 2.0 result (the request's id) holding the "
        "`protocolVersion`, the `serverInfo` and the server's `capabilities`.",
        _MCP, needs=("mcp",),
    ),
    Requirement(
        "PROTO-002", "MUST", "protocols",
        "MCP `tools/list` answers a JSON-RPC 2.0 result whose tools (each with a `name` and an `inputSchema`) name "
        "the assistants the key can see, an assistant it just created among them.",
        _MCP + "; the official server lists one tool per visible assistant, named after it (a tenant with no assistant "
        "of its own gets {\"tools\": []}, TARGETS.md)",
        needs=("mcp", "assistants"),
    ),
    Requirement(
        "PROTO-003", "MUST", "protocols",
        "MCP `tools/list` names no assistant of another tenant.",
        _MCP + "; the official server lists assistants through a client carrying the caller's credentials, so auth applies",
        needs=("mcp", "auth", "second_tenant"),
    ),
    Requirement(
        "PROTO-004", "MUST", "protocols",
        "A2A `message/send` to an assistant answers a JSON-RPC 2.0 result, a completed task (or a message), that "
        "holds the graph's answer.",
        _A2A + "; sent as a data part to the echo graph (text parts need a graph whose input holds `messages`)",
        needs=("a2a", "runs", "conformance_graphs"),
    ),
]
