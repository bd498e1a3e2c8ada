"""Faults for the store requirements: items that read back wrong, stale, or never go away."""

from __future__ import annotations

import json
import threading

from proxy import Fault, ProxyRequest, ProxyResponse

ITEMS = "/store/items"


def _item_key(namespace: object, key: object) -> str:
    return json.dumps([list(namespace) if isinstance(namespace, (list, tuple)) else namespace, key])


def _get_key(request: ProxyRequest) -> str:
    """The item a GET /store/items names (namespace as the dot-joined query string)."""
    namespace = request.param("namespace") or ""
    return _item_key(namespace.split(".") if namespace else [], request.param("key"))


class ItemLosesNamespace(Fault):
    name = "store-item-loses-namespace-label"
    requirement = "STORE-001"
    description = "an item reads back with the last label of its namespace missing"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        body = response.json()
        if request.matches("GET", ITEMS) and isinstance(body, dict) and isinstance(body.get("namespace"), list):
            body["namespace"] = body["namespace"][:-1]
            response.set_json(body)
        return response


class StaleStoreValues(Fault):
    name = "store-serves-stale-values"
    requirement = "STORE-002"
    description = "reads serve the value an item was first put with, not its latest"

    def __init__(self) -> None:
        self.first: dict[str, object] = {}
        self.lock = threading.Lock()

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        body = request.json()
        if request.matches("PUT", ITEMS) and isinstance(body, dict):
            with self.lock:
                self.first.setdefault(_item_key(body.get("namespace"), body.get("key")), body.get("value"))
        return None

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        body = response.json()
        if request.matches("GET", ITEMS) and isinstance(body, dict):
            with self.lock:
                stale = self.first.get(_get_key(request))
            if stale is not None:
                body["value"] = stale
                response.set_json(body)
        return response


class StoreDeleteIsNoOp(Fault):
    name = "store-delete-is-a-no-op"
    requirement = "STORE-003"
    description = "the first DELETE of each item answers 204 and deletes nothing"

    def __init__(self) -> None:
        self.spared: set[str] = set()
        self.lock = threading.Lock()

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        body = request.json()
        if request.matches("DELETE", ITEMS) and isinstance(body, dict):
            item = _item_key(body.get("namespace"), body.get("key"))
            with self.lock:
                if item not in self.spared:  # later DELETEs (the suite's cleanup) go through
                    self.spared.add(item)
                    return ProxyResponse(204)
        return None


class PrefixSearchMatchesExactly(Fault):
    name = "store-search-prefix-matches-exactly"
    requirement = "STORE-004"
    description = "searching by namespace prefix only returns items whose namespace ends at the prefix"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        query, body = request.json(), response.json()
        if request.matches("POST", f"{ITEMS}/search") and isinstance(query, dict) and isinstance(body, dict):
            prefix = list(query.get("namespace_prefix") or [])
            body["items"] = [i for i in body.get("items", []) if i.get("namespace", [])[-len(prefix):] == prefix]
            response.set_json(body)
        return response


class PrefixSearchDropsLastLabel(Fault):
    name = "store-search-prefix-truncated"
    requirement = "STORE-005"
    description = "searching ignores the last label of the namespace prefix (so siblings leak in)"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        body = request.json()
        if request.matches("POST", f"{ITEMS}/search") and isinstance(body, dict) and len(body.get("namespace_prefix") or []) > 1:
            body["namespace_prefix"] = body["namespace_prefix"][:-1]
            request.set_json(body)
        return None


class FilterIgnored(Fault):
    name = "store-search-ignores-filter"
    requirement = "STORE-006"
    description = "searching ignores `filter`"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        request.drop_field("POST", f"{ITEMS}/search", "filter")
        return None


class NamespacesListEmpty(Fault):
    name = "store-namespaces-list-empty"
    requirement = "STORE-007"
    description = "listing namespaces answers none"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        body = response.json()
        if request.matches("POST", "/store/namespaces") and response.status == 200:
            response.set_json({"namespaces": []} if isinstance(body, dict) else [])
        return response


class ItemWithoutUpdatedAt(Fault):
    name = "store-item-without-updated-at"
    requirement = "STORE-008"
    description = "an item reads back without its updated_at"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        body = response.json()
        if request.matches("GET", ITEMS) and isinstance(body, dict):
            body.pop("updated_at", None)
            response.set_json(body)
        return response


FAULTS: list[Fault] = [
    ItemLosesNamespace(), StaleStoreValues(), StoreDeleteIsNoOp(), PrefixSearchMatchesExactly(),
    PrefixSearchDropsLastLabel(), FilterIgnored(), NamespacesListEmpty(), ItemWithoutUpdatedAt(),
]
UNREACHABLE: dict[str, str] = {}
