"""2. Inbox: the operator's list (GET /tickets, by_owner index, 20 per page) over HTTP.

At each size the operator (op1) owns that many tickets. Figures per size: p50 of the first page
and of a deep page (after `deep_offset` items, reached with the API's own opaque token), each
beside the same Query made bare against the same store plus one HTTP floor; and the DynamoDB
items read per page, counted in-process (minimum: the page size). moto's Query walks the whole
table, so raw latency grows with size even for an O(page) design; the growth ratio is therefore
printed beside the bare Query's own growth: equal ratios = the app adds O(page) work.
"""

from __future__ import annotations

import time
from typing import Any

from bench.counting import COUNTER
from bench.figures import Figure
from bench.harness import Bench, p50
from bench.scenarios.floors import raw_dynamodb

SECTION = "2 inbox (operator list)"
USER = "op1"


def _bare_query(bench: Bench, start: dict[str, Any] | None, limit: int) -> tuple[float, dict[str, Any]]:
    ddb = raw_dynamodb(bench)
    kwargs: dict[str, Any] = {
        "TableName": bench.stack.outputs["tickets_table"],
        "IndexName": "by_owner",
        "KeyConditionExpression": "owner_id = :o",
        "ExpressionAttributeValues": {":o": {"S": USER}},
        "ScanIndexForward": False,
        "Limit": limit,
    }
    if start:
        kwargs["ExclusiveStartKey"] = start
    started = time.perf_counter()
    resp = ddb.query(**kwargs)
    return (time.perf_counter() - started) * 1000, resp


def at_size(bench: Bench, size: int) -> list[Figure]:
    from chalicelib.domain.model import Actor
    from chalicelib.services import tickets as svc
    from chalicelib.storage.table import encode_token

    page = bench.cfg.page
    # the deep page's token: LastEvaluatedKey after deep_offset items, in the API's token format
    _, resp = _bare_query(bench, None, bench.cfg.deep_offset)
    deep_key = resp.get("LastEvaluatedKey")
    token = encode_token(deep_key)
    runs: dict[str, list[float]] = {"first": [], "deep": [], "bare_first": [], "bare_deep": []}
    for _ in range(bench.cfg.reps):
        runs["first"].append(bench.timed_http("GET", f"/tickets?limit={page}", USER)[0])
        runs["deep"].append(bench.timed_http("GET", f"/tickets?limit={page}&page={token}", USER)[0])
        runs["bare_first"].append(_bare_query(bench, None, page)[0])
        runs["bare_deep"].append(_bare_query(bench, deep_key, page)[0])
    actor = Actor(USER, "operator", None, "王敏")
    with COUNTER.measure() as first:
        svc.list_tickets(bench.deps, actor, {"limit": str(page)})
    with COUNTER.measure() as deep:
        svc.list_tickets(bench.deps, actor, {"limit": str(page), "page": token})
    http = bench.floors["http"]
    bare_first, bare_deep = p50(runs["bare_first"]), p50(runs["bare_deep"])
    tag = f"{size:,}"
    basis = "HTTP floor + the same Query, bare, at this size"
    return [
        Figure(
            f"inbox.first.{size}",
            f"first page p50 @ {tag} tickets",
            "ms",
            runs["first"],
            minimum=http + bare_first,
            minimum_basis=basis,
            section=SECTION,
            extra={"size": size, "bare_query_ms": bare_first},
        ),
        Figure(
            f"inbox.deep.{size}",
            f"deep page (items {bench.cfg.deep_offset}+) p50 @ {tag}",
            "ms",
            runs["deep"],
            minimum=http + bare_deep,
            minimum_basis=basis,
            section=SECTION,
            extra={"size": size, "bare_query_ms": bare_deep},
        ),
        Figure(
            f"inbox.items.first.{size}",
            f"items read, first page @ {tag}",
            "items",
            [float(first.items_read)],
            minimum=page,
            minimum_basis="the page size",
            section=SECTION,
            note=f"{first.total('dynamodb')} DynamoDB request(s)",
        ),
        Figure(
            f"inbox.items.deep.{size}",
            f"items read, deep page @ {tag}",
            "items",
            [float(deep.items_read)],
            minimum=page,
            minimum_basis="the page size",
            section=SECTION,
            note=f"{deep.total('dynamodb')} DynamoDB request(s)",
        ),
    ]


def summarise(bench: Bench, figures: list[Figure]) -> list[Figure]:
    """The per-size figures plus the growth ratio smallest → largest size."""
    sizes = bench.cfg.sizes
    by_id = {f.id: f for f in figures}
    out = list(figures)
    lo, hi = sizes[0], sizes[-1]
    for which in ("first", "deep"):
        a, b = by_id.get(f"inbox.{which}.{lo}"), by_id.get(f"inbox.{which}.{hi}")
        if not (a and b and a.ok and b.ok):
            continue
        growth = [(b.median or 0) / (a.median or 1)]
        bare = b.extra["bare_query_ms"] / a.extra["bare_query_ms"]
        out.append(
            Figure(
                f"inbox.growth.{which}",
                f"{which} page p50 growth {lo:,} → {hi:,} tickets",
                "×",
                growth,
                minimum=bare,
                minimum_basis="the bare Query's own growth on moto (1.0 on DynamoDB)",
                section=SECTION,
                note=f"size ×{hi // lo}: O(total) would be ≈×{hi // lo}",
            )
        )
    return out
