"""Search and count semantics: every declared filter narrows the result, counts equal walks."""

from ._model import Requirement

REQUIREMENTS: list[Requirement] = []
