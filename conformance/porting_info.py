"""`langgraph-conformance graphs`: the conformance graphs (the porting package) a vendor deploys
beside its own graphs, so that the behaviour checks can run on its deployment.

    langgraph-conformance graphs                     # what they are and how to deploy them
    langgraph-conformance graphs --python DIR        # copy the Python graphs into DIR
    langgraph-conformance graphs --typescript DIR    # copy the TypeScript twin into DIR
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path
from typing import Sequence

PORTING = Path(__file__).resolve().parent / "porting"
PYTHON = PORTING / "python" / "langgraph_conformance_graphs" / "__init__.py"
TYPESCRIPT = PORTING / "typescript" / "graphs.ts"
GRAPH_IDS = ("conformance_echo", "conformance_interrupt", "conformance_fail", "conformance_slow", "conformance_stream")


def graph_lines(path: str) -> dict[str, str]:
    """The langgraph.json `graphs` entries for a graphs file at `path` (relative to langgraph.json)."""
    return {graph: f"{path}:{graph}" for graph in GRAPH_IDS}


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="langgraph-conformance graphs", description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", type=Path, metavar="DIR", help="copy the Python graphs there (as conformance_graphs.py)")
    parser.add_argument("--typescript", type=Path, metavar="DIR", help="copy the TypeScript graphs there (as conformance_graphs.ts)")
    args = parser.parse_args(argv)
    copied = False
    for target, source, name in ((args.python, PYTHON, "conformance_graphs.py"), (args.typescript, TYPESCRIPT, "conformance_graphs.ts")):
        if target is None:
            continue
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target / name)
        copied = True
        print(f"wrote {target / name}; add to the \"graphs\" of langgraph.json (beside your own):")
        print(json.dumps(graph_lines(f"./{name}"), indent=2))
    if not copied:
        print((PORTING / "README.md").read_text(encoding="utf-8"))
        print(f"\nthe files: {PYTHON}\n           {TYPESCRIPT}")
        print("then run the suite with --conformance-graphs (or let it find them: it looks for conformance_echo)")
    return 0
