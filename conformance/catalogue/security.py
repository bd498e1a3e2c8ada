"""Security behaviour a buyer checks: CORS, routes outside the spec, cross-tenant use of resources."""

from ._model import Requirement

REQUIREMENTS: list[Requirement] = []
