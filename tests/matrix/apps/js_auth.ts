/**
 * Two-key custom auth for the LangGraph.js dev server in the matrix, the twin of python_auth.py:
 * keys from MATRIX_KEYS="key:identity,key:identity", identities tenant-a / tenant-b, owner
 * isolation of threads, runs, assistants and crons, and a store namespace per tenant.
 */
import { Auth, HTTPException } from "@langchain/langgraph-sdk/auth";

const KEYS: Record<string, string> = Object.fromEntries(
  (process.env.MATRIX_KEYS ?? "")
    .split(",")
    .filter(Boolean)
    .map((pair) => {
      const at = pair.indexOf(":");
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
);

export const auth = new Auth()
  .authenticate(async (request: Request) => {
    const key = request.headers.get("x-api-key");
    if (!key || !Object.prototype.hasOwnProperty.call(KEYS, key)) {
      throw new HTTPException(401, { message: "Missing or invalid API key" });
    }
    return { identity: KEYS[key], permissions: [], is_authenticated: true };
  })
  .on("store", ({ value, user, action }) => {
    // Each tenant sees the store under a namespace that starts with its identity. The array is
    // changed in place: the search and list routes read the caller's own array, not the value.
    const v = value as { namespace?: string[] | null };
    if (Array.isArray(v.namespace)) v.namespace.unshift(user.identity);
    else if (action !== "list_namespaces") v.namespace = [user.identity];
    return { namespace: { $contains: user.identity } };
  })
  .on("*", ({ value, user }) => {
    // Stamp the owner on what is created and filter every read, write and search by it.
    const v = value as { metadata?: Record<string, unknown> | null };
    if (v && typeof v === "object") {
      if (!v.metadata || typeof v.metadata !== "object") v.metadata = {};
      v.metadata.owner = user.identity;
    }
    return { owner: user.identity };
  });
