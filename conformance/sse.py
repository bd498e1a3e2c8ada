"""Server-sent event frames as the server wrote them: pure logic over a stream's raw bytes.

httpx-sse reads events the way a browser does, where an event's id is the last id seen on the
stream; a check of what the server sent (every event carries an id, the framing is valid) needs
each frame's own fields, so those are read from the raw bytes here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

FIELDS = ("event", "data", "id", "retry")


@dataclass
class Frame:
    event: str = "message"
    data: list[str] = field(default_factory=list)
    id: str | None = None  # as this frame sent it; None: the frame has no id line
    retry: str | None = None
    lines: list[str] = field(default_factory=list)  # the frame's lines, comments included
    complete: bool = True  # ended by a blank line (a cut stream's last frame may not be)

    @property
    def has_data(self) -> bool:
        return bool(self.data)

    @property
    def text(self) -> str:
        return "\n".join(self.data)


def frames(body: bytes) -> list[Frame]:
    """The frames of an event stream that carry a field (comment-only frames are left out)."""
    text = body.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")
    out: list[Frame] = []
    blocks = text.split("\n\n")
    for number, block in enumerate(blocks):
        if not block.strip("\n"):
            continue
        frame = Frame(complete=number < len(blocks) - 1)
        for line in block.split("\n"):
            if not line:
                continue
            frame.lines.append(line)
            if line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "event":
                frame.event = value
            elif name == "data":
                frame.data.append(value)
            elif name == "id":
                frame.id = value
            elif name == "retry":
                frame.retry = value
        if any(not line.startswith(":") for line in frame.lines):
            out.append(frame)
    return out


def framing_problem(body: bytes) -> str:
    """'' when `body` is a well-framed event stream whose every data is JSON, else what is wrong."""
    for number, frame in enumerate((f for f in frames(body) if f.complete), 1):
        for line in frame.lines:
            if line.startswith(":"):
                continue
            name = line.partition(":")[0]
            if name not in FIELDS:
                return (f"event #{number}: line {line[:80]!r} is not an `event:`, `data:`, `id:` or `retry:` field\n"
                        f"expected: SSE fields; received: {chr(10).join(frame.lines)[:200]!r}")
        if frame.data:
            try:
                json.loads(frame.text)
            except ValueError:
                return f"event #{number}: data is not JSON\nexpected: a JSON value; received: {'/'.join(frame.data)[:200]!r}"
    return ""
