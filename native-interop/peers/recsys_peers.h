/*
 * The C surface of the native peers `recsys bench ann` runs beside our own indexes (hnswlib, FAISS).
 * Two shared libraries, built by build.sh, so either peer works without the other's packages:
 *   librecsys_peer_hnswlib.so   hnswlib_peer.cpp over hnswlib's header-only library
 *   librecsys_peer_faiss.so     faiss_peer.cpp over FAISS's C++ API (Debian's libfaiss-dev ships the
 *                               c_api headers but not their implementation, so the shim is C++ exported as C)
 * The .NET side is native-interop/RecSys.Engine.Native/Peers (LibraryImport). Every entry point catches
 * C++ exceptions: a failure returns a negative value and writes the reason into the caller's buffer.
 *
 * Metric codes are RecSys.Engine.Core's DistanceMetric values, and distances come back in its convention
 * (smaller is closer): 1 = squared L2, 2 = inner product (-dot), 3 = cosine (1 - dot on normalised rows).
 * Search is single-threaded per handle (it normalises the query into a buffer the handle owns); the
 * caller passes preallocated result buffers, so nothing is copied or allocated on the managed side.
 */
#ifndef RECSYS_PEERS_H
#define RECSYS_PEERS_H

#include <stdint.h>

/* Built with -fvisibility=hidden: only these entry points leave the library (not FAISS's or the C++ runtime's). */
#pragma GCC visibility push(default)
#ifdef __cplusplus
extern "C" {
#endif

/* hnswlib: HierarchicalNSW<float>, labels = row numbers. */
const char* recsys_hnswlib_describe(void);
int recsys_hnswlib_build(int dim, int metric, const float* rows, int64_t count, int m, int ef_construction,
                         int threads, void** index, char* error, int error_capacity);
int recsys_hnswlib_search(void* index, const float* query, int k, int ef, int64_t* ids, float* distances);
int64_t recsys_hnswlib_memory_bytes(void* index);
void recsys_hnswlib_free(void* index);

/* Profiling aid (profile/profile.sh): under valgrind --tool=callgrind --instr-atstart=no, on != 0 starts counting
   instructions and 0 stops and dumps; outside valgrind (or built without valgrind's headers) a no-op. */
void recsys_peers_callgrind(int on);

/* FAISS: an index_factory string ("HNSW16,Flat", "IVF1024,Flat", "IVF1024,PQ24,RFlat"). */
const char* recsys_faiss_describe(void);
int recsys_faiss_build(const char* factory, int dim, int metric, const float* rows, int64_t count,
                       int ef_construction, int threads, void** index, char* error, int error_capacity);
/* ef applies to HNSW, nprobe to IVF; refine = 0 searches the index under an RFlat wrapper alone, refine = R > 0
   re-ranks the top R of it exactly (IndexRefineFlat with k_factor = R / k). */
int recsys_faiss_search(void* index, const float* query, int k, int ef, int nprobe, int refine, int64_t* ids,
                        float* distances, char* error, int error_capacity);
/* Bytes per index that serves refine: on an IVF index with refine = 0 its codes and ids (as our IVF-PQ rows
   without re-rank count them), otherwise the whole index as write_index serialises it. */
int64_t recsys_faiss_memory_bytes(void* index, int refine);
void recsys_faiss_free(void* index);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop

#endif
