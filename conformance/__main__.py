"""`python -m conformance`: the same as the `langgraph-conformance` command."""

from .cli import main

raise SystemExit(main())
