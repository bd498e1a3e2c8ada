"""Faults for the search requirements."""

from __future__ import annotations

from proxy import Fault

FAULTS: list[Fault] = []
UNREACHABLE: dict[str, str] = {}
