"""Faults for the search requirements: filters ignored, counts that disagree, unknown ids that match."""

from __future__ import annotations

import threading

from proxy import Fault, ProxyRequest, ProxyResponse


class GraphFilterIgnoredOnLargePages(Fault):
    name = "search-assistants-ignore-graph-id-on-large-pages"
    requirement = "SEARCH-001"
    description = "an assistant search with a limit of 10 or more ignores `graph_id` (small pages honour it)"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        request.drop_field("POST", "/assistants/search", "graph_id", lambda body: isinstance(body.get("limit"), int) and body["limit"] >= 10)
        return None


class CountIgnoresName(Fault):
    name = "search-assistant-count-ignores-name"
    requirement = "SEARCH-002"
    description = "counting assistants ignores `name`"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        request.drop_field("POST", "/assistants/count", "name")
        return None


class UnknownIdsMatchEverything(Fault):
    name = "search-threads-unknown-ids-match-everything"
    requirement = "SEARCH-003"
    description = "a thread search whose `ids` name no thread the proxy has seen created drops the filter"

    def __init__(self) -> None:
        self.known: set[str] = set()
        self.lock = threading.Lock()

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        with self.lock:
            known = set(self.known)
        request.drop_field("POST", "/threads/search", "ids",
              lambda body: isinstance(body.get("ids"), list) and not known & {str(i) for i in body["ids"]})
        return None

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        body = response.json()
        if request.matches("POST", "/threads") and isinstance(body, dict) and body.get("thread_id"):
            with self.lock:
                self.known.add(str(body["thread_id"]))
        return response


class ValuesFilterIgnored(Fault):
    name = "search-threads-ignore-values"
    requirement = "SEARCH-004"
    description = "thread search and count ignore `values` (so threads without values match)"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        request.drop_field("POST", "/threads/search", "values")
        request.drop_field("POST", "/threads/count", "values")
        return None


FAULTS: list[Fault] = [GraphFilterIgnoredOnLargePages(), CountIgnoresName(), UnknownIdsMatchEverything(), ValuesFilterIgnored()]
UNREACHABLE: dict[str, str] = {}
