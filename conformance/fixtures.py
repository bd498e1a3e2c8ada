"""The fixtures the suites use: the target, its spec and capabilities, and one client per
credential. None makes a network call of its own: discovery did that once for the run."""

from __future__ import annotations

import pytest

from .capabilities import NEEDS, Capabilities
from .checks import not_claimed, not_judged
from .config import TargetConfig
from .discovery import CONFORMANCE_GRAPHS
from .http import ApiClient
from .session import Run, run_of
from .spec import LoadedSpec


def _run(request: pytest.FixtureRequest) -> Run:
    run = run_of(request.config)
    if run is None:
        pytest.skip("the conformance plugin is not active in this run")
    return run


@pytest.fixture(scope="session")
def conformance_run(request: pytest.FixtureRequest) -> Run:
    return _run(request)


@pytest.fixture(scope="session")
def target(conformance_run: Run) -> TargetConfig:
    """The resolved target configuration."""
    return conformance_run.config


@pytest.fixture(scope="session")
def spec(conformance_run: Run) -> LoadedSpec:
    """The deployment's spec as loaded (errata are applied by the suites that use them)."""
    assert conformance_run.spec is not None
    return conformance_run.spec


@pytest.fixture(scope="session")
def capabilities(conformance_run: Run) -> Capabilities:
    return conformance_run.capabilities


@pytest.fixture(scope="session")
def api(conformance_run: Run) -> ApiClient:
    """The main tenant's client (no credential when the target has auth off)."""
    return conformance_run.main


@pytest.fixture(scope="session")
def alt_api(conformance_run: Run) -> ApiClient:
    """The second tenant's client; without one accepted, a test that needs it is not judged."""
    caps = conformance_run.capabilities
    if not conformance_run.config.auth_enabled:
        not_claimed("auth is off on this target: there are no tenants")
    if not caps.has("second_tenant") or conformance_run.alt is None:
        not_judged(f"needs {NEEDS['second_tenant'].what} ({caps.why.get('second_tenant', '')})", NEEDS["second_tenant"].fix)
    return conformance_run.alt


@pytest.fixture(scope="session")
def anon_api(conformance_run: Run) -> ApiClient:
    """A client that sends no credential."""
    return conformance_run.client("anonymous", None)


@pytest.fixture(scope="session")
def graph_id(capabilities: Capabilities) -> str:
    """A graph the main key may run: given, the conformance graphs, or one the deployment lists."""
    if not capabilities.graph_id:
        not_judged(f"needs {NEEDS['graph'].what} ({capabilities.why.get('graph', '')})", NEEDS["graph"].fix)
    return capabilities.graph_id


@pytest.fixture(scope="session")
def conformance_graphs(capabilities: Capabilities) -> bool:
    """Whether the conformance graphs are deployed on the target (their behaviour is then known)."""
    return capabilities.conformance_graphs


@pytest.fixture(scope="session")
def graphs(capabilities: Capabilities) -> dict[str, str]:
    """The conformance graphs by short name (echo, interrupt, fail, slow, stream); not judged without them."""
    if not capabilities.conformance_graphs:
        need = NEEDS["conformance_graphs"]
        not_judged(f"needs {need.what} ({capabilities.why.get('conformance_graphs', '')})", need.fix)
    return {g.removeprefix("conformance_"): g for g in CONFORMANCE_GRAPHS}


@pytest.fixture(scope="session")
def assistants(api: ApiClient, graphs: dict[str, str]) -> dict[str, str]:
    """An assistant of each conformance graph, made by the main tenant (its own: owner-scoped auth
    may hide a deployment's default assistants), by short name."""
    from .checks import require_json

    made = {}
    for short, graph in graphs.items():
        answer = api.post("/assistants", json=api.assistant_body(graph, name=f"conformance {short}"))
        made[short] = require_json(answer, f"creating an assistant of {graph}", "assistant_id")
    return made
