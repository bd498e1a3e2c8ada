"""The store (long-term memory): items read back what was written, and nothing stale."""

from ._model import Requirement

REQUIREMENTS = [
    Requirement(
        "STORE-001", "MUST", "store",
        "An item put into the store reads back with its key, value and namespace.",
        "spec: PUT /store/items, GET /store/items; a deployment may prefix the namespace server-side "
        "(custom auth), so the namespace read back ends with the one put",
        needs=("store",),
    ),
    Requirement(
        "STORE-002", "MUST", "store",
        "Putting an existing key again replaces its value: reads return the new value, never the stale one.",
        "spec: PUT /store/items (\"Store or update an item\")",
        needs=("store",),
    ),
    Requirement(
        "STORE-003", "MUST", "store",
        "A deleted item is gone: reading it afterwards answers null or 404.",
        "spec: DELETE /store/items, GET /store/items",
        needs=("store",),
    ),
    Requirement(
        "STORE-004", "MUST", "store",
        "Searching by namespace prefix finds the items of every namespace under that prefix.",
        "spec: POST /store/items/search (namespace_prefix)",
        needs=("store",),
    ),
    Requirement(
        "STORE-005", "MUST", "store",
        "Searching by namespace prefix returns no item from outside the prefix.",
        "spec: POST /store/items/search (namespace_prefix: \"List items with the given namespace prefix\")",
        needs=("store",),
    ),
    Requirement(
        "STORE-006", "MUST", "store",
        "Searching with a `filter` returns only the items whose value matches it.",
        "spec: POST /store/items/search (filter: \"Optional dictionary of key-value pairs to filter results\")",
        needs=("store",),
    ),
    Requirement(
        "STORE-007", "MUST", "store",
        "Listing namespaces includes the namespace of an item put into the store.",
        "spec: POST /store/namespaces",
        needs=("store",),
    ),
    Requirement(
        "STORE-008", "SHOULD", "store",
        "Store items carry ISO 8601 `created_at` and `updated_at` timestamps, updated_at not before created_at.",
        "spec: Item schema (created_at, updated_at: date-time)",
        needs=("store",),
    ),
]
