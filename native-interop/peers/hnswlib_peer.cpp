// hnswlib behind recsys_peers.h: HierarchicalNSW<float> built on `threads` threads (addPoint is thread-safe), searched
// through its public searchKnn, one query per call. The distance kernels are hnswlib's own, chosen by its
// headers from the compiler's target macros (USE_SSE / USE_AVX / USE_AVX512): describe() names which.
#include "recsys_peers.h"
#include "peer_common.h"

#include <hnswlib/hnswlib.h>
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#endif

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <thread>

using namespace recsys_peers;

namespace {

struct HnswlibPeer : PeerBase {
    using PeerBase::PeerBase;
    std::unique_ptr<hnswlib::SpaceInterface<float>> space;
    std::unique_ptr<hnswlib::HierarchicalNSW<float>> graph;
};

// hnswlib's inner-product space reports 1 - dot: our cosine distance already, and -dot + 1 for inner product.
inline float to_our_distance(int metric, float d) { return metric == InnerProduct ? d - 1.0f : d; }

}  // namespace

extern "C" const char* recsys_hnswlib_describe(void) {
    static const std::string text = [] {
        std::string kernel =
#if defined(USE_AVX512)
            "AVX-512";
#elif defined(USE_AVX)
            "AVX";
#elif defined(USE_SSE)
            "SSE";
#else
            "scalar";
#endif
        return std::string("hnswlib ") + RECSYS_HNSWLIB_VERSION + ", distance kernels " + kernel + " (hnswlib's " +
               kernel + " intrinsics; the compiler may fuse their mul+add into FMA), shim " + compiled_for();
    }();
    return text.c_str();
}

extern "C" int recsys_hnswlib_build(int dim, int metric, const float* rows, int64_t count, int m, int ef_construction,
                                    int threads, void** index, char* error, int error_capacity) {
    try {
        if (!valid_metric(metric) || dim < 1 || count < 0 || index == nullptr) {
            write_error(error, error_capacity, "hnswlib build: bad arguments (metric, dim, count or index)");
            return -1;
        }
        auto peer = std::make_unique<HnswlibPeer>(dim, metric);
        if (metric == L2) {
            peer->space = std::make_unique<hnswlib::L2Space>(dim);
        } else {
            peer->space = std::make_unique<hnswlib::InnerProductSpace>(dim);
        }
        peer->graph = std::make_unique<hnswlib::HierarchicalNSW<float>>(
            peer->space.get(), static_cast<size_t>(std::max<int64_t>(count, 1)), static_cast<size_t>(m),
            static_cast<size_t>(ef_construction));
        std::vector<float> normalised;
        const float* data = rows_for_metric(metric, rows, count, dim, normalised);

        // As hnswlib's Python binding adds: rows handed out one at a time to `threads` workers.
        int workers = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(threads < 1 ? 1 : threads, count)));
        std::atomic<int64_t> next{0};
        std::atomic<bool> failed{false};
        std::string failure;
        std::mutex failure_lock;
        auto work = [&] {
            try {
                for (int64_t i; !failed.load(std::memory_order_relaxed) && (i = next.fetch_add(1)) < count;) {
                    peer->graph->addPoint(data + i * dim, static_cast<hnswlib::labeltype>(i));
                }
            } catch (const std::exception& e) {
                std::lock_guard<std::mutex> hold(failure_lock);
                failure = e.what();
                failed = true;
            }
        };
        std::vector<std::thread> pool;
        for (int t = 1; t < workers; t++) pool.emplace_back(work);
        work();
        for (auto& t : pool) t.join();
        if (failed) {
            write_error(error, error_capacity, ("hnswlib addPoint: " + failure).c_str());
            return -1;
        }
        *index = peer.release();
        return 0;
    } catch (const std::exception& e) {
        write_error(error, error_capacity, (std::string("hnswlib build: ") + e.what()).c_str());
        return -1;
    }
}

extern "C" int recsys_hnswlib_search(void* index, const float* query, int k, int ef, int64_t* ids, float* distances) {
    try {
        auto* peer = static_cast<HnswlibPeer*>(index);
        if (peer->graph->ef_ != static_cast<size_t>(ef)) peer->graph->setEf(static_cast<size_t>(ef));
        auto found = peer->graph->searchKnn(query_for_metric(peer->metric, query, peer->dim, peer->query),
                                            static_cast<size_t>(k));
        // The queue pops the farthest first.
        int n = static_cast<int>(found.size());
        for (int i = n; i < k; i++) {
            ids[i] = -1;
            distances[i] = INFINITY;
        }
        for (int i = n - 1; i >= 0; i--) {
            ids[i] = static_cast<int64_t>(found.top().second);
            distances[i] = to_our_distance(peer->metric, found.top().first);
            found.pop();
        }
        return n;
    } catch (...) {
        return -1;
    }
}

extern "C" int64_t recsys_hnswlib_memory_bytes(void* index) {
    auto* graph = static_cast<HnswlibPeer*>(index)->graph.get();
    // Level 0 (links + vector + label per node) and the upper-level link blocks; not the label hash map.
    int64_t bytes = static_cast<int64_t>(graph->cur_element_count * graph->size_data_per_element_);
    for (size_t i = 0; i < graph->cur_element_count; i++) {
        bytes += static_cast<int64_t>(graph->element_levels_[i]) * static_cast<int64_t>(graph->size_links_per_element_);
    }
    return bytes;
}

extern "C" void recsys_hnswlib_free(void* index) { delete static_cast<HnswlibPeer*>(index); }

extern "C" void recsys_peers_callgrind(int on) {
#if defined(CALLGRIND_START_INSTRUMENTATION)
    if (on != 0) {
        CALLGRIND_ZERO_STATS;
        CALLGRIND_START_INSTRUMENTATION;
    } else {
        CALLGRIND_STOP_INSTRUMENTATION;
        CALLGRIND_DUMP_STATS_AT("measured queries");
    }
#else
    (void)on;
#endif
}
