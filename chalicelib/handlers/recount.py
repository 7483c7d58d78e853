"""`make recount MONTH=YYYY-MM` → `python -m chalicelib.handlers.recount YYYY-MM [--dry-run]`.

Rebuilds the month's counters from the event log and prints the differences (JSON). Against the
local stack (`make run`, moto on --moto-endpoint) when no endpoint is configured. Exit code 0 when
counters already agreed or were repaired, 1 when a dry run found differences.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime


def _connect_local(endpoint: str) -> None:
    """Point the app at the running local stack (the way infra/local_stack.py does)."""
    import os

    from infra import stack

    outputs = stack.deploy(endpoint, "local")  # reuses the existing stack and returns its outputs
    os.environ.update(stack.env_for(outputs, "local"))


def main(argv: list[str] | None = None) -> int:
    """Run one recount and print its report."""
    parser = argparse.ArgumentParser(prog="recount", description=__doc__)
    parser.add_argument("month", help="YYYY-MM")
    parser.add_argument("--dry-run", action="store_true", help="compare only, do not repair")
    parser.add_argument("--moto-endpoint", default="http://127.0.0.1:5000")
    args = parser.parse_args(argv)
    from chalicelib.config import get_settings

    if get_settings().is_local and not get_settings().endpoint_url:
        _connect_local(args.moto_endpoint)
        get_settings.cache_clear()
    from chalicelib.services.recount import recount

    report = recount(args.month, repair=not args.dry_run, now=datetime.now(UTC))
    json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 1 if args.dry_run and report["differences"] else 0


if __name__ == "__main__":
    sys.exit(main())
