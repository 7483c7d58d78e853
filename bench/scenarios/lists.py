"""2b. Lists: combined filters and search on GET /tickets stay O(page) whatever the table size.

At each size the bulk tickets (closed, op1's, unit U001, hotline 12345) are under the worst case of each
query: filters nothing passes, so a naive design would read the whole partition. Per size and query: the
p50 over HTTP and the DynamoDB items read and requests made for one page, counted in-process. The bound
is `storage.tickets.LIST_PAGE_BUDGET` index pages of 50 for a filtered page and, for a keyword,
`services.search.SEARCH_PAGES` Queries of `SEARCH_PAGE` search-index rows plus the tickets they name
(docs/api.md `GET /tickets`); the minimum shown is the page size. `content_keyword` looks up a word of the
bulk tickets' content: every bulk ticket is in its search-index partition (bench/data.py), none passes
the filters.
"""

from __future__ import annotations

from urllib.parse import urlencode

from bench.counting import COUNTER
from bench.data import SEARCH_TERM
from bench.figures import Figure
from bench.harness import Bench

SECTION = "2b lists (combined filters, search)"
USER = "op1"
QUERIES = {
    "combined": {"status": "open", "unit_id": "U001", "owner_id": USER, "hotline": "12369", "flag": "overdue"},
    "keyword": {"unit_id": "U001", "status": "open", "keyword": "无此关键词"},
    "content_keyword": {"unit_id": "U001", "status": "open", "keyword": SEARCH_TERM},
    "number": {"ticket_id": "T20000101-00001", "status": "open"},
}


def at_size(bench: Bench, size: int) -> list[Figure]:
    from chalicelib.domain.model import Actor
    from chalicelib.services import tickets as svc

    page = bench.cfg.page
    actor = Actor(USER, "operator", None, "王敏")
    tag = f"{size:,}"
    out: list[Figure] = []
    for name, params in QUERIES.items():
        path = "/tickets?" + urlencode({**params, "limit": page})
        runs = [bench.timed_http("GET", path, USER)[0] for _ in range(bench.cfg.reps)]
        with COUNTER.measure() as tally:
            svc.list_tickets(bench.deps, actor, {**params, "limit": str(page)})
        out.append(
            Figure(
                f"lists.{name}.{size}", f"{name} page p50 @ {tag}", "ms", runs, section=SECTION, extra={"size": size}
            )
        )
        out.append(
            Figure(
                f"lists.items.{name}.{size}",
                f"items read, {name} page @ {tag}",
                "items",
                [float(tally.items_read)],
                minimum=page,
                minimum_basis="the page size",
                section=SECTION,
                note=f"{tally.total('dynamodb')} DynamoDB request(s); bounded, not growing with the table",
                extra={"size": size},
            )
        )
    return out
