"""`python -m infra.search_backfill [--moto-endpoint URL]`: put existing tickets into the search indexes.

A one-off after deploying the keyword search index and the caller-name blind index (R-12345-13,
R-12345-11; docs/operations.md "Search index"): every ticket's title and content terms are written to
the search index (`services.search.index_ticket`) and a ticket saved without a caller-name tag gets one
(`caller_name_tag`, read from its envelope, never written in clear). The stream keeps both from then on.
The run reads the Tickets table once (ticket ids only) — a maintenance scan, never a request path — and
is idempotent: a second run writes nothing new. It runs against the deployment the environment describes
(as `infra.recount` does), or the running local stack (`make run`) on --moto-endpoint. Prints the counts as
JSON; exit code 1 when a ticket failed (run it again).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from typing import Any

from chalicelib.services.search import backfill
from infra.recount import adapters


def ticket_ids(deps: Any) -> Iterator[str]:
    """Every ticket id, page by page (projection of the key only)."""
    for item in deps.tables.tickets.scan(attributes_to_get=["ticket_id"], page_size=500):
        yield str(item.ticket_id)


def main(argv: list[str] | None = None) -> int:
    """Run the backfill and print its counts."""
    parser = argparse.ArgumentParser(prog="python -m infra.search_backfill", description=__doc__.split("\n")[0])
    parser.add_argument("--moto-endpoint", default="http://127.0.0.1:5000", help="the local stack's moto server")
    args = parser.parse_args(argv)
    deps = adapters(args.moto_endpoint)
    counts = backfill(deps, ticket_ids(deps))
    json.dump(counts, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
