"""Deletion confirmation of store items: which listed item is the one deleted."""

import json

from conformance.cleanup import _store_lists
from conformance.http import Exchange


def _search(*items: tuple[list[str], str]) -> Exchange:
    body = {"items": [{"namespace": namespace, "key": key, "value": {}} for namespace, key in items]}
    return Exchange("POST", "http://127.0.0.1/store/items/search", [], None, status=200, body=json.dumps(body).encode())


ITEM = {"namespace": ["conformance", "run1", "contract"], "key": "k"}


def test_an_item_is_found_under_its_namespace_or_one_the_server_prefixed():
    assert _store_lists(_search((["conformance", "run1", "contract"], "k")), ITEM)
    assert _store_lists(_search((["tenant-a", "conformance", "run1", "contract"], "k")), ITEM)


def test_another_key_or_a_deeper_namespace_is_another_item():
    assert not _store_lists(_search((["conformance", "run1", "contract"], "other")), ITEM)
    assert not _store_lists(_search((["conformance", "run1", "contract", "deeper"], "k")), ITEM)


def test_the_same_labels_nested_again_under_the_run_are_another_item():
    item = {"namespace": ["conformance", "run1"], "key": ""}
    assert not _store_lists(_search((["tenant-a", "conformance", "run1", "conformance", "run1"], "")), item)
    assert _store_lists(_search((["tenant-a", "conformance", "run1"], "")), item)
