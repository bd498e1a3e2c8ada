"""Pure parts of the contract wiring: SSE framing, and how findings are filed."""

from __future__ import annotations

from conformance.checks import Violation, Violations
from conformance.contract import Finding, findings_to_violations
from conformance.sse import frames, framing_problem


def test_a_well_framed_stream_with_json_data_passes_and_a_cut_tail_is_tolerated():
    body = b'event: metadata\r\ndata: {"run_id": "r"}\r\n\r\n: keep-alive\n\nevent: values\ndata: {"a":\ndata: 1}\n\nevent: val'
    assert framing_problem(body) == ""


def test_data_that_is_not_json_is_named():
    problem = framing_problem(b"event: values\ndata: not json\n\n")
    assert "event #1: data is not JSON" in problem and "not json" in problem


def test_a_line_that_is_no_sse_field_is_named():
    assert "is not an `event:`" in framing_problem(b'{"plain": "json"}\n\n')


def test_each_frame_keeps_the_id_it_was_sent_with_not_the_last_one_seen():
    body = b"id: 1\nevent: a\ndata: {}\n\nevent: b\ndata: {}\n\n: comment\n\nid: 3\ndata: {}\n\n"
    assert [(f.event, f.id) for f in frames(body)] == [("a", "1"), ("b", None), ("message", "3")]


def test_every_finding_is_filed_under_its_own_requirement_and_operation():
    findings = [
        Finding("CON-005", "GET /x", "response body matches its schema", "Response violates schema", "Received: 1"),
        Finding("CON-001", "GET /y", "not a server error", "Server error", "Received: 500\nDocumented: 200"),
    ]
    violations = findings_to_violations(findings)
    assert isinstance(violations, Violations)
    assert [(f.requirement, f.operation) for f in violations.findings] == [("CON-001", "GET /y"), ("CON-005", "GET /x")]
    assert str(violations.violations[0]).startswith("[CON-001] GET /y: not a server error: Server error")
    assert "Received: 500" in str(violations)


def test_one_finding_is_one_violation_and_none_is_none():
    one = findings_to_violations([Finding("CON-002", "GET /x", "status code documented", "Undocumented", "500")])
    assert isinstance(one, Violation) and one.operation == "GET /x"
    assert findings_to_violations([]) is None


def test_only_a_json_body_that_does_not_parse_is_unparseable():
    from conformance.contract import unparseable_json_body
    from conformance.http import Exchange

    def sent(body: bytes, content_type: str = "application/json") -> Exchange:
        return Exchange("POST", "http://127.0.0.1:1/threads", [("Content-Type", content_type)], body, 400)

    assert unparseable_json_body(sent(b"\xf1m\xff"))
    assert unparseable_json_body(sent(b'a"'))
    assert not unparseable_json_body(sent(b'{"limit": "x"}'))  # JSON of the wrong shape: a schema matter
    assert not unparseable_json_body(sent(b"a", "text/plain"))
    assert not unparseable_json_body(sent(b""))
