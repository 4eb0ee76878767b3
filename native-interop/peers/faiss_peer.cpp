// FAISS behind recsys_peers.h, through its C++ API (Debian's libfaiss-dev 1.7.3 ships the c_api headers without
// their implementation). The index comes from faiss::index_factory, built with `threads` OpenMP threads and
// searched with one, one query per call. The kernels are the ones inside libfaiss.a, compiled by Debian for
// baseline x86-64 (get_compile_options() says "GENERIC"): describe() names it.
#include "recsys_peers.h"
#include "peer_common.h"

#include <faiss/IndexHNSW.h>
#include <faiss/IndexIVF.h>
#include <faiss/IndexPreTransform.h>
#include <faiss/IndexRefine.h>
#include <faiss/index_factory.h>
#include <faiss/index_io.h>
#include <faiss/impl/io.h>
#include <faiss/utils/utils.h>
#include <omp.h>

#include <cstdlib>
#include <memory>

using namespace recsys_peers;

namespace {

struct FaissPeer : PeerBase {
    using PeerBase::PeerBase;
    std::unique_ptr<faiss::Index> index;
    faiss::IndexRefine* refine = nullptr;  // the RFlat wrapper, when the factory string has one
    faiss::Index* base = nullptr;          // what refine = 0 searches: the index under the wrapper
    faiss::IndexHNSW* hnsw = nullptr;
    faiss::IndexIVF* ivf = nullptr;
};

// Under the wrappers a factory string may add (RFlat, a transform in front), the HNSW or IVF index.
void find_parts(FaissPeer& peer) {
    faiss::Index* at = peer.index.get();
    if (auto* r = dynamic_cast<faiss::IndexRefine*>(at)) {
        peer.refine = r;
        at = r->base_index;
    }
    peer.base = at;
    if (auto* t = dynamic_cast<faiss::IndexPreTransform*>(at)) at = t->index;
    peer.hnsw = dynamic_cast<faiss::IndexHNSW*>(at);
    peer.ivf = dynamic_cast<faiss::IndexIVF*>(at);
}

// Cosine runs as L2 on the normalised rows, as our IVF-PQ quantizes it (and as the FAISS anchors were
// measured): the same ranking as inner product for HNSW and IVF-Flat, and for PQ the objective its codebooks are
// trained on (under METRIC_INNER_PRODUCT, IVF1024,PQ32 on the seed-42 100k x 128 set stalled at recall@10 0.41,
// 0.96 with RFlat 100). |a - b|^2 = 2 - 2 cos on unit vectors, so the cosine distance is half of it.
inline faiss::MetricType faiss_metric(int metric) {
    return metric == InnerProduct ? faiss::METRIC_INNER_PRODUCT : faiss::METRIC_L2;
}

// FAISS's inner-product indexes report the dot itself (larger is closer).
inline float to_our_distance(int metric, float d) {
    return metric == Cosine ? 0.5f * d : metric == InnerProduct ? -d : d;
}

// libgomp reads OMP_WAIT_POLICY once, when it loads. Its default spins at barriers, which on a shared 2-core
// machine under load turned a 0.05 s IVF training into 0.6-0.8 s (threads spinning while their partner was
// descheduled); the .NET loader sets "passive" unless the caller chose.
std::string wait_policy() {
    const char* policy = std::getenv("OMP_WAIT_POLICY");
    return policy != nullptr ? policy : "unset (libgomp spins)";
}

// A GENERIC build (Debian's: baseline x86-64, no SSE3) takes FAISS 1.7.3's scalar fallbacks for its distance
// functions: perf of an IVF-PQ search shows fvec_L2sqr_ref, fvec_inner_product_ref and fvec_madd on top.
std::string kernel_note() {
    return faiss::get_compile_options().find("GENERIC") != std::string::npos ? " (scalar fvec_*_ref distance kernels)" : "";
}

}  // namespace

extern "C" const char* recsys_faiss_describe(void) {
    static const std::string text = std::string("FAISS ") + std::to_string(FAISS_VERSION_MAJOR) + "." +
                                    std::to_string(FAISS_VERSION_MINOR) + "." + std::to_string(FAISS_VERSION_PATCH) +
                                    " (" + RECSYS_FAISS_PACKAGE + "), library kernels compiled as '" +
                                    faiss::get_compile_options() + "'" + kernel_note() + ", OMP_WAIT_POLICY=" +
                                    wait_policy() + ", shim " + compiled_for();
    return text.c_str();
}

extern "C" int recsys_faiss_build(const char* factory, int dim, int metric, const float* rows, int64_t count,
                                  int ef_construction, int threads, void** index, char* error, int error_capacity) {
    try {
        if (!valid_metric(metric) || dim < 1 || count < 0 || factory == nullptr || index == nullptr) {
            write_error(error, error_capacity, "faiss build: bad arguments (metric, dim, count, factory or index)");
            return -1;
        }
        auto peer = std::make_unique<FaissPeer>(dim, metric);
        peer->index.reset(faiss::index_factory(dim, factory, faiss_metric(metric)));
        find_parts(*peer);
        if (peer->hnsw != nullptr) peer->hnsw->hnsw.efConstruction = ef_construction;
        std::vector<float> normalised;
        const float* data = rows_for_metric(metric, rows, count, dim, normalised);
        omp_set_num_threads(threads < 1 ? 1 : threads);
        peer->index->train(count, data);
        peer->index->add(count, data);
        // Searches run one query on one thread, as ours are timed.
        omp_set_num_threads(1);
        *index = peer.release();
        return 0;
    } catch (const std::exception& e) {
        omp_set_num_threads(1);
        write_error(error, error_capacity, (std::string("faiss build '") + factory + "': " + e.what()).c_str());
        return -1;
    }
}

extern "C" int recsys_faiss_search(void* index, const float* query, int k, int ef, int nprobe, int refine, int64_t* ids,
                                   float* distances, char* error, int error_capacity) {
    try {
        auto* peer = static_cast<FaissPeer*>(index);
        // The OpenMP thread count is per calling thread: a search on another thread than the build's starts at
        // the machine's core count.
        if (omp_get_max_threads() != 1) omp_set_num_threads(1);
        if (peer->hnsw != nullptr) peer->hnsw->hnsw.efSearch = ef;
        if (peer->ivf != nullptr) peer->ivf->nprobe = static_cast<size_t>(nprobe);
        const float* q = query_for_metric(peer->metric, query, peer->dim, peer->query);
        static_assert(sizeof(faiss::Index::idx_t) == sizeof(int64_t), "FAISS labels are 64-bit");
        auto* labels = reinterpret_cast<faiss::Index::idx_t*>(ids);
        if (refine > 0 && peer->refine != nullptr) {
            peer->refine->k_factor = static_cast<float>(refine) / static_cast<float>(k);
            peer->refine->search(1, q, k, distances, labels);
        } else {
            peer->base->search(1, q, k, distances, labels);
        }
        int found = 0;
        for (int i = 0; i < k; i++) {
            if (ids[i] >= 0) found++;
            distances[i] = to_our_distance(peer->metric, distances[i]);
        }
        return found;
    } catch (const std::exception& e) {
        write_error(error, error_capacity, (std::string("faiss search: ") + e.what()).c_str());
        return -1;
    }
}

extern "C" int64_t recsys_faiss_memory_bytes(void* index, int refine) {
    auto* peer = static_cast<FaissPeer*>(index);
    if (refine == 0 && peer->ivf != nullptr) {
        return peer->ivf->ntotal * static_cast<int64_t>(peer->ivf->code_size + sizeof(faiss::Index::idx_t));
    }
    faiss::VectorIOWriter writer;
    faiss::write_index(refine == 0 ? peer->base : peer->index.get(), &writer);
    return static_cast<int64_t>(writer.data.size());
}

extern "C" void recsys_faiss_free(void* index) { delete static_cast<FaissPeer*>(index); }
