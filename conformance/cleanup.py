"""The guest cleans up: everything the run creates is tracked, deleted at the end of the session,
and a final sweep finds whatever carries the run's tag and escaped the tracker (store items too).

What it reports is checked, not assumed: a resource counts as deleted only once reading it
answers 404 (or, for a store item, nothing); a listing that fails means "unknown", never
"nothing left".
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from .http import BREAKER, ApiClient, Exchange, segment

# POST paths that create a resource: (kind, id field, read/delete path template).
_CREATORS = {
    "/assistants": ("assistant", "assistant_id", "/assistants/{}"),
    "/threads": ("thread", "thread_id", "/threads/{}"),
    "/runs/crons": ("cron", "cron_id", "/runs/crons/{}"),
}
# Searchable collections, for the final sweep: (search path, id field, read/delete path template).
_SWEPT = (
    ("/threads/search", "thread_id", "/threads/{}"),
    ("/runs/crons/search", "cron_id", "/runs/crons/{}"),
    ("/assistants/search", "assistant_id", "/assistants/{}"),
)
STORE_ROOT = "conformance"  # every store item the suite puts lives under [STORE_ROOT, <run id>, ...]


def store_namespace(run_id: str, *labels: str) -> list[str]:
    return [STORE_ROOT, run_id or "run", *labels]


@dataclass
class Tracked:
    kind: str
    path: str  # read and delete path (a store item: /store/items, with `item`)
    client: ApiClient
    item: dict | None = None  # a store item's {"namespace", "key"}

    def label(self) -> str:
        if self.item is not None:
            return f"store item {'.'.join(map(str, self.item['namespace']))}/{self.item['key']}"
        return f"{self.kind} {self.path}"


@dataclass
class CleanupReport:
    deleted: int = 0
    leftovers: list[str] = field(default_factory=list)  # what is known to remain, or could not be deleted
    unknown: list[str] = field(default_factory=list)  # what could not be checked

    def extend(self, other: "CleanupReport") -> None:
        self.deleted += other.deleted
        self.leftovers += other.leftovers
        self.unknown += other.unknown

    def to_json(self) -> dict[str, Any]:
        return {"deleted": self.deleted, "leftovers": self.leftovers, "unknown": self.unknown,
                "complete": not self.leftovers and not self.unknown}


def delete_and_confirm(client: ApiClient, thing: Tracked) -> str:
    """'' when `thing` is deleted and reading it answers 404; else what is left and why."""
    store = thing.item is not None
    try:
        if store:
            deleted = client.request("DELETE", "/store/items", json=thing.item, record=False, track=False)
            if not thing.item["namespace"]:
                # An item with no namespace of its own cannot be told apart in a search answer.
                return f"{thing.label()} (DELETE answered {deleted.status}; an item without a namespace cannot be read back to confirm it)"
            # Searched for rather than read: a GET names the namespace dot-joined, which labels
            # holding a dot (or an empty key) cannot be named by.
            read = client.post("/store/items/search", json={"namespace_prefix": thing.item["namespace"], "limit": 1000},
                               record=False, track=False)
            if read.status == 200 and not _store_lists(read, thing.item):
                return ""
        else:
            deleted = client.delete(thing.path, record=False, track=False)
            read = client.get(thing.path, record=False, track=False)
            if read.status == 404:
                return ""
            if thing.kind == "cron" and read.status == 405:
                # No GET of one cron (Aegra): gone once the tenant's crons no longer list it.
                read = client.post("/runs/crons/search", json={"limit": 1000}, record=False, track=False)
                listed = read.json_or_none() if read.status == 200 else None
                if isinstance(listed, list) and not any(isinstance(c, dict) and thing.path.endswith(f"/{segment(str(c.get('cron_id')))}")
                                                        for c in listed):
                    return ""
                return f"{thing.label()} (DELETE answered {deleted.status}, a search of the crons then answered {read.status}" + (
                    " and still lists it)" if read.status == 200 else ")")
    except Exception as exc:  # noqa: BLE001 - cleanup reports, never raises
        return f"{thing.label()} ({type(exc).__name__})"
    return f"{thing.label()} (DELETE answered {deleted.status}, reading it then answered {read.status})"


def _store_lists(search: Exchange, item: dict) -> bool:
    body = search.json_or_none()
    items = body.get("items") if isinstance(body, dict) else body
    for found in items if isinstance(items, list) else []:
        if isinstance(found, dict) and found.get("key") == item["key"]:
            namespace = [str(label) for label in found.get("namespace") or []]
            wanted = [str(label) for label in item["namespace"]]
            # The server may put labels of its own in front (a tenant's identity), never this run's
            # id: an item nested under the same labels again ([..run, "conformance", run]) is another one.
            server_labels = namespace[:len(namespace) - len(wanted)]
            if namespace[len(namespace) - len(wanted):] == wanted and not set(wanted[1:2]) & set(server_labels):
                return True
    return False


class Tracker:
    """Resources created during the run, deleted in reverse order at the end."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.items: list[Tracked] = []

    def add(self, kind: str, path: str, client: ApiClient, item: dict | None = None) -> None:
        with self._lock:
            self.items.append(Tracked(kind, path, client, item))

    def created(self, client: ApiClient, path: str, body: Any, exchange: Exchange) -> None:
        """ApiClient's hook: called for every 2xx POST/PUT; registers what it created."""
        bare = path.split("?")[0]
        if exchange.method == "PUT" and bare == "/store/items" and isinstance(body, dict):
            if isinstance(body.get("namespace"), list) and isinstance(body.get("key"), str):
                self.add("store item", "/store/items", client, {"namespace": body["namespace"], "key": body["key"]})
            return
        creator = _CREATORS.get(bare)
        parts = bare.strip("/").split("/")
        if bare.startswith("/threads/") and bare.endswith("/copy"):
            creator = _CREATORS["/threads"]
        elif len(parts) == 4 and parts[0] == "threads" and parts[2:] == ["runs", "crons"]:
            creator = _CREATORS["/runs/crons"]
        if creator is None:
            return
        kind, key, template = creator
        created = exchange.json_or_none()
        if isinstance(created, dict) and isinstance(created.get(key), str):
            self.add(kind, template.format(segment(created[key])), client)

    def ids(self) -> set[str]:
        with self._lock:
            return {part.lower() for t in self.items for part in t.path.split("/") if part}

    def cleanup(self) -> CleanupReport:
        """Delete everything tracked and confirm it is gone."""
        report = CleanupReport()
        with self._lock:
            items, self.items = list(reversed(self.items)), []
        for thing in items:
            if BREAKER.open:
                report.unknown.append(f"{thing.label()} (the target stopped answering)")
                continue
            left = delete_and_confirm(thing.client, thing)
            if left:
                report.leftovers.append(left)
            else:
                report.deleted += 1
        return report


TRACKER = Tracker()


def sweep_tagged(client: ApiClient, run_id: str, rounds: int = 5, skip: set[str] = frozenset()) -> CleanupReport:
    """Delete every thread, cron, assistant and store item tagged with `run_id` that `client`
    can see (`skip`: search paths of capabilities the target lacks). Never raises: a sweep
    reports what it could not check."""
    report = CleanupReport()
    if not run_id:
        return report
    if BREAKER.open:
        report.unknown.append("the final sweep did not run: the target stopped answering")
        return report
    for search, key, template in _SWEPT:
        if search not in skip:
            _sweep_collection(client, run_id, search, key, template, rounds, report)
    if "/store/items/search" not in skip:
        _sweep_store(client, run_id, rounds, report)
    return report


def _listing(client: ApiClient, path: str, body: dict, report: CleanupReport) -> list | None:
    try:
        found = client.post(path, json=body, record=False, track=False)
    except Exception as exc:  # noqa: BLE001 - the target may be gone; the summary says so
        report.unknown.append(f"could not check {path} ({type(exc).__name__})")
        return None
    if found.status == 404 and path.startswith("/runs/crons"):
        return []  # a deployment without crons has none left
    payload = found.json_or_none() if found.status == 200 else None
    if isinstance(payload, dict) and isinstance(payload.get("items"), list):
        payload = payload["items"]
    if not isinstance(payload, list):
        report.unknown.append(f"could not check {path} (it answered {found.status})")
        return None
    return payload


def _sweep_collection(client: ApiClient, run_id: str, search: str, key: str, template: str, rounds: int,
                      report: CleanupReport) -> None:
    failed: set[str] = set()
    for _ in range(rounds):
        items = _listing(client, search, {"metadata": {"conformance_run": run_id}, "limit": 100}, report)
        if items is None:
            return
        ids = [i[key] for i in items if isinstance(i, dict) and isinstance(i.get(key), str) and i[key] not in failed]
        if not ids:
            return
        for resource_id in ids:
            thing = Tracked(key.removesuffix("_id"), template.format(segment(resource_id)), client)
            left = delete_and_confirm(client, thing)
            if left:
                failed.add(resource_id)
                report.leftovers.append(left)
            else:
                report.deleted += 1
    report.unknown.append(f"{search} still lists tagged items after {rounds} rounds")


def _sweep_store(client: ApiClient, run_id: str, rounds: int, report: CleanupReport) -> None:
    prefix = store_namespace(run_id)
    failed: set[tuple] = set()
    for _ in range(rounds):
        items = _listing(client, "/store/items/search", {"namespace_prefix": prefix, "limit": 100}, report)
        if items is None:
            return
        todo = []
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("namespace"), list) or not isinstance(item.get("key"), str):
                continue
            namespace = [str(label) for label in item["namespace"]]
            # A deployment may put labels of its own before the namespace (the tenant): delete it as it was put.
            for start in range(len(namespace) - 1):
                if namespace[start:start + 2] == prefix:
                    namespace = namespace[start:]
                    break
            if (tuple(namespace), item["key"]) not in failed:
                todo.append({"namespace": namespace, "key": item["key"]})
        if not todo:
            return
        for target in todo:
            left = delete_and_confirm(client, Tracked("store item", "/store/items", client, target))
            if left:
                failed.add((tuple(target["namespace"]), target["key"]))
                report.leftovers.append(left)
            else:
                report.deleted += 1
    report.unknown.append(f"/store/items/search still lists tagged items after {rounds} rounds")
