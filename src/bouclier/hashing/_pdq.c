/*
 * PDQ (Meta's perceptual hash) of an RGB image or a luma plane in its 8 dihedral orientations,
 * and its quality: the fast path of bouclier.hashing.pdq.hash_pixels.
 *
 * Written for Bouclier from the published algorithm, following the structure of
 * bouclier/web/static/pdq.js, and bit for bit equal to the pdqhash package (the reference C++
 * through its Python binding), which tests/hashing/test_pdq_c.py checks on many images:
 *   1. luminance in doubles, ((R * 0.299 + G * 0.587) + B * 0.114), rounded once to float (what the
 *      binding's numpy expression computes; here from the integer 299 R + 587 G + 114 B, the same
 *      float for every colour: see luma_rgb);
 *   2. the Jarosz tent filter: a box filter along the rows then along the columns, twice, window
 *      (side + 2 * 64 - 1) / (2 * 64) pixels, running sums in float with the
 *      reference's order of additions and subtractions, each output the float sum divided by the
 *      current window length;
 *   3. decimation to 64 x 64 at the centres of the cells;
 *   4. quality from the quantised gradients of the 64 x 64 image;
 *   5. the 16 x 16 DCT (float accumulations in the reference's order), and for each orientation
 *      (a transpose and/or sign changes of the coefficients) a bit per coefficient above the median
 *      of the 256 (Torben's selection).
 * Images under 5 pixels on a side get all-zero hashes and quality 0, as in the reference.
 *
 * Exactness rules: no -ffast-math, floating-point contraction off (setup.py), float where the
 * reference has float, double where it has double. Speed comes from doing the same operations
 * in another order across independent vectors (the luminance is fused with the first row pass,
 * 16 rows are filtered at once in two independent vectors of running sums, the column passes run
 * across all columns at once, and the last row and column passes only produce the values that
 * the decimation reads: a running sum is still carried over every pixel, so each value is the
 * reference's), and, where the CPU has FMA, from operations proven to give the float that one
 * division gives (Markstein's correction of a product: div_fma, luma_fma; checked exhaustively
 * by benchmarks/pdq_fma_check.py).
 * The GIL is released while hashing: only the caller's buffer, on which we hold a view, is read.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define MIN_HASHABLE_DIM 5

/* The filter passes are also built for AVX2 and chosen at load time where the CPU has it: wider
 * vectors over the same independent lanes, no fused multiply-add (-ffp-contract=off), so the
 * same bits. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define WIDE __attribute__((target_clones("avx2", "default")))
#else
#define WIDE
#endif
#define ROWS_AT_ONCE 16


static float dct_matrix[16 * 64];

static void init_dct_matrix(void)
{
    const float scale = (float)sqrt(2.0 / 64.0);
    for (int i = 0; i < 16; i++) {
        for (int j = 0; j < 64; j++) {
            double angle = (M_PI / 2.0 / 64.0) * (double)(i + 1) * (double)(2 * j + 1);
            dct_matrix[i * 64 + j] = (float)((double)scale * cos(angle));
        }
    }
}

static int window_size(Py_ssize_t old_side)
{
    return (int)((old_side + 2 * 64 - 1) / (2 * 64));
}

/* The box filter's phases for a vector of `length` values and a window of `window`. */
typedef struct {
    Py_ssize_t p1, p2, p3, p4;
} phases_t;

static phases_t phases_of(Py_ssize_t length, int window)
{
    int half = (window + 2) / 2;
    phases_t p = {half - 1, window - half + 1, length - window, half - 1};
    return p;
}

/*
 * Box filter along `n` rows of `length` floats at once (row r starts at in + r * in_stride),
 * each with its own running sum. Output k of row r goes to out[r * out_stride + k] when `keep`
 * is NULL, else only outputs k with keep[k] >= 0 are written, at out[r * out_stride + keep[k]].
 */
WIDE static void box_rows(const float *in, Py_ssize_t in_stride, float *out, Py_ssize_t out_stride,
                     int n, Py_ssize_t length, int window, const int *keep)
{
    phases_t ph = phases_of(length, window);
    float sum[ROWS_AT_ONCE];
    for (int r = 0; r < n; r++)
        sum[r] = 0.0f;
    Py_ssize_t li = 0, ri = 0, oi = 0;
    int count = 0;
#define EMIT()                                                                                   \
    do {                                                                                         \
        if (keep == NULL) {                                                                      \
            for (int r = 0; r < n; r++)                                                          \
                out[r * out_stride + oi] = sum[r] / (float)count;                                \
        } else if (keep[oi] >= 0) {                                                              \
            for (int r = 0; r < n; r++)                                                          \
                out[r * out_stride + keep[oi]] = sum[r] / (float)count;                          \
        }                                                                                        \
    } while (0)
    for (Py_ssize_t i = 0; i < ph.p1; i++, ri++) {
        for (int r = 0; r < n; r++)
            sum[r] += in[r * in_stride + ri];
        count++;
    }
    for (Py_ssize_t i = 0; i < ph.p2; i++, ri++, oi++) {
        for (int r = 0; r < n; r++)
            sum[r] += in[r * in_stride + ri];
        count++;
        EMIT();
    }
    if (n == ROWS_AT_ONCE) { /* the common case, with a constant trip count */
        for (Py_ssize_t i = 0; i < ph.p3; i++, li++, ri++, oi++) {
            for (int r = 0; r < ROWS_AT_ONCE; r++) {
                sum[r] += in[r * in_stride + ri];
                sum[r] -= in[r * in_stride + li];
            }
            EMIT();
        }
    } else {
        for (Py_ssize_t i = 0; i < ph.p3; i++, li++, ri++, oi++) {
            for (int r = 0; r < n; r++) {
                sum[r] += in[r * in_stride + ri];
                sum[r] -= in[r * in_stride + li];
            }
            EMIT();
        }
    }
    for (Py_ssize_t i = 0; i < ph.p4; i++, li++, oi++) {
        for (int r = 0; r < n; r++)
            sum[r] -= in[r * in_stride + li];
        count--;
        EMIT();
    }
#undef EMIT
}

/* out[k] = sum[k] / count for k < n (a row of a column pass). */
static inline void divide_row(const float *sum, float count, float *out, Py_ssize_t n)
{
    for (Py_ssize_t k = 0; k < n; k++)
        out[k] = sum[k] / count;
}

/* The luminance of m RGB pixels: the reference's ((R * 0.299 + G * 0.587) + B * 0.114) in
 * doubles, rounded once to float, is the float nearest (299 R + 587 G + 114 B) / 1000, which is
 * what (float)(N * 0.001) gives for the integer N = 299 R + 587 G + 114 B: both doubles lie within
 * about 1e-15 (relative) of N / 1000, and N / 1000 lies at least 2^-24 / 1000 (relative) from
 * any point halfway between two floats (such a point of [2^e, 2^(e+1)) is an odd multiple of
 * 2^(e-24), and N / 1000 is dyadic only as k / 8), so both round to the same float. tests/hashing/test_pdq_luma.py checks all
 * 16,777,216 colours against the reference's doubles on every path. An integer product and one
 * conversion cost less than three conversions and three products in doubles. */
static inline int32_t luma_weighted(const uint8_t *p)
{
    return 299 * (int32_t)p[0] + 587 * (int32_t)p[1] + 114 * (int32_t)p[2];
}

static void luma_rgb(const uint8_t *p, size_t m, float *out)
{
    for (size_t k = 0; k < m; k++, p += 3)
        out[k] = (float)((double)luma_weighted(p) * 0.001);
}

/* Where the CPU has AVX2 (checked at load time), the two row passes run on 16 rows at a time,
 * transposed into two 8-float vectors (one lane a row: each lane's additions, subtractions and
 * division are the scalar code's, in its order), and an RGB image's luminance is computed 8
 * pixels at a time in floats where the CPU has FMA too (luma_fma), else 4 at a time in doubles
 * (the same three products and two sums, each rounded as in the scalar code). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define HAVE_AVX2_PATH 1
#include <immintrin.h>
static int use_avx2 = 0;
static int use_fma = 0;
#define AVX2 __attribute__((target("avx2")))
#define AVX2_FMA __attribute__((target("avx2,fma")))

/* x / b on 8 lanes without a division, where the CPU has FMA: q = x * c, with c the float nearest
 * 1 / b (1.0f / b, itself a correctly rounded division); r = x - q * b, exact in one FMA; then
 * q + r * c rounded once by a second FMA (Markstein's correction). For every float x of [1, 2)
 * and every b of 1..256 this gave the division's own, correctly rounded, result (checked when
 * written; a window is (side + 127) / 128 pixels, so b stays far below 256 for any image the
 * limits let through); the steps scale exactly by powers of two and are symmetric in sign, so
 * that holds for every x that is 0 or normal, and the filter's sums are never subnormal (their
 * magnitudes stay above 2^-70). A division's throughput is one vector in 3.5 to 5 cycles, these
 * three operations about one cycle and a half: the filter divides each of the image's pixels
 * twice (the first row and column passes). tests/hashing/test_pdq_simd.py compares this path
 * with the scalar code's divisions, tests/hashing/test_pdq_c.py with pdqhash. */
AVX2_FMA static inline __m256 div_fma(__m256 x, __m256 b, __m256 c)
{
    __m256 q = _mm256_mul_ps(x, c);
    return _mm256_fmadd_ps(_mm256_fnmadd_ps(q, b, x), c, q);
}

AVX2 static inline void transpose8(__m256 *r)
{
    __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]);
    __m256 t1 = _mm256_unpackhi_ps(r[0], r[1]);
    __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]);
    __m256 t3 = _mm256_unpackhi_ps(r[2], r[3]);
    __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]);
    __m256 t5 = _mm256_unpackhi_ps(r[4], r[5]);
    __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]);
    __m256 t7 = _mm256_unpackhi_ps(r[6], r[7]);
    __m256 s0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0));
    __m256 s1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 s2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0));
    __m256 s3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 s4 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0));
    __m256 s5 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 s6 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0));
    __m256 s7 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2));
    r[0] = _mm256_permute2f128_ps(s0, s4, 0x20);
    r[1] = _mm256_permute2f128_ps(s1, s5, 0x20);
    r[2] = _mm256_permute2f128_ps(s2, s6, 0x20);
    r[3] = _mm256_permute2f128_ps(s3, s7, 0x20);
    r[4] = _mm256_permute2f128_ps(s0, s4, 0x31);
    r[5] = _mm256_permute2f128_ps(s1, s5, 0x31);
    r[6] = _mm256_permute2f128_ps(s2, s6, 0x31);
    r[7] = _mm256_permute2f128_ps(s3, s7, 0x31);
}

/* Rows r0 .. r0 + 7 (those under n) of `in` transposed into t: t[k * 8 + j] is row r0 + j's
 * value k (0 for a row past n). */
AVX2 static inline void transpose_rows(const float *in, Py_ssize_t in_stride, int r0, int n,
                                       Py_ssize_t length, float *t)
{
    Py_ssize_t k = 0;
    __m256 r[8];
    for (; k + 8 <= length; k += 8) {
        for (int j = 0; j < 8; j++)
            r[j] = r0 + j < n ? _mm256_loadu_ps(in + (r0 + j) * in_stride + k)
                              : _mm256_setzero_ps();
        transpose8(r);
        for (int j = 0; j < 8; j++)
            _mm256_storeu_ps(t + (k + j) * 8, r[j]);
    }
    for (; k < length; k++)
        for (int j = 0; j < 8; j++)
            t[k * 8 + j] = r0 + j < n ? in[(r0 + j) * in_stride + k] : 0.0f;
}

/* The running sums' steps: row ri of the transposed block added, row li taken away (both
 * vectors where there are two halves). */
#define ADD_ROW(HALVES)                                                                          \
    do {                                                                                         \
        sa = _mm256_add_ps(sa, _mm256_loadu_ps(ta + ri * 8));                                    \
        if (HALVES == 2)                                                                         \
            sb = _mm256_add_ps(sb, _mm256_loadu_ps(tb + ri * 8));                                \
    } while (0)
#define SUB_ROW(HALVES)                                                                          \
    do {                                                                                         \
        sa = _mm256_sub_ps(sa, _mm256_loadu_ps(ta + li * 8));                                    \
        if (HALVES == 2)                                                                         \
            sb = _mm256_sub_ps(sb, _mm256_loadu_ps(tb + li * 8));                                \
    } while (0)

/* box_rows' result for n <= 16 rows, through t (length x 16 floats of scratch): rows 0-7 in
 * one vector of running sums, rows 8-15 in a second (`halves` 2), whose additions are
 * independent of the first's. A running sum is a chain of dependent additions and
 * subtractions: with one vector the pass waits on their latency at every column, with two the
 * processor works on both at once. Each lane's operations are the scalar code's, in its order. */
#define BOX_ROWS_AVX2_BODY(HALVES, DIV)                                                             \
    do {                                                                                         \
        float *ta = t, *tb = t + length * 8;                                                     \
        transpose_rows(in, in_stride, 0, n, length, ta);                                         \
        if (HALVES == 2)                                                                         \
            transpose_rows(in, in_stride, 8, n, length, tb);                                     \
        phases_t ph = phases_of(length, window);                                                 \
        __m256 sa = _mm256_setzero_ps(), sb = _mm256_setzero_ps();                               \
        Py_ssize_t li = 0, ri = 0, oi = 0;                                                       \
        int count = 0;                                                                           \
        __m256 pa[8], pb[8];                                                                     \
        int np = 0;                                                                              \
        for (Py_ssize_t i = 0; i < ph.p1; i++, ri++) {                                           \
            ADD_ROW(HALVES);                                                                     \
            count++;                                                                             \
        }                                                                                        \
        for (Py_ssize_t i = 0; i < ph.p2; i++, ri++, oi++) {                                     \
            ADD_ROW(HALVES);                                                                     \
            count++;                                                                             \
            EMIT_V(HALVES, DIV);                                                                 \
        }                                                                                        \
        if (keep == NULL) {                                                                      \
            __m256 c = _mm256_set1_ps((float)count);                                             \
            __m256 c1 = _mm256_set1_ps(1.0f / (float)count);                                     \
            for (Py_ssize_t i = 0; i < ph.p3; i++, li++, ri++, oi++) {                           \
                ADD_ROW(HALVES);                                                                 \
                SUB_ROW(HALVES);                                                                 \
                pa[np] = DIV(sa, c, c1);                                                         \
                if (HALVES == 2)                                                                 \
                    pb[np] = DIV(sb, c, c1);                                                     \
                if (++np == 8)                                                                   \
                    FLUSH_PENDING(HALVES);                                                       \
            }                                                                                    \
        } else {                                                                                 \
            for (Py_ssize_t i = 0; i < ph.p3; i++, li++, ri++, oi++) {                           \
                ADD_ROW(HALVES);                                                                 \
                SUB_ROW(HALVES);                                                                 \
                if (keep[oi] >= 0)                                                               \
                    EMIT_V(HALVES, DIV);                                                         \
            }                                                                                    \
        }                                                                                        \
        for (Py_ssize_t i = 0; i < ph.p4; i++, li++, oi++) {                                     \
            SUB_ROW(HALVES);                                                                     \
            count--;                                                                             \
            EMIT_V(HALVES, DIV);                                                                 \
        }                                                                                        \
        if (np > 0) { /* the last outputs, fewer than 8 */                                       \
            float lanes[16];                                                                     \
            for (int q = 0; q < np; q++) {                                                       \
                _mm256_storeu_ps(lanes, pa[q]);                                                  \
                if (HALVES == 2)                                                                 \
                    _mm256_storeu_ps(lanes + 8, pb[q]);                                          \
                for (int j = 0; j < n; j++)                                                      \
                    out[j * out_stride + oi - np + q] = lanes[j];                                \
            }                                                                                    \
        }                                                                                        \
    } while (0)
/* Eight outputs of each row waiting in pa (pb): transposed back and stored, rows under n. */
#define FLUSH_PENDING(HALVES)                                                                    \
    do {                                                                                         \
        transpose8(pa);                                                                          \
        for (int j = 0; j < n && j < 8; j++)                                                     \
            _mm256_storeu_ps(out + j * out_stride + oi - 7, pa[j]);                              \
        if (HALVES == 2) {                                                                       \
            transpose8(pb);                                                                      \
            for (int j = 8; j < n; j++)                                                          \
                _mm256_storeu_ps(out + j * out_stride + oi - 7, pb[j - 8]);                      \
        }                                                                                        \
        np = 0;                                                                                  \
    } while (0)
/* One output column oi of every row (sum / count): kept for the transposed store, or, with
 * `keep`, written where keep[oi] says. */
#define EMIT_V(HALVES, DIV)                                                                      \
    do {                                                                                         \
        __m256 c_ = _mm256_set1_ps((float)count);                                                \
        __m256 c1_ = _mm256_set1_ps(1.0f / (float)count);                                        \
        __m256 oa = DIV(sa, c_, c1_);                                                            \
        __m256 ob = HALVES == 2 ? DIV(sb, c_, c1_) : oa;                                         \
        if (keep == NULL) {                                                                      \
            pa[np] = oa;                                                                         \
            pb[np] = ob;                                                                         \
            if (++np == 8)                                                                       \
                FLUSH_PENDING(HALVES);                                                           \
        } else if (keep[oi] >= 0) {                                                              \
            float lanes[16];                                                                     \
            _mm256_storeu_ps(lanes, oa);                                                         \
            _mm256_storeu_ps(lanes + 8, ob);                                                     \
            for (int j = 0; j < n; j++)                                                          \
                out[j * out_stride + keep[oi]] = lanes[j];                                       \
        }                                                                                        \
    } while (0)

#define DIV_PS(x, b, c) ((void)(c), _mm256_div_ps(x, b))
#define BOX_ROWS_AVX2(NAME, TARGET, HALVES, DIV)                                                 \
    TARGET static void NAME(const float *in, Py_ssize_t in_stride, float *out,                   \
                            Py_ssize_t out_stride, int n, Py_ssize_t length, int window,         \
                            const int *keep, float *t)                                           \
    {                                                                                            \
        BOX_ROWS_AVX2_BODY(HALVES, DIV);                                                         \
    }
BOX_ROWS_AVX2(box_rows_avx2_one, AVX2, 1, DIV_PS)
BOX_ROWS_AVX2(box_rows_avx2_two, AVX2, 2, DIV_PS)
BOX_ROWS_AVX2(box_rows_fma_one, AVX2_FMA, 1, div_fma)
BOX_ROWS_AVX2(box_rows_fma_two, AVX2_FMA, 2, div_fma)
#undef BOX_ROWS_AVX2
#undef DIV_PS
#undef BOX_ROWS_AVX2_BODY
#undef FLUSH_PENDING
#undef EMIT_V

AVX2 static void box_rows_avx2(const float *in, Py_ssize_t in_stride, float *out,
                               Py_ssize_t out_stride, int n, Py_ssize_t length, int window,
                               const int *keep, float *t)
{
    if (use_fma && n > 8)
        box_rows_fma_two(in, in_stride, out, out_stride, n, length, window, keep, t);
    else if (use_fma)
        box_rows_fma_one(in, in_stride, out, out_stride, n, length, window, keep, t);
    else if (n > 8)
        box_rows_avx2_two(in, in_stride, out, out_stride, n, length, window, keep, t);
    else
        box_rows_avx2_one(in, in_stride, out, out_stride, n, length, window, keep, t);
}

/* divide_row with div_fma, 8 columns at a time (the last ones by division). */
AVX2_FMA static void divide_row_fma(const float *sum, float count, float *out, Py_ssize_t n)
{
    const __m256 b = _mm256_set1_ps(count), c = _mm256_set1_ps(1.0f / count);
    Py_ssize_t k = 0;
    for (; k + 8 <= n; k += 8)
        _mm256_storeu_ps(out + k, div_fma(_mm256_loadu_ps(sum + k), b, c));
    for (; k < n; k++)
        out[k] = sum[k] / count;
}

/* luma_weighted of 8 pixels, from the 32 bytes at p (the first 24 are theirs): the bytes of
 * pixels 4-7 moved to the upper half, then in each half R and G as 16-bit pairs and B alone,
 * multiplied and summed by pairs (madd). */
AVX2 static inline __m256i luma_weighted8(const uint8_t *p)
{
    const __m256i halves = _mm256_setr_epi32(0, 1, 2, 3, 3, 4, 5, 6);
    const __m256i take_rg = _mm256_setr_epi8(0, -1, 1, -1, 3, -1, 4, -1, 6, -1, 7, -1, 9, -1, 10,
                                             -1, 0, -1, 1, -1, 3, -1, 4, -1, 6, -1, 7, -1, 9, -1,
                                             10, -1);
    const __m256i take_b = _mm256_setr_epi8(2, -1, -1, -1, 5, -1, -1, -1, 8, -1, -1, -1, 11, -1, -1,
                                            -1, 2, -1, -1, -1, 5, -1, -1, -1, 8, -1, -1, -1, 11, -1,
                                            -1, -1);
    __m256i v = _mm256_permutevar8x32_epi32(_mm256_loadu_si256((const __m256i *)p), halves);
    __m256i rg = _mm256_madd_epi16(_mm256_shuffle_epi8(v, take_rg), _mm256_set1_epi32(299 | 587 << 16));
    __m256i b = _mm256_madd_epi16(_mm256_shuffle_epi8(v, take_b), _mm256_set1_epi32(114));
    return _mm256_add_epi32(rg, b);
}

/* The same luminance in floats, 8 pixels at a time, where the CPU has FMA: (float)N is exact
 * (N < 2^24); q = N * c, with c the float nearest 1/1000; r = N - 1000 q, exact in one FMA (q is
 * within an ulp of N / 1000, so the remainder is a float); then q + r * c, rounded once by a
 * second FMA (Markstein's correction): the float nearest N / 1000, which is the reference's
 * value (luma_rgb). Checked for every N of [0, 255000] when written, and for every colour by
 * tests/hashing/test_pdq_luma.py. Four float operations on 8 lanes, where the double path
 * converts to doubles, multiplies and converts back on 4 (on AMD's processors the 512-bit
 * double path of before took about a quarter of PDQ's time). */
__attribute__((target("avx2,fma"))) static void luma_fma(const uint8_t *p, size_t m, float *out)
{
    const __m256 c = _mm256_set1_ps(0.001f);
    const __m256 thousand = _mm256_set1_ps(1000.0f);
    size_t k = 0;
    for (; k + 11 <= m; k += 8) { /* reads bytes 3k .. 3k + 31 < 3m */
        __m256 n = _mm256_cvtepi32_ps(luma_weighted8(p + 3 * k));
        __m256 q = _mm256_mul_ps(n, c);
        __m256 r = _mm256_fnmadd_ps(q, thousand, n);
        _mm256_storeu_ps(out + k, _mm256_fmadd_ps(r, c, q));
    }
    luma_rgb(p + 3 * k, m - k, out + k);
}

/* The luminance of m RGB pixels, as the scalar loop computes it; 8 pixels at a time while a
 * 32-byte load stays inside the m * 3 bytes. */
AVX2 static void luma_avx2(const uint8_t *p, size_t m, float *out)
{
    const __m256d thousandth = _mm256_set1_pd(0.001);
    size_t k = 0;
    if (use_fma) {
        luma_fma(p, m, out);
        return;
    }
    for (; k + 11 <= m; k += 8) { /* reads bytes 3k .. 3k + 31 < 3m */
        __m256i n = luma_weighted8(p + 3 * k);
        __m256d low = _mm256_cvtepi32_pd(_mm256_castsi256_si128(n));
        __m256d high = _mm256_cvtepi32_pd(_mm256_extracti128_si256(n, 1));
        _mm_storeu_ps(out + k, _mm256_cvtpd_ps(_mm256_mul_pd(low, thousandth)));
        _mm_storeu_ps(out + k + 4, _mm256_cvtpd_ps(_mm256_mul_pd(high, thousandth)));
    }
    luma_rgb(p + 3 * k, m - k, out + k);
}
#endif

typedef struct {
    Py_ssize_t rows, cols;
    int win_rows, win_cols; /* window along the rows (from cols), along the columns (from rows) */
    float *a;               /* rows x cols: luma after the first row pass */
    float *sum;             /* cols: running sums of the column pass */
    float *block;           /* ROWS_AT_ONCE x cols: outputs of the first column pass */
    int block_first, block_n;
    float *narrow;          /* rows x 64: second row pass, at the 64 sampled columns */
    float *t;               /* cols x ROWS_AT_ONCE: rows transposed (the AVX2 row passes) */
} work_t;

/* Second row pass over the rows of the block; only the 64 sampled columns are written. */
static void flush_block(work_t *w, const int *keep_col)
{
    if (w->block_n == 0)
        return;
#ifdef HAVE_AVX2_PATH
    if (use_avx2) {
        box_rows_avx2(w->block, w->cols, w->narrow + (Py_ssize_t)w->block_first * 64, 64,
                      w->block_n, w->cols, w->win_rows, keep_col, w->t);
        w->block_n = 0;
        return;
    }
#endif
    box_rows(w->block, w->cols, w->narrow + (Py_ssize_t)w->block_first * 64, 64, w->block_n,
             w->cols, w->win_rows, keep_col);
    w->block_n = 0;
}

/* One output row `oi` of the first column pass, as sum / count: into the block. */
static inline void emit_column_row(work_t *w, const int *keep_col, Py_ssize_t oi, int count)
{
    if (w->block_n == 0)
        w->block_first = (int)oi;
    float *out = w->block + (Py_ssize_t)w->block_n * w->cols;
#ifdef HAVE_AVX2_PATH
    if (use_fma)
        divide_row_fma(w->sum, (float)count, out, w->cols);
    else
#endif
        divide_row(w->sum, (float)count, out, w->cols);
    w->block_n++;
    if (w->block_n == ROWS_AT_ONCE)
        flush_block(w, keep_col);
}

static int quality_of(float a[64][64])
{
    int gradient_sum = 0;
    for (int i = 0; i < 63; i++) {
        for (int j = 0; j < 64; j++) {
            float u = a[i][j];
            float v = a[i + 1][j];
            int d = (int)(((u - v) * 100.0f) / 255.0f);
            gradient_sum += abs(d);
        }
    }
    for (int i = 0; i < 64; i++) {
        for (int j = 0; j < 63; j++) {
            float u = a[i][j];
            float v = a[i][j + 1];
            int d = (int)(((u - v) * 100.0f) / 255.0f);
            gradient_sum += abs(d);
        }
    }
    int quality = gradient_sum / 90;
    return quality > 100 ? 100 : quality;
}

static void dct16(float a[64][64], float out[16][16])
{
    float t[16][64];
    for (int i = 0; i < 16; i++) {
        for (int j = 0; j < 64; j++) {
            float s = 0.0f;
            for (int k = 0; k < 64; k++)
                s += dct_matrix[i * 64 + k] * a[k][j];
            t[i][j] = s;
        }
    }
    for (int i = 0; i < 16; i++) {
        for (int j = 0; j < 16; j++) {
            float s = 0.0f;
            for (int k = 0; k < 64; k++)
                s += t[i][k] * dct_matrix[j * 64 + k];
            out[i][j] = s;
        }
    }
}

/* Torben's median selection on n floats (the value the reference's torben() returns). */
static float torben(const float *m, int n)
{
    float min = m[0], max = m[0];
    for (int i = 1; i < n; i++) {
        if (m[i] < min)
            min = m[i];
        if (m[i] > max)
            max = m[i];
    }
    int less, greater, equal;
    float guess, maxlt, mingt;
    for (;;) {
        guess = (min + max) / 2;
        less = greater = equal = 0;
        maxlt = min;
        mingt = max;
        for (int i = 0; i < n; i++) {
            if (m[i] < guess) {
                less++;
                if (m[i] > maxlt)
                    maxlt = m[i];
            } else if (m[i] > guess) {
                greater++;
                if (m[i] < mingt)
                    mingt = m[i];
            } else {
                equal++;
            }
        }
        if (less <= (n + 1) / 2 && greater <= (n + 1) / 2)
            break;
        else if (less > greater)
            max = maxlt;
        else
            min = mingt;
    }
    if (less >= (n + 1) / 2)
        return maxlt;
    if (less + equal >= (n + 1) / 2)
        return guess;
    return mingt;
}

/* 64 hex characters, bit 255 first; bit i * 16 + j is set when b[i][j] is above the median. */
static void bits_to_hex(float b[16][16], char hex[64])
{
    static const char digits[] = "0123456789abcdef";
    float median = torben(&b[0][0], 256);
    const float *flat = &b[0][0];
    for (int c = 0; c < 64; c++) {
        int k = 255 - 4 * c;
        int nibble = 0;
        for (int t = 0; t < 4; t++)
            nibble = (nibble << 1) | (flat[k - t] > median ? 1 : 0);
        hex[c] = digits[nibble];
    }
}

/* The 8 orientations' coefficient matrices, as the reference derives them from the original's. */
static void orient(float a[16][16], int which, float b[16][16])
{
    for (int i = 0; i < 16; i++) {
        for (int j = 0; j < 16; j++) {
            float v = a[i][j];
            switch (which) {
            case 0: b[i][j] = v; break;                                /* original */
            case 1: b[j][i] = (j & 1) ? v : -v; break;                 /* rotate 90 */
            case 2: b[i][j] = ((i + j) & 1) ? -v : v; break;           /* rotate 180 */
            case 3: b[j][i] = (i & 1) ? v : -v; break;                 /* rotate 270 */
            case 4: b[i][j] = (i & 1) ? v : -v; break;                 /* flip x */
            case 5: b[i][j] = (j & 1) ? v : -v; break;                 /* flip y */
            case 6: b[j][i] = v; break;                                /* flip +1 */
            default: b[j][i] = ((i + j) & 1) ? -v : v; break;          /* flip -1 */
            }
        }
    }
}

/* Luminance of m pixels (channels 3: RGB, 1: a luma plane) as floats. */
WIDE static void make_luma(const uint8_t *p, int channels, size_t m, float *luma)
{
    if (channels == 1) {
        /* a luma plane: the reference's formula on R = G = B = Y gives Y exactly (its double is
         * within 3e-14 of Y for every byte, and rounds to Y as a float) */
        for (size_t k = 0; k < m; k++)
            luma[k] = (float)p[k];
        return;
    }
#ifdef HAVE_AVX2_PATH
    if (use_avx2) {
        luma_avx2(p, m, luma);
        return;
    }
#endif
    luma_rgb(p, m, luma);
}

/* The first row pass over nr rows of luma (cols floats each) into dest. */
static void first_row_pass(const float *luma, float *dest, int nr, Py_ssize_t cols, int window,
                           float *t)
{
#ifdef HAVE_AVX2_PATH
    if (use_avx2) {
        box_rows_avx2(luma, cols, dest, cols, nr, cols, window, NULL, t);
        return;
    }
#endif
    (void)t;
    box_rows(luma, cols, dest, cols, nr, cols, window, NULL);
}

/*
 * Hashes rows x cols pixels (row-major; channels 3: RGB, 1: luma). Returns 0, or -1 when out
 * of memory. hexes: 8 x 64 characters.
 */
WIDE static int pdq_dihedral(const uint8_t *rgb, int channels, Py_ssize_t rows, Py_ssize_t cols,
                             char hexes[8][64], int *quality)
{
    if (rows < MIN_HASHABLE_DIM || cols < MIN_HASHABLE_DIM) {
        memset(hexes, '0', 8 * 64);
        *quality = 0;
        return 0;
    }
    work_t w;
    memset(&w, 0, sizeof w);
    w.rows = rows;
    w.cols = cols;
    w.win_rows = window_size(cols);
    w.win_cols = window_size(rows);
    float *luma = malloc(sizeof(float) * (size_t)ROWS_AT_ONCE * (size_t)cols);
    Py_ssize_t ring =
        ((Py_ssize_t)w.win_cols + 2 * ROWS_AT_ONCE - 1) / ROWS_AT_ONCE * ROWS_AT_ONCE;
    if (ring > rows + ROWS_AT_ONCE)
        ring = (rows + ROWS_AT_ONCE - 1) / ROWS_AT_ONCE * ROWS_AT_ONCE;
    w.a = malloc(sizeof(float) * (size_t)ring * (size_t)cols);
    w.sum = malloc(sizeof(float) * (size_t)cols);
    w.block = malloc(sizeof(float) * (size_t)ROWS_AT_ONCE * (size_t)cols);
    w.narrow = calloc((size_t)rows * 64, sizeof(float));
    int *keep_col = malloc(sizeof(int) * (size_t)cols);
    w.t = malloc(sizeof(float) * (size_t)ROWS_AT_ONCE * (size_t)cols);
    if (!luma || !w.a || !w.sum || !w.block || !w.narrow || !keep_col || !w.t) {
        free(w.t);
        free(luma);
        free(w.a);
        free(w.sum);
        free(w.block);
        free(w.narrow);
        free(keep_col);
        return -1;
    }
    int sample_row[64], sample_col[64];
    for (int k = 0; k < 64; k++) {
        sample_row[k] = (int)(((k + 0.5) * (double)rows) / 64);
        sample_col[k] = (int)(((k + 0.5) * (double)cols) / 64);
    }
    /* keep_col[c]: a column of `narrow` holding column c (a column sampled twice is kept once,
     * in the first slot; the decimation reads through sample_slot) */
    for (Py_ssize_t c = 0; c < cols; c++)
        keep_col[c] = -1;
    int sample_slot[64];
    for (int k = 0; k < 64; k++) {
        if (keep_col[sample_col[k]] < 0)
            keep_col[sample_col[k]] = k;
        sample_slot[k] = keep_col[sample_col[k]];
    }

    /* 1. luminance and the first row pass, ROWS_AT_ONCE rows at a time, produced as the column
     * pass (2) reaches them into a ring of `ring` rows (row r in slot r % ring): the column pass
     * reads rows ri and ri - window only, so the rows stay in cache instead of a full-size
     * buffer written and read back. ring is a multiple of ROWS_AT_ONCE of at least window +
     * ROWS_AT_ONCE: a group written from row ri on never reaches row ri - window. */
    Py_ssize_t produced = 0;
#define PRODUCE_THROUGH(need)                                                                   \
    while (produced <= (need)) {                                                                \
        Py_ssize_t r0 = produced;                                                               \
        int nr = (int)(rows - r0 < ROWS_AT_ONCE ? rows - r0 : ROWS_AT_ONCE);                    \
        const uint8_t *p = rgb + (size_t)r0 * (size_t)cols * (size_t)channels;                  \
        size_t m = (size_t)nr * (size_t)cols;                                                   \
        float *dest = w.a + (size_t)(r0 % ring) * (size_t)cols;                                 \
        make_luma(p, channels, m, luma);                                                        \
        first_row_pass(luma, dest, nr, cols, w.win_rows, w.t);                                  \
        produced += nr;                                                                         \
    }
    /* 2. the first column pass (all columns at once), each output row fed to the second row pass */
    {
        phases_t ph = phases_of(rows, w.win_cols);
        const float *a = w.a;
        float *sum = w.sum;
        Py_ssize_t li = 0, ri = 0, oi = 0;
        int count = 0;
        for (Py_ssize_t c = 0; c < cols; c++)
            sum[c] = 0.0f;
        for (Py_ssize_t i = 0; i < ph.p1; i++, ri++) {
            PRODUCE_THROUGH(ri);
            const float *in = a + (ri % ring) * cols;
            for (Py_ssize_t c = 0; c < cols; c++)
                sum[c] += in[c];
            count++;
        }
        for (Py_ssize_t i = 0; i < ph.p2; i++, ri++, oi++) {
            PRODUCE_THROUGH(ri);
            const float *in = a + (ri % ring) * cols;
            for (Py_ssize_t c = 0; c < cols; c++)
                sum[c] += in[c];
            count++;
            emit_column_row(&w, keep_col, oi, count);
        }
        for (Py_ssize_t i = 0; i < ph.p3; i++, li++, ri++, oi++) {
            PRODUCE_THROUGH(ri);
            const float *in = a + (ri % ring) * cols;
            const float *out_of = a + (li % ring) * cols;
            for (Py_ssize_t c = 0; c < cols; c++) {
                float s = sum[c] + in[c];
                sum[c] = s - out_of[c];
            }
            emit_column_row(&w, keep_col, oi, count);
        }
        for (Py_ssize_t i = 0; i < ph.p4; i++, li++, oi++) {
            const float *out_of = a + (li % ring) * cols;
            for (Py_ssize_t c = 0; c < cols; c++)
                sum[c] -= out_of[c];
            count--;
            emit_column_row(&w, keep_col, oi, count);
        }
        flush_block(&w, keep_col);
    }
#undef PRODUCE_THROUGH

    /* 3. the second column pass over the 64 kept columns; only the sampled rows are kept */
    float small[64][64];
    {
        phases_t ph = phases_of(rows, w.win_cols);
        float s[64];
        for (int k = 0; k < 64; k++)
            s[k] = 0.0f;
        const float *nw = w.narrow;
        Py_ssize_t li = 0, ri = 0, oi = 0;
        int count = 0;
        int next = 0; /* next sample (by k) whose row is still to come */
        float col_out[64];
#define EMIT_SAMPLES()                                                                           \
    do {                                                                                         \
        if (next < 64 && sample_row[next] == oi) {                                               \
            divide_row(s, (float)count, col_out, 64);                                            \
            while (next < 64 && sample_row[next] == oi) {                                        \
                for (int k = 0; k < 64; k++)                                                     \
                    small[next][k] = col_out[sample_slot[k]];                                    \
                next++;                                                                          \
            }                                                                                    \
        }                                                                                        \
    } while (0)
        for (Py_ssize_t i = 0; i < ph.p1; i++, ri++) {
            for (int k = 0; k < 64; k++)
                s[k] += nw[ri * 64 + k];
            count++;
        }
        for (Py_ssize_t i = 0; i < ph.p2; i++, ri++, oi++) {
            for (int k = 0; k < 64; k++)
                s[k] += nw[ri * 64 + k];
            count++;
            EMIT_SAMPLES();
        }
        for (Py_ssize_t i = 0; i < ph.p3; i++, li++, ri++, oi++) {
            for (int k = 0; k < 64; k++) {
                float t = s[k] + nw[ri * 64 + k];
                s[k] = t - nw[li * 64 + k];
            }
            EMIT_SAMPLES();
        }
        for (Py_ssize_t i = 0; i < ph.p4; i++, li++, oi++) {
            for (int k = 0; k < 64; k++)
                s[k] -= nw[li * 64 + k];
            count--;
            EMIT_SAMPLES();
        }
#undef EMIT_SAMPLES
    }
    free(luma);
    free(w.a);
    free(w.sum);
    free(w.block);
    free(w.narrow);
    free(keep_col);
    free(w.t);

    *quality = quality_of(small);
    float coefficients[16][16], oriented[16][16];
    dct16(small, coefficients);
    for (int which = 0; which < 8; which++) {
        orient(coefficients, which, oriented);
        bits_to_hex(oriented, hexes[which]);
    }
    return 0;
}

/* A view of a C-contiguous (h, w, 3) RGB or (h, w) luma uint8 array, or -1 with ValueError. */
static int get_pixels(PyObject *arg, Py_buffer *view)
{
    if (PyObject_GetBuffer(arg, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
        return -1;
    int ok = (view->ndim == 2 || (view->ndim == 3 && view->shape[2] == 3)) &&
             view->itemsize == 1 && view->format != NULL &&
             (strcmp(view->format, "B") == 0 || strcmp(view->format, "=B") == 0 ||
              strcmp(view->format, "<B") == 0 || strcmp(view->format, "@B") == 0);
    if (!ok) {
        PyBuffer_Release(view);
        PyErr_SetString(PyExc_ValueError,
                        "expected a C-contiguous (h, w, 3) RGB or (h, w) luma uint8 array");
        return -1;
    }
    return 0;
}

static PyObject *luminance(PyObject *self, PyObject *arg)
{
    (void)self;
    Py_buffer view;
    if (get_pixels(arg, &view) < 0)
        return NULL;
    size_t m = (size_t)view.shape[0] * (size_t)view.shape[1];
    PyObject *out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(m * sizeof(float)));
    if (out != NULL)
        make_luma((const uint8_t *)view.buf, view.ndim == 2 ? 1 : 3, m,
                  (float *)PyBytes_AS_STRING(out));
    PyBuffer_Release(&view);
    return out;
}

static PyObject *dihedral(PyObject *self, PyObject *arg)
{
    (void)self;
    Py_buffer view;
    if (get_pixels(arg, &view) < 0)
        return NULL;
    Py_ssize_t rows = view.shape[0], cols = view.shape[1];
    char hexes[8][64];
    int quality = 0, rc;
    Py_BEGIN_ALLOW_THREADS
    rc = pdq_dihedral((const uint8_t *)view.buf, view.ndim == 2 ? 1 : 3, rows, cols, hexes,
                      &quality);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&view);
    if (rc < 0)
        return PyErr_NoMemory();
    PyObject *hashes = PyTuple_New(8);
    if (hashes == NULL)
        return NULL;
    for (int k = 0; k < 8; k++) {
        PyObject *text = PyUnicode_FromStringAndSize(hexes[k], 64);
        if (text == NULL) {
            Py_DECREF(hashes);
            return NULL;
        }
        PyTuple_SET_ITEM(hashes, k, text);
    }
    return Py_BuildValue("(Ni)", hashes, quality);
}

/*
 * area_reduce(pixels, factor): the mean of each factor x factor block of an (h, w, 3) or (h, w)
 * uint8 array (strided rows allowed), as OpenCV's resize with INTER_AREA computes it for an
 * integer factor of 3 or more (its "area fast" path: the integer sum of the block times
 * 1.f / (factor * factor) in float, rounded to the nearest, ties to even); the last rows and
 * columns that factor does not divide are left out. bouclier.hashing.framing reduces a frame with
 * it; tests/hashing/test_area_reduce.py compares it with cv2.resize.
 */
/* Up to a factor of AREA_NARROW_MAX (16 x 16 x 255 = 65,280: every block sum in 16 bits), the
 * one-pass kernel area_reduce_narrow; above, area_reduce_rows, in passes along each band of
 * `factor` rows that vectorise (but the pick): the column sums (16 bits: factor <= 64 keeps them
 * under 64 * 255); each byte's sum with the factor - 1 same-channel bytes after it, which is a
 * block's sum where the block starts (in 32 bits); those picked at every factor pixels; then the
 * row's means at once (the product in float, rounded by rintf in the default mode: to the
 * nearest, ties to even, as OpenCV's cvRound).
 * `sums` holds row_bytes values, `blocks` row_bytes + sw * channels. */
#define AREA_NARROW_MAX 16
/* The block sums of one band (see area_reduce_rows) in `blocks`, of type T, picked into
 * `picked`. */
#define AREA_BLOCKS(T)                                                                           \
    do {                                                                                         \
        T *restrict b = (T *)blocks;                                                             \
        for (Py_ssize_t j = 0; j < span; j++)                                                    \
            b[j] = sums[j];                                                                      \
        for (int i = 1; i < factor; i++) {                                                       \
            const uint16_t *restrict next = sums + i * channels;                                 \
            for (Py_ssize_t j = 0; j < span; j++)                                                \
                b[j] = (T)(b[j] + next[j]);                                                      \
        }                                                                                        \
        if (channels == 3) {                                                                     \
            for (Py_ssize_t x = 0; x < sw; x++) {                                                \
                const T *block = b + x * factor * 3;                                             \
                picked[3 * x] = block[0];                                                        \
                picked[3 * x + 1] = block[1];                                                    \
                picked[3 * x + 2] = block[2];                                                    \
            }                                                                                    \
        } else {                                                                                 \
            for (Py_ssize_t x = 0; x < sw; x++)                                                  \
                picked[x] = b[x * factor];                                                       \
        }                                                                                        \
    } while (0)
WIDE static void area_reduce_rows(const uint8_t *src, Py_ssize_t stride, int channels, int factor,
                                  Py_ssize_t sh, Py_ssize_t sw, uint16_t *sums, uint32_t *blocks,
                                  uint8_t *dst)
{
    Py_ssize_t row_bytes = sw * factor * channels, out_row = sw * channels;
    Py_ssize_t span = row_bytes - (Py_ssize_t)(factor - 1) * channels;
    uint32_t *picked = blocks + row_bytes;
    const float scale = 1.f / (float)(factor * factor);
    for (Py_ssize_t y = 0; y < sh; y++) {
        const uint8_t *first = src + y * factor * stride;
        for (Py_ssize_t j = 0; j < row_bytes; j++)
            sums[j] = first[j];
        for (int i = 1; i < factor; i++) {
            const uint8_t *row = first + i * stride;
            for (Py_ssize_t j = 0; j < row_bytes; j++)
                sums[j] = (uint16_t)(sums[j] + row[j]);
        }
        AREA_BLOCKS(uint32_t);
        uint8_t *o = dst + y * out_row;
        for (Py_ssize_t k = 0; k < out_row; k++) {
            int v = (int)rintf((float)picked[k] * scale);
            o[k] = (uint8_t)(v > 255 ? 255 : v);
        }
    }
}

/* The one-pass kernel of area_reduce for a factor of 3 to AREA_NARROW_MAX (every block sum fits
 * in 16 bits). Along each band of `factor` rows: the column sums in one pass over its rows (each
 * byte read once, `sums` written once: a loop with the factor a constant for the usual factors,
 * which vectorises across the row); then each block's sum read straight from them, the factor
 * pixels' column sums added as one 64-bit word per pixel (four 16-bit lanes, the pixel's three
 * channels and the next pixel's first: every lane a sum of at most factor column sums, so at most
 * factor * factor * 255 <= 65,280 and no carry from one lane into another, in either byte order;
 * each word is stored over the next pixel's place, which the next store then writes; `sums` and
 * `picked` hold one value more than their rows); in grey the factor values added; then the row's
 * means as before (the product in float, rintf). No sliding sums at every byte, no pick.
 * `sums` holds row_bytes + 1 values, `picked` sw * channels + 1. The same integer sums as
 * area_reduce_rows, so the same bytes (tests/hashing/test_area_reduce.py). */
#define AREA_COLUMNS(F)                                                                          \
    do {                                                                                         \
        for (Py_ssize_t j = 0; j < row_bytes; j++) {                                             \
            uint16_t s = first[j];                                                               \
            for (int i = 1; i < (F); i++)                                                        \
                s = (uint16_t)(s + first[i * stride + j]);                                       \
            sums[j] = s;                                                                         \
        }                                                                                        \
    } while (0)
#define AREA_PIXELS(F)                                                                           \
    do {                                                                                         \
        if (channels == 3) {                                                                     \
            _Pragma("GCC unroll 4")                                                              \
            for (Py_ssize_t x = 0; x < sw; x++) {                                                \
                const uint16_t *p = sums + x * (F) * 3;                                          \
                uint64_t v, w;                                                                   \
                memcpy(&v, p, sizeof v);                                                         \
                for (int k = 1; k < (F); k++) {                                                  \
                    memcpy(&w, p + 3 * k, sizeof w);                                             \
                    v += w;                                                                      \
                }                                                                                \
                memcpy(picked + 3 * x, &v, sizeof v);                                            \
            }                                                                                    \
        } else {                                                                                 \
            for (Py_ssize_t x = 0; x < sw; x++) {                                                \
                const uint16_t *p = sums + x * (F);                                              \
                uint16_t v = p[0];                                                               \
                for (int k = 1; k < (F); k++)                                                    \
                    v = (uint16_t)(v + p[k]);                                                    \
                picked[x] = v;                                                                   \
            }                                                                                    \
        }                                                                                        \
    } while (0)
WIDE static void area_reduce_narrow(const uint8_t *src, Py_ssize_t stride, int channels,
                                    int factor, Py_ssize_t sh, Py_ssize_t sw,
                                    uint16_t *restrict sums, uint16_t *restrict picked,
                                    uint8_t *dst)
{
    Py_ssize_t row_bytes = sw * factor * channels, out_row = sw * channels;
    const float scale = 1.f / (float)(factor * factor);
    sums[row_bytes] = 0; /* read by the last pixel's last word: a value, under any bound */
    for (Py_ssize_t y = 0; y < sh; y++) {
        const uint8_t *restrict first = src + y * factor * stride;
        switch (factor) {
        case 3: AREA_COLUMNS(3); AREA_PIXELS(3); break;
        case 4: AREA_COLUMNS(4); AREA_PIXELS(4); break;
        case 5: AREA_COLUMNS(5); AREA_PIXELS(5); break;
        case 6: AREA_COLUMNS(6); AREA_PIXELS(6); break;
        default: AREA_COLUMNS(factor); AREA_PIXELS(factor); break;
        }
        uint8_t *o = dst + y * out_row;
        for (Py_ssize_t k = 0; k < out_row; k++) {
            int v = (int)rintf((float)picked[k] * scale);
            o[k] = (uint8_t)(v > 255 ? 255 : v);
        }
    }
}

static PyObject *area_reduce(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *arg;
    int factor;
    if (!PyArg_ParseTuple(args, "Oi", &arg, &factor))
        return NULL;
    if (factor < 3 || factor > 64) {
        PyErr_SetString(PyExc_ValueError, "factor must be 3 to 64");
        return NULL;
    }
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_STRIDES | PyBUF_FORMAT) < 0)
        return NULL;
    int channels = view.ndim == 3 ? (int)view.shape[2] : 1;
    int ok = (view.ndim == 2 || (view.ndim == 3 && channels == 3)) && view.itemsize == 1 &&
             view.format != NULL &&
             (strcmp(view.format, "B") == 0 || strcmp(view.format, "=B") == 0 ||
              strcmp(view.format, "<B") == 0 || strcmp(view.format, "@B") == 0) &&
             view.strides[view.ndim - 1] == 1 && (view.ndim == 2 || view.strides[1] == 3) &&
             view.strides[0] >= view.shape[1] * channels;
    if (!ok) {
        PyBuffer_Release(&view);
        PyErr_SetString(PyExc_ValueError,
                        "expected an (h, w, 3) or (h, w) uint8 array with contiguous rows");
        return NULL;
    }
    Py_ssize_t sh = view.shape[0] / factor, sw = view.shape[1] / factor;
    Py_ssize_t row_bytes = sw * factor * channels;
    int narrow = factor <= AREA_NARROW_MAX;
    PyObject *out = PyByteArray_FromStringAndSize(NULL, sh * sw * channels);
    uint16_t *sums = malloc(sizeof(uint16_t) * (size_t)(row_bytes + 1));
    /* narrow: the picked block sums (16 bits, one more than a row); else the block sums and
     * the picked ones (32 bits) */
    void *blocks = narrow ? malloc(sizeof(uint16_t) * (size_t)(sw * channels + 1))
                          : malloc(sizeof(uint32_t) * (size_t)(row_bytes + sw * channels + 1));
    if (out == NULL || sums == NULL || blocks == NULL) {
        Py_XDECREF(out);
        free(sums);
        free(blocks);
        PyBuffer_Release(&view);
        return out == NULL ? NULL : PyErr_NoMemory();
    }
    uint8_t *dst = (uint8_t *)PyByteArray_AS_STRING(out);
    const uint8_t *src = (const uint8_t *)view.buf;
    Py_ssize_t stride = view.strides[0];
    Py_BEGIN_ALLOW_THREADS
    if (narrow)
        area_reduce_narrow(src, stride, channels, factor, sh, sw, sums, blocks, dst);
    else
        area_reduce_rows(src, stride, channels, factor, sh, sw, sums, blocks, dst);
    Py_END_ALLOW_THREADS
    free(sums);
    free(blocks);
    PyBuffer_Release(&view);
    return out;
}

static PyMethodDef module_methods[] = {
    {"area_reduce", area_reduce, METH_VARARGS,
     "area_reduce(pixels, factor) -> bytearray: the factor x factor block means of an (h, w, 3) "
     "or (h, w) uint8 array, row-major, (h // factor) x (w // factor) pixels, as cv2.resize "
     "with INTER_AREA (factor >= 3)."},
    {"dihedral", dihedral, METH_O,
     "dihedral(pixels) -> (8 hex strings, quality): PDQ of a C-contiguous (h, w, 3) RGB or (h, w) "
     "luma uint8 array in the 8 orientations of bouclier.hashing.pdq.ORIENTATIONS, bit for bit as "
     "pdqhash.compute_dihedral (of the luma plane as R = G = B)."},
    {"luminance", luminance, METH_O,
     "luminance(pixels) -> bytes: the float32 luminance that dihedral hashes, row-major, of the "
     "same arrays (the reference's doubles rounded to float; tests/hashing/test_pdq_luma.py)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "_pdq", "PDQ hashes in C (see _pdq.c).", -1, module_methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__pdq(void)
{
    init_dct_matrix();
#ifdef HAVE_AVX2_PATH
    __builtin_cpu_init();
    use_avx2 = __builtin_cpu_supports("avx2") && getenv("BOUCLIER_PDQ_NO_AVX2") == NULL;
    use_fma = use_avx2 && __builtin_cpu_supports("fma") && getenv("BOUCLIER_PDQ_NO_FMA") == NULL;
#endif
    return PyModule_Create(&module_def);
}
