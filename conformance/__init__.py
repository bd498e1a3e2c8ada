"""A contract and conformance test suite for the LangGraph Server API (the Agent Server API)."""

__version__ = "0.1.0"
