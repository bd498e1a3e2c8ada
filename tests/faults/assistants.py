"""Faults for the assistants requirements."""

from __future__ import annotations

from proxy import Fault

FAULTS: list[Fault] = []
UNREACHABLE: dict[str, str] = {}
