"""The spec-errata overlay as pure logic: parsing, applicability, exact patches, all-or-nothing."""

from __future__ import annotations

import json

import pytest

from conformance.config import BUNDLED_SPEC
from conformance.errata import ErrataError, apply_errata, load_errata, make_nullable, operation_pointer, parse_errata

HEAD = '[spec]\ntitle = "Demo"\nversions = ["1.0"]\n'


def spec() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Demo", "version": "1.0"},
        "paths": {
            "/things/{id}": {
                "get": {"responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}}},
                "delete": {"responses": {"200": {"description": "ok"}}},
            },
            "/stream": {"get": {"responses": {"200": {"description": "events"}}}},
        },
        "components": {"schemas": {"Thing": {"type": "object", "properties": {"name": {"type": "string"}}}}},
    }


def erratum(body: str) -> str:
    return HEAD + '[[erratum]]\nid = "E-1"\ntitle = "t"\nevidence = "seen"\n' + body


def test_a_relative_patch_applies_under_each_listed_operation_and_leaves_the_input_untouched():
    original = spec()
    errata = parse_errata(erratum('operations = ["DELETE /things/{id}"]\n[[erratum.patch]]\nop = "add"\npath = "responses/204"\nvalue = {description = "gone"}\n'))
    overlay = apply_errata(original, errata)
    assert overlay.document["paths"]["/things/{id}"]["delete"]["responses"]["204"] == {"description": "gone"}
    assert "204" not in original["paths"]["/things/{id}"]["delete"]["responses"]
    assert [e.id for e in overlay.applied] == ["E-1"]


def test_nullable_widens_a_schema_to_accept_null_and_nothing_else():
    assert make_nullable({"type": "object"}) == {"type": ["object", "null"]}
    assert make_nullable({"type": ["string", "null"]}) == {"type": ["string", "null"]}
    assert make_nullable({"$ref": "#/x"}) == {"anyOf": [{"$ref": "#/x"}, {"type": "null"}]}
    errata = parse_errata(erratum('operations = ["GET /things/{id}"]\n[[erratum.patch]]\nop = "nullable"\npath = "/components/schemas/Thing/properties/name"\n'))
    assert apply_errata(spec(), errata).document["components"]["schemas"]["Thing"]["properties"]["name"] == {"type": ["string", "null"]}


def test_strict_mode_applies_nothing():
    errata = parse_errata(erratum('operations = ["DELETE /things/{id}"]\n[[erratum.patch]]\nop = "add"\npath = "responses/204"\nvalue = {}\n'))
    overlay = apply_errata(spec(), errata, strict=True)
    assert overlay.applied == [] and overlay.document == spec()


def test_an_erratum_for_another_title_or_version_does_not_apply():
    other = spec()
    other["info"]["version"] = "2.0"
    errata = parse_errata(erratum('operations = ["DELETE /things/{id}"]\n[[erratum.patch]]\nop = "add"\npath = "responses/204"\nvalue = {}\n'))
    assert apply_errata(other, errata).applied == []


def test_a_changed_spec_makes_the_whole_erratum_not_apply_and_says_why():
    text = erratum(
        'operations = ["DELETE /things/{id}"]\n'
        '[[erratum.patch]]\nop = "add"\npath = "responses/204"\nvalue = {}\n'
        '[[erratum.patch]]\nop = "replace"\npath = "/components/schemas/Thing/type"\nexpect = "array"\nvalue = "object"\n'
    )
    overlay = apply_errata(spec(), parse_errata(text))
    assert overlay.applied == []
    assert "expected value" in overlay.skipped[0][1]
    assert "204" not in overlay.document["paths"]["/things/{id}"]["delete"]["responses"]  # all or nothing


def test_adding_what_is_already_there_is_reported_as_possibly_fixed():
    text = erratum('operations = ["DELETE /things/{id}"]\n[[erratum.patch]]\nop = "add"\npath = "responses/200"\nvalue = {}\n')
    overlay = apply_errata(spec(), parse_errata(text))
    assert overlay.applied == [] and "already present" in overlay.skipped[0][1]


def test_an_erratum_naming_an_operation_the_spec_lacks_does_not_apply():
    text = erratum('operations = ["GET /nowhere"]\nexclude = "x"\n')
    overlay = apply_errata(spec(), parse_errata(text))
    assert overlay.applied == [] and "GET /nowhere" in overlay.skipped[0][1]


def test_exclusions_and_valid_only_operations_are_recorded_with_their_erratum():
    text = erratum('operations = ["GET /stream"]\nexclude = "never ends"\n') + (
        '[[erratum]]\nid = "E-2"\ntitle = "t"\nevidence = "seen"\noperations = ["GET /things/{id}"]\nnegative = "500 on bad input"\n'
    )
    overlay = apply_errata(spec(), parse_errata(text))
    assert overlay.excluded == {"GET /stream": "E-1: never ends"}
    assert overlay.positive_only == {"GET /things/{id}": "E-2: 500 on bad input"}
    assert "2 spec errata applied: E-1, E-2" in overlay.summary()


@pytest.mark.parametrize(
    "body, problem",
    [
        ('operations = ["GET /stream"]\n', "corrects nothing"),
        ('operations = ["get /stream"]\nexclude = "x"\n', "operations"),
        ('operations = ["GET /stream"]\nexclude = "x"\nsilence = true\n', "unknown keys"),
        ('operations = ["GET /stream"]\n[[erratum.patch]]\nop = "merge"\npath = "x"\n', "op"),
        ('operations = ["GET /stream"]\n[[erratum.patch]]\nop = "add"\npath = "x"\n', "needs a value"),
    ],
)
def test_a_malformed_erratum_is_refused_with_its_id(body, problem):
    with pytest.raises(ErrataError, match=problem):
        parse_errata(erratum(body))


def test_an_erratum_needs_evidence():
    with pytest.raises(ErrataError, match="evidence"):
        parse_errata(HEAD + '[[erratum]]\nid = "E-1"\ntitle = "t"\noperations = ["GET /stream"]\nexclude = "x"\n')


def test_operation_pointers_escape_slashes():
    assert operation_pointer("GET /threads/{thread_id}") == "/paths/~1threads~1{thread_id}/get"


def test_every_shipped_erratum_applies_to_the_bundled_official_spec():
    document = json.loads(BUNDLED_SPEC.read_text(encoding="utf-8"))
    errata = load_errata()
    overlay = apply_errata(document, errata)
    assert not overlay.skipped, overlay.skipped
    assert len(overlay.applied) == len(errata)
    assert "GET /threads/{thread_id}/stream" in overlay.excluded


def test_a_worked_around_erratum_documents_without_patching():
    from conformance.errata import apply_errata, parse_errata

    text = (
        '[spec]\ntitle = "T"\nversions = ["1"]\n[[erratum]]\nid = "X-1"\ntitle = "t"\nevidence = "e"\n'
        'operations = ["GET /a"]\nworked_around = "the suite sends the dotted form"\n'
    )
    (erratum,) = parse_errata(text)
    assert erratum.worked_around and not erratum.patches
    document = {"openapi": "3.1.0", "info": {"title": "T", "version": "1"}, "paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}}}}}}
    overlay = apply_errata(document, [erratum])
    assert overlay.document == document
