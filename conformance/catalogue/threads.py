"""Threads: creation, if_exists, metadata, state updates and checkpoints, history, copy, prune, status."""

from ._model import Requirement

REQUIREMENTS: list[Requirement] = []
