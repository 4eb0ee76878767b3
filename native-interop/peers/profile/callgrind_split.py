#!/usr/bin/env python3
"""Self cost per function and per instruction address from a callgrind file written with --dump-instr=yes.

   callgrind_split.py CALLGRIND_FILE [PERF_MAP] [--top N] [--addresses FN_SUBSTRING]

JIT code has no symbols in callgrind; PERF_MAP (/tmp/perf-PID.map, DOTNET_PerfMapEnabled=1) names it by address.
--addresses prints the per-instruction costs inside the functions whose name contains FN_SUBSTRING (relative to the
function's start), to line up with a disassembly."""
import re
import sys
from collections import defaultdict


def parse(path):
    events = []
    per_addr = defaultdict(lambda: None)
    fn_of_addr = {}
    names = {}
    fn = None
    addr = 0
    skip_next = False
    totals_line = None
    npos = 1
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("positions:"):
                npos = len(line.split()) - 1
                continue
            if line.startswith("events:"):
                events = line.split()[1:]
                continue
            if line.startswith("summary:") or line.startswith("totals:"):
                totals_line = line
                continue
            m = re.match(r"^(c?fn)=\((\d+)\)(?: (.*))?$", line)
            if m:
                kind, ident, name = m.groups()
                if name is not None:
                    names[ident] = name
                if kind == "fn":
                    fn = names[ident]
                continue
            if line.startswith("calls="):
                skip_next = True  # the next cost line is the call's inclusive cost
                continue
            if not line or not (line[0] in "+-*0123456789"):
                continue
            parts = line.split()
            pos = parts[0]
            if pos == "*":
                pass
            elif pos[0] in "+-":
                addr += int(pos, 0)
            else:
                addr = int(pos, 0)
            if skip_next:
                skip_next = False
                continue
            costs = [int(c) for c in parts[npos:]]
            cur = per_addr[addr]
            if cur is None:
                per_addr[addr] = costs + [0] * (len(events) - len(costs))
            else:
                for i, c in enumerate(costs):
                    cur[i] += c
            fn_of_addr[addr] = fn
    return events, per_addr, fn_of_addr, totals_line


def load_map(path):
    ranges = []
    with open(path) as f:
        for line in f:
            start, size, name = line.rstrip("\n").split(" ", 2)
            ranges.append((int(start, 16), int(size, 16), name))
    ranges.sort()
    return ranges


def name_for(addr, fn, ranges):
    if ranges and (fn is None or fn.startswith("0x")):
        lo, hi = 0, len(ranges) - 1
        while lo <= hi:
            mid = (lo + hi) // 2
            s, n, name = ranges[mid]
            if addr < s:
                hi = mid - 1
            elif addr >= s + n:
                lo = mid + 1
            else:
                return name, s
    return fn or "???", None


def main():
    args = sys.argv[1:]
    top = 25
    addresses = None
    if "--top" in args:
        i = args.index("--top"); top = int(args[i + 1]); del args[i:i + 2]
    if "--addresses" in args:
        i = args.index("--addresses"); addresses = args[i + 1]; del args[i:i + 2]
    events, per_addr, fn_of_addr, totals = parse(args[0])
    ranges = load_map(args[1]) if len(args) > 1 else []
    by_fn = defaultdict(lambda: [0] * len(events))
    starts = {}
    for addr, costs in per_addr.items():
        name, start = name_for(addr, fn_of_addr.get(addr), ranges)
        starts[name] = start
        for i, c in enumerate(costs):
            by_fn[name][i] += c
    total = [sum(c[i] for c in by_fn.values()) for i in range(len(events))]
    print("events:", " ".join(events))
    print("total:", " ".join(f"{t:,}" for t in total))
    ir = events.index("Ir")
    for name, costs in sorted(by_fn.items(), key=lambda kv: -kv[1][ir])[:top]:
        share = costs[ir] / total[ir] * 100 if total[ir] else 0
        print(f"{share:6.2f}%  " + " ".join(f"{c:>12,}" for c in costs) + f"  {name}")
    if addresses:
        for addr in sorted(per_addr):
            name, start = name_for(addr, fn_of_addr.get(addr), ranges)
            if addresses in name:
                base = start if start is not None else 0
                print(f"+0x{addr - base:05x} " + " ".join(f"{c:>10,}" for c in per_addr[addr]) + f"  {name}")


main()
