# A stand-in for a DAMON-busy day: a SCHED_FIFO thread (run under chrt -f) that takes one vCPU for BURST ms every
# PERIOD ms, as kdamond's pageout bursts did on 2026-12-05 (20-40 ms at a time, 8-26 ms/s in all).
import sys, time
burst, period = float(sys.argv[1]) / 1000, float(sys.argv[2]) / 1000
end = time.monotonic() + float(sys.argv[3])
nxt = time.monotonic()
while time.monotonic() < end:
    t = time.monotonic()
    while time.monotonic() - t < burst:
        pass
    nxt += period
    time.sleep(max(0, nxt - time.monotonic()))
