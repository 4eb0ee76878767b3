#!/usr/bin/env python3
"""Samples kdamond.0's CPU time (first field of /proc/PID/schedstat, ns on a CPU) every 10 ms; writes one line per burst
(a run of samples in which its CPU time grew): start (unix s), length ms, CPU ms. Runs until killed."""
import os, sys, time, signal
pid = int(sys.argv[1]); out = open(sys.argv[2], "w", buffering=1)
def cpu():
    return int(open(f"/proc/{pid}/schedstat").read().split()[0]) / 1e6
out.write(f"# kdamond pid {pid}, schedstat run time, sampled every 10 ms\nstart_unix_s\tlength_ms\tcpu_ms\n")
stop = False
def handler(*_):
    global stop; stop = True
signal.signal(signal.SIGTERM, handler); signal.signal(signal.SIGINT, handler)
last = cpu(); burst = None
while not stop:
    time.sleep(0.01)
    now = time.time(); c = cpu()
    if c > last:
        if burst is None: burst = [now, now, 0.0]
        burst[1] = now; burst[2] += c - last
    elif burst is not None and now - burst[1] > 0.05:
        out.write(f"{burst[0]:.3f}\t{(burst[1]-burst[0])*1000:.0f}\t{burst[2]:.2f}\n"); burst = None
    last = c
if burst: out.write(f"{burst[0]:.3f}\t{(burst[1]-burst[0])*1000:.0f}\t{burst[2]:.2f}\n")
