from ._model import Requirement

_ISSUE = "issue 5 (tenant isolation); docs: LangGraph custom auth, resource authorization (@auth.on owner filters)"

REQUIREMENTS = [
    Requirement(
        "ISO-001", "MUST", "isolation",
        "Tenant B reading tenant A's threads, runs, assistants, crons or store items by id (get, state, "
        "history, runs list, join, stream, store get) receives none of their data.",
        _ISSUE, needs=("auth", "second_tenant"),
    ),
    Requirement(
        "ISO-002", "MUST", "isolation",
        "Tenant B's searches, counts and store listings (threads, assistants, crons, store items and "
        "namespaces) never include tenant A's resources.",
        _ISSUE, needs=("auth", "second_tenant"),
    ),
    Requirement(
        "ISO-003", "MUST", "isolation",
        "Tenant B's writes to tenant A's resources (patch, delete, state update, new runs, cancel, "
        "store put/delete) are refused and leave them unchanged as A reads them back.",
        _ISSUE, needs=("auth", "second_tenant"),
    ),
    Requirement(
        "ISO-004", "MUST", "isolation",
        "Spoofed ownership metadata is not honoured: tenant B filtering by tenant A's metadata finds none "
        "of A's resources, and a resource B creates with A's ownership metadata stays out of A's reach.",
        _ISSUE, needs=("auth", "second_tenant"),
    ),
    Requirement(
        "ISO-005", "SHOULD", "isolation",
        "Tenant B is answered about tenant A's resource as about an unknown one (a foreign status, "
        "404 by default), so that existence does not leak.",
        _ISSUE + "; the profile's [auth] foreign_statuses", needs=("auth", "second_tenant"),
    ),
]
