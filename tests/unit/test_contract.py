"""Pure parts of the contract wiring: SSE framing, and which finding a failure is filed under."""

from __future__ import annotations

from conformance.contract import Finding, findings_to_violation, sse_framing_problem


def test_a_well_framed_stream_with_json_data_passes_and_a_cut_tail_is_tolerated():
    body = b'event: metadata\r\ndata: {"run_id": "r"}\r\n\r\n: keep-alive\n\nevent: values\ndata: {"a":\ndata: 1}\n\nevent: val'
    assert sse_framing_problem(body) == ""


def test_data_that_is_not_json_is_named():
    problem = sse_framing_problem(b"event: values\ndata: not json\n\n")
    assert "event #1: data is not JSON" in problem and "not json" in problem


def test_a_line_that_is_no_sse_field_is_named():
    assert "is not an `event:`" in sse_framing_problem(b'{"plain": "json"}\n\n')


def test_the_violation_is_filed_under_the_first_requirement_in_order_and_lists_the_rest():
    findings = [
        Finding("CON-005", "GET /x", "response body matches its schema", "Response violates schema", "Received: 1"),
        Finding("CON-001", "GET /x", "not a server error", "Server error", "Received: 500\nDocumented: 200"),
    ]
    violation = findings_to_violation(findings)
    assert violation.requirement == "CON-001"
    text = str(violation)
    assert text.startswith("[CON-001] GET /x: not a server error: Server error")
    assert "Received: 500" in text and "- [CON-005] GET /x" in text


def test_no_findings_no_violation():
    assert findings_to_violation([]) is None
