"""Faults for the pagination requirements: each breaks one law of paging the way real servers do."""

from __future__ import annotations

import random

from proxy import Fault, ProxyRequest, ProxyResponse

from conformance.pagination import items_of

# The search operations of the official server, and the store's paginated ones.
SEARCHES = ("/assistants/search", "/threads/search", "/runs/crons/search")
PAGED = (*SEARCHES, "/store/items/search", "/store/namespaces")
DEFAULT_SORT_FIELD = {"/assistants/search": "created_at", "/threads/search": "updated_at", "/runs/crons/search": "created_at"}


def paged_body(request: ProxyRequest, paths: tuple[str, ...] = PAGED) -> dict | None:
    """The JSON body of a paginated POST, else None."""
    if request.method == "POST" and request.path in paths:
        body = request.json()
        return body if isinstance(body, dict) else None
    return None


def _rewrite_body(request: ProxyRequest, body: dict) -> None:
    request.set_json(body)  # the proxy recomputes Content-Length


def _page_bounds(request: ProxyRequest) -> tuple[int, int] | None:
    body = paged_body(request, SEARCHES)
    if body is None:
        return None
    limit, offset = body.get("limit", 10), body.get("offset", 0)
    return (offset, limit) if isinstance(limit, int) and isinstance(offset, int) else None


class OffsetIgnored(Fault):
    name = "offset-ignored"
    requirement = "PAGE-003"
    also = ("PAGE-005", "PAGE-013")  # no page is past the end; a negative offset is accepted
    description = "paginated operations ignore offset: every page is the first"

    def on_request(self, request: ProxyRequest) -> None:
        body = paged_body(request)
        if body is not None and body.pop("offset", None) is not None:
            _rewrite_body(request, body)


class OffsetOffByOne(Fault):
    name = "offset-off-by-one"
    requirement = "PAGE-003"
    description = "a page at offset k > 0 starts at k + 1: one item between pages is never listed"

    def on_request(self, request: ProxyRequest) -> None:
        body = paged_body(request)
        if body is not None and isinstance(body.get("offset"), int) and body["offset"] > 0:
            body["offset"] += 1
            _rewrite_body(request, body)


class ItemRepeatedAcrossPages(Fault):
    name = "item-repeated-across-pages"
    requirement = "PAGE-003"
    description = "a page at offset k > 0 (limit >= 2) starts with the last item of the page before it"

    def on_request(self, request: ProxyRequest) -> None:
        body = paged_body(request)
        if body is not None and isinstance(body.get("offset"), int) and body["offset"] > 0 and body.get("limit", 10) >= 2:
            body["offset"] -= 1
            _rewrite_body(request, body)
            request.shifted = True  # type: ignore[attr-defined] - the same object reaches on_response

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        # A lone item is the one before the end: past the end the page stays empty, as it should.
        value = response.json() if response.status == 200 else None
        items = items_of(value)
        if getattr(request, "shifted", False) and items is not None and len(items) == 1:
            items.clear()
            response.set_json(value)
        return response


class OneItemMoreThanLimit(Fault):
    name = "one-item-more-than-limit"
    requirement = "PAGE-001"
    also = ("PAGE-003",)
    description = "a page holds limit + 1 items"

    def on_request(self, request: ProxyRequest) -> None:
        body = paged_body(request)
        if body is not None and isinstance(body.get("limit"), int) and 1 <= body["limit"] < 1000:
            body["limit"] += 1
            _rewrite_body(request, body)


class FilterIgnored(Fault):
    name = "search-filter-narrowing-ignored"
    requirement = "PAGE-002"
    also = ("PAGE-003", "PAGE-005", "PAGE-012")  # the walk, the end and the count see the unfiltered set
    description = "searches drop the narrowing part of their filter (metadata parity, store value filter)"

    def on_request(self, request: ProxyRequest) -> None:
        body = paged_body(request)
        if body is None:
            return
        metadata = body.get("metadata")
        narrowed_by_metadata = isinstance(metadata, dict) and metadata.pop("parity", None) is not None
        narrowed_by_value = body.pop("filter", None) is not None
        if narrowed_by_metadata or narrowed_by_value:
            _rewrite_body(request, body)


class NextSkipsAnItem(Fault):
    name = "next-header-skips-an-item"
    requirement = "PAGE-004"
    also = ("PAGE-010",)
    description = "X-Pagination-Next is offset + limit + 1"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        value = response.headers.get("x-pagination-next")
        if value is not None and value.isdigit():
            response.headers["x-pagination-next"] = str(int(value) + 1)
        return response


class EmptyPageIs404(Fault):
    name = "offset-past-the-end-404"
    requirement = "PAGE-005"
    also = ("PAGE-003",)
    description = "a page past the end answers 404 instead of 200 []"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        body = paged_body(request)
        if body is not None and body.get("offset") and response.status == 200 and items_of(response.json()) == []:
            return ProxyResponse(404, {"content-type": "application/json"}, b'{"detail": "Not found"}')
        return response


class ShuffledOrder(Fault):
    name = "shuffled-order"
    requirement = "PAGE-009"
    also = ("PAGE-006", "PAGE-007")
    description = "every list response comes back in a random order"

    def __init__(self) -> None:
        self.random = random.Random(7)

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        value = response.json() if response.status == 200 and response.is_json else None
        if isinstance(value, list):
            self.random.shuffle(value)
            response.set_json(value)
        elif isinstance(value, dict) and len(value) == 1 and isinstance(next(iter(value.values())), list):
            self.random.shuffle(next(iter(value.values())))
            response.set_json(value)
        return response


class SortByReplaced(Fault):
    name = "sort-by-ignored"
    requirement = "PAGE-006"
    description = "searches sort by created_at whatever sort_by asks (sort_order is kept)"

    def on_request(self, request: ProxyRequest) -> None:
        body = paged_body(request, SEARCHES)
        if body is not None and body.get("sort_by"):
            body["sort_by"] = "created_at"
            _rewrite_body(request, body)


class SortOrderIgnored(Fault):
    name = "sort-order-ignored"
    requirement = "PAGE-007"
    also = ("PAGE-006",)
    description = "searches drop sort_order: asc comes back sorted desc"

    def on_request(self, request: ProxyRequest) -> None:
        body = paged_body(request, SEARCHES)
        if body is not None and body.pop("sort_order", None) is not None:
            _rewrite_body(request, body)


class DefaultOrderReversed(Fault):
    name = "default-order-reversed"
    requirement = "PAGE-008"
    description = "a search without a sort comes back in the reverse of its documented default order"

    def on_request(self, request: ProxyRequest) -> None:
        body = paged_body(request, SEARCHES)
        if body is not None and "sort_by" not in body and "sort_order" not in body:
            body.update(sort_by=DEFAULT_SORT_FIELD[request.path], sort_order="asc")
            _rewrite_body(request, body)


class NextOnTheLastPage(Fault):
    name = "next-header-on-the-last-page"
    requirement = "PAGE-010"
    description = "X-Pagination-Next = offset + limit is sent on the last page too"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        bounds = _page_bounds(request)
        if bounds and response.status == 200 and "x-pagination-next" not in response.headers:
            response.headers["x-pagination-next"] = str(sum(bounds))
        return response


class TotalOffByFive(Fault):
    name = "total-header-wrong"
    requirement = "PAGE-011"
    description = "X-Pagination-Total is 5 more than the server's"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        value = response.headers.get("x-pagination-total")
        if value is not None and value.isdigit():
            response.headers["x-pagination-total"] = str(int(value) + 5)
        return response


class CountOffByOne(Fault):
    name = "count-off-by-one"
    requirement = "PAGE-012"
    description = "the count operations answer one more than they count"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        if request.method == "POST" and request.path.endswith("/count") and isinstance(response.json(), int):
            response.set_json(response.json() + 1)
        return response


class OutOfRangeLimitClamped(Fault):
    name = "out-of-range-limit-clamped"
    requirement = "PAGE-013"
    description = "a limit outside 1..1000 (or not an integer) is clamped and answered 200"

    def on_request(self, request: ProxyRequest) -> None:
        body = paged_body(request, SEARCHES)
        if body is None and request.matches("POST", "/threads/*/history"):
            body = request.json() if isinstance(request.json(), dict) else None
        if body is None or "limit" not in body:
            return
        limit = body["limit"]
        clamped = min(max(limit, 1), 1000) if isinstance(limit, int) and not isinstance(limit, bool) else 10
        if clamped != limit:
            body["limit"] = clamped
            _rewrite_body(request, body)


class NextNeverSent(Fault):
    name = "next-header-never-sent"
    requirement = "PAGE-014"
    alone = True  # takes away the header other pagination faults break
    description = "no search ever sends X-Pagination-Next (Aegra's way)"

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        response.headers.pop("x-pagination-next", None)
        return response


FAULTS: list[Fault] = [
    OffsetIgnored(), OffsetOffByOne(), ItemRepeatedAcrossPages(), OneItemMoreThanLimit(), FilterIgnored(),
    NextSkipsAnItem(), EmptyPageIs404(), ShuffledOrder(), SortByReplaced(), SortOrderIgnored(),
    DefaultOrderReversed(), NextOnTheLastPage(), TotalOffByFive(), CountOffByOne(), OutOfRangeLimitClamped(),
    NextNeverSent(),
]
UNREACHABLE: dict[str, str] = {}
