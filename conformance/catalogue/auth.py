from ._model import Requirement

REQUIREMENTS: list[Requirement] = []
