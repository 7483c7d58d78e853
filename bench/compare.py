"""Compare two result files by figure id: `python -m bench.compare BEFORE.json AFTER.json`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bench.figures import fmt


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)  # noqa: T201
        return 2
    before, after = (json.loads(Path(p).read_text(encoding="utf-8")) for p in argv)
    old = {f["id"]: f for f in before["figures"]}
    for doc, name in ((before, "before"), (after, "after")):
        print(
            f"{name}: {doc['mode']} {doc['date']} {(doc['git']['commit'] or '?')[:10]}"  # noqa: T201
            f"{' dirty' if doc['git']['dirty'] else ''} load {doc['machine'].get('load_average')}"
        )
    if before["mode"] != after["mode"]:
        print("warning: different modes (sizes differ)")  # noqa: T201
    print(f"{'figure':<62} {'before':>10} {'after':>10} {'change':>8}  unit")  # noqa: T201
    for f in after["figures"]:
        o = old.get(f["id"])
        a, b = (o or {}).get("median"), f.get("median")
        change = f"{(b - a) / a * 100:+.0f}%" if a and b is not None else ""
        print(f"{f['label'][:62]:<62} {fmt(a):>10} {fmt(b):>10} {change:>8}  {f['unit']}")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
