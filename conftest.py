"""Loads the conformance plugin for `pytest` runs from the repo root (the plugin has no entry point:
it is loaded on demand, so it never reaches other pytest runs in the same environment).

Outside the repo, use the `langgraph-conformance` command, or `pytest -p conformance.plugin`.
"""

pytest_plugins = ["conformance.plugin"]
