#!/usr/bin/env python3
"""Per-run and median figures of the bench pipeline A/B runs in this folder (base-runN.json, new-runN.json)."""
import glob, json, re, statistics as st

runs = {"base": [], "new": []}
for f in sorted(glob.glob("*-run*.json"), key=lambda p: int(re.search(r"run(\d+)", p).group(1))):
    v, n = re.match(r"(base|new)-run(\d+)\.json", f).groups()
    d = json.load(open(f))
    runs[v].append((int(n), d["latency_us"]["p50"], d["latency_us"]["p99"], d["allocated_bytes_per_request"],
                    d["stage_us"]["user_context"]["p50"], d["stage_us"]["rank"]["p50"]))
for v, rs in runs.items():
    for n, p50, p99, alloc, uc, rank in rs:
        print(f"{v:4} run {n:2}: p50 {p50 / 1000:.3f} ms  p99 {p99 / 1000:.3f} ms  bytes/request {alloc}  user_context p50 {uc:.1f} us  rank p50 {rank:.1f} us")
for v, rs in runs.items():
    for label, pick in (("all runs", lambda n: True), ("runs 7-12 (nothing else running)", lambda n: n >= 7)):
        sel = [r for r in rs if pick(r[0])]
        if sel:
            print(f"{v:4} {label}: median p50 {st.median(r[1] for r in sel) / 1000:.3f} ms, median p99 {st.median(r[2] for r in sel) / 1000:.3f} ms, bytes/request {sorted(set(r[3] for r in sel))}")
