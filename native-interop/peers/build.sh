#!/usr/bin/env bash
# Builds the native peers `recsys bench ann --index hnswlib,faiss-hnsw,faiss-ivfflat,faiss-ivfpq` loads:
#   build/librecsys_peer_hnswlib.so   needs g++ and libhnswlib-dev (header-only)
#   build/librecsys_peer_faiss.so     needs g++ and libfaiss-dev (static libfaiss.a; pulls BLAS, LAPACK, OpenMP)
# Each is built with g++ -O3 -march=native; each is optional (the other indexes run without it).
#
#   native-interop/peers/build.sh [--out DIR] [hnswlib|faiss|all]
#
# Exit 0: every requested peer is built (or already up to date). Exit 3: a prerequisite is missing; one line per
# missing peer on stderr says what to install, the others are still built. Exit 1: a compile or link failed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out="$here/build"
what=all
while [ $# -gt 0 ]; do
  case $1 in
    --out) out=$2; shift 2 ;;
    hnswlib|faiss|all) what=$1; shift ;;
    *) echo "build.sh: unknown argument '$1' (usage: build.sh [--out DIR] [hnswlib|faiss|all])" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"
# RECSYS_PEERS_CFLAGS overrides, e.g. "-O3 -march=x86-64-v3" for a build valgrind can run (it has no AVX-512).
cflags=${RECSYS_PEERS_CFLAGS:-"-O3 -march=native"}
include=${RECSYS_PEERS_INCLUDE:-/usr/include}
libdir=${RECSYS_PEERS_LIBDIR:-/usr/lib/x86_64-linux-gnu}

package_version() { # package -> "Debian <package> <version>", or the package name alone off Debian
  local v
  v=$(dpkg-query -W -f='${Version}' "$1" 2>/dev/null || true)
  if [ -n "$v" ]; then echo "Debian $1 $v"; else echo "$1, version unknown"; fi
}

# Two peer test runs (or a test and a person) may build at once: one at a time, each output replaced by rename.
exec 9>"$out/.lock"
flock 9

missing=0
build() { # name, source, extra compiler args...
  local name=$1 source=$2; shift 2
  local target="$out/librecsys_peer_$name.so"
  if [ -f "$target" ] && [ "$(cat "$target.flags" 2>/dev/null)" = "$cflags" ] && [ "$target" -nt "$here/$source" ] && [ "$target" -nt "$here/peer_common.h" ] \
     && [ "$target" -nt "$here/recsys_peers.h" ] && [ "$target" -nt "$here/build.sh" ]; then
    echo "$name: up to date ($target)"
    return 0
  fi
  echo "$name: g++ $cflags $source -> $target"
  g++ -std=c++17 $cflags -fPIC -shared -fvisibility=hidden -Wall -Wno-unused-function -I"$here" \
      "-DRECSYS_PEERS_CFLAGS=\"$cflags\"" -o "$target.tmp" "$here/$source" "$@"
  mv -f "$target.tmp" "$target"
  echo "$cflags" > "$target.flags"
}

need() { # name, install hint, files that must exist...
  local name=$1 hint=$2; shift 2
  if ! command -v g++ >/dev/null; then
    echo "$name: g++ is missing: apt-get install -y g++ $hint" >&2; return 1
  fi
  for f in "$@"; do
    if [ ! -e "$f" ]; then echo "$name: $f is missing: apt-get install -y $hint" >&2; return 1; fi
  done
}

if [ "$what" != faiss ]; then
  if need hnswlib libhnswlib-dev "$include/hnswlib/hnswlib.h"; then
    # Debian's 0.6.2 headers define a few non-inline helpers and leave some variables unused.
    build hnswlib hnswlib_peer.cpp "-DRECSYS_HNSWLIB_VERSION=\"$(dpkg-query -W -f='${Version}' libhnswlib-dev 2>/dev/null | sed 's/-.*//' || true) ($(package_version libhnswlib-dev))\"" \
      -Wno-unused-variable -Wno-sign-compare -Wno-unused-but-set-variable -pthread
  else
    missing=1
  fi
fi
if [ "$what" != hnswlib ]; then
  if need faiss libfaiss-dev "$include/faiss/index_factory.h" "$libdir/libfaiss.a" "$libdir/libblas.so" "$libdir/liblapack.so"; then
    build faiss faiss_peer.cpp "-DRECSYS_FAISS_PACKAGE=\"$(package_version libfaiss-dev)\"" \
      -Wno-sign-compare -fopenmp -L"$libdir" -l:libfaiss.a -llapack -lblas
  else
    missing=1
  fi
fi
if [ $missing -ne 0 ]; then exit 3; fi
