"""Two-key custom auth for the Python servers of the matrix (langgraph-api, runtime-pg), after
conformance/reference/app/auth.py: keys from MATRIX_KEYS="key:identity,key:identity" (fresh random
values at every start), identities tenant-a / tenant-b, owner isolation of threads, runs,
assistants and crons, and a store namespace per tenant.
"""

from __future__ import annotations

import os

from langgraph_sdk import Auth

KEYS = dict(pair.split(":", 1) for pair in os.environ.get("MATRIX_KEYS", "").split(",") if pair)

auth = Auth()


@auth.authenticate
async def authenticate(headers: dict) -> Auth.types.MinimalUserDict:
    raw = headers.get(b"x-api-key", headers.get("x-api-key"))
    key = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    if not key or key not in KEYS:
        raise Auth.exceptions.HTTPException(status_code=401, detail="Missing or invalid API key")
    return {"identity": KEYS[key], "is_authenticated": True}


@auth.on
async def owner_only(ctx: Auth.types.AuthContext, value: dict):
    # Stamp the owner on what is created and filter every read, write and search by it.
    if isinstance(value, dict):
        metadata = value.get("metadata")
        if not isinstance(metadata, dict):
            metadata = {}
            value["metadata"] = metadata
        metadata["owner"] = ctx.user.identity
    return {"owner": ctx.user.identity}


@auth.on.store()
async def own_namespace(ctx: Auth.types.AuthContext, value: dict):
    # Each tenant sees the store under a namespace that starts with its identity.
    namespace = value.get("namespace")
    if namespace is not None or ctx.action != "list_namespaces":
        value["namespace"] = (ctx.user.identity, *(namespace or ()))
    else:
        value["namespace"] = (ctx.user.identity,)
