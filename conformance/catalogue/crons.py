"""Crons: creation, search and count, patching, deletion; a cron that fires (thorough budget)."""

from ._model import Requirement

REQUIREMENTS: list[Requirement] = []
