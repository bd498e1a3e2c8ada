"""Deterministic graphs for the embedded reference deployment: no LLM, no network.

Each graph's behaviour is part of the reference profile's contract: the behaviour suites check
their outputs only where the profile says these graphs are deployed.
"""

from __future__ import annotations

import asyncio
import operator
from typing import Annotated, Any

from langgraph.graph import END, START, StateGraph
from langgraph.types import interrupt
from typing_extensions import TypedDict


class State(TypedDict, total=False):
    text: str
    echo: str
    history: Annotated[list[str], operator.add]
    approved: Any
    delay: float


def _echo(state: State) -> dict:
    text = state.get("text", "")
    return {"echo": text, "history": [text]}


def _build(*nodes) -> Any:
    builder = StateGraph(State)
    previous = START
    for name, node in nodes:
        builder.add_node(name, node)
        builder.add_edge(previous, name)
        previous = name
    builder.add_edge(previous, END)
    return builder.compile()


# echo: copies "text" into "echo" and appends it to "history".
echo = _build(("echo", _echo))


def _ask(state: State) -> dict:
    # Pauses the run; resuming with Command(resume=value) stores the value in "approved".
    return {"approved": interrupt({"question": "approve?", "text": state.get("text", "")})}


# interrupt: echoes, then waits for a human answer.
interrupting = _build(("echo", _echo), ("ask", _ask))


def _fail(state: State) -> dict:
    raise ValueError("deliberate failure from the conformance 'fail' graph")


# fail: every run ends in error.
fail = _build(("fail", _fail))


async def _sleep(state: State) -> dict:
    # Long enough to be cancelled, bounded so a forgotten run still ends.
    await asyncio.sleep(float(state.get("delay", 30.0)))
    return {"echo": state.get("text", "")}


# slow: sleeps "delay" seconds (default 30) so that runs can be joined, listed and cancelled.
slow = _build(("sleep", _sleep))
