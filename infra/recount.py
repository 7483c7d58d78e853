"""`make recount MONTH=YYYY-MM` → `python -m infra.recount YYYY-MM [--dry-run] [--moto-endpoint URL]`.

Rebuilds the month's statistics counters from the event log (and the office-work completion counters from
the action items, R-WORK-06) and prints the report as JSON; unless a dry run it also copies the user pool's
names, roles and units into the Directory (`USER` partition, `admin_directory.sync_staff`: names, not login ids)
(R-12345-14, `chalicelib.services.recount`). It runs against the deployment the environment
describes (STAGE, AWS_ENDPOINT_URL, table names …, as a Lambda would be configured); when that is
the local stage with no endpoint, against the running local stack (`make run`, moto on
--moto-endpoint). Exit code 0 when the counters already agreed or were repaired, 1 when a dry run
found differences.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from chalicelib import bootstrap
from chalicelib.config import Settings
from chalicelib.domain.statistics import parse_month
from chalicelib.services import admin_directory
from chalicelib.services.recount import recount
from infra import deploy, emulator


def month(text: str) -> str:
    """A `YYYY-MM` argument."""
    try:
        return parse_month(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a month: {text!r} (use YYYY-MM)") from exc


def local_settings(endpoint: str) -> Settings:
    """Settings of the running local stack (its stack is reused, nothing is created)."""
    outputs = deploy.deploy(endpoint, "local")
    emulator.use_dummy_credentials()
    return Settings.from_env(deploy.env_for(outputs, "local"))


def adapters(moto_endpoint: str) -> bootstrap.Adapters:
    """The adapters of the deployment the environment describes, or of the running local stack (`make run`) on
    `moto_endpoint` when the environment names no endpoint: what every maintenance command runs against."""
    settings = Settings.from_env(os.environ)
    if settings.is_local and not settings.endpoint_url:
        settings = local_settings(moto_endpoint)
    return bootstrap.build(settings)


def main(argv: list[str] | None = None) -> int:
    """Run one recount and print its report."""
    parser = argparse.ArgumentParser(prog="python -m infra.recount", description=__doc__.split("\n")[0])
    parser.add_argument("month", type=month, help="YYYY-MM")
    parser.add_argument("--dry-run", action="store_true", help="compare only, do not repair")
    parser.add_argument("--moto-endpoint", default="http://127.0.0.1:5000", help="the local stack's moto server")
    args = parser.parse_args(argv)
    deps = adapters(args.moto_endpoint)
    report = recount(deps, args.month, repair=not args.dry_run, now=deps.clock())
    if not args.dry_run:  # the Directory copy of the staff, so records and reports print names (USER partition)
        report["staff"] = admin_directory.sync_staff(deps)
    json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 1 if args.dry_run and (report["differences"] or report["work"]["differences"]) else 0


if __name__ == "__main__":
    sys.exit(main())
