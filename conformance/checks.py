"""How a suite says a requirement broke: a `Violation` names the requirement, what was expected,
what came back, and the exchange that shows it (with its curl reproduction)."""

from __future__ import annotations

from typing import Any, NoReturn

import pytest

from .http import Exchange


class Violation(AssertionError):
    """A failed requirement. The plugin files the failure under `requirement`, not the test's
    other requirements, so a report reads per requirement."""

    def __init__(self, requirement: str, message: str, exchange: Exchange | None = None, detail: str = "") -> None:
        self.requirement = requirement
        self.exchange = exchange
        self.reproduction = exchange.curl() if exchange is not None and exchange.method else ""
        parts = [f"[{requirement}] {message}"]
        if detail:
            parts.append(detail)
        if exchange is not None:
            parts.append(exchange.describe())
            if self.reproduction:
                parts.append(f"reproduce: {self.reproduction}")
        super().__init__("\n".join(parts))


def violate(requirement: str, message: str, exchange: Exchange | None = None, detail: str = "") -> NoReturn:
    raise Violation(requirement, message, exchange, detail)


def expect(condition: Any, requirement: str, message: str, exchange: Exchange | None = None, detail: str = "") -> None:
    if not condition:
        raise Violation(requirement, message, exchange, detail)


def expect_status(exchange: Exchange, expected: int | tuple[int, ...] | range, requirement: str, what: str) -> None:
    """`what` (a clause like "creating a thread") must answer one of `expected`."""
    allowed = (expected,) if isinstance(expected, int) else tuple(expected)
    if exchange.status not in allowed:
        shown = f"{allowed[0]}-{allowed[-1]}" if isinstance(expected, range) else ", ".join(map(str, allowed))
        raise Violation(requirement, f"{what}: expected status {shown}, received {exchange.status}", exchange)


def not_applicable(reason: str) -> NoReturn:
    """The requirement does not apply to this target (reported as `not-applicable`, not passed)."""
    pytest.skip(f"not applicable: {reason}")
