//===- slim/kernels/vec.h - The one place with SIMD intrinsics --*- C++ -*-===//
//
// Every microkernel is written once against the small `Vec` interface below.
// The implementation is picked by the compile target of the generated code:
// AVX-512F (16 floats), AVX2+FMA (8 floats), or a portable array of 8 floats
// that the compiler auto-vectorizes (SSE2 on x86-64 generic).
//
// SLIM_VEC is also the channel block of the blocked NCHWc activation layout
// and of the packed weights, so data packed by one target must be used by
// code compiled for the same target.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_KERNELS_VEC_H
#define SLIM_KERNELS_VEC_H

#include <cstdint>
#include <cstring>

#if defined(__AVX512F__)
#include <immintrin.h>
#define SLIM_VEC 16
#define SLIM_ISA_NAME "avx512"
#elif defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define SLIM_VEC 8
#define SLIM_ISA_NAME "avx2"
#else
#define SLIM_VEC 8
#define SLIM_ISA_NAME "portable"
#endif

#if defined(__GNUC__)
#define SLIM_INLINE inline __attribute__((always_inline))
#else
#define SLIM_INLINE inline
#endif

/// Makes the compiler forget what it knows about the value of `x` (a
/// register operand of an empty asm), e.g. to keep it from reusing loads.
#if defined(__GNUC__)
#define SLIM_OPAQUE(x) asm("" : "+r"(x))
#else
#define SLIM_OPAQUE(x) ((void)0)
#endif

namespace slim {
namespace kernels {

/// Floats per vector register and channels per block of the NCHWc layout.
inline constexpr int kVec = SLIM_VEC;

/// Rounds `c` channels up to whole blocks.
constexpr int64_t numBlocks(int64_t c) { return (c + kVec - 1) / kVec; }
constexpr int64_t roundUpToVec(int64_t c) { return numBlocks(c) * kVec; }

#if defined(__AVX512F__)

struct Vec {
  __m512 v;
};
SLIM_INLINE Vec vzero() { return {_mm512_setzero_ps()}; }
SLIM_INLINE Vec vset1(float x) { return {_mm512_set1_ps(x)}; }
SLIM_INLINE Vec vload(const float *p) { return {_mm512_loadu_ps(p)}; }
SLIM_INLINE void vstore(float *p, Vec a) { _mm512_storeu_ps(p, a.v); }
/// Broadcast from memory: a load-port micro-op, no shuffle.
SLIM_INLINE Vec vbcast(const float *p) { return {_mm512_set1_ps(*p)}; }
/// Returns a * b + c.
SLIM_INLINE Vec vfma(Vec a, Vec b, Vec c) {
  return {_mm512_fmadd_ps(a.v, b.v, c.v)};
}
SLIM_INLINE Vec vadd(Vec a, Vec b) { return {_mm512_add_ps(a.v, b.v)}; }
SLIM_INLINE Vec vmul(Vec a, Vec b) { return {_mm512_mul_ps(a.v, b.v)}; }
// The all-ones mask form is the same vmaxps; GCC 12's plain _mm512_max_ps
// trips a false -Wmaybe-uninitialized on its internal undefined source.
SLIM_INLINE Vec vmax(Vec a, Vec b) {
  return {_mm512_mask_max_ps(a.v, static_cast<__mmask16>(-1), a.v, b.v)};
}
SLIM_INLINE Vec vmin(Vec a, Vec b) {
  return {_mm512_mask_min_ps(a.v, static_cast<__mmask16>(-1), a.v, b.v)};
}
SLIM_INLINE void vprefetchL2(const float *p) {
  _mm_prefetch(reinterpret_cast<const char *>(p), _MM_HINT_T1);
}
SLIM_INLINE void vprefetchL1(const float *p) {
  _mm_prefetch(reinterpret_cast<const char *>(p), _MM_HINT_T0);
}
/// Stores lanes [0, m) of `a` for some m >= n (the narrowest of 4, 8, 16):
/// for packing runs of n < kVec floats with stores that the next one
/// overwrites, without a store per lane or a 64-byte store split across
/// two cache lines every time.
SLIM_INLINE void vstoreAtLeast(float *p, Vec a, int n) {
  if (n <= 4)
    _mm_storeu_ps(p, _mm512_castps512_ps128(a.v));
  else if (n <= 8)
    _mm256_storeu_ps(p, _mm512_castps512_ps256(a.v));
  else
    _mm512_storeu_ps(p, a.v);
}

#elif defined(__AVX2__) && defined(__FMA__)

struct Vec {
  __m256 v;
};
SLIM_INLINE Vec vzero() { return {_mm256_setzero_ps()}; }
SLIM_INLINE Vec vset1(float x) { return {_mm256_set1_ps(x)}; }
SLIM_INLINE Vec vload(const float *p) { return {_mm256_loadu_ps(p)}; }
SLIM_INLINE void vstore(float *p, Vec a) { _mm256_storeu_ps(p, a.v); }
SLIM_INLINE Vec vbcast(const float *p) { return {_mm256_broadcast_ss(p)}; }
SLIM_INLINE Vec vfma(Vec a, Vec b, Vec c) {
  return {_mm256_fmadd_ps(a.v, b.v, c.v)};
}
SLIM_INLINE Vec vadd(Vec a, Vec b) { return {_mm256_add_ps(a.v, b.v)}; }
SLIM_INLINE Vec vmul(Vec a, Vec b) { return {_mm256_mul_ps(a.v, b.v)}; }
SLIM_INLINE Vec vmax(Vec a, Vec b) { return {_mm256_max_ps(a.v, b.v)}; }
SLIM_INLINE Vec vmin(Vec a, Vec b) { return {_mm256_min_ps(a.v, b.v)}; }
SLIM_INLINE void vprefetchL2(const float *p) {
  _mm_prefetch(reinterpret_cast<const char *>(p), _MM_HINT_T1);
}
SLIM_INLINE void vprefetchL1(const float *p) {
  _mm_prefetch(reinterpret_cast<const char *>(p), _MM_HINT_T0);
}
SLIM_INLINE void vstoreAtLeast(float *p, Vec a, int n) {
  if (n <= 4)
    _mm_storeu_ps(p, _mm256_castps256_ps128(a.v));
  else
    _mm256_storeu_ps(p, a.v);
}

#else

/// Portable path: plain loops over a fixed-size array, which -O3 turns into
/// SSE2 code; no intrinsics so it builds for any target.
struct Vec {
  float v[kVec];
};
SLIM_INLINE Vec vzero() {
  Vec r;
  for (int i = 0; i < kVec; ++i)
    r.v[i] = 0.0f;
  return r;
}
SLIM_INLINE Vec vset1(float x) {
  Vec r;
  for (int i = 0; i < kVec; ++i)
    r.v[i] = x;
  return r;
}
SLIM_INLINE Vec vload(const float *p) {
  Vec r;
  std::memcpy(r.v, p, sizeof(r.v));
  return r;
}
SLIM_INLINE void vstore(float *p, Vec a) { std::memcpy(p, a.v, sizeof(a.v)); }
SLIM_INLINE Vec vbcast(const float *p) { return vset1(*p); }
SLIM_INLINE Vec vfma(Vec a, Vec b, Vec c) {
  Vec r;
  for (int i = 0; i < kVec; ++i)
    r.v[i] = a.v[i] * b.v[i] + c.v[i];
  return r;
}
SLIM_INLINE Vec vadd(Vec a, Vec b) {
  Vec r;
  for (int i = 0; i < kVec; ++i)
    r.v[i] = a.v[i] + b.v[i];
  return r;
}
SLIM_INLINE Vec vmul(Vec a, Vec b) {
  Vec r;
  for (int i = 0; i < kVec; ++i)
    r.v[i] = a.v[i] * b.v[i];
  return r;
}
SLIM_INLINE Vec vmax(Vec a, Vec b) {
  Vec r;
  for (int i = 0; i < kVec; ++i)
    r.v[i] = a.v[i] > b.v[i] ? a.v[i] : b.v[i];
  return r;
}
SLIM_INLINE Vec vmin(Vec a, Vec b) {
  Vec r;
  for (int i = 0; i < kVec; ++i)
    r.v[i] = a.v[i] < b.v[i] ? a.v[i] : b.v[i];
  return r;
}
SLIM_INLINE void vprefetchL2(const float *) {}
SLIM_INLINE void vprefetchL1(const float *) {}
SLIM_INLINE void vstoreAtLeast(float *p, Vec a, int n) {
  std::memcpy(p, a.v, sizeof(float) * n);
}

#endif

/// Doubles per vector register (kVec / 2): the exact training forward
/// (conv_exact.h) accumulates float products in double. A float times a
/// float is exact in double, so an FMA and a multiply-then-add give the
/// same bits, whatever the compiler contracts.
inline constexpr int kVecD = kVec / 2;

#if defined(__AVX512F__)

struct VecD {
  __m512d v;
};
SLIM_INLINE VecD vdzero() { return {_mm512_setzero_pd()}; }
SLIM_INLINE VecD vdbcast(const double *p) { return {_mm512_set1_pd(*p)}; }
SLIM_INLINE VecD vdload(const double *p) { return {_mm512_loadu_pd(p)}; }
SLIM_INLINE VecD vdfma(VecD a, VecD b, VecD c) {
  return {_mm512_fmadd_pd(a.v, b.v, c.v)};
}
/// Rounds to float (to nearest, as static_cast<float>) and stores kVecD
/// floats.
SLIM_INLINE void vdstoreFloat(float *p, VecD a) {
  _mm256_storeu_ps(p, _mm512_maskz_cvtpd_ps(static_cast<__mmask8>(-1), a.v));
}

#elif defined(__AVX2__) && defined(__FMA__)

struct VecD {
  __m256d v;
};
SLIM_INLINE VecD vdzero() { return {_mm256_setzero_pd()}; }
SLIM_INLINE VecD vdbcast(const double *p) { return {_mm256_broadcast_sd(p)}; }
SLIM_INLINE VecD vdload(const double *p) { return {_mm256_loadu_pd(p)}; }
SLIM_INLINE VecD vdfma(VecD a, VecD b, VecD c) {
  return {_mm256_fmadd_pd(a.v, b.v, c.v)};
}
SLIM_INLINE void vdstoreFloat(float *p, VecD a) {
  _mm_storeu_ps(p, _mm256_cvtpd_ps(a.v));
}

#else

struct VecD {
  double v[kVecD];
};
SLIM_INLINE VecD vdzero() {
  VecD r;
  for (int i = 0; i < kVecD; ++i)
    r.v[i] = 0.0;
  return r;
}
SLIM_INLINE VecD vdbcast(const double *p) {
  VecD r;
  for (int i = 0; i < kVecD; ++i)
    r.v[i] = *p;
  return r;
}
SLIM_INLINE VecD vdload(const double *p) {
  VecD r;
  std::memcpy(r.v, p, sizeof(r.v));
  return r;
}
SLIM_INLINE VecD vdfma(VecD a, VecD b, VecD c) {
  VecD r;
  for (int i = 0; i < kVecD; ++i)
    r.v[i] = a.v[i] * b.v[i] + c.v[i];
  return r;
}
SLIM_INLINE void vdstoreFloat(float *p, VecD a) {
  for (int i = 0; i < kVecD; ++i)
    p[i] = static_cast<float>(a.v[i]);
}

#endif

/// Asks for the cache line of `p` with intent to write (x86 PREFETCHW), so
/// a later store does not wait for the line's read-for-ownership.
SLIM_INLINE void vprefetchWrite(const float *p) {
#if defined(__GNUC__)
  __builtin_prefetch(p, 1, 3);
#else
  (void)p;
#endif
}

} // namespace kernels
} // namespace slim

#endif // SLIM_KERNELS_VEC_H
