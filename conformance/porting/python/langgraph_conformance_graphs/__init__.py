"""The conformance graphs: what a vendor deploys beside its own graphs so the suite can observe
behaviour the public API alone cannot show (a TCK's "porting package").

Deterministic: no LLM, no network, no clock except `conformance_slow`'s bounded sleep. The
TypeScript twin (../typescript/graphs.ts) has the same graph ids, state keys, node names and
outputs. Node names differ from state keys because the JS runtime refuses a node named like a
state key.

Deploy with langgraph.json lines such as
    "conformance_echo": "langgraph_conformance_graphs:conformance_echo"        (installed package)
    "conformance_echo": "./langgraph_conformance_graphs/__init__.py:conformance_echo"  (file path)
"""

from __future__ import annotations

import asyncio
import operator
from typing import Annotated, Any

from langchain_core.messages import AIMessage, AnyMessage
from langgraph.config import get_stream_writer
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.types import interrupt
from typing_extensions import TypedDict

__all__ = [
    "GRAPH_IDS",
    "conformance_echo",
    "conformance_fail",
    "conformance_interrupt",
    "conformance_slow",
    "conformance_stream",
]

GRAPH_IDS = ("conformance_echo", "conformance_interrupt", "conformance_fail", "conformance_slow", "conformance_stream")
FAILURE_MESSAGE = "deliberate failure from the conformance graph"
SLOW_DEFAULT_DELAY = 30.0
SLOW_MAX_DELAY = 120.0


def _chain(state_type: type, *nodes: tuple[str, Any]) -> Any:
    """START -> nodes in order -> END."""
    builder = StateGraph(state_type)
    previous = START
    for name, node in nodes:
        builder.add_node(name, node)
        builder.add_edge(previous, name)
        previous = name
    builder.add_edge(previous, END)
    return builder.compile()


# --- conformance_echo: {"text": "alpha"} -> {"text": "alpha", "echo": "alpha", "history": ["alpha"]}


class EchoState(TypedDict, total=False):
    text: str
    echo: str
    history: Annotated[list[str], operator.add]


def copy_text(state: dict) -> dict:
    text = state.get("text", "")
    return {"echo": text, "history": [text]}


conformance_echo = _chain(EchoState, ("copy_text", copy_text))


# --- conformance_interrupt: copy_text, then ask_human pauses; Command(resume=X) -> approved == X


class InterruptState(EchoState, total=False):
    approved: Any


def ask_human(state: InterruptState) -> dict:
    return {"approved": interrupt({"question": "approve?", "text": state.get("text", "")})}


conformance_interrupt = _chain(InterruptState, ("copy_text", copy_text), ("ask_human", ask_human))


# --- conformance_fail: every run ends in error


class FailState(TypedDict, total=False):
    text: str


def raise_error(state: FailState) -> dict:
    raise ValueError(FAILURE_MESSAGE)


conformance_fail = _chain(FailState, ("raise_error", raise_error))


# --- conformance_slow: sleeps "delay" seconds (default 30, at most 120), then echoes


class SlowState(TypedDict, total=False):
    text: str
    echo: str
    delay: float


async def wait_a_while(state: SlowState) -> dict:
    try:
        delay = float(state.get("delay", SLOW_DEFAULT_DELAY))
    except (TypeError, ValueError):
        delay = SLOW_DEFAULT_DELAY
    # Long enough to be joined, listed and cancelled; bounded so a forgotten run still ends.
    await asyncio.sleep(min(max(delay, 0.0), SLOW_MAX_DELAY))
    return {"echo": state.get("text", "")}


conformance_slow = _chain(SlowState, ("wait_a_while", wait_a_while))


# --- conformance_stream: a custom event, an AI message and a subgraph, for stream modes


class StreamState(TypedDict, total=False):
    text: str
    echo: str
    messages: Annotated[list[AnyMessage], add_messages]


def speak(state: StreamState) -> dict:
    text = state.get("text", "")
    get_stream_writer()({"progress": "speaking", "text": text})
    return {"echo": text, "messages": [AIMessage(content=f"echo: {text}", id="conformance-speak")]}


def inner_step(state: StreamState) -> dict:
    return {"echo": f"{state.get('text', '')} (inner)"}


# A compiled subgraph as a node: with stream_subgraphs its events come namespaced ("values|inner:<id>").
_inner = _chain(StreamState, ("inner_step", inner_step))

conformance_stream = _chain(StreamState, ("speak", speak), ("inner", _inner))
