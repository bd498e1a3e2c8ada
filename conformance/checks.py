"""How a suite says what it found, and why it could not judge.

- A `Violation` names the requirement it broke, what was expected, what came back and the
  exchange that shows it (with its curl reproduction). One test may file several findings at once
  (`Violations`): every one is reported, each under its requirement and operation.
- `not_claimed`: the deployment lacks what the requirement needs; it is no part of the verdict.
- `not_judged`: the suite could not judge (missing information, a precondition unmet); say what
  would judge it. `SetupFailed` is that for a setup request the target refused, with its exchange.
- `not_exercised`: one instance of a requirement the suite has no means to exercise (other
  instances still judge the requirement).
"""

from __future__ import annotations

from typing import Any, Iterable, NoReturn

import pytest

from .http import Exchange
from .results import (
    HINT_SEPARATOR,
    NOT_CLAIMED_PREFIX,
    NOT_EXERCISED_PREFIX,
    NOT_JUDGED_PREFIX,
    Finding,
)


class Violation(AssertionError):
    """A failed requirement. The plugin files the failure under `requirement`, not the test's
    other requirements, so a report reads per requirement."""

    # True when the test checked every requirement it names before it raised (it collects its
    # findings): the requirements without a finding are then judged and passed, not cut short.
    complete = False

    def __init__(self, requirement: str, message: str, exchange: Exchange | None = None, detail: str = "",
                 operation: str = "") -> None:
        self.requirement = requirement
        self.exchange = exchange
        self.operation = operation
        self.reproduction = exchange.curl() if exchange is not None and exchange.method else ""
        parts = [f"[{requirement}] {message}"]
        if detail:
            parts.append(detail)
        if exchange is not None:
            parts.append(exchange.describe())
            if self.reproduction:
                parts.append(f"reproduce: {self.reproduction}")
        self.text = "\n".join(parts)
        super().__init__(self.text)

    @property
    def findings(self) -> list[Finding]:
        return [Finding(self.requirement, self.text, self.operation, self.reproduction)]

    def locate(self, paths: list[str]) -> None:
        """Name the operation from the exchange when the test did not (known deviations are scoped by it)."""
        if not self.operation and self.exchange is not None and self.exchange.method:
            from .spec import operation_label

            self.operation = operation_label(self.exchange.method, self.exchange.url, paths)


class Violations(AssertionError):
    """Several findings of one test, each filed under its own requirement and operation."""

    def __init__(self, violations: Iterable[Violation], complete: bool = False) -> None:
        self.violations = list(violations)
        self.complete = complete
        head = f"{len(self.violations)} findings: " + ", ".join(sorted({v.requirement for v in self.violations}))
        super().__init__(head + "\n\n" + "\n\n".join(v.text for v in self.violations[:20]))

    @property
    def findings(self) -> list[Finding]:
        return [f for v in self.violations for f in v.findings]


def raise_all(violations: Iterable[Violation], complete: bool = True) -> None:
    """Raise every collected violation at once (nothing when there is none); `complete`: the test
    checked everything it names, so its other requirements are judged."""
    found = list(violations)
    if len(found) == 1:
        found[0].complete = complete
        raise found[0]
    if found:
        raise Violations(found, complete)


def violate(requirement: str, message: str, exchange: Exchange | None = None, detail: str = "", operation: str = "") -> NoReturn:
    raise Violation(requirement, message, exchange, detail, operation)


def expect(condition: Any, requirement: str, message: str, exchange: Exchange | None = None, detail: str = "") -> None:
    if not condition:
        raise Violation(requirement, message, exchange, detail)


def expect_status(exchange: Exchange, expected: int | tuple[int, ...] | range, requirement: str, what: str) -> None:
    """`what` (a clause like "creating a thread") must answer one of `expected`."""
    allowed = (expected,) if isinstance(expected, int) else tuple(expected)
    if exchange.status not in allowed:
        shown = f"{allowed[0]}-{allowed[-1]}" if isinstance(expected, range) else ", ".join(map(str, allowed))
        raise Violation(requirement, f"{what}: expected status {shown}, received {exchange.status}", exchange)


def declared(spec: Any, *labels: str) -> bool:
    """Whether the spec declares every operation ("METHOD /path") in `labels`."""
    paths = spec.document.get("paths") or {}
    for label in labels:
        method, path = label.split(" ", 1)
        if not isinstance(paths.get(path), dict) or method.lower() not in paths[path]:
            return False
    return True


def require_operations(spec: Any, *labels: str) -> None:
    """What the target's spec lacks is not sent, not claimed and not failed."""
    missing = [label for label in labels if not declared(spec, label)]
    if missing:
        not_claimed(f"the spec declares no {', '.join(missing)}")


def not_claimed(reason: str) -> NoReturn:
    """The deployment does not have what the requirement needs: reported `not-claimed`."""
    pytest.skip(f"{NOT_CLAIMED_PREFIX} {reason}")


def not_judged(reason: str, fix: str = "") -> NoReturn:
    """The suite could not judge: reported `not-judged`, with what would judge it."""
    pytest.skip(f"{NOT_JUDGED_PREFIX} {reason}" + (f"{HINT_SEPARATOR}{fix}" if fix else ""))


def not_exercised(reason: str) -> NoReturn:
    """This instance cannot be exercised by the suite; other instances still judge the requirement."""
    pytest.skip(f"{NOT_EXERCISED_PREFIX} {reason}")


class SetupFailed(pytest.skip.Exception):  # type: ignore[name-defined, misc]
    """A setup request the target refused: the requirements that needed it are not judged, with the
    exchange that shows why. (A 5xx there is also a finding of CON-001: the plugin files it.)"""

    def __init__(self, what: str, exchange: Exchange | None, expected: str = "2xx") -> None:
        received = f"{exchange.status}" if exchange is not None and exchange.status else "no answer"
        reason = f"setup failed: {what} answered {received}, expected {expected}"
        self.what = what
        self.exchange = exchange
        self.reproduction = exchange.curl() if exchange is not None and exchange.method else ""
        text = f"{NOT_JUDGED_PREFIX} {reason}"
        if exchange is not None:
            text += f"{HINT_SEPARATOR}see why in its answer: {exchange.describe(300)}"
        super().__init__(text, allow_module_level=True)


def require(exchange: Exchange, what: str, expected: int | tuple[int, ...] | range = range(200, 300)) -> Exchange:
    """A setup request must answer `expected` (default any 2xx); otherwise the test is not judged."""
    allowed = (expected,) if isinstance(expected, int) else tuple(expected)
    if exchange.status not in allowed:
        shown = f"{allowed[0]}-{allowed[-1]}" if isinstance(expected, range) else ", ".join(map(str, allowed))
        raise SetupFailed(what, exchange, shown)
    return exchange


def require_cron_id(client: Any, exchange: Exchange, metadata: dict, what: str) -> str:
    """The id of the cron a setup request created (found by its `metadata` where the create answered
    the cron's first Run, as Aegra's spec allows), or not judged."""
    from .surface import created_cron_id

    require(exchange, what)
    identifier = created_cron_id(client, exchange, metadata)
    if not identifier:
        raise SetupFailed(f"{what} (its answer has no cron_id, and a search by its metadata does not find it)", exchange,
                          "a cron that can be found")
    return identifier


def require_json(exchange: Exchange, what: str, key: str = "", expected: int | tuple[int, ...] | range = range(200, 300)) -> Any:
    """The JSON a setup request answered (with `key`, that field of its object), or not judged."""
    require(exchange, what, expected)
    body = exchange.json_or_none()
    if key:
        if not isinstance(body, dict) or body.get(key) in (None, ""):
            raise SetupFailed(f"{what} (its answer has no {key})", exchange, f"a JSON object with {key}")
        return body[key]
    return body
