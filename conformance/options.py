"""The suite's options: one table, used by the pytest plugin and the `langgraph-conformance` command.

At the pytest level every option is namespaced (`--conformance-base-url`): the plugin is loaded on
demand (by the command, the repo's conftest.py, or `-p conformance.plugin`), and namespaced names
cannot collide with another plugin's (pytest-base-url's `--base-url`, pytest-profiling's `--profile`)
in the same pytest process. The command offers the short names (`--base-url`) and passes them on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PREFIX = "conformance-"


@dataclass(frozen=True)
class Option:
    name: str  # short name, as the command takes it: "base-url"
    help: str
    flag: bool = False  # takes no value
    metavar: str = ""
    path: bool = False  # a file or folder (resolved against the directory the command runs in)

    @property
    def dest(self) -> str:
        """The key of `conformance.config.resolve`'s options."""
        return self.name.replace("-", "_")

    @property
    def pytest_flag(self) -> str:
        return f"--{PREFIX}{self.name}"

    @property
    def pytest_dest(self) -> str:
        return f"conformance_{self.dest}"


OPTIONS = (
    Option("base-url", "deployment to test (CONFORMANCE_BASE_URL); none: start the embedded reference", metavar="URL"),
    Option("api-key", "the main tenant's API key (CONFORMANCE_API_KEY, falling back to LANGGRAPH_API_KEY)", metavar="KEY"),
    Option("alt-api-key", "a second tenant's API key, for isolation tests (CONFORMANCE_ALT_API_KEY)", metavar="KEY"),
    Option("spec", "OpenAPI spec URL or file, or 'bundled' (default: <base-url>/openapi.json, then the /docs page)",
           metavar="URL|FILE|bundled", path=True),
    Option("spec-credentials", "also send the API key to a --spec URL on another origin than the base URL's", flag=True),
    Option("profile", "profile name (see `langgraph-conformance profiles`) or a path to a .toml file (CONFORMANCE_PROFILE)",
           metavar="NAME|PATH", path=True),
    Option("graph-id", "graph(s) deployed on the target that tests may run, comma-separated (CONFORMANCE_GRAPH_ID)", metavar="ID[,ID]"),
    Option("conformance-graphs", "the conformance graphs are deployed on the target (CONFORMANCE_GRAPHS=1)", flag=True),
    Option("reports-dir", "where reports are written (default: ./reports)", metavar="DIR", path=True),
    Option("seed", "seed of generated data; the same seed sends the same requests (CONFORMANCE_SEED)", metavar="N"),
    Option("examples", "generated examples per operation (CONFORMANCE_EXAMPLES; default: the budget's)", metavar="N"),
    Option("budget", "quick (a pull-request gate) | default | thorough (nightly: more examples, slow checks)", metavar="NAME"),
    Option("strict-spec", "apply no spec errata: list the spec's own defects", flag=True),
    Option("fail-on", "must (default) | should | regression (needs --baseline)", metavar="LEVEL"),
    Option("baseline", "an earlier summary.json: report what changed since", metavar="FILE", path=True),
    Option("request-timeout", "total deadline of one request in seconds (default 30)", metavar="S"),
    Option("probe-key-in-url", "also probe whether the key is accepted in a query parameter: sends the real key "
           "in URLs, which access logs and proxies keep (opt-in)", flag=True),
    Option("area", "run only these areas, comma-separated (smoke, contract, auth, ...)", metavar="A[,B]"),
    Option("requirement", "run only the tests of these requirement ids, comma-separated; a trailing * matches a prefix",
           metavar="ID[,ID]"),
    Option("shard", "run the i-th of n shares of the tests (merge the shards' reports with `langgraph-conformance merge`)",
           metavar="I/N"),
)
BY_NAME = {o.name: o for o in OPTIONS}


def add_pytest_options(parser: Any) -> None:
    group = parser.getgroup("conformance", "LangGraph Server API conformance (langgraph-conformance)")
    for option in OPTIONS:
        kwargs: dict[str, Any] = {"dest": option.pytest_dest, "help": option.help}
        if option.flag:
            kwargs.update(action="store_true", default=False)
        else:
            kwargs["metavar"] = option.metavar or None
        group.addoption(option.pytest_flag, **kwargs)


def values(config: Any) -> dict[str, Any]:
    """{dest: value} of every option as pytest parsed it (None / False when not given)."""
    return {o.dest: config.getoption(o.pytest_dest) for o in OPTIONS}
