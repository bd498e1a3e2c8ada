"""Faults for the assistants requirements: assistants that forget, versions that do not move,
filters that are ignored, a graph described wrongly, deletes that delete nothing."""

from __future__ import annotations

import threading

from proxy import Fault, ProxyRequest, ProxyResponse

ASSISTANT = "/assistants/*"


def _assistant_id(request: ProxyRequest) -> str:
    return request.path.strip("/").split("/")[1]


class AssistantForgetsConfig(Fault):
    name = "assistant-forgets-recursion-limit"
    requirement = "ASST-001"
    description = "an assistant is answered and read back without the recursion_limit of its config"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        body = response.json()
        if (request.matches("POST", "/assistants") or request.matches("GET", ASSISTANT)) and isinstance(body, dict) \
                and isinstance(body.get("config"), dict) and "recursion_limit" in body["config"]:
            body["config"].pop("recursion_limit")
            response.set_json(body)
        return response


class PatchKeepsVersion(Fault):
    name = "assistant-patch-keeps-version"
    requirement = "ASST-002"
    description = "a PATCH does not raise the version: its answer and later reads report the version the assistant was made with"

    def __init__(self) -> None:
        self.made: dict[str, int] = {}
        self.lock = threading.Lock()

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        body = response.json()
        if not isinstance(body, dict) or not isinstance(body.get("version"), int):
            return response
        if request.matches("POST", "/assistants"):
            with self.lock:
                self.made.setdefault(str(body.get("assistant_id")), body["version"])
        elif request.matches("PATCH", ASSISTANT) or request.matches("GET", ASSISTANT):
            with self.lock:
                first = self.made.get(_assistant_id(request))
            if first is not None:
                body["version"] = first
                response.set_json(body)
        return response


class VersionsOldestFirst(Fault):
    name = "assistant-versions-oldest-first"
    requirement = "ASST-003"
    description = "the version listing runs oldest first"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        body = response.json()
        if request.matches("POST", f"{ASSISTANT}/versions") and isinstance(body, list):
            response.set_json(list(reversed(body)))
        return response


class LatestIsANoOp(Fault):
    name = "assistant-latest-is-a-no-op"
    requirement = "ASST-004"
    also = ("ASST-005",)
    description = "setting the latest version answers 200 and changes nothing"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if request.matches("POST", f"{ASSISTANT}/latest"):
            answer = ProxyResponse(200)
            answer.set_json({"assistant_id": _assistant_id(request)})
            return answer
        return None


class SearchIgnoresName(Fault):
    name = "assistant-search-ignores-name"
    requirement = "ASST-006"
    description = "searching assistants ignores `name`"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        request.drop_field("POST", "/assistants/search", "name")
        return None


class CountIgnoresGraph(Fault):
    name = "assistant-count-ignores-graph-id"
    requirement = "ASST-007"
    description = "counting assistants ignores `graph_id`"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        request.drop_field("POST", "/assistants/count", "graph_id")
        return None


class GraphRenamesNodes(Fault):
    name = "assistant-graph-renames-nodes"
    requirement = "ASST-008"
    description = "an assistant's graph names its nodes node_0, node_1, ... instead of their names"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        body = response.json()
        if request.matches("GET", f"{ASSISTANT}/graph") and isinstance(body, dict) and isinstance(body.get("nodes"), list):
            names = {node.get("id"): f"node_{i}" for i, node in enumerate(body["nodes"]) if isinstance(node, dict)}
            for node in body["nodes"]:
                if isinstance(node, dict):
                    node["id"] = names.get(node.get("id"), node.get("id"))
                    node.pop("data", None)
            for edge in body.get("edges") or []:
                if isinstance(edge, dict):
                    edge["source"], edge["target"] = names.get(edge.get("source")), names.get(edge.get("target"))
            response.set_json(body)
        return response


class SchemasWithoutState(Fault):
    name = "assistant-schemas-without-state"
    requirement = "ASST-009"
    description = "an assistant's schemas have no state_schema"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        body = response.json()
        if request.matches("GET", f"{ASSISTANT}/schemas") and isinstance(body, dict):
            body.pop("state_schema", None)
            response.set_json(body)
        return response


class SubgraphsEmpty(Fault):
    name = "assistant-subgraphs-empty"
    requirement = "ASST-010"
    description = "an assistant's subgraphs are always {}"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        if request.matches("GET", f"{ASSISTANT}/subgraphs") and response.status == 200:
            response.set_json({})
        return response


class AssistantDeleteIsNoOp(Fault):
    name = "assistant-delete-is-a-no-op"
    requirement = "ASST-011"
    description = "the first DELETE of each assistant answers 204 and deletes nothing"

    def __init__(self) -> None:
        self.spared: set[str] = set()
        self.lock = threading.Lock()

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if request.matches("DELETE", ASSISTANT):
            with self.lock:
                if request.path not in self.spared:  # later DELETEs (the suite's cleanup) go through
                    self.spared.add(request.path)
                    return ProxyResponse(204)
        return None


FAULTS: list[Fault] = [
    AssistantForgetsConfig(), PatchKeepsVersion(), VersionsOldestFirst(), LatestIsANoOp(), SearchIgnoresName(),
    CountIgnoresGraph(), GraphRenamesNodes(), SchemasWithoutState(), SubgraphsEmpty(), AssistantDeleteIsNoOp(),
]
UNREACHABLE: dict[str, str] = {
    "ASST-005": "the official server (0.16.7, in-memory runtime) already fails it: setting an older version as latest "
                "keeps the newer context, so there is no pass for a fault to break (a known deviation of that server)",
}
