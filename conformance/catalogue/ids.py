"""Unknown ids: reading, listing under, writing to or running on an unknown resource answers 404."""

from ._model import Requirement

_SPEC = ("spec: the 404 responses of the operations with an id in their path (those the spec forgets are added by "
         "erratum LG-002); issue 13 item 7")

REQUIREMENTS = [
    Requirement(
        "IDS-001", "MUST", "ids",
        "Reading, listing under, writing to or running on a thread, run, assistant or cron nobody has answers 404 "
        "(not 200 with an empty list, not a silent create); copying an unknown thread may answer 409, as the spec declares.",
        _SPEC + "; the official server, LangGraph.js and Aegra answer 404 on reads; runs on an unknown thread: official 404, "
        "LangGraph.js 422/500, Aegra creates the thread (TARGETS.md); Aegra lists an unknown thread's runs as []",
    ),
    Requirement(
        "IDS-002", "MUST", "ids",
        "A write or run addressed to an unknown id creates nothing: the thread, run, assistant or cron it named still "
        "reads 404 afterwards.",
        "spec: if_not_exists defaults to \"reject\" (a run creates its thread only when asked to: \"create\"); "
        "Aegra silently creates the thread on POST /threads/{unknown}/runs (TARGETS.md)",
    ),
    Requirement(
        "IDS-003", "SHOULD", "ids",
        "Joining or streaming an unknown thread or run answers 404, or at once an error naming the 404; it never "
        "stays open in silence nor ends as an empty success.",
        "spec: the 404 of the join and stream operations; SHOULD, and the 200-then-error form accepted, because the "
        "official server and LangGraph.js both answer an unknown run's stream and join with 200 and an error event or "
        "`__error__` (erratum LG-052); research: the official server keeps GET /threads/{unknown}/stream open without auth filters",
    ),
]
