"""Assistants: versions, latest, search and count filters, the graph's description, deletion."""

from ._model import Requirement

REQUIREMENTS: list[Requirement] = []
