"""Faults for the protocols requirements: MCP and A2A answers that break their protocols."""

from __future__ import annotations

import threading

from proxy import Fault, ProxyRequest, ProxyResponse


def _rpc(request: ProxyRequest, path_start: str, method: str) -> bool:
    body = request.json()
    return request.method == "POST" and request.path.startswith(path_start) and isinstance(body, dict) and body.get("method") == method


def _result(response: ProxyResponse) -> dict | None:
    body = response.json()
    return body["result"] if isinstance(body, dict) and isinstance(body.get("result"), dict) else None


class McpInitializeWithoutServerInfo(Fault):
    name = "protocols-mcp-initialize-without-server-info"
    requirement = "PROTO-001"
    description = "MCP initialize answers a result without serverInfo"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        result = _result(response)
        if _rpc(request, "/mcp", "initialize") and result is not None:
            body = response.json()
            body["result"].pop("serverInfo", None)
            response.set_json(body)
        return response


class McpToolsListEmpty(Fault):
    name = "protocols-mcp-tools-list-empty"
    requirement = "PROTO-002"
    description = "MCP tools/list answers no tools"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        if _rpc(request, "/mcp", "tools/list") and _result(response) is not None:
            body = response.json()
            body["result"]["tools"] = []
            response.set_json(body)
        return response


class McpToolsSharedAcrossKeys(Fault):
    name = "protocols-mcp-tools-shared-across-keys"
    alone = True  # interacts with other faults of its area
    requirement = "PROTO-003"
    description = "MCP tools/list also lists the tools it listed for other keys"

    def __init__(self) -> None:
        self.seen: dict[str, list[dict]] = {}
        self.lock = threading.Lock()

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        if not (_rpc(request, "/mcp", "tools/list") and _result(response) is not None):
            return response
        body = response.json()
        key = request.headers.get("x-api-key", "")
        with self.lock:
            self.seen[key] = list(body["result"].get("tools") or [])
            others = [tool for k, tools in self.seen.items() if k != key for tool in tools]
        names = {t.get("name") for t in body["result"].get("tools") or []}
        body["result"]["tools"] = [*(body["result"].get("tools") or []), *(t for t in others if t.get("name") not in names)]
        response.set_json(body)
        return response


class A2aTaskWithoutAnswer(Fault):
    name = "protocols-a2a-task-without-answer"
    requirement = "PROTO-004"
    description = "A2A message/send answers a completed task with no artifacts"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        result = _result(response)
        if _rpc(request, "/a2a/", "message/send") and result is not None:
            body = response.json()
            body["result"]["artifacts"] = []
            response.set_json(body)
        return response


FAULTS: list[Fault] = [McpInitializeWithoutServerInfo(), McpToolsListEmpty(), McpToolsSharedAcrossKeys(), A2aTaskWithoutAnswer()]
UNREACHABLE: dict[str, str] = {}
