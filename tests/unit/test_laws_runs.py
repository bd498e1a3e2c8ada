"""The pure laws of the runs, crons and streaming suites, on hand-made values."""

from __future__ import annotations

import json
from pathlib import Path

from conformance.laws_runs import (
    STREAM_MODES,
    answer_may_lack,
    declared_stream_modes,
    declares_parameter,
    declares_property,
    foreign_events,
    mode_of_event,
    replay_problem,
    request_properties,
    shared_ids,
    split_namespace,
    strip_end,
    webhook_problem,
)

OFFICIAL = json.loads((Path(__file__).resolve().parents[2] / "conformance" / "specs" / "langgraph-api-0.16.7.json").read_text())

DOC = {
    "paths": {
        "/runs": {"post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Run"}}}}}},
        "/runs/batch": {"post": {"requestBody": {"content": {"application/json": {
            "schema": {"type": "array", "items": {"$ref": "#/components/schemas/Run"}}}}}}},
        "/join/{id}": {
            "parameters": [{"name": "id", "in": "path"}],
            "get": {"parameters": [{"$ref": "#/components/parameters/Cancel"}]},
        },
    },
    "components": {
        "schemas": {
            "Run": {"allOf": [{"$ref": "#/components/schemas/Base"}, {"properties": {"after_seconds": {"type": "number"}}}]},
            "Base": {"properties": {"stream_mode": {"anyOf": [
                {"type": "array", "items": {"enum": ["values", "custom"]}}, {"type": "string", "enum": ["values", "custom"]}]}}},
            "Loop": {"$ref": "#/components/schemas/Loop"},
        },
        "parameters": {"Cancel": {"name": "cancel_on_disconnect", "in": "query"}},
    },
}


def test_request_properties_follow_refs_and_all_of_and_batch_items():
    assert set(request_properties(DOC, "POST /runs")) == {"stream_mode", "after_seconds"}
    assert declares_property(DOC, "POST /runs/batch", "after_seconds")
    assert not declares_property(DOC, "POST /runs", "webhook")
    assert request_properties(DOC, "GET /nowhere") == {}


def test_a_reference_cycle_ends_in_no_properties():
    doc = {**DOC, "paths": {"/x": {"post": {"requestBody": {"content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Loop"}}}}}}}}
    assert request_properties(doc, "POST /x") == {}


def test_parameters_are_found_on_the_operation_and_its_path():
    assert declares_parameter(DOC, "GET /join/{id}", "cancel_on_disconnect")
    assert declares_parameter(DOC, "GET /join/{id}", "id")
    assert not declares_parameter(DOC, "GET /join/{id}", "stream_mode")
    assert not declares_parameter(DOC, "POST /join/{id}", "cancel_on_disconnect")


def test_stream_modes_are_read_from_the_enum_or_default_to_the_official_list():
    assert declared_stream_modes(DOC, "POST /runs") == ["values", "custom"]
    bare = {"paths": {"/s": {"post": {"requestBody": {"content": {"application/json": {
        "schema": {"properties": {"stream_mode": {"type": "string"}}}}}}}}}}
    assert declared_stream_modes(bare, "POST /s") == list(STREAM_MODES)
    assert declared_stream_modes(DOC, "GET /join/{id}") == []


def test_an_answer_may_lack_a_property_only_where_an_alternative_declares_none():
    def doc(schema):
        return {"paths": {"/runs/crons": {"post": {"responses": {"200": {"content": {"application/json": {"schema": schema}}}}}}},
                "components": {"schemas": {"Cron": {"properties": {"cron_id": {}}}, "Run": {"properties": {"run_id": {}}}}}}
    cron, run = {"$ref": "#/components/schemas/Cron"}, {"$ref": "#/components/schemas/Run"}
    assert answer_may_lack(doc({"anyOf": [run, cron]}), "POST /runs/crons", "cron_id")  # Aegra's spec
    assert not answer_may_lack(doc(cron), "POST /runs/crons", "cron_id")
    assert not answer_may_lack(doc({"anyOf": [cron, cron]}), "POST /runs/crons", "cron_id")
    assert not answer_may_lack(doc(cron), "POST /nowhere", "cron_id")
    assert not answer_may_lack(OFFICIAL, "POST /runs/crons", "cron_id")


def test_the_official_spec_lists_the_nine_stream_modes_and_the_fields_the_suites_use():
    assert set(declared_stream_modes(OFFICIAL)) == set(STREAM_MODES)
    for field in ("after_seconds", "if_not_exists", "multitask_strategy", "webhook"):
        assert declares_property(OFFICIAL, "POST /threads/{thread_id}/runs", field)
    assert declares_property(OFFICIAL, "POST /runs/batch", "on_completion")
    assert declares_parameter(OFFICIAL, "GET /threads/{thread_id}/runs/{run_id}/join", "cancel_on_disconnect")


def test_event_names_map_to_their_modes():
    assert mode_of_event("values") == "values"
    assert mode_of_event("values|inner:1") == "values"
    assert mode_of_event("messages") == "messages-tuple"
    assert mode_of_event("messages/partial") == "messages"
    assert mode_of_event("messages/metadata|inner:1") == "messages"
    for control in ("metadata", "error", "end", "feedback"):
        assert mode_of_event(control) is None
    assert split_namespace("debug|a:1|b:2") == ("debug", ["a:1", "b:2"])
    assert split_namespace("debug") == ("debug", [])


def test_foreign_events_are_those_of_modes_not_asked_for():
    events = ["metadata", "custom", "values", "messages", "end"]
    assert foreign_events(events, ["custom"]) == ["values", "messages"]
    assert foreign_events(events, ["custom", "values", "messages-tuple"]) == []
    assert foreign_events(["messages/complete"], ["messages-tuple"]) == ["messages/complete"]


def test_shared_ids_name_every_position_of_an_id_used_twice():
    assert shared_ids(["1-0", "2-0", "2-0", None, "3-0", None]) == {"2-0": [1, 2]}
    assert shared_ids(["a", "b"]) == {}


SENT = [("metadata", "m"), ("values", "1"), ("custom", "c"), ("values", "2")]


def test_a_replay_of_exactly_the_events_after_the_resume_point_passes():
    assert replay_problem(SENT, 1, [("custom", "c"), ("values", "2")]) == ""
    assert replay_problem(SENT, 1, [("custom", "c"), ("values", "2"), ("end", "{}")]) == ""
    assert replay_problem(SENT, 3, []) == ""


def test_a_replay_with_duplicates_gaps_or_strangers_says_which():
    assert "came again" in replay_problem(SENT, 1, [("values", "1"), ("custom", "c"), ("values", "2")])
    assert "never came: `custom`" in replay_problem(SENT, 1, [("values", "2")])
    assert "never streamed" in replay_problem(SENT, 1, [("custom", "c"), ("values", "2"), ("values", "3")])
    assert "another order" in replay_problem(SENT, 1, [("values", "2"), ("custom", "c")])


def test_strip_end_drops_only_trailing_end_events():
    assert strip_end([("end", ""), ("values", "1"), ("end", "")]) == [("end", ""), ("values", "1")]


def test_a_webhook_is_called_once_with_the_run():
    good = {"run_id": "r", "thread_id": "t", "status": "success"}
    assert webhook_problem([good], "r", "t") == ""
    assert "never called" in webhook_problem([], "r", "t")
    assert "2 times" in webhook_problem([good, good], "r", "t")
    assert "run_id" in webhook_problem([{**good, "run_id": "x"}], "r", "t")
    assert "status" in webhook_problem([{**good, "status": "running"}], "r", "t")
    assert "not a JSON object" in webhook_problem(["text"], "r", "t")
