"""Faults for the threads requirements."""

from __future__ import annotations

from proxy import Fault

FAULTS: list[Fault] = []
UNREACHABLE: dict[str, str] = {}
