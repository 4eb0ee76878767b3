// What both peer shims share: metric codes, query normalisation into a handle-owned buffer, error text, and
// the line that says how the shim itself was compiled. Header-only: each shim is one translation unit.
#pragma once

#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

namespace recsys_peers {

enum Metric { L2 = 1, InnerProduct = 2, Cosine = 3 };

inline bool valid_metric(int metric) { return metric == L2 || metric == InnerProduct || metric == Cosine; }

// What every peer handle holds beside its index: the shape, and the buffer a cosine query is normalised into.
struct PeerBase {
    int dim;
    int metric;
    std::vector<float> query;

    PeerBase(int dim_, int metric_) : dim(dim_), metric(metric_), query(static_cast<size_t>(dim_)) {}
};

inline void write_error(char* error, int capacity, const char* message) {
    if (error != nullptr && capacity > 0) {
        std::snprintf(error, static_cast<size_t>(capacity), "%s", message);
    }
}

// Scales row to unit length in place (cosine); a zero row stays zero, as our indexes keep it.
inline void normalise(float* row, int dim) {
    double sum = 0;
    for (int i = 0; i < dim; i++) sum += static_cast<double>(row[i]) * row[i];
    if (sum > 0) {
        float scale = static_cast<float>(1.0 / std::sqrt(sum));
        for (int i = 0; i < dim; i++) row[i] *= scale;
    }
}

// The rows an index is built from: normalised copies for cosine, the caller's rows otherwise.
inline const float* rows_for_metric(int metric, const float* rows, int64_t count, int dim, std::vector<float>& copy) {
    if (metric != Cosine) return rows;
    copy.assign(rows, rows + count * dim);
    for (int64_t i = 0; i < count; i++) normalise(copy.data() + i * dim, dim);
    return copy.data();
}

// The query as the index expects it: copied into the handle's buffer and normalised for cosine.
inline const float* query_for_metric(int metric, const float* query, int dim, std::vector<float>& buffer) {
    if (metric != Cosine) return query;
    std::memcpy(buffer.data(), query, sizeof(float) * static_cast<size_t>(dim));
    normalise(buffer.data(), dim);
    return buffer.data();
}

// "g++ 12.2.0 -O3 -march=native (AVX2 FMA)": the instruction sets this translation unit was allowed to use.
inline std::string compiled_for() {
    std::string simd;
#if defined(__AVX512F__)
    simd += " AVX-512F";
#endif
#if defined(__AVX2__)
    simd += " AVX2";
#elif defined(__AVX__)
    simd += " AVX";
#elif defined(__SSE4_2__)
    simd += " SSE4.2";
#else
    simd += " SSE2";
#endif
#if defined(__FMA__)
    simd += " FMA";
#endif
    return std::string("g++ ") + __VERSION__ + " " + RECSYS_PEERS_CFLAGS + " (" + simd.substr(1) + ")";
}

}  // namespace recsys_peers
