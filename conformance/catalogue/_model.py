from __future__ import annotations

from dataclasses import dataclass

# Areas in the order a reader meets them; each has a module in this package and a suite file.
AREAS = ("smoke", "contract", "auth", "isolation", "pagination", "runs", "streaming", "store", "assistants", "threads",
         "crons", "search", "ids", "security", "protocols", "hygiene")
LEVELS = ("MUST", "SHOULD")


@dataclass(frozen=True)
class Requirement:
    id: str
    level: str  # MUST | SHOULD
    area: str
    statement: str  # one sentence, as a reader of the spec would say it
    source: str  # where it comes from: the spec, the docs, observed reference behaviour
    # What the requirement needs of its target (names in conformance.capabilities.NEEDS): a
    # capability it lacks makes the requirement `not-claimed`, missing information `not-judged`.
    needs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        from ..capabilities import NEEDS

        unknown = [n for n in self.needs if n not in NEEDS]
        if isinstance(self.needs, str) or unknown:
            raise ValueError(f"{self.id}: needs must be a tuple of {sorted(NEEDS)}, not {self.needs!r}")
        if self.level not in LEVELS:
            raise ValueError(f"{self.id}: level must be one of {LEVELS}")
        if self.area not in AREAS:
            raise ValueError(f"{self.id}: area must be one of {AREAS}")
