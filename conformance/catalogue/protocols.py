"""The protocol endpoints the spec lists (MCP, A2A), as capabilities."""

from ._model import Requirement

REQUIREMENTS: list[Requirement] = []
