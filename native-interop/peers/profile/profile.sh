#!/usr/bin/env bash
# Where HNSW search time goes, ours against hnswlib (bench/results/hnsw.md, "Where the time goes"). Needs the peers
# built (../build.sh), valgrind and linux-perf (apt-get install -y valgrind linux-perf).
#
#   native-interop/peers/profile/profile.sh DATA_DIR [EF] [QUERIES] [OUT_DIR]
#
# 1. callgrind: each index is built uninstrumented, warmed until the JIT is quiet, then exactly QUERIES searches are
#    counted (instructions, and simulated cache misses) between the harness's markers, main thread only; per
#    instruction (--dump-instr), so the counts can be split by what the code does. JIT code is named through the perf
#    map the runtime writes (DOTNET_PerfMapEnabled=1) and disassembled with DOTNET_JitDisasm (code bytes included).
# 2. perf: cpu-clock samples of a search-only window (the VM has no hardware counters), per symbol.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
data=${1:?usage: profile.sh DATA_DIR [EF] [QUERIES] [OUT_DIR]}
ef=${2:-32}
queries=${3:-500}
out=${4:-$here/../build/profile-out}
mkdir -p "$out"
dotnet build "$here/HnswProfile.csproj" -c Release -o "$here/../build/profile" -v q -nologo | tail -n 2
dll="$here/../build/profile/HnswProfile.dll"
export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 DOTNET_TieredCompilation=1

for kind in hnsw hnsw-bf16 hnswlib; do
  echo "== callgrind $kind ef=$ef queries=$queries"
  DOTNET_JitStdOutFile="$out/jitdisasm.$kind.txt" DOTNET_JitDisasm='SearchBeam SearchOne Search Distance*' \
  DOTNET_JitDisasmWithCodeBytes=1 \
  valgrind --tool=callgrind --instr-atstart=no --separate-threads=yes --dump-instr=yes --cache-sim=yes \
    --callgrind-out-file="$out/callgrind.$kind.%p" dotnet "$dll" "$data" "$kind" "$ef" "$queries" 2> "$out/valgrind.$kind.log"
done

for kind in hnsw hnsw-bf16 hnswlib; do
  echo "== perf $kind ef=$ef"
  dotnet "$dll" "$data" "$kind" "$ef" 1000 20 > "$out/perf.$kind.stdout" &
  pid=$!
  until grep -q measuring "$out/perf.$kind.stdout" 2>/dev/null; do sleep 1; done
  sleep 2
  perf record -e cpu-clock -F 999 -p "$pid" -o "$out/perf.$kind.data" -- sleep 10 2> /dev/null
  wait "$pid"
  cp -f "/tmp/perf-$pid.map" "$out/" 2>/dev/null || true
  perf report -i "$out/perf.$kind.data" --no-children --sort sym --stdio 2>/dev/null | grep -v '^#' | grep -v '^$' | head -25 > "$out/perf.$kind.txt"
  cat "$out/perf.$kind.txt"
done
