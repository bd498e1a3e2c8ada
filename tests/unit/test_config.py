"""Configuration resolution: precedence, profiles, and the one-line errors with their exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.config import parse_profile, resolve
from conformance.errors import EXIT_CONFIG, ConfigError

NONE = {
    "base_url": None, "api_key": None, "alt_api_key": None, "spec": None, "profile": None, "graph_id": None,
    "reports_dir": None, "seed": None, "examples": None, "strict_spec": False, "fail_on": None, "baseline": None,
    "request_timeout": None, "budget": None,
}


def options(**given):
    return {**NONE, **given}


def test_no_base_url_means_the_embedded_reference_with_its_profile():
    config = resolve(options(), {})
    assert config.embedded and config.base_url is None
    assert config.profile.name == "reference"
    assert config.graph_ids == ("conformance_echo",) and config.conformance_graphs is True


def test_a_base_url_selects_the_generic_profile_and_is_normalised():
    config = resolve(options(base_url="http://127.0.0.1:9000/"), {})
    assert not config.embedded and config.base_url == "http://127.0.0.1:9000"
    assert config.profile.name == "generic"
    assert config.spec_url == "http://127.0.0.1:9000/openapi.json"


def test_command_line_beats_environment_beats_profile():
    env = {"CONFORMANCE_BASE_URL": "http://127.0.0.1:1", "CONFORMANCE_API_KEY": "env-key", "CONFORMANCE_GRAPH_ID": "env-graph"}
    config = resolve(options(base_url="http://127.0.0.1:2", graph_id="cli-graph"), env)
    assert config.base_url == "http://127.0.0.1:2"
    assert config.api_key == "env-key"
    assert config.graph_ids == ("cli-graph",)


def test_the_api_key_falls_back_to_LANGGRAPH_API_KEY_like_the_sdk():
    config = resolve(options(base_url="http://127.0.0.1:2"), {"LANGGRAPH_API_KEY": "sdk-key"})
    assert config.api_key == "sdk-key"
    config = resolve(options(base_url="http://127.0.0.1:2"), {"LANGGRAPH_API_KEY": "sdk-key", "CONFORMANCE_API_KEY": "mine"})
    assert config.api_key == "mine"


def test_auth_is_on_for_the_generic_profile_only_when_a_key_is_given():
    assert not resolve(options(base_url="http://127.0.0.1:2"), {}).auth_enabled
    assert resolve(options(base_url="http://127.0.0.1:2", api_key="k"), {}).auth_enabled


def test_a_bearer_profile_sends_the_key_as_an_authorization_header():
    config = resolve(options(base_url="http://127.0.0.1:2", api_key="k", profile="bearer"), {})
    assert config.auth_headers("k") == {"Authorization": "Bearer k"}
    assert resolve(options(base_url="http://127.0.0.1:2", api_key="k"), {}).auth_headers("k") == {"X-Api-Key": "k"}


def test_the_bundled_spec_can_be_chosen_by_name():
    config = resolve(options(base_url="http://127.0.0.1:2", spec="bundled"), {})
    assert config.spec_url.endswith("langgraph-api-0.16.7.json") and Path(config.spec_url).is_file()


@pytest.mark.parametrize(
    "given, env, words",
    [
        ({"profile": "nope"}, {}, ["unknown profile 'nope'", "reference"]),
        ({"profile": "/does/not/exist.toml"}, {}, ["does not exist"]),
        ({"base_url": "ftp://x"}, {}, ["not an http(s) URL"]),
        ({"base_url": "http://127.0.0.1:2", "fail_on": "sometimes"}, {}, ["--fail-on", "must"]),
        ({"base_url": "http://127.0.0.1:2", "examples": "many"}, {}, ["--examples", "not an integer"]),
        ({"api_key": "k"}, {}, ["no base URL"]),
        ({"base_url": "http://127.0.0.1:2", "profile": "bearer"}, {}, ["no API key"]),
        ({"base_url": "http://127.0.0.1:2", "baseline": "/nope/summary.json"}, {}, ["baseline", "does not exist"]),
        ({"profile": "generic"}, {}, ["no base URL is set"]),
    ],
)
def test_bad_configuration_is_one_line_naming_problem_and_fix(given, env, words):
    with pytest.raises(ConfigError) as caught:
        resolve(options(**given), env)
    message = str(caught.value)
    assert "\n" not in message and " -- " in message
    for word in words:
        assert word in message
    assert caught.value.exit_code == EXIT_CONFIG


def test_a_malformed_profile_names_the_key_and_its_line():
    text = 'name = "x"\n\n[auth]\nheader = "X-Api-Key"\nrejection_statuses = "401"\n'
    with pytest.raises(ConfigError) as caught:
        parse_profile(text, "my.toml")
    assert "my.toml:5" in str(caught.value) and "auth.rejection_statuses" in str(caught.value)


def test_an_unknown_profile_key_names_its_line():
    with pytest.raises(ConfigError) as caught:
        parse_profile('name = "x"\n[target]\nbase_ur = "http://x"\n', "p.toml")
    assert "p.toml:3" in str(caught.value) and "target.base_ur" in str(caught.value)


def test_invalid_toml_names_the_line():
    with pytest.raises(ConfigError) as caught:
        parse_profile('name = "x\n', "p.toml")
    assert "line 1" in str(caught.value)


def test_known_deviations_need_a_reason():
    profile = parse_profile('[known_deviations]\n"PAGE-001" = {reason = "sends Next on the last page", link = "https://x"}\n', "p.toml")
    assert profile.deviations[0].requirement == "PAGE-001" and profile.deviations[0].operations == ()
    with pytest.raises(ConfigError):
        parse_profile('[known_deviations]\n"PAGE-001" = {link = "x"}\n', "p.toml")


def test_a_deviation_can_be_scoped_to_operations_and_a_pattern():
    profile = parse_profile(
        '[[deviation]]\nrequirement = "CON-001"\noperations = ["POST /store/items/search"]\nmatch = "null"\n'
        'reason = "500 on a null prefix"\nevidence = "POST ... -> 500"\n', "p.toml")
    (deviation,) = profile.deviations
    assert (deviation.requirement, deviation.operations, deviation.match) == ("CON-001", ("POST /store/items/search",), "null")
    for bad, word in (('[[deviation]]\nreason = "x"\n', "requirement"), ('[[deviation]]\nrequirement = "CON-001"\nreason = "x"\noperations = ["nope"]\n', "operations"),
                      ('[[deviation]]\nrequirement = "CON-001"\nreason = "x"\nwhat = 1\n', "what")):
        with pytest.raises(ConfigError, match=word):
            parse_profile(bad, "p.toml")


def test_capabilities_and_the_health_path_are_profile_facts():
    profile = parse_profile('[target]\nhealth = "/health"\n[capabilities]\ncrons = false\n', "p.toml")
    assert profile.health_path == "/health" and profile.capabilities == {"crons": False}
    with pytest.raises(ConfigError, match="capabilities.teleport"):
        parse_profile("[capabilities]\nteleport = true\n", "p.toml")


def test_the_same_key_twice_and_user_info_in_the_url_are_refused():
    with pytest.raises(ConfigError, match="the same key"):
        resolve(options(base_url="http://127.0.0.1:2", api_key="k1", alt_api_key="k1"), {})
    with pytest.raises(ConfigError, match="user info") as caught:
        resolve(options(base_url="http://me:pw@127.0.0.1:2"), {})
    assert "pw" not in str(caught.value)


def test_a_budget_sets_the_examples_unless_they_are_given():
    assert resolve(options(budget="quick"), {}).examples == 4
    assert resolve(options(budget="quick", examples="9"), {}).examples == 9
    with pytest.raises(ConfigError, match="budget"):
        resolve(options(budget="huge"), {})


def test_every_bundled_profile_parses():
    from conformance.config import PROFILES_DIR, load_profile

    names = sorted(p.stem for p in PROFILES_DIR.glob("*.toml"))
    assert {"reference", "reference-noauth", "generic"} <= set(names)
    for name in names:
        assert load_profile(name).name == name
