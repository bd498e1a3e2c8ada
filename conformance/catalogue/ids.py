"""Unknown ids: reading, listing under, writing to or running on an unknown resource answers 404."""

from ._model import Requirement

REQUIREMENTS: list[Requirement] = []
