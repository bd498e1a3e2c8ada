"""The fault catalogue: per area, the faults that must make a requirement fail.

Each area's module lists `FAULTS` (instances of `proxy.Fault` subclasses, each naming the
requirement it targets) and `UNREACHABLE` ({requirement id: why no proxy fault can reach it}).
"""

from __future__ import annotations

from . import (
    assistants,
    auth,
    contract,
    crons,
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

MODULES = (smoke, contract, auth, isolation, pagination, runs, streaming, store, assistants, threads, crons, search, ids,
           security, protocols)

FAULTS = [fault for module in MODULES for fault in module.FAULTS]
UNREACHABLE: dict[str, str] = {}
for _module in MODULES:
    UNREACHABLE.update(_module.UNREACHABLE)

_names = [f.name for f in FAULTS]
assert len(_names) == len(set(_names)), "fault names must be unique"
