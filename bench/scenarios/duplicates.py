"""Duplicate requests (R-12345-18): precision and recall of the detector on the labelled pairs.

No stack needed: the scorer is pure (chalicelib/domain/duplicates.py). The same function the unit test
asserts (`duplicates.evaluate`) computes the figures here; `python -m bench --only duplicates` runs this
section alone.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from bench.figures import Figure

SECTION = "8 duplicates (R-12345-18)"
PAIRS = Path(__file__).resolve().parents[2] / "tests" / "data" / "duplicates_pairs.json"
GOAL_PRECISION, GOAL_RECALL = 0.9, 0.8


def run() -> list[Figure]:
    from chalicelib.domain import duplicates

    pairs = json.loads(PAIRS.read_text(encoding="utf-8"))["pairs"]
    duplicates.evaluate(pairs[:2])  # load jieba's dictionary and IDF table outside the timing
    started = time.perf_counter()
    result = duplicates.evaluate(pairs)
    wall = time.perf_counter() - started
    note = (
        f"{result.pairs} labelled pairs ({result.duplicates} duplicates), threshold {result.threshold}: "
        f"TP {result.true_positives}, FP {result.false_positives}, FN {result.false_negatives}"
    )
    return [
        Figure(
            "duplicates.precision",
            "duplicate detector precision",
            "ratio",
            [result.precision],
            better="higher",
            minimum=GOAL_PRECISION,
            minimum_basis="goal: precision ≥ 0.9 at recall ≥ 0.8",
            section=SECTION,
            note=note,
            extra=result.as_dict(),
        ),
        Figure(
            "duplicates.recall",
            "duplicate detector recall",
            "ratio",
            [result.recall],
            better="higher",
            minimum=GOAL_RECALL,
            minimum_basis="goal: recall ≥ 0.8",
            section=SECTION,
        ),
        Figure(
            "duplicates.index_recall",
            "duplicates the index brings up (LSH band, caller or place)",
            "ratio",
            [result.index_recall],
            better="higher",
            minimum=GOAL_RECALL,
            minimum_basis="at least the recall goal",
            section=SECTION,
        ),
        Figure(
            "duplicates.pairs_per_s",
            "pairs scored per second (segmentation, MinHash included)",
            "pairs/s",
            [result.pairs / wall],
            better="higher",
            section=SECTION,
        ),
    ]
