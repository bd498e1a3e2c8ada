"""Credentials never leave the process: every text the suite writes passes through `redact`."""

from __future__ import annotations

import re
from typing import Iterable

MASK = "[REDACTED]"
# Headers whose value is a credential whatever it is.
SENSITIVE_HEADERS = frozenset({"authorization", "x-api-key", "cookie", "set-cookie", "proxy-authorization"})

_registered: set[str] = set()


def register_secret(secret: str | None) -> None:
    """Make every later `redact` call mask `secret` (keys of the run, set once at start)."""
    if secret and len(secret) >= 4:
        _registered.add(secret)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with every known secret (and its URL-encoded form) replaced by a mask."""
    if not text:
        return text
    for secret in sorted({*_registered, *(s for s in secrets if s)}, key=len, reverse=True):
        text = text.replace(secret, MASK)
        from urllib.parse import quote

        quoted = quote(secret, safe="")
        if quoted != secret:
            text = text.replace(quoted, MASK)
    return text


def redact_headers(headers: Iterable[tuple[str, str]], secrets: Iterable[str] = ()) -> list[tuple[str, str]]:
    out = []
    for name, value in headers:
        if name.lower() in SENSITIVE_HEADERS and value:
            scheme = re.match(r"^(Bearer|Basic|Token)\s+", value, re.I)
            out.append((name, (scheme.group(0) if scheme else "") + MASK))
        else:
            out.append((name, redact(value, secrets)))
    return out
