"""Faults for the isolation requirements: tenant B reaching what tenant A owns.

Tenant A is the first key whose POST /threads succeeds (the suite creates A's resources first);
any other key is B. "Reaching" is done as a broken server would: B's request runs with A's rights.
"""

from __future__ import annotations

import json

from proxy import Fault, ProxyRequest, ProxyResponse

from faults.auth import TenantAware


class SearchShowsForeignThread(TenantAware):
    name = "iso-search-shows-foreign-thread"
    requirement = "ISO-002"
    also = ("ISO-001", "ISO-004")  # every thread search B makes shows it
    description = "tenant B's thread search also lists one of tenant A's threads"

    def respond(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        if request.matches("POST", "/threads/search") and self.is_foreign_key(request) and self.threads_a:
            listed = response.json()
            if isinstance(listed, list):
                response.set_json([*listed, next(iter(self.threads_a.values()))])
        return response


class ForeignThreadReadable(TenantAware):
    name = "iso-foreign-thread-readable"
    requirement = "ISO-001"
    description = "tenant B reads tenant A's thread by id (GET /threads/{id} runs with A's rights)"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if request.matches("GET", "/threads/*") and self.is_foreign_key(request):
            self.let_through(request)
        return None


class ForeignPatchTakesEffect(TenantAware):
    name = "iso-foreign-patch-takes-effect"
    requirement = "ISO-003"
    also = ("ISO-001",)  # the patched thread comes back in B's answer
    description = "tenant B's PATCH of tenant A's thread is applied"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if request.matches("PATCH", "/threads/*") and self.is_foreign_key(request):
            self.let_through(request)
        return None


class SpoofedOwnerHonoured(TenantAware):
    name = "iso-spoofed-owner-honoured"
    requirement = "ISO-004"
    description = "a thread search filtering on metadata.owner runs with that owner's rights"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        body = request.json()
        if (
            request.matches("POST", "/threads/search") and self.is_foreign_key(request)
            and isinstance(body, dict) and isinstance(body.get("metadata"), dict) and "owner" in body["metadata"]
        ):
            self.let_through(request)
        return None


class ForeignThreadForbidden(TenantAware):
    name = "iso-foreign-thread-403"
    requirement = "ISO-005"
    description = "tenant B asking for tenant A's thread gets 403 (an unknown one gets 404): existence leaks"

    def respond(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        parts = request.path.strip("/").split("/")
        if (
            request.method == "GET" and len(parts) == 2 and parts[0] == "threads" and parts[1] in self.threads_a
            and self.is_foreign_key(request) and response.status == 404
        ):
            return ProxyResponse(403, {"content-type": "application/json"}, json.dumps({"detail": "Forbidden"}).encode())
        return response


class ForeignStoreItemReadable(TenantAware):
    name = "iso-foreign-store-item-readable"
    requirement = "ISO-001"
    also = ("ISO-005",)
    description = "tenant B's GET /store/items runs with tenant A's rights"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if request.matches("GET", "/store/items") and self.is_foreign_key(request):
            self.let_through(request)
        return None


FAULTS: list[Fault] = [
    SearchShowsForeignThread(), ForeignThreadReadable(), ForeignPatchTakesEffect(), SpoofedOwnerHonoured(),
    ForeignThreadForbidden(), ForeignStoreItemReadable(),
]
UNREACHABLE: dict[str, str] = {}
