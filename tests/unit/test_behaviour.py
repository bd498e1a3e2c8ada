"""The pure laws of the behaviour suites (runs, streaming, store), on hand-made values."""

from __future__ import annotations

from conformance.behaviour import (
    namespace_ends_with,
    namespace_under,
    newest_first,
    parse_timestamp,
    run_id_of_location,
    stream_ids_in_order,
)


def test_a_namespace_matches_with_or_without_a_server_prefix():
    assert namespace_ends_with(["a", "b"], ["a", "b"])
    assert namespace_ends_with(["tenant-a", "a", "b"], ["a", "b"])
    assert not namespace_ends_with(["a"], ["a", "b"])
    assert not namespace_ends_with(["tenant-a", "a", "c"], ["a", "b"])
    assert not namespace_ends_with(None, ["a"])


def test_a_namespace_lies_under_a_prefix_anywhere_after_server_labels():
    assert namespace_under(["tenant-a", "run", "a", "x"], ["run", "a"])
    assert namespace_under(["run", "a"], ["run", "a"])
    assert not namespace_under(["tenant-a", "run", "b"], ["run", "a"])
    assert not namespace_under("run.a", ["run", "a"])


def test_stream_ids_must_not_go_backwards():
    assert stream_ids_in_order(["1-0", "2-0", "2-0", "2-1", "10-0"])[0]
    ok, detail = stream_ids_in_order(["5-0", "4-9"])
    assert not ok and "4-9" in detail
    assert stream_ids_in_order(["3", "2"]) == (False, "event 2's id '2' comes before event 1's id '3'")
    assert stream_ids_in_order(["b", "a"])[0]  # opaque ids are not judged


def test_history_must_be_newest_first():
    history = [{"created_at": "2026-01-01T00:00:02+00:00"}, {"created_at": "2026-01-01T00:00:01Z"}]
    assert newest_first(history) == (True, "")
    assert not newest_first(list(reversed(history)))[0]
    assert not newest_first([{"created_at": "yesterday"}])[0]
    assert newest_first([])[0]


def test_timestamps_need_a_time_zone():
    assert parse_timestamp("2026-11-28T18:59:18.145794+00:00") is not None
    assert parse_timestamp("2026-11-28T18:59:18") is None
    assert parse_timestamp(42) is None


def test_a_content_location_names_its_run():
    assert run_id_of_location("/threads/t1/runs/r1") == "r1"
    assert run_id_of_location("http://h/runs/r2/") == "r2"
    assert run_id_of_location("/threads/t1") is None
    assert run_id_of_location(None) is None
