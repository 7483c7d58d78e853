"""1. Intake over HTTP: sequential authenticated POST /tickets from this (separate) process.

The N creations are split into `reps` consecutive runs; each run gives tickets/s, p50 and p95,
and the figure is the median over runs (spread = min–max over runs). Minimum: one HTTP
round-trip plus the two DynamoDB requests intake needs (the day's sequence number, one
TransactWriteItems), each at its bare floor.
"""

from __future__ import annotations

import time

from bench.figures import Figure, percentile
from bench.harness import Bench

SECTION = "1 intake over HTTP"
BODY = {
    "category": "complaint",
    "title": "小区夜间施工噪音扰民",
    "content": "海游街道某小区工地夜间22点后仍在施工，噪音很大，影响休息。",
    "caller": {"name": "张三丰", "phone": "13800001234", "employer": "某公司", "address": "三门县海游街道1号"},
    "location": {"address": "三门县海游街道", "lat": 29.11, "lng": 121.37},
}


def run(bench: Bench) -> list[Figure]:
    reps, n = bench.cfg.reps, bench.cfg.intake_n
    per_run = max(1, n // reps)
    bench.timed_http("POST", "/tickets", "op1", BODY, expect=201)  # warm: JWKS, context, data key
    rates, p50s, p95s = [], [], []
    for _ in range(reps):
        latencies = []
        started = time.perf_counter()
        for _ in range(per_run):
            latencies.append(bench.timed_http("POST", "/tickets", "op1", BODY, expect=201)[0])
        rates.append(per_run / (time.perf_counter() - started))
        p50s.append(percentile(latencies, 50))
        p95s.append(percentile(latencies, 95))
    fl = bench.floors
    floor_ms = fl["http"] + fl["update"] + fl["tx"]
    basis = "HTTP floor + UpdateItem floor + TransactWriteItems floor"
    note = f"{per_run * reps} creations, {reps} runs of {per_run}, one client, chalice local"
    return [
        Figure(
            "intake.rate",
            "intake throughput (sequential)",
            "tickets/s",
            rates,
            better="higher",
            minimum=1000 / floor_ms,
            minimum_basis="1000 ms / (" + basis + ")",
            section=SECTION,
            note=note,
        ),
        Figure("intake.p50", "intake latency p50", "ms", p50s, minimum=floor_ms, minimum_basis=basis, section=SECTION),
        Figure("intake.p95", "intake latency p95", "ms", p95s, minimum=floor_ms, minimum_basis=basis, section=SECTION),
    ]
