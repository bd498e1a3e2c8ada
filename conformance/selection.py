"""Which tests a run selects: by area, by requirement id, by shard. Pure logic over test ids."""

from __future__ import annotations

import hashlib
from typing import Iterable, Sequence

from .catalogue import AREAS, CATALOGUE
from .errors import ConfigError

# Modules whose tests share no expensive module-level setup: split test by test. Others are
# split by module, so a module's fixtures run in one shard only.
SPLIT_BY_TEST = ("test_02_contract.py", "test_05_pagination.py")


def parse_list(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def check_areas(areas: Iterable[str]) -> None:
    unknown = sorted(set(areas) - set(AREAS))
    if unknown:
        raise ConfigError(f"unknown area(s) {', '.join(unknown)}", f"use: {', '.join(AREAS)}")


def check_requirements(wanted: Iterable[str]) -> None:
    for w in wanted:
        if not (w in CATALOGUE or (w.endswith("*") and any(rid.startswith(w[:-1]) for rid in CATALOGUE))):
            raise ConfigError(f"--requirement {w} matches no requirement", "see `langgraph-conformance requirements`")


def chosen(requirement_ids: Sequence[str], areas: Iterable[str], wanted: Iterable[str]) -> bool:
    """Whether a test naming `requirement_ids` is selected by --area / --requirement (none given: all)."""
    areas, wanted = set(areas), list(wanted)
    if not areas and not wanted:
        return True
    for rid in requirement_ids:
        if rid not in CATALOGUE:
            continue
        if areas and CATALOGUE[rid].area in areas:
            return True
        if any(rid == w or (w.endswith("*") and rid.startswith(w[:-1])) for w in wanted):
            return True
    return False


def parse_shard(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    try:
        index, total = (int(part) for part in text.split("/"))
    except ValueError:
        raise ConfigError(f"--shard {text} is not I/N", "give the shard as I/N, e.g. --shard 1/2") from None
    if not 1 <= index <= total:
        raise ConfigError(f"--shard {text}: I must be between 1 and N", "give e.g. --shard 1/2 and --shard 2/2")
    return index, total


def shard_key(nodeid: str) -> str:
    path = nodeid.split("::", 1)[0]
    return nodeid if path.endswith(SPLIT_BY_TEST) else path


def in_shard(nodeid: str, shard: tuple[int, int]) -> bool:
    """Stable across runs and machines: the same test always lands in the same shard."""
    index, total = shard
    digest = int.from_bytes(hashlib.blake2b(shard_key(nodeid).encode(), digest_size=8).digest(), "big")
    return digest % total == index - 1
