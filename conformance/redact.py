"""Credentials never leave the process: every text the suite writes passes through `redact`.

What is masked: every registered secret whatever its length (the run's keys, and anything the
suite derives from one before it sends it), its URL-encoded form, any piece of 16 characters or
more of a secret (a target may echo part of a key), the user info of URLs, and the values of
credential headers (the standard ones and the one the profile names).

Reproductions stay runnable without printing a secret: `shell_word` writes a key as the
environment variable the user set (`"$CONFORMANCE_API_KEY"`), never as its value.
"""

from __future__ import annotations

import re
import shlex
import threading
from typing import Iterable
from urllib.parse import quote

MASK = "[REDACTED]"
PIECE = 16  # a run of this many characters of a secret is masked wherever it appears
# Headers whose value is a credential whatever it is (the profile's own is added at start).
SENSITIVE_HEADERS = {"authorization", "x-api-key", "cookie", "set-cookie", "proxy-authorization"}

_lock = threading.Lock()
_registered: dict[str, str] = {}  # secret -> environment variable that holds it ('' when none)
_pieces: re.Pattern[str] | None = None
_USERINFO = re.compile(r"(?i)\b((?:https?|wss?|ftp)://)[^/@\s\"'<>]+@")


def register_secret(secret: str | None, variable: str = "") -> None:
    """Make every later `redact` call mask `secret`; a reproduction names it as `$variable`."""
    global _pieces
    if not secret:
        return
    with _lock:
        if _registered.get(secret):
            return
        _registered[secret] = variable or _registered.get(secret, "")
        _pieces = _compile_pieces()


def register_sensitive_header(name: str) -> None:
    SENSITIVE_HEADERS.add(name.lower())


def registered() -> dict[str, str]:
    return dict(_registered)


def _compile_pieces() -> re.Pattern[str] | None:
    windows = {s[i:i + PIECE] for s in _registered if len(s) > PIECE for i in range(len(s) - PIECE + 1)}
    if not windows:
        return None
    return re.compile("|".join(re.escape(w) for w in sorted(windows)))


def _mask_pieces(text: str) -> str:
    pattern = _pieces
    if pattern is None or len(text) < PIECE:
        return text
    out, position = [], 0
    for match in pattern.finditer(text):
        if match.start() < position:
            continue
        end = _extend(text, match.start(), match.end())
        out += [text[position:match.start()], MASK]
        position = end
    if not out:
        return text
    out.append(text[position:])
    return "".join(out)


def _extend(text: str, start: int, end: int) -> int:
    """The end of the longest run of a secret that begins at `start` (at least to `end`)."""
    best = end
    window = text[start:end]
    for secret in _registered:
        offset = secret.find(window)
        while offset != -1:
            length = end - start
            while start + length < len(text) and offset + length < len(secret) and text[start + length] == secret[offset + length]:
                length += 1
            best = max(best, start + length)
            offset = secret.find(window, offset + 1)
    return best


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with every known secret, its URL-encoded form, any long piece of one and URL user info masked."""
    if not text:
        return text
    for secret in sorted({*_registered, *(s for s in secrets if s)}, key=len, reverse=True):
        text = text.replace(secret, MASK)
        quoted = quote(secret, safe="")
        if quoted != secret:
            text = text.replace(quoted, MASK)
    text = _mask_pieces(text)
    return _USERINFO.sub(lambda m: m.group(1) + MASK + "@", text)


def redact_headers(headers: Iterable[tuple[str, str]], secrets: Iterable[str] = ()) -> list[tuple[str, str]]:
    out = []
    for name, value in headers:
        if name.lower() in SENSITIVE_HEADERS and value:
            scheme = re.match(r"^(Bearer|Basic|Token)\s+", value, re.I)
            out.append((name, (scheme.group(0) if scheme else "") + MASK))
        else:
            out.append((name, redact(value, secrets)))
    return out


def _double_quoted(text: str) -> str:
    return re.sub(r'(["\\$`])', r"\\\1", text)


def shell_word(text: str) -> str:
    """`text` as one shell word for a reproduction: a secret held by an environment variable
    becomes `${VARIABLE}` (the command still runs), any other secret is masked."""
    named = {s: v for s, v in _registered.items() if v and s in text}
    if not named:
        return shlex.quote(redact(text))
    pattern = re.compile("|".join(re.escape(s) for s in sorted(named, key=len, reverse=True)))
    out, position = ['"'], 0
    for match in pattern.finditer(text):
        out.append(_double_quoted(redact(text[position:match.start()])))
        out.append("${" + named[match.group(0)] + "}")
        position = match.end()
    out.append(_double_quoted(redact(text[position:])))
    out.append('"')
    return "".join(out)


def _reset_for_tests() -> None:
    global _pieces
    with _lock:
        _registered.clear()
        _pieces = None
