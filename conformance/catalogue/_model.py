from __future__ import annotations

from dataclasses import dataclass

# Areas in the order a reader meets them; each has a module in this package and a suite file.
AREAS = ("smoke", "contract", "auth", "isolation", "pagination", "runs", "streaming", "store", "hygiene")
LEVELS = ("MUST", "SHOULD")


@dataclass(frozen=True)
class Requirement:
    id: str
    level: str  # MUST | SHOULD
    area: str
    statement: str  # one sentence, as a reader of the spec would say it
    source: str  # where it comes from: the spec, the docs, observed reference behaviour
    # What the target must have for the requirement to apply; otherwise "not applicable".
    # One of: "", "auth", "alt_key", "reference_graphs", "crons", "graph".
    needs: str = ""

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"{self.id}: level must be one of {LEVELS}")
        if self.area not in AREAS:
            raise ValueError(f"{self.id}: area must be one of {AREAS}")
