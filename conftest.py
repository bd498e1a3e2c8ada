"""Wires the conformance plugin in when the suite runs from the repo root without being installed.

Installed (pip install -e .), the plugin comes through its `pytest11` entry point, which is what
makes options like `--reports-dir /tmp/out` known before pytest parses the command line.
"""

import importlib.metadata

if not any(ep.value == "conformance.plugin" for ep in importlib.metadata.entry_points(group="pytest11")):
    pytest_plugins = ["conformance.plugin"]
