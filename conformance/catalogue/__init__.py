"""The requirement catalogue: the single source of truth for what the suite checks.

Each area of the API has its own module here listing its requirements; tests name the ones
they verify with `@pytest.mark.requirement("ID")`, and reports are read per requirement.
"""

from __future__ import annotations

from . import (
    assistants,
    auth,
    contract,
    crons,
    hygiene,
    ids,
    isolation,
    pagination,
    protocols,
    runs,
    search,
    security,
    smoke,
    store,
    streaming,
    threads,
)
from ._model import AREAS, Requirement

CATALOGUE: dict[str, Requirement] = {}
for _module in (smoke, contract, auth, isolation, pagination, runs, streaming, store, assistants, threads, crons, search,
                ids, security, protocols, hygiene):
    for _req in _module.REQUIREMENTS:
        if _req.id in CATALOGUE:
            raise ValueError(f"duplicate requirement id {_req.id}")
        CATALOGUE[_req.id] = _req

__all__ = ["AREAS", "CATALOGUE", "Requirement"]
