"""Faults for the auth requirements: a deployment whose authentication has a hole.

The proxy tells the tenants apart by their key: the first key whose POST /threads succeeds is
tenant A's (the suite creates A's resources first); faults that "let a request through" forward
it with that key, exactly as a server that skipped its auth check would serve it.
"""

from __future__ import annotations

from proxy import Fault, ProxyRequest, ProxyResponse

KEY_HEADER = "x-api-key"
CANONICAL_NAME = "X-Api-Key"  # how the suite's own client spells the header


class TenantAware(Fault):
    """Learns tenant A's key and thread ids from A's successful thread creations."""

    def __init__(self) -> None:
        self.key_a: str | None = None
        self.threads_a: dict[str, dict] = {}

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        key = request.headers.get(KEY_HEADER)
        if request.matches("POST", "/threads") and 200 <= response.status < 300 and key:
            if self.key_a is None:
                self.key_a = key
            body = response.json()
            if key == self.key_a and isinstance(body, dict) and isinstance(body.get("thread_id"), str):
                self.threads_a[body["thread_id"]] = body
        return self.respond(request, response)

    def respond(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        return response

    def let_through(self, request: ProxyRequest) -> None:
        """Forward `request` as tenant A: what a server that skipped auth would do."""
        if self.key_a:
            request.headers[KEY_HEADER] = self.key_a

    def is_foreign_key(self, request: ProxyRequest) -> bool:
        key = request.headers.get(KEY_HEADER)
        return bool(self.key_a and key and key != self.key_a)


class OneOperationWithoutAuth(TenantAware):
    name = "auth-one-operation-without-key"
    requirement = "AUTH-001"
    also = ("AUTH-006", "AUTH-007")  # those variants carry no key in the header either
    description = "GET /threads/{id}/state serves a request that carries no key"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if request.matches("GET", "/threads/*/state") and KEY_HEADER not in request.headers:
            self.let_through(request)
        return None


class WrongKeyAccepted(TenantAware):
    name = "auth-wrong-key-accepted"
    requirement = "AUTH-002"
    also = ("AUTH-006", "AUTH-008")  # the studio and case variants send a wrong key too
    description = "any well-formed key is accepted"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        key = request.headers.get(KEY_HEADER, "")
        well_formed = 0 < len(key) <= 200 and key.isascii() and key.isprintable() and " " not in key
        if well_formed and self.is_foreign_key(request):
            self.let_through(request)
        return None


class RejectionAs200(Fault):
    name = "auth-401-as-200"
    requirement = "AUTH-001"
    also = ("AUTH-002", "AUTH-003", "AUTH-006", "AUTH-007", "AUTH-008")
    description = "every 401 is turned into a 200 with an empty body"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        if response.status == 401:
            return ProxyResponse(200, {"content-type": "application/json"}, b"")
        return response


class MalformedKeyCrashes(Fault):
    name = "auth-malformed-key-500"
    requirement = "AUTH-003"
    description = "a key with a space or a non-ASCII character crashes the server (500)"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        key = request.headers.get(KEY_HEADER, "")
        if " " in key or not key.isascii():
            return ProxyResponse(500, {"content-type": "text/plain"}, b"Internal Server Error")
        return None


class RightKeyRefusedOnOneOperation(Fault):
    name = "auth-right-key-refused-on-count"
    requirement = "AUTH-004"
    also = ("AUTH-009",)  # the right key under another case is refused there too
    description = "POST /threads/count answers 401 whatever the key"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if request.matches("POST", "/threads/count"):
            return ProxyResponse(401, {"content-type": "application/json"}, b'{"detail": "Invalid API key"}')
        return None


class RejectionCarriesTheThread(TenantAware):
    name = "auth-401-carries-the-thread"
    requirement = "AUTH-005"
    description = "GET /threads/{id} without a valid key answers 401 with the thread itself"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if request.matches("GET", "/threads/*") and request.headers.get(KEY_HEADER) != self.key_a and self.key_a:
            request.headers["x-fault-rejected"] = "1"
            self.let_through(request)
        return None

    def respond(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        if request.headers.get("x-fault-rejected"):
            response.status = 401
        return response


class StudioHeaderBypass(TenantAware):
    name = "auth-studio-header-bypass"
    requirement = "AUTH-006"
    description = "x-auth-scheme: langsmith lets a request in without a key (studio auth left on)"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if request.headers.get("x-auth-scheme", "").lower() == "langsmith":
            self.let_through(request)
        return None


class BearerAlsoAccepted(Fault):
    name = "auth-bearer-also-accepted"
    requirement = "AUTH-007"
    description = "the key is also read from an Authorization: Bearer header"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        value = request.headers.get("authorization", "")
        if value.lower().startswith("bearer ") and KEY_HEADER not in request.headers:
            request.headers[KEY_HEADER] = value[7:]
        return None


class KeyInQueryAccepted(Fault):
    name = "auth-key-in-query-accepted"
    requirement = "AUTH-011"
    args = ("--probe-key-in-url",)  # the opt-in: the probe puts the real key in URLs
    description = "the key is also read from the ?api_key= query parameter"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        key = request.param("api_key")
        if key:
            request.headers[KEY_HEADER] = key
        return None


class CaseVariantWrongKeyAccepted(TenantAware):
    name = "auth-case-variant-wrong-key-accepted"
    requirement = "AUTH-008"
    description = f"a key under a header not spelled exactly {CANONICAL_NAME} is not checked"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        names = [n for n in request.header_names if n.lower() == KEY_HEADER]
        if names and names[0] != CANONICAL_NAME and self.is_foreign_key(request):
            self.let_through(request)
        return None


class CaseVariantIgnored(Fault):
    name = "auth-case-variant-ignored"
    requirement = "AUTH-009"
    description = f"the key is read only from a header spelled exactly {CANONICAL_NAME}"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        names = [n for n in request.header_names if n.lower() == KEY_HEADER]
        if names and names[0] != CANONICAL_NAME:
            request.headers.pop(KEY_HEADER, None)
        return None


class InfoProtected(Fault):
    name = "auth-info-needs-a-key"
    requirement = "AUTH-010"
    description = "GET /info answers 401 without a key"

    def on_request(self, request: ProxyRequest) -> ProxyResponse | None:
        if request.matches("GET", "/info") and KEY_HEADER not in request.headers:
            return ProxyResponse(401, {"content-type": "application/json"}, b'{"detail": "Missing API key"}')
        return None


FAULTS: list[Fault] = [
    OneOperationWithoutAuth(), WrongKeyAccepted(), RejectionAs200(), MalformedKeyCrashes(),
    RightKeyRefusedOnOneOperation(), RejectionCarriesTheThread(), StudioHeaderBypass(), KeyInQueryAccepted(), BearerAlsoAccepted(),
    CaseVariantWrongKeyAccepted(), CaseVariantIgnored(), InfoProtected(),
]
UNREACHABLE: dict[str, str] = {}
