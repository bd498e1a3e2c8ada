"""What a requirement needs of its target, and what this target has: pure logic.

Two kinds of need (a requirement's `needs`, or a test's `@pytest.mark.needs(...)`):
- a capability of the deployment (auth, crons, the store, MCP, A2A, ...). Without it the
  requirement is `not-claimed`: it is no part of the verdict. It is declared by the profile
  (`[capabilities]`, `[auth] enabled`) or detected from the spec's operations and /info's flags,
  never assumed. A capability claimed is claimed whole: every requirement that needs it is judged.
- information or consent the suite needs (a graph the key may run, the conformance graphs, a
  second tenant's key, an opt-in probe). Without it the requirement is `not-judged`, with what
  would judge it; a MUST not judged keeps the verdict from `pass`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Iterable, Mapping

CAPABILITY = "capability"
INFORMATION = "information"


@dataclass(frozen=True)
class Need:
    name: str
    kind: str  # CAPABILITY | INFORMATION
    what: str  # the thing needed, as a reason reads it: "needs <what>"
    fix: str  # what would judge a requirement that needs it


NEEDS: dict[str, Need] = {n.name: n for n in (
    Need("auth", CAPABILITY, "the deployment to authenticate requests",
         "give --api-key (auth is judged when a key is given or the profile sets [auth] enabled = true)"),
    Need("assistants", CAPABILITY, "assistants (/assistants)", "a spec that declares /assistants"),
    Need("threads", CAPABILITY, "threads (/threads)", "a spec that declares /threads"),
    Need("runs", CAPABILITY, "runs (/threads/{thread_id}/runs)", "a spec that declares runs"),
    Need("streaming", CAPABILITY, "streamed runs (/threads/{thread_id}/runs/stream)", "a spec that declares streamed runs"),
    Need("crons", CAPABILITY, "crons (/runs/crons)", "a spec that declares /runs/crons, and no [capabilities] crons = false"),
    Need("store", CAPABILITY, "the store (/store)", "a spec that declares /store/items"),
    Need("mcp", CAPABILITY, "the MCP endpoint (/mcp)", "a spec that declares /mcp"),
    Need("a2a", CAPABILITY, "the A2A endpoint (/a2a/{assistant_id})", "a spec that declares /a2a/{assistant_id}"),
    Need("webhooks", CAPABILITY, "webhooks the deployment may call on a loopback address",
         "set [target] webhooks_to_loopback = true in the profile, if the deployment may call 127.0.0.1"),
    Need("second_tenant", INFORMATION, "a second tenant's key",
         "give --alt-api-key with a key of another tenant (the deployment must isolate the two)"),
    Need("graph", INFORMATION, "a graph the key may run",
         "give --graph-id with a graph deployed on the target (or deploy the conformance graphs)"),
    Need("conformance_graphs", INFORMATION, "the conformance graphs deployed on the target",
         "deploy the conformance graphs (langgraph-conformance graphs) beside your own and give --conformance-graphs"),
    Need("key_in_url_probes", INFORMATION, "consent to send the real key in URLs",
         "give --probe-key-in-url (the key then appears in the target's access logs: see the README)"),
    Need("slow_checks", INFORMATION, "the thorough budget (checks that wait for real time to pass)",
         "give --budget thorough"),
)}

# Operations of a capability, by path prefix (first match wins; the rest of the spec is core).
_OPERATION_CAPABILITIES = (
    ("/threads/{thread_id}/runs/crons", "crons"),
    ("/runs/crons", "crons"),
    ("/store/", "store"),
    ("/mcp", "mcp"),
    ("/a2a/", "a2a"),
    ("/.well-known/agent-card", "a2a"),
)
# What a spec must declare for a capability to be detected (any one of the paths).
_DETECTED_BY = {
    "assistants": ("/assistants",),
    "threads": ("/threads",),
    "runs": ("/threads/{thread_id}/runs",),
    "streaming": ("/threads/{thread_id}/runs/stream", "/runs/stream"),
    "crons": ("/runs/crons",),
    "store": ("/store/items",),
    "mcp": ("/mcp", "/mcp/"),
    "a2a": ("/a2a/{assistant_id}",),
}
# /info flags that say a capability is off (the official server reports flags.crons, flags.store...).
_INFO_FLAGS = {"crons": "crons", "store": "store", "assistants": "assistants", "mcp": "mcp", "a2a": "a2a"}


def capability_of(path: str) -> str:
    """The capability an operation path belongs to; '' for the core API."""
    for prefix, name in _OPERATION_CAPABILITIES:
        if path.startswith(prefix):
            return name
    return ""


@dataclass
class Capabilities:
    """What one run found its target to have, and how it knows: handed to xdist workers as JSON."""

    have: dict[str, bool] = field(default_factory=dict)
    why: dict[str, str] = field(default_factory=dict)  # name -> how it was decided (or why it is missing)
    graph_id: str = ""  # a graph the main key may run
    conformance_graphs: bool = False

    def has(self, name: str) -> bool:
        return bool(self.have.get(name))

    def unmet(self, needs: Iterable[str]) -> list[tuple[Need, str]]:
        """(need, why it is unmet) for each need this target does not meet."""
        out = []
        for name in dict.fromkeys(needs):
            need = NEEDS[name]
            if not self.has(name):
                out.append((need, self.why.get(name, "")))
        return out

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Capabilities":
        return cls(dict(data.get("have", {})), dict(data.get("why", {})), str(data.get("graph_id", "")),
                   bool(data.get("conformance_graphs", False)))


def skip_text(unmet: list[tuple[Need, str]]) -> tuple[str, str]:
    """(kind, text) of the skip for the first unmet need: 'not claimed' before 'not judged'."""
    from .results import HINT_SEPARATOR, NOT_CLAIMED_PREFIX, NOT_JUDGED_PREFIX

    unmet = sorted(unmet, key=lambda pair: pair[0].kind != CAPABILITY)
    need, why = unmet[0]
    reason = f"needs {need.what}" + (f" ({why})" if why else "")
    if need.kind == CAPABILITY:
        return "not claimed", f"{NOT_CLAIMED_PREFIX} {reason}"
    return "not judged", f"{NOT_JUDGED_PREFIX} {reason}{HINT_SEPARATOR}{need.fix}"


def detect(
    spec_paths: Iterable[str],
    info: Mapping[str, Any] | None,
    declared: Mapping[str, bool],
    *,
    auth: bool,
    auth_reason: str,
    webhooks_to_loopback: bool = True,
) -> Capabilities:
    """The deployment's capabilities: declared by the profile, else detected from its spec's
    paths and /info flags. Information needs (graph, second tenant, ...) are filled in by discovery."""
    paths = set(spec_paths)
    flags = info.get("flags") if isinstance(info, Mapping) and isinstance(info.get("flags"), Mapping) else {}
    caps = Capabilities()
    for name, detected_by in _DETECTED_BY.items():
        if name in declared:
            caps.have[name] = bool(declared[name])
            caps.why[name] = f"the profile declares {name} = {str(bool(declared[name])).lower()}"
            continue
        in_spec = [p for p in detected_by if p in paths]
        flag = _INFO_FLAGS.get(name)
        if not in_spec:
            caps.have[name], caps.why[name] = False, f"the spec declares no {detected_by[0]}"
        elif flag and flags.get(flag) is False:
            caps.have[name], caps.why[name] = False, f"/info reports flags.{flag} = false"
        else:
            caps.have[name], caps.why[name] = True, f"the spec declares {in_spec[0]}"
    caps.have["auth"], caps.why["auth"] = auth, auth_reason
    caps.have["webhooks"] = webhooks_to_loopback and caps.have.get("runs", False)
    caps.why["webhooks"] = "" if caps.have["webhooks"] else "the profile says the deployment may not call a loopback webhook"
    return caps
