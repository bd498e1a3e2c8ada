"""Measure what a running implementation does with the conformance graphs: the facts the matrix
notes and the profiles rest on (stream modes, health and public paths, statuses, headers).

    python tests/matrix/probe.py BASE_URL [KEY] [KEY2] [--json FILE]

Loopback URLs only. It creates threads, runs, an assistant and store items, and deletes what it can.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from typing import Any

import httpx

STREAM_MODES = ("values", "updates", "messages-tuple", "custom", "debug", "tasks", "checkpoints", "events", "messages")


def sse_events(response: httpx.Response) -> list[tuple[str, Any, str | None]]:
    """(event, data, id) of an SSE body."""
    events, event, data, ident = [], None, [], None
    for line in response.text.replace("\r\n", "\n").split("\n"):
        if not line:
            if event is not None or data:
                raw = "\n".join(data)
                try:
                    parsed = json.loads(raw) if raw else None
                except ValueError:
                    parsed = raw
                events.append((event or "message", parsed, ident))
            event, data, ident = None, [], None
        elif line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].lstrip(" "))
        elif line.startswith("id:"):
            ident = line[3:].strip()
    return events


def summarise(events: list[tuple[str, Any, str | None]]) -> list[str]:
    out = []
    for name, data, _ in events:
        if name == "metadata":
            out.append("metadata")
            continue
        short = name.split("|")[0] + ("|<ns>" if "|" in name else "")
        detail = ""
        if isinstance(data, dict):
            detail = ",".join(sorted(data))[:80]
        elif isinstance(data, list):
            detail = f"list[{len(data)}]"
            if data and isinstance(data[0], dict):
                detail += ":" + ",".join(sorted(data[0]))[:60]
        out.append(f"{short}({detail})")
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("base_url")
    parser.add_argument("key", nargs="?")
    parser.add_argument("key2", nargs="?")
    parser.add_argument("--json", help="write the raw findings here")
    args = parser.parse_args()
    base = args.base_url.rstrip("/")
    if not base.startswith(("http://127.0.0.1:", "http://localhost:")) or base.endswith(":2024"):
        print("loopback URLs only, never port 2024", file=sys.stderr)
        return 2
    # Connection: close: some servers close the connection after a 500 without saying so.
    headers = {"Connection": "close", **({"X-Api-Key": args.key} if args.key else {})}
    client = httpx.Client(base_url=base, headers=headers, timeout=60)
    anon = httpx.Client(base_url=base, timeout=10, headers={"Connection": "close"})
    found: dict[str, Any] = {}

    def show(key: str, value: Any) -> None:
        found[key] = value
        print(f"{key}: {json.dumps(value, default=str)[:1500]}")

    # Public paths and health.
    public = {}
    for path in ("/", "/ok", "/health", "/ready", "/live", "/info", "/openapi.json", "/docs", "/metrics", "/mcp",
                 "/.well-known/agent-card.json", "/assistants/search", "/threads/search"):
        method = "POST" if path.endswith("/search") else "GET"
        r = anon.request(method, path, json={} if method == "POST" else None)
        public[f"{method} {path}"] = r.status_code
    show("anonymous statuses", public)
    r = client.get("/info")
    show("GET /info (with key)", {"status": r.status_code, "body": r.text[:300]})

    # Graph ids as assistants.
    r = client.post("/assistants/search", json={"limit": 100})
    show("assistants/search graph_ids", sorted({a.get("graph_id") for a in r.json()}) if r.status_code == 200 else r.status_code)
    show("assistants/search headers", {k: v for k, v in r.headers.items() if k.lower().startswith("x-pagination")})

    created: list[str] = []

    def thread() -> str:
        r = client.post("/threads", json={"metadata": {"probe": "matrix"}})
        r.raise_for_status()
        created.append(r.json()["thread_id"])
        return created[-1]

    # conformance_echo
    t = thread()
    r = client.post(f"/threads/{t}/runs/wait", json={"assistant_id": "conformance_echo", "input": {"text": "alpha"}})
    show("echo /runs/wait", {"status": r.status_code, "body": r.json() if r.headers.get("content-type", "").startswith("application/json") else r.text[:300]})

    # conformance_interrupt
    t = thread()
    r = client.post(f"/threads/{t}/runs/wait", json={"assistant_id": "conformance_interrupt", "input": {"text": "alpha"}})
    show("interrupt /runs/wait", {"status": r.status_code, "body": r.json() if r.status_code == 200 else r.text[:300]})
    s = client.get(f"/threads/{t}/state").json()
    show("interrupt state.next", s.get("next"))
    show("interrupt state.tasks[0].interrupts", (s.get("tasks") or [{}])[0].get("interrupts"))
    show("interrupt thread status", client.get(f"/threads/{t}").json().get("status"))
    r = client.post(f"/threads/{t}/runs/wait", json={"assistant_id": "conformance_interrupt", "command": {"resume": "yes"}})
    show("interrupt resume", {"status": r.status_code, "body": r.json() if r.status_code == 200 else r.text[:300]})

    # conformance_fail
    t = thread()
    r = client.post(f"/threads/{t}/runs", json={"assistant_id": "conformance_fail", "input": {"text": "x"}})
    run = r.json()
    j = client.get(f"/threads/{t}/runs/{run['run_id']}/join")
    time.sleep(0.5)
    show("fail join", {"status": j.status_code, "body": j.text[:300],
                       "run status": client.get(f"/threads/{t}/runs/{run['run_id']}").json().get("status")})

    # conformance_slow: cancel
    t = thread()
    r = client.post(f"/threads/{t}/runs", json={"assistant_id": "conformance_slow", "input": {"text": "x", "delay": 20}})
    run = r.json()
    time.sleep(1.0)
    c = client.post(f"/threads/{t}/runs/{run['run_id']}/cancel")
    time.sleep(1.0)
    show("slow cancel", {"status": c.status_code, "ctype": c.headers.get("content-type"), "body": c.text[:200],
                         "run status": client.get(f"/threads/{t}/runs/{run['run_id']}").json().get("status")})

    # Stream modes on conformance_stream.
    modes = {}
    for mode in STREAM_MODES:
        t = thread()
        r = client.post(f"/threads/{t}/runs/stream", json={"assistant_id": "conformance_stream", "input": {"text": "alpha"},
                                                           "stream_mode": [mode]})
        modes[mode] = {"status": r.status_code, "events": summarise(sse_events(r)) if r.status_code == 200 else r.text[:200]}
    show("stream modes", modes)
    t = thread()
    r = client.post(f"/threads/{t}/runs/stream", json={"assistant_id": "conformance_stream", "input": {"text": "alpha"},
                                                       "stream_mode": ["values", "updates", "custom"], "stream_subgraphs": True})
    show("stream_subgraphs values+updates+custom", [e[0] for e in sse_events(r)])
    show("stream custom payload", [e[1] for e in sse_events(r) if e[0].startswith("custom")])
    show("stream final values", [e[1] for e in sse_events(r) if e[0] == "values"][-1:])

    # Resumable stream and Last-Event-ID.
    t = thread()
    r = client.post(f"/threads/{t}/runs/stream", json={"assistant_id": "conformance_stream", "input": {"text": "alpha"},
                                                       "stream_mode": ["values", "updates"], "stream_resumable": True})
    events = sse_events(r)
    ids = [e[2] for e in events]
    location = r.headers.get("content-location") or r.headers.get("location")
    show("resumable stream ids", ids)
    show("resumable stream headers", {k: r.headers.get(k) for k in ("location", "content-location", "content-type")})
    run_id = None
    for name, data, _ in events:
        if name == "metadata" and isinstance(data, dict):
            run_id = data.get("run_id")
    if run_id and len([i for i in ids if i]) >= 2:
        first = next(i for i in ids if i)
        r2 = client.get(f"/threads/{t}/runs/{run_id}/stream", headers={"Last-Event-ID": first}, timeout=15)
        after = sse_events(r2)
        show("Last-Event-ID replay", {"status": r2.status_code, "sent": first, "got ids": [e[2] for e in after],
                                      "all ids": ids})
        r3 = client.get(f"/threads/{t}/runs/{run_id}/stream", headers={"Last-Event-ID": "-1"}, timeout=15)
        show("Last-Event-ID -1 replay", {"status": r3.status_code, "got": [e[0] for e in sse_events(r3)]})
    else:
        show("Last-Event-ID replay", f"no ids to resume from (run {run_id}, location {location})")

    # Statuses: validation, unknown ids, delete, unknown-thread run.
    unknown = str(uuid.uuid4())
    statuses = {
        "POST /threads bad json": client.post("/threads", content=b"{", headers={"Content-Type": "application/json"}).status_code,
        "POST /threads/search limit=-1": client.post("/threads/search", json={"limit": -1}).status_code,
        "POST /assistants wrong type": client.post("/assistants", json={"graph_id": 5}).status_code,
        "GET /threads/{malformed}": client.get("/threads/not-a-uuid").status_code,
        "GET /threads/{unknown}": client.get(f"/threads/{unknown}").status_code,
        "GET /assistants/{unknown}": client.get(f"/assistants/{unknown}").status_code,
        "POST /threads/{unknown}/runs": client.post(f"/threads/{unknown}/runs", json={"assistant_id": "conformance_echo", "input": {}}).status_code,
        "POST /threads duplicate": client.post("/threads", json={"thread_id": created[0]}).status_code,
        "PUT /threads (unlisted method)": client.put("/threads", json={}).status_code,
        "POST /threads/count": client.post("/threads/count", json={}).status_code,
        "POST /assistants/count": client.post("/assistants/count", json={}).status_code,
    }
    r = client.post("/threads/search", json={"limit": 2, "offset": 1})
    statuses["threads/search limit 2 offset 1 headers"] = {k: v for k, v in r.headers.items() if k.lower().startswith("x-pagination")}
    statuses["threads/search limit 2 offset 1 count"] = len(r.json()) if r.status_code == 200 else r.status_code
    t = thread()
    d = client.delete(f"/threads/{t}")
    statuses["DELETE /threads/{id}"] = d.status_code
    a = client.post("/assistants", json={"graph_id": "conformance_echo", "metadata": {"probe": "matrix"}})
    if a.status_code == 200:
        statuses["DELETE /assistants/{id}"] = client.delete(f"/assistants/{a.json()['assistant_id']}").status_code
    body = client.get(f"/threads/{unknown}")
    statuses["unknown thread body"] = {"ctype": body.headers.get("content-type"), "body": body.text[:150]}
    bad = client.post("/threads/search", json={"limit": -1})
    statuses["validation body"] = {"ctype": bad.headers.get("content-type"), "body": bad.text[:200]}
    show("statuses", statuses)

    # Crons, store, MCP, A2A.
    assistant_id = next((a["assistant_id"] for a in client.post("/assistants/search", json={"graph_id": "conformance_echo"}).json()), None)
    cron = client.post("/runs/crons", json={"assistant_id": "conformance_echo", "schedule": "0 0 1 1 *", "input": {"text": "x"}})
    show("POST /runs/crons", {"status": cron.status_code, "body": cron.text[:200]})
    if cron.status_code == 200 and isinstance(cron.json(), dict) and cron.json().get("cron_id"):
        show("DELETE /runs/crons/{id}", client.delete(f"/runs/crons/{cron.json()['cron_id']}").status_code)
    show("POST /runs/crons/search", client.post("/runs/crons/search", json={}).status_code)
    put = client.put("/store/items", json={"namespace": ["probe"], "key": "k", "value": {"v": 1}})
    got = client.get("/store/items", params={"namespace": "probe", "key": "k"})
    ns = client.post("/store/namespaces", json={})
    search = client.post("/store/items/search", json={"namespace_prefix": ["probe"]})
    show("store", {"put": put.status_code, "get": [got.status_code, got.text[:200]], "namespaces": [ns.status_code, ns.text[:200]],
                   "search": [search.status_code, search.text[:300]]})
    show("store delete", client.request("DELETE", "/store/items", json={"namespace": ["probe"], "key": "k"}).status_code)
    mcp = client.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "initialize",
                                    "params": {"protocolVersion": "2025-03-26", "capabilities": {}, "clientInfo": {"name": "probe", "version": "0"}}},
                      headers={"Accept": "application/json, text/event-stream"})
    show("POST /mcp initialize", {"status": mcp.status_code, "body": mcp.text[:200]})
    if assistant_id:
        card = client.get("/.well-known/agent-card.json", params={"assistant_id": assistant_id})
        show("GET /.well-known/agent-card.json", {"status": card.status_code, "body": card.text[:150]})
        a2a = client.post(f"/a2a/{assistant_id}", json={"jsonrpc": "2.0", "id": 1, "method": "message/send", "params": {
            "message": {"role": "user", "parts": [{"kind": "text", "text": "hi"}], "messageId": str(uuid.uuid4())}}})
        show("POST /a2a/{assistant_id}", {"status": a2a.status_code, "body": a2a.text[:200]})

    # CORS with a foreign origin.
    pre = anon.options("/threads/search", headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST",
                                                   "Access-Control-Request-Headers": "x-api-key,content-type"})
    simple = client.post("/threads/search", json={}, headers={"Origin": "http://evil.example"})
    show("CORS", {"preflight": [pre.status_code, {k: v for k, v in pre.headers.items() if k.lower().startswith("access-control")}],
                  "request": {k: v for k, v in simple.headers.items() if k.lower().startswith("access-control")}})

    # Routes outside the spec that change data: JS /internal/truncate (answers without a key?).
    show("POST /internal/truncate without key (empty body: truncates nothing)",
         anon.post("/internal/truncate", json={}).status_code)

    # Tenant isolation smoke.
    if args.key2:
        other = httpx.Client(base_url=base, headers={"X-Api-Key": args.key2, "Connection": "close"}, timeout=30)
        show("isolation: GET foreign thread", other.get(f"/threads/{created[0]}").status_code)
        show("isolation: foreign search sees", len(other.post("/threads/search", json={"limit": 100}).json()))
        show("isolation: foreign store get", other.get("/store/items", params={"namespace": "probe", "key": "k"}).status_code)

    for t in created:
        client.delete(f"/threads/{t}")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(found, out, indent=2, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
