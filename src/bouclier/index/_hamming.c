/*
 * Exact Hamming-radius search over 256-bit hashes (PDQ), the fast path of bouclier.index.
 *
 * Multi-index hashing (Norouzi, Punjani & Fleet, "Fast exact search in Hamming space with
 * multi-index hashing", 2014): the 256 bits are cut into m disjoint substrings and each substring
 * gets a table mapping its value to the rows that have it (CSR: the first row of each of the 2^b
 * buckets, then n uint32 row ids ordered by key). If the tables are searched with radii rho_t such
 * that sum(rho_t + 1) > r, a hash within r of the query has at least one substring t within rho_t
 * of the query's (pigeonhole; bits left out of every substring only weaken it), so enumerating
 * those keys and verifying every candidate on the full 256 bits finds every answer. A candidate
 * found in table t is reported only if no earlier table t' would have found it (substring
 * distance <= rho_t'), so each answer comes out once, without a hash set. Per query, a cost model
 * picks the rho_t (greedily, cheapest increment first) or a linear scan where that is cheaper
 * (large radii, small segments); the scan uses AVX-512 VPOPCNTDQ where the CPU has it.
 *
 * Safety: Python hands us buffers; we check every size once at the door, keys are masked to their
 * table width and row ids come from tables we built ourselves, or from a snapshot's tables after
 * _tables.c has checked every offset and row id in them, so no input can make us read out of
 * bounds. Search and build release the GIL: they only read buffers that the call holds a view on.
 */
#include "_hamming.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>


enum { STRATEGY_AUTO = 0, STRATEGY_MULTI = 1, STRATEGY_LINEAR = 2 };

/* Cost model in nanoseconds: one key probe (a line of offsets, often shared with the keys that
 * differ from it in low bits; the row ids' line when the bucket is not empty), one candidate (a
 * cache miss on its hash, then verification), one row of a linear scan (memory-bandwidth bound
 * with AVX-512, instruction bound without). Only the ratio of probe to candidate steers the
 * layout and the radii; the candidate's 30 ns anchors the scale (the linear scan's crossover and
 * THREAD_MIN_COST were set against it). The ratio, 0.51, is a least-squares fit of the CPU time
 * per hash of seven layouts (9 to 12 tables of 21 to 28 bits, 2k to 20k probes and 0.7k to 8.6k
 * candidates a query) at 10M and 30M with the flat walk of small balls, measured side by side
 * (benchmarks/bench_index_ab.py; docs/benchmarks-log.md "The index at 100M: fewer keys per hash"):
 * 20.0 and 39.4 ns on that loaded VM, within 13% of each. It was 17 / 30 = 0.57 before (the
 * walk before it, other machine): the planned layouts at radius 31 are the same either way. */
#define COST_PROBE 15.0
#define COST_CANDIDATE 30.0
#define COST_ROW_AVX512 1.0
#define COST_ROW_PORTABLE 2.0

static int use_avx512 = 0; /* AVX-512 linear scans: set at import where CPU and OS support it */

static double cost_row(void)
{
    return use_avx512 ? COST_ROW_AVX512 : COST_ROW_PORTABLE;
}

static double binom[MAX_TABLE_BITS + 1][MAX_TABLE_BITS + 1];


static inline int is_dead(const uint8_t *dead, size_t row)
{
    return dead != NULL && ((dead[row >> 3] >> (row & 7)) & 1);
}

/* ---- growable list of (row, distance) answers for one query ---- */

typedef struct {
    uint32_t *rows;
    uint16_t *dist;
    size_t len, cap;
    int failed;
} Hits;

static int hits_push(Hits *h, uint32_t row, int d)
{
    if (h->len == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 64;
        uint32_t *rows = realloc(h->rows, cap * sizeof *rows);
        if (rows == NULL) {
            h->failed = 1;
            return -1;
        }
        h->rows = rows;
        uint16_t *dist = realloc(h->dist, cap * sizeof *dist);
        if (dist == NULL) {
            h->failed = 1;
            return -1;
        }
        h->dist = dist;
        h->cap = cap;
    }
    h->rows[h->len] = row;
    h->dist[h->len] = (uint16_t)d;
    h->len++;
    return 0;
}

static void hits_free(Hits *hits, size_t count)
{
    if (hits == NULL)
        return;
    for (size_t i = 0; i < count; i++) {
        free(hits[i].rows);
        free(hits[i].dist);
    }
    free(hits);
}

/* (rows: bytes of uint32, distances: bytes of uint16, counts: bytes of int64 per query), from
 * `parts` lists of answers per query (hits[k * nq + j]: part k of query j), joined per query. */
static PyObject *hits_to_python(Hits *hits, size_t nq, int parts)
{
    size_t total = 0, count = nq * (size_t)parts;
    for (size_t i = 0; i < count; i++) {
        if (hits[i].failed)
            return PyErr_NoMemory();
        total += hits[i].len;
    }
    PyObject *rows = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(total * sizeof(uint32_t)));
    PyObject *dist = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(total * sizeof(uint16_t)));
    PyObject *counts = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(nq * sizeof(int64_t)));
    if (rows == NULL || dist == NULL || counts == NULL) {
        Py_XDECREF(rows);
        Py_XDECREF(dist);
        Py_XDECREF(counts);
        return NULL;
    }
    char *r = PyBytes_AS_STRING(rows), *d = PyBytes_AS_STRING(dist), *c = PyBytes_AS_STRING(counts);
    for (size_t j = 0; j < nq; j++) {
        int64_t len = 0;
        for (int k = 0; k < parts; k++) {
            const Hits *h = &hits[(size_t)k * nq + j];
            if (h->len) {
                memcpy(r, h->rows, h->len * sizeof(uint32_t));
                memcpy(d, h->dist, h->len * sizeof(uint16_t));
            }
            r += h->len * sizeof(uint32_t);
            d += h->len * sizeof(uint16_t);
            len += (int64_t)h->len;
        }
        memcpy(c + j * sizeof len, &len, sizeof len);
    }
    return Py_BuildValue("(NNN)", rows, dist, counts);
}

/* ---- linear scan ---- */

#define SCAN_BLOCK 1024 /* rows (32 KiB) compared with every query while they sit in L1 */

/* Rows [first, end) against one query, 64 bits at a time; returns where it stopped (end). */
static size_t scan_block_scalar(const uint8_t *base, size_t first, size_t end, const uint64_t q[4],
                                int radius, const uint8_t *dead, Hits *out)
{
    const uint64_t q0 = q[0], q1 = q[1], q2 = q[2], q3 = q[3];
    for (size_t i = first; i < end; i++) {
        uint64_t w[4];
        load_hash(base + i * HASH_BYTES, w);
        int d = __builtin_popcountll(w[0] ^ q0) + __builtin_popcountll(w[1] ^ q1) +
                __builtin_popcountll(w[2] ^ q2) + __builtin_popcountll(w[3] ^ q3);
        if (__builtin_expect(d <= radius, 0) && !is_dead(dead, i))
            hits_push(out, (uint32_t)i, d);
    }
    return end;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_AVX512_SCAN 1

/* The same, 8 rows per step (~3 instructions a row instead of ~20): XOR and VPOPCNTQ give 4
 * counts per row; two rounds of pairwise adds leave row r's distance in lane LANE_OF_ROW[r].
 * Stops before a last partial group of 8 rows, which the scalar loop finishes. */
__attribute__((target("avx512f,avx512vpopcntdq"))) static size_t
scan_block_avx512(const uint8_t *base, size_t first, size_t end, const uint64_t q[4], int radius,
                  const uint8_t *dead, Hits *out)
{
    static const int LANE_OF_ROW[8] = {0, 2, 1, 3, 4, 6, 5, 7};
    const __m512i query = _mm512_set_epi64((long long)q[3], (long long)q[2], (long long)q[1],
                                           (long long)q[0], (long long)q[3], (long long)q[2],
                                           (long long)q[1], (long long)q[0]);
    const __m512i limit = _mm512_set1_epi64(radius);
    size_t i = first;
    for (; i + 8 <= end; i += 8) {
        const uint8_t *p = base + i * HASH_BYTES;
        __m512i c0 = _mm512_popcnt_epi64(_mm512_xor_si512(_mm512_loadu_si512(p), query));
        __m512i c1 = _mm512_popcnt_epi64(_mm512_xor_si512(_mm512_loadu_si512(p + 64), query));
        __m512i c2 = _mm512_popcnt_epi64(_mm512_xor_si512(_mm512_loadu_si512(p + 128), query));
        __m512i c3 = _mm512_popcnt_epi64(_mm512_xor_si512(_mm512_loadu_si512(p + 192), query));
        /* per 128-bit lane: word pairs (0+1 or 2+3) of rows 0|2, 0|2, 1|3, 1|3 (and 4..7) */
        __m512i u0 = _mm512_add_epi64(_mm512_unpacklo_epi64(c0, c1), _mm512_unpackhi_epi64(c0, c1));
        __m512i u1 = _mm512_add_epi64(_mm512_unpacklo_epi64(c2, c3), _mm512_unpackhi_epi64(c2, c3));
        __m512i d = _mm512_add_epi64(_mm512_shuffle_i64x2(u0, u1, _MM_SHUFFLE(2, 0, 2, 0)),
                                     _mm512_shuffle_i64x2(u0, u1, _MM_SHUFFLE(3, 1, 3, 1)));
        __mmask8 hit = _mm512_cmple_epu64_mask(d, limit);
        if (__builtin_expect(hit != 0, 0)) {
            uint64_t dist[8];
            _mm512_storeu_si512(dist, d);
            for (int r = 0; r < 8; r++)
                if (((hit >> LANE_OF_ROW[r]) & 1) && !is_dead(dead, i + r))
                    hits_push(out, (uint32_t)(i + r), (int)dist[LANE_OF_ROW[r]]);
        }
    }
    return i;
}
#endif

/* Every row against every query, a block of rows at a time so that each row is read from memory
 * once whatever the number of queries; hits come out in row order for each query. */
static void scan_rows(const uint8_t *base, size_t n, const uint64_t (*q)[4], size_t nq, int radius,
                      const uint8_t *dead, Hits *out)
{
    for (size_t first = 0; first < n; first += SCAN_BLOCK) {
        size_t end = n - first < SCAN_BLOCK ? n : first + SCAN_BLOCK;
        for (size_t j = 0; j < nq; j++) {
            size_t i = first;
#ifdef HAVE_AVX512_SCAN
            if (use_avx512)
                i = scan_block_avx512(base, first, end, q[j], radius, dead, &out[j]);
#endif
            scan_block_scalar(base, i, end, q[j], radius, dead, &out[j]);
        }
    }
}


/* Greedy choice of per-table radii (-1: table unused) with sum(rho + 1) >= radius + 1, each step
 * taking the cheapest increment. Returns the estimated cost, or INFINITY if no choice is valid. */
static double plan_radii(int m, const int *bits, double n, int radius, int *rho)
{
    double per_key[MAX_TABLES], next[MAX_TABLES], total = 0.0;
    for (int t = 0; t < m; t++) {
        rho[t] = -1;
        per_key[t] = COST_PROBE + COST_CANDIDATE * n / (double)(UINT64_C(1) << bits[t]);
        next[t] = per_key[t]; /* cost of rho -1 -> 0: one key */
    }
    for (int need = radius + 1; need > 0; need--) {
        int best = 0;
        for (int t = 1; t < m; t++)
            if (next[t] < next[best])
                best = t;
        if (isinf(next[best]))
            return INFINITY;
        total += next[best];
        rho[best]++;
        next[best] = rho[best] < bits[best] ? binom[bits[best]][rho[best] + 1] * per_key[best]
                                            : INFINITY;
    }
    return total;
}

/* The plan for one call: per-table radii, or 0 for a linear scan. */
static int choose_plan(const MultiIndex *ix, int radius, int strategy, int *rho, double *cost)
{
    double multi = plan_radii(ix->m, ix->bits, (double)ix->n, radius, rho);
    if (cost != NULL)
        *cost = multi;
    if (isinf(multi) || strategy == STRATEGY_LINEAR)
        return 0;
    return strategy == STRATEGY_MULTI || multi < cost_row() * (double)ix->n;
}

/* A query's walk through one table is a chain of three dependent cache misses: the bucket's
 * offsets, its row ids, then each candidate's hash. Each item is prefetched when it enters its
 * stage and used only when newer items have entered behind it (keys: a chunk of KEY_CHUNK; row
 * ids and candidates: a small FIFO, LAG items), so tens of misses are in flight at once. */
#ifndef KEY_CHUNK /* (each overridable at build time, for measurements; docs/benchmarks-log.md,
                     issue 18, branch w12-index: 32/32/64 against 16/16/32, -11% CPU at p50) */
#define KEY_CHUNK 32
#endif
#ifndef RANGE_LAG
#define RANGE_LAG 32
#endif
#ifndef CAND_LAG
#define CAND_LAG 64
#endif
#define RING 128 /* power of two, > every LAG */

typedef struct {
    const MultiIndex *ix;
    const uint8_t *dead;
    const int *rho;
    Offsets off; /* the current table's */
    const uint32_t *rows;
    uint64_t q[4];
    int radius, table;
    Hits *out;
    unsigned range_head, range_tail, cand_head, cand_tail;
    uint32_t lo[RING], hi[RING], cands[RING];
} Probe;

/* True if an earlier table would have produced this candidate already (x = hash XOR query). */
static inline int found_earlier(const Probe *p, const uint64_t x[4])
{
    for (int t = 0; t < p->table; t++) {
        if (p->rho[t] < 0)
            continue;
        const uint64_t *mk = p->ix->mask[t];
        int d = __builtin_popcountll(x[0] & mk[0]) + __builtin_popcountll(x[1] & mk[1]) +
                __builtin_popcountll(x[2] & mk[2]) + __builtin_popcountll(x[3] & mk[3]);
        if (d <= p->rho[t])
            return 1;
    }
    return 0;
}

static void pop_candidate(Probe *p)
{
    uint32_t row = p->cands[p->cand_head++ % RING];
    uint64_t w[4], x[4];
    load_hash((const uint8_t *)p->ix->view.buf + (size_t)row * HASH_BYTES, w);
    for (int k = 0; k < 4; k++)
        x[k] = w[k] ^ p->q[k];
    int d = __builtin_popcountll(x[0]) + __builtin_popcountll(x[1]) + __builtin_popcountll(x[2]) +
            __builtin_popcountll(x[3]);
    if (d <= p->radius && !found_earlier(p, x) && !is_dead(p->dead, row))
        hits_push(p->out, row, d);
}

static inline void push_candidate(Probe *p, uint32_t row)
{
    __builtin_prefetch((const uint8_t *)p->ix->view.buf + (size_t)row * HASH_BYTES);
    p->cands[p->cand_tail++ % RING] = row;
    if (p->cand_tail - p->cand_head > CAND_LAG)
        pop_candidate(p);
}

static void pop_range(Probe *p)
{
    unsigned i = p->range_head++ % RING;
    for (uint32_t j = p->lo[i]; j < p->hi[i]; j++)
        push_candidate(p, p->rows[j]);
}

static inline void push_range(Probe *p, uint32_t lo, uint32_t hi)
{
    __builtin_prefetch(&p->rows[lo]);
    p->lo[p->range_tail % RING] = lo;
    p->hi[p->range_tail++ % RING] = hi;
    if (p->range_tail - p->range_head > RANGE_LAG)
        pop_range(p);
}

/* The keys stage handles most of the items (at 100M, ~20k keys a query against ~7k candidates,
 * most buckets empty), so it is a plain loop over chunks rather than a ring, in three steps a
 * chunk apart: a key's block base is prefetched as the key is made, read (with its bucket's line
 * prefetched) one chunk later, and the bucket read one chunk after that. No step waits on a miss
 * that was not prefetched, so the core keeps issuing the next keys' prefetches meanwhile. */
typedef struct {
    uint32_t keys[3][KEY_CHUNK];
    int fill[3], cur; /* keys in each chunk; the chunk being filled (cur + 1: the oldest) */
} KeyChunks;

/* Reads the buckets of `count` keys (their lines prefetched a chunk earlier). */
static void read_buckets(Probe *p, const uint32_t *keys, int count)
{
    const Offsets *off = &p->off;
    if (off->form == FORM_NARROW) {
        /* the common form at scale: a bucket and the next in one block of a bucket base that
         * is not spilled are one base and two bytes, not two of each (most buckets are empty) */
        for (int i = 0; i < count; i++) {
            uint32_t key = keys[i], base = off->base[key >> BLOCK_SHIFT];
            if (__builtin_expect((base & SPILLED) == 0 && (key & BLOCK_MASK) != BLOCK_MASK, 1)) {
                uint32_t lo = off->low8[key], hi = off->low8[key + 1];
                if (lo != hi)
                    push_range(p, base + lo, base + hi);
                continue;
            }
            uint32_t lo = bucket_start(off, key), hi = bucket_start(off, key + 1);
            if (lo != hi)
                push_range(p, lo, hi);
        }
        return;
    }
    for (int i = 0; i < count; i++) {
        uint32_t lo = bucket_start(off, keys[i]), hi = bucket_start(off, keys[i] + 1);
        if (lo != hi)
            push_range(p, lo, hi);
    }
}

/* Reads the block bases of `count` keys (prefetched a chunk earlier), prefetching each bucket. */
static void prefetch_buckets(const Probe *p, const uint32_t *keys, int count)
{
    for (int i = 0; i < count; i++)
        __builtin_prefetch(bucket_line(&p->off, keys[i]));
}

/* The chunk after chunk c in the rotation: the next one to fill, holding the oldest keys. */
#define NEXT_CHUNK(c) ((c) == 2 ? 0 : (c) + 1)

static inline void push_key(Probe *p, KeyChunks *c, uint32_t key)
{
    __builtin_prefetch(block_line(&p->off, key));
    c->keys[c->cur][c->fill[c->cur]++] = key;
    if (c->fill[c->cur] == KEY_CHUNK) {
        int oldest = NEXT_CHUNK(c->cur), last = NEXT_CHUNK(oldest); /* last: the one before */
        read_buckets(p, c->keys[oldest], c->fill[oldest]);
        prefetch_buckets(p, c->keys[last], c->fill[last]);
        c->fill[oldest] = 0;
        c->cur = oldest;
    }
}

/* Finishes every queued item; needed before the next table (found_earlier depends on it). */
static void drain(Probe *p, KeyChunks *c)
{
    int oldest = NEXT_CHUNK(c->cur), last = NEXT_CHUNK(oldest);
    read_buckets(p, c->keys[oldest], c->fill[oldest]);
    prefetch_buckets(p, c->keys[last], c->fill[last]);
    prefetch_buckets(p, c->keys[c->cur], c->fill[c->cur]);
    read_buckets(p, c->keys[last], c->fill[last]);
    read_buckets(p, c->keys[c->cur], c->fill[c->cur]);
    while (p->range_head != p->range_tail)
        pop_range(p);
    while (p->cand_head != p->cand_tail)
        pop_candidate(p);
}

/* The flip masks of 1..MASK_WEIGHTS bits below 2^MAX_TABLE_BITS, each weight in increasing order
 * (Gosper's order): those of a b-bit table are a prefix, C(b, d) long. Filled at import. */
#define MASK_WEIGHTS 3
static uint32_t flip_masks[MASK_WEIGHTS][3276]; /* C(28, 3) */
#define FLAT_KEYS 3683 /* 1 + 28 + C(28, 2) + C(28, 3): a ball of radius 3 in 28 bits */

/* Gosper's rule: the next mask of the same popcount, in increasing order. */
static inline uint64_t next_mask(uint64_t mask)
{
    uint64_t low = mask & (~mask + 1), ripple = mask + low; /* low: a power of 2 */
    return (((ripple ^ mask) >> 2) >> __builtin_ctzll(low)) | ripple;
}

static void fill_flip_masks(void)
{
    for (int d = 1; d <= MASK_WEIGHTS; d++) {
        uint64_t mask = (UINT64_C(1) << d) - 1, limit = UINT64_C(1) << MAX_TABLE_BITS;
        for (int i = 0; mask < limit; mask = next_mask(mask))
            flip_masks[d - 1][i++] = (uint32_t)mask;
    }
}

/* Prefetches the block bases of `count` keys. */
static void prefetch_bases(const Probe *p, const uint32_t *keys, int count)
{
    for (int i = 0; i < count; i++)
        __builtin_prefetch(block_line(&p->off, keys[i]));
}

/* The three steps over a ball's keys written out first (a plain array, in L1): key i's base is
 * prefetched at step i / KEY_CHUNK, its bucket's line one step later, the bucket read one step
 * after that. The same pipeline as KeyChunks without its rotation: ~22% fewer instructions a
 * query (callgrind, 9 tables of 20 bits, 0.37 rows a bucket as 9x28 at 100M), -6 to -8% CPU at
 * 30M, 9x28 (docs/benchmarks-log.md, "The index at 100M: fewer keys per hash"). */
static void walk_keys(Probe *p, const uint32_t *keys, int count)
{
    for (int s = 0; s < count + 2 * KEY_CHUNK; s += KEY_CHUNK) {
        if (s < count)
            prefetch_bases(p, keys + s, count - s < KEY_CHUNK ? count - s : KEY_CHUNK);
        int b = s - KEY_CHUNK, r = s - 2 * KEY_CHUNK;
        if (b >= 0 && b < count)
            prefetch_buckets(p, keys + b, count - b < KEY_CHUNK ? count - b : KEY_CHUNK);
        if (r >= 0 && r < count)
            read_buckets(p, keys + r, count - r < KEY_CHUNK ? count - r : KEY_CHUNK);
    }
    while (p->range_head != p->range_tail)
        pop_range(p);
    while (p->cand_head != p->cand_tail)
        pop_candidate(p);
}

/* Every key within rho bits of `key` (b bits wide), by popcount of the flip mask. Balls of up to
 * 3 bits (every ball a planned layout walks at radius 31) are written out from the precomputed
 * masks and walked flat; larger ones (other radii) go through KeyChunks as they are made. */
static void probe_table(Probe *p, uint32_t key, int bits, int rho)
{
    if (rho < bits && rho <= MASK_WEIGHTS) {
        uint32_t keys[FLAT_KEYS];
        int count = 0;
        keys[count++] = key;
        for (int d = 1; d <= rho; d++) {
            const uint32_t *mk = flip_masks[d - 1];
            for (int i = 0, end = (int)binom[bits][d]; i < end; i++)
                keys[count++] = key ^ mk[i];
        }
        walk_keys(p, keys, count);
        return;
    }
    KeyChunks c = {.cur = 0};
    uint64_t limit = UINT64_C(1) << bits;
    if (rho >= bits) {
        for (uint64_t k = 0; k < limit; k++)
            push_key(p, &c, (uint32_t)k);
    } else {
        push_key(p, &c, key);
        for (int d = 1; d <= rho; d++)
            for (uint64_t mask = (UINT64_C(1) << d) - 1; mask < limit; mask = next_mask(mask))
                push_key(p, &c, key ^ (uint32_t)mask);
    }
    drain(p, &c);
}

/* One query's walk through table t (rho[t] >= 0). Tables are independent of each other: a
 * candidate is kept or dropped from its own bits (found_earlier), so any thread may take any
 * (query, table) pair. */
static void search_table(const MultiIndex *ix, const uint64_t q[4], int radius, const int *rho,
                         const uint8_t *dead, int t, Hits *out)
{
    Probe p = {.ix = ix, .dead = dead, .rho = rho, .radius = radius, .out = out, .table = t};
    memcpy(p.q, q, sizeof p.q);
    p.off = ix->offsets[t];
    p.rows = ix->rows[t];
    probe_table(&p, substring(q, ix->start[t], ix->bits[t]), ix->bits[t], rho[t]);
}

/* ---- a batch of queries on several threads ---- */

/* Below this estimated work (cost model nanoseconds, about half the real time on the VMs we
 * measure on) a batch stays on the calling thread: starting a thread costs tens of microseconds. */
#define THREAD_MIN_COST 100000.0

/* The work of one search call: its (query, table) pairs, handed out one at a time to the threads
 * (the calling one included), each of which keeps its own answers (`hits`: nq per slot, a slot
 * taken with a thread's first pair). The caller waits for every pair to be done, never for a
 * helper thread to start: on a busy machine one that starts late finds nothing left and leaves.
 * The last thread to let go of the batch frees it; `hits` belongs to the caller. */
typedef struct {
    const MultiIndex *ix;
    const uint64_t (*q)[4];
    size_t nq, units, next, done;
    int m, radius, slots, refs; /* m copied: a late helper must not touch ix, q or rho */
    const int *rho;
    const uint8_t *dead;
    Hits *hits;
    pthread_mutex_t lock;
    pthread_cond_t finished;
} Batch;

static void batch_release(Batch *b)
{
    pthread_mutex_lock(&b->lock);
    int last = --b->refs == 0;
    pthread_mutex_unlock(&b->lock);
    if (last) {
        pthread_mutex_destroy(&b->lock);
        pthread_cond_destroy(&b->finished);
        free(b);
    }
}

static void batch_run(Batch *b)
{
    Hits *out = NULL;
    const int m = b->m;
    for (;;) {
        size_t u = __atomic_fetch_add(&b->next, 1, __ATOMIC_RELAXED);
        if (u >= b->units)
            return;
        if (out == NULL)
            out = b->hits + (size_t)__atomic_fetch_add(&b->slots, 1, __ATOMIC_RELAXED) * b->nq;
        size_t j = u / (size_t)m;
        int t = (int)(u % (size_t)m);
        if (b->rho[t] >= 0)
            search_table(b->ix, b->q[j], b->radius, b->rho, b->dead, t, &out[j]);
        if (__atomic_add_fetch(&b->done, 1, __ATOMIC_ACQ_REL) == b->units) {
            pthread_mutex_lock(&b->lock);
            pthread_cond_signal(&b->finished);
            pthread_mutex_unlock(&b->lock);
        }
    }
}

static void *batch_helper(void *arg)
{
    batch_run(arg);
    batch_release(arg);
    return NULL;
}

/* How many threads a batch gets: `threads` if > 0, else (0: auto) one per online CPU when the
 * estimated work is worth it; never more than its (query, table) pairs or MAX_THREADS. */
static int batch_threads(int threads, double cost, size_t units)
{
    if (threads <= 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        threads = cost < THREAD_MIN_COST || cpus < 1 ? 1 : (int)cpus;
    }
    if ((size_t)threads > units)
        threads = units ? (int)units : 1;
    return threads > MAX_THREADS ? MAX_THREADS : threads;
}

/* Multi-index search of nq queries on up to `threads` threads; hits: threads * nq, zeroed.
 * Returns -1 if memory ran out (nothing searched). */
static int multi_search(const MultiIndex *ix, const uint64_t (*q)[4], size_t nq, int radius,
                        const int *rho, const uint8_t *dead, Hits *hits, int threads)
{
    Batch *b = calloc(1, sizeof *b);
    if (b == NULL)
        return -1;
    *b = (Batch){.ix = ix, .q = q, .nq = nq, .units = nq * (size_t)ix->m, .m = ix->m,
                 .radius = radius, .rho = rho, .dead = dead, .hits = hits, .refs = threads};
    pthread_mutex_init(&b->lock, NULL);
    pthread_cond_init(&b->finished, NULL);
    pthread_attr_t attr;
    int detached = threads > 1 && pthread_attr_init(&attr) == 0;
    if (detached)
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    for (int i = 1; i < threads; i++) {
        pthread_t helper;
        if (!detached || pthread_create(&helper, &attr, batch_helper, b) != 0)
            batch_release(b); /* its share falls to the threads that did start */
    }
    if (detached)
        pthread_attr_destroy(&attr);
    batch_run(b);
    pthread_mutex_lock(&b->lock);
    while (__atomic_load_n(&b->done, __ATOMIC_ACQUIRE) < b->units)
        pthread_cond_wait(&b->finished, &b->lock);
    pthread_mutex_unlock(&b->lock);
    batch_release(b);
    return 0;
}

/* ---- argument checks shared by MultiIndex.search and scan ---- */

static int check_radius(int radius)
{
    if (radius < 0 || radius > HASH_BITS) {
        PyErr_Format(PyExc_ValueError, "radius must be in 0..256, got %d", radius);
        return -1;
    }
    return 0;
}

static int check_strategy(int strategy)
{
    if (strategy != STRATEGY_AUTO && strategy != STRATEGY_MULTI && strategy != STRATEGY_LINEAR) {
        PyErr_Format(PyExc_ValueError, "unknown strategy %d", strategy);
        return -1;
    }
    return 0;
}

/* Copies the queries out of their buffer (so a caller mutating it cannot race us). */
static uint64_t (*read_queries(const Py_buffer *buf, size_t *nq))[4]
{
    if (buf->len % HASH_BYTES != 0) {
        PyErr_Format(PyExc_ValueError, "queries must be a multiple of 32 bytes, got %zd",
                     buf->len);
        return NULL;
    }
    *nq = (size_t)buf->len / HASH_BYTES;
    uint64_t (*q)[4] = malloc((*nq ? *nq : 1) * sizeof *q);
    if (q == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    for (size_t j = 0; j < *nq; j++)
        load_hash((const uint8_t *)buf->buf + j * HASH_BYTES, q[j]);
    return q;
}

/* `dead` is None or a bitmap of at least ceil(n / 8) bytes (bit i of byte i >> 3: row i). */
static int get_dead(PyObject *obj, size_t n, Py_buffer *view)
{
    if (obj == Py_None)
        return 0;
    if (PyObject_GetBuffer(obj, view, PyBUF_SIMPLE) < 0)
        return -1;
    if ((size_t)view->len < (n + 7) / 8) {
        PyErr_Format(PyExc_ValueError, "dead bitmap has %zd bytes, %zu rows need %zu", view->len,
                     n, (n + 7) / 8);
        PyBuffer_Release(view);
        return -1;
    }
    return 1;
}

/* ---- MultiIndex type ---- */

static void MultiIndex_dealloc(MultiIndex *self)
{
    if (self->adopted.obj != NULL) {
        PyBuffer_Release(&self->adopted); /* the tables live in it */
    } else {
        for (int t = 0; t < MAX_TABLES; t++) {
            free(self->offsets[t].base);
            free(self->offsets[t].low);
            free(self->offsets[t].low8);
            free(self->offsets[t].spill);
            free(self->offsets[t].wide);
            free(self->rows[t]);
        }
    }
    if (self->view.obj != NULL)
        PyBuffer_Release(&self->view);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* Reads a sequence of substring widths; they cover bits 0.. in order. */
static int parse_bits(PyObject *seq, int *bits, int *m)
{
    PyObject *fast = PySequence_Fast(seq, "bits must be a sequence of ints");
    if (fast == NULL)
        return -1;
    Py_ssize_t count = PySequence_Fast_GET_SIZE(fast);
    int total = 0, ok = count >= 1 && count <= MAX_TABLES;
    for (Py_ssize_t t = 0; ok && t < count; t++) {
        long b = PyLong_AsLong(PySequence_Fast_GET_ITEM(fast, t));
        if (b == -1 && PyErr_Occurred()) {
            Py_DECREF(fast);
            return -1;
        }
        ok = b >= 1 && b <= MAX_TABLE_BITS && total + b <= HASH_BITS;
        bits[t] = (int)b;
        total += (int)b;
    }
    Py_DECREF(fast);
    if (!ok) {
        PyErr_Format(PyExc_ValueError,
                     "bits must list 1..%d substring widths of 1..%d bits, 256 bits at most",
                     MAX_TABLES, MAX_TABLE_BITS);
        return -1;
    }
    *m = (int)count;
    return 0;
}

/* A MultiIndex over `hashes` cut into `bits`, its tables not yet built or adopted. */
static MultiIndex *new_index(PyTypeObject *type, PyObject *hashes, PyObject *bits_seq)
{
    MultiIndex *self = (MultiIndex *)type->tp_alloc(type, 0); /* zero-filled */
    if (self == NULL)
        return NULL;
    if (parse_bits(bits_seq, self->bits, &self->m) < 0 ||
        PyObject_GetBuffer(hashes, &self->view, PyBUF_SIMPLE) < 0) {
        Py_DECREF(self);
        return NULL;
    }
    if (self->view.len % HASH_BYTES != 0 || self->view.len / HASH_BYTES >= UINT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "hashes must be n * 32 bytes with n < 2**32 - 1");
        Py_DECREF(self);
        return NULL;
    }
    self->n = (uint32_t)(self->view.len / HASH_BYTES);
    for (int t = 0, start = 0; t < self->m; start += self->bits[t], t++) {
        self->start[t] = start;
        for (int b = start; b < start + self->bits[t]; b++)
            self->mask[t][b >> 6] |= UINT64_C(1) << (b & 63);
    }
    return self;
}

static PyObject *MultiIndex_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"hashes", "bits", "threads", NULL};
    PyObject *hashes, *bits_seq;
    int threads = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|i:MultiIndex", kwlist, &hashes, &bits_seq,
                                     &threads))
        return NULL;
    MultiIndex *self = new_index(type, hashes, bits_seq);
    if (self == NULL)
        return NULL;
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = build_tables(self, threads);
    Py_END_ALLOW_THREADS
    if (rc < 0) {
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    return (PyObject *)self;
}

/* MultiIndex.adopt(hashes, bits, forms, tables, threads=0): tables read from a snapshot; forms
 * gives each table's (offsets form, spilled blocks), as the `forms` attribute does. */
static PyObject *MultiIndex_adopt(PyObject *cls, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"hashes", "bits", "forms", "tables", "threads", NULL};
    PyObject *hashes, *bits_seq, *forms_seq, *tables;
    int threads = 0, form[MAX_TABLES];
    uint32_t spilled[MAX_TABLES];
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOOO|i:adopt", kwlist, &hashes, &bits_seq,
                                     &forms_seq, &tables, &threads))
        return NULL;
    MultiIndex *self = new_index((PyTypeObject *)cls, hashes, bits_seq);
    if (self == NULL)
        return NULL;
    PyObject *fast = PySequence_Fast(forms_seq, "forms must be a sequence of (form, spilled)");
    int ok = fast != NULL && PySequence_Fast_GET_SIZE(fast) == self->m;
    for (int t = 0; ok && t < self->m; t++)
        ok = PyArg_ParseTuple(PySequence_Fast_GET_ITEM(fast, t), "iI", &form[t], &spilled[t]);
    Py_XDECREF(fast);
    if (!ok) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "forms must give one (form, spilled) per table");
        Py_DECREF(self);
        return NULL;
    }
    if (PyObject_GetBuffer(tables, &self->adopted, PyBUF_SIMPLE) < 0) {
        Py_DECREF(self);
        return NULL;
    }
    char error[256] = "";
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = adopt_tables(self, self->adopted.buf, (size_t)self->adopted.len, form, spilled, threads,
                      error, sizeof error);
    Py_END_ALLOW_THREADS
    if (rc < 0) {
        Py_DECREF(self);
        if (rc == -2)
            return PyErr_NoMemory();
        return PyErr_Format(PyExc_ValueError, "bad stored tables: %s", error);
    }
    return (PyObject *)self;
}

/* ---- TablePart: a read-only buffer over one array of a table, keeping its index alive ---- */

typedef struct {
    PyObject_HEAD
    PyObject *owner;
    void *ptr;
    Py_ssize_t len;
} TablePart;

static int TablePart_getbuffer(TablePart *self, Py_buffer *view, int flags)
{
    return PyBuffer_FillInfo(view, (PyObject *)self, self->ptr, self->len, 1, flags);
}

static void TablePart_dealloc(TablePart *self)
{
    Py_XDECREF(self->owner);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyBufferProcs TablePart_as_buffer = {.bf_getbuffer = (getbufferproc)TablePart_getbuffer};

static PyTypeObject TablePartType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "bouclier.index._hamming.TablePart",
    .tp_basicsize = sizeof(TablePart),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A read-only buffer over one array of a MultiIndex table.",
    .tp_dealloc = (destructor)TablePart_dealloc,
    .tp_as_buffer = &TablePart_as_buffer,
};

/* parts() -> per table, its arrays as stored in a snapshot (each padded to 8 bytes there). */
static PyObject *MultiIndex_parts(MultiIndex *self, PyObject *unused)
{
    (void)unused;
    PyObject *out = PyList_New(0);
    for (int t = 0; out != NULL && t < self->m; t++) {
        TableParts parts;
        table_parts(self, t, &parts);
        PyObject *arrays = PyTuple_New(parts.count);
        for (int k = 0; arrays != NULL && k < parts.count; k++) {
            TablePart *part = PyObject_New(TablePart, &TablePartType);
            if (part == NULL) {
                Py_CLEAR(arrays);
                break;
            }
            part->owner = Py_NewRef((PyObject *)self);
            part->ptr = (void *)parts.ptr[k];
            part->len = (Py_ssize_t)parts.len[k];
            PyTuple_SET_ITEM(arrays, k, (PyObject *)part);
        }
        if (arrays == NULL || PyList_Append(out, arrays) < 0)
            Py_CLEAR(out);
        Py_XDECREF(arrays);
    }
    return out;
}

static PyObject *MultiIndex_search(MultiIndex *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"queries", "radius", "dead", "strategy", "threads", NULL};
    Py_buffer qbuf, dbuf = {0};
    PyObject *dead_obj = Py_None;
    int radius, strategy = STRATEGY_AUTO, threads = 1, rho[MAX_TABLES];
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "y*i|Oii:search", kwlist, &qbuf, &radius,
                                     &dead_obj, &strategy, &threads))
        return NULL;
    size_t nq = 0;
    int ok = check_radius(radius) == 0 && check_strategy(strategy) == 0;
    if (ok && (threads < 0 || threads > MAX_THREADS)) {
        PyErr_Format(PyExc_ValueError, "threads must be in 0..%d, got %d", MAX_THREADS, threads);
        ok = 0;
    }
    uint64_t (*q)[4] = ok ? read_queries(&qbuf, &nq) : NULL;
    PyBuffer_Release(&qbuf);
    if (q == NULL)
        return NULL;
    double cost = 0.0;
    int multi = choose_plan(self, radius, strategy, rho, &cost);
    if (multi)
        threads = batch_threads(threads, cost * (double)nq, nq * (size_t)self->m);
    else
        threads = 1;
    int has_dead = get_dead(dead_obj, self->n, &dbuf);
    Hits *hits = calloc(nq ? nq * (size_t)threads : 1, sizeof *hits);
    if (has_dead < 0 || hits == NULL) {
        free(q);
        free(hits);
        if (has_dead > 0)
            PyBuffer_Release(&dbuf);
        return has_dead < 0 ? NULL : PyErr_NoMemory();
    }
    const uint8_t *dead = has_dead ? dbuf.buf : NULL;
    int rc = 0;
    Py_BEGIN_ALLOW_THREADS
    if (multi)
        rc = multi_search(self, (const uint64_t (*)[4])q, nq, radius, rho, dead, hits, threads);
    else
        scan_rows(self->view.buf, self->n, (const uint64_t (*)[4])q, nq, radius, dead, hits);
    Py_END_ALLOW_THREADS
    if (has_dead)
        PyBuffer_Release(&dbuf);
    PyObject *result = rc < 0 ? PyErr_NoMemory() : hits_to_python(hits, nq, threads);
    hits_free(hits, nq * (size_t)threads);
    free(q);
    return result;
}

static PyObject *MultiIndex_plan(MultiIndex *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"radius", "strategy", NULL};
    int radius, strategy = STRATEGY_AUTO, rho[MAX_TABLES];
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "i|i:plan", kwlist, &radius, &strategy) ||
        check_radius(radius) < 0 || check_strategy(strategy) < 0)
        return NULL;
    if (!choose_plan(self, radius, strategy, rho, NULL))
        Py_RETURN_NONE;
    PyObject *out = PyTuple_New(self->m);
    for (int t = 0; out != NULL && t < self->m; t++)
        PyTuple_SET_ITEM(out, t, PyLong_FromLong(rho[t]));
    return out;
}

static Py_ssize_t MultiIndex_len(MultiIndex *self)
{
    return (Py_ssize_t)self->n;
}

static PyObject *MultiIndex_get_nbytes(MultiIndex *self, void *closure)
{
    (void)closure;
    return PyLong_FromSize_t(self->table_bytes);
}

static PyObject *MultiIndex_get_forms(MultiIndex *self, void *closure)
{
    (void)closure;
    PyObject *out = PyTuple_New(self->m);
    for (int t = 0; out != NULL && t < self->m; t++) {
        PyObject *pair = Py_BuildValue("(iI)", self->offsets[t].form, self->offsets[t].spilled);
        if (pair == NULL) {
            Py_CLEAR(out);
            break;
        }
        PyTuple_SET_ITEM(out, t, pair);
    }
    return out;
}

static PyObject *MultiIndex_get_bits(MultiIndex *self, void *closure)
{
    (void)closure;
    PyObject *out = PyTuple_New(self->m);
    for (int t = 0; out != NULL && t < self->m; t++)
        PyTuple_SET_ITEM(out, t, PyLong_FromLong(self->bits[t]));
    return out;
}

static PyMethodDef MultiIndex_methods[] = {
    {"search", (PyCFunction)(void (*)(void))MultiIndex_search, METH_VARARGS | METH_KEYWORDS,
     "search(queries, radius, dead=None, strategy=0, threads=1) -> (rows, distances, counts); "
     "threads=0: one per CPU when the work is worth it"},
    {"plan", (PyCFunction)(void (*)(void))MultiIndex_plan, METH_VARARGS | METH_KEYWORDS,
     "plan(radius, strategy=0) -> per-table radii, or None for a linear scan"},
    {"parts", (PyCFunction)MultiIndex_parts, METH_NOARGS,
     "parts() -> per table, a tuple of read-only buffers: its offsets, then its row ids"},
    {"adopt", (PyCFunction)(void (*)(void))MultiIndex_adopt,
     METH_VARARGS | METH_KEYWORDS | METH_CLASS,
     "adopt(hashes, bits, forms, tables, threads=0): tables stored by parts(), checked in full"},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef MultiIndex_getset[] = {
    {"nbytes", (getter)MultiIndex_get_nbytes, NULL, "bytes held by the tables", NULL},
    {"bits", (getter)MultiIndex_get_bits, NULL, "width of each substring", NULL},
    {"forms", (getter)MultiIndex_get_forms, NULL,
     "per table, (its offsets' form: 0 compact, 1 wide, 2 narrow; its spilled blocks)", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PySequenceMethods MultiIndex_as_sequence = {.sq_length = (lenfunc)MultiIndex_len};

static PyTypeObject MultiIndexType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "bouclier.index._hamming.MultiIndex",
    .tp_basicsize = sizeof(MultiIndex),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "MultiIndex(hashes, bits, threads=0): immutable multi-index over n * 32 bytes of "
              "hashes, its tables built on `threads` threads (0: one per CPU).",
    .tp_new = MultiIndex_new,
    .tp_dealloc = (destructor)MultiIndex_dealloc,
    .tp_methods = MultiIndex_methods,
    .tp_getset = MultiIndex_getset,
    .tp_as_sequence = &MultiIndex_as_sequence,
};

/* ---- module functions ---- */

static PyObject *scan(PyObject *module, PyObject *args, PyObject *kwds)
{
    (void)module;
    static char *kwlist[] = {"hashes", "queries", "radius", "dead", NULL};
    Py_buffer hbuf, qbuf, dbuf = {0};
    PyObject *dead_obj = Py_None;
    int radius;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "y*y*i|O:scan", kwlist, &hbuf, &qbuf, &radius,
                                     &dead_obj))
        return NULL;
    size_t nq = 0, n = (size_t)hbuf.len / HASH_BYTES;
    uint64_t (*q)[4] = check_radius(radius) < 0 ? NULL : read_queries(&qbuf, &nq);
    PyBuffer_Release(&qbuf);
    if (q != NULL && (hbuf.len % HASH_BYTES != 0 || n >= UINT32_MAX)) {
        PyErr_SetString(PyExc_ValueError, "hashes must be n * 32 bytes with n < 2**32 - 1");
        free(q);
        q = NULL;
    }
    int has_dead = q == NULL ? -1 : get_dead(dead_obj, n, &dbuf);
    Hits *hits = has_dead < 0 ? NULL : calloc(nq ? nq : 1, sizeof *hits);
    if (hits == NULL) {
        if (has_dead > 0)
            PyBuffer_Release(&dbuf);
        PyBuffer_Release(&hbuf);
        free(q);
        return has_dead < 0 ? NULL : PyErr_NoMemory();
    }
    const uint8_t *dead = has_dead ? dbuf.buf : NULL;
    Py_BEGIN_ALLOW_THREADS
    scan_rows(hbuf.buf, n, (const uint64_t (*)[4])q, nq, radius, dead, hits);
    Py_END_ALLOW_THREADS
    if (has_dead)
        PyBuffer_Release(&dbuf);
    PyBuffer_Release(&hbuf);
    PyObject *result = hits_to_python(hits, nq, 1);
    hits_free(hits, nq);
    free(q);
    return result;
}

static PyObject *estimate(PyObject *module, PyObject *args)
{
    (void)module;
    Py_ssize_t n;
    PyObject *bits_seq;
    int radius, bits[MAX_TABLES], rho[MAX_TABLES], m;
    if (!PyArg_ParseTuple(args, "nOi:estimate", &n, &bits_seq, &radius) ||
        check_radius(radius) < 0 || parse_bits(bits_seq, bits, &m) < 0)
        return NULL;
    if (n < 0)
        return PyErr_Format(PyExc_ValueError, "n must be >= 0, got %zd", n);
    double multi = plan_radii(m, bits, (double)n, radius, rho);
    PyObject *radii = Py_None;
    Py_INCREF(radii);
    if (!isinf(multi)) {
        Py_DECREF(radii);
        if ((radii = PyTuple_New(m)) == NULL)
            return NULL;
        for (int t = 0; t < m; t++)
            PyTuple_SET_ITEM(radii, t, PyLong_FromLong(rho[t]));
    }
    size_t bytes = 0; /* with the offsets uniform data gets */
    for (int t = 0; t < m; t++)
        bytes += planned_offsets_bytes(bits[t], (size_t)n) + (size_t)n * sizeof(uint32_t);
    return Py_BuildValue("(ddNn)", multi, cost_row() * (double)n, radii, (Py_ssize_t)bytes);
}

static PyObject *crc32c_py(PyObject *module, PyObject *args)
{
    (void)module;
    Py_buffer data;
    unsigned int crc = 0;
    if (!PyArg_ParseTuple(args, "y*|I:crc32c", &data, &crc))
        return NULL;
    uint32_t out;
    Py_BEGIN_ALLOW_THREADS
    out = crc32c((uint32_t)crc, data.buf, (size_t)data.len);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&data);
    return PyLong_FromUnsignedLong(out);
}

static PyObject *simd(PyObject *module, PyObject *args)
{
    (void)module;
    int enable = -1;
    if (!PyArg_ParseTuple(args, "|p:simd", &enable))
        return NULL;
#ifdef HAVE_AVX512_SCAN
    if (enable >= 0)
        use_avx512 = enable && __builtin_cpu_supports("avx512f") &&
                     __builtin_cpu_supports("avx512vpopcntdq");
    return PyBool_FromLong(use_avx512);
#else
    Py_RETURN_FALSE;
#endif
}

static PyMethodDef module_methods[] = {
    {"scan", (PyCFunction)(void (*)(void))scan, METH_VARARGS | METH_KEYWORDS,
     "scan(hashes, queries, radius, dead=None) -> (rows, distances, counts): linear search"},
    {"crc32c", crc32c_py, METH_VARARGS,
     "crc32c(data, crc=0) -> CRC-32C (Castagnoli) of data, continuing from crc"},
    {"simd", simd, METH_VARARGS,
     "simd([enable]) -> whether linear scans use AVX-512 (enable=False: the portable loop)"},
    {"estimate", estimate, METH_VARARGS,
     "estimate(n, bits, radius) -> (multi-index cost, linear cost, per-table radii or None, "
     "table bytes)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "bouclier.index._hamming",
    .m_doc = "Exact Hamming-radius search over 256-bit hashes (multi-index hashing).",
    .m_size = -1,
    .m_methods = module_methods,
};

PyMODINIT_FUNC PyInit__hamming(void)
{
#ifdef HAVE_AVX512_SCAN
    __builtin_cpu_init();
    use_avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vpopcntdq");
#endif
    for (int b = 0; b <= MAX_TABLE_BITS; b++) {
        binom[b][0] = 1.0;
        for (int k = 1; k <= b; k++)
            binom[b][k] = binom[b][k - 1] * (double)(b - k + 1) / (double)k;
    }
    fill_flip_masks();
    if (PyType_Ready(&MultiIndexType) < 0 || PyType_Ready(&TablePartType) < 0)
        return NULL;
    PyObject *module = PyModule_Create(&module_def);
    if (module == NULL)
        return NULL;
    if (PyModule_AddObjectRef(module, "MultiIndex", (PyObject *)&MultiIndexType) < 0 ||
        PyModule_AddIntConstant(module, "STRATEGY_AUTO", STRATEGY_AUTO) < 0 ||
        PyModule_AddIntConstant(module, "STRATEGY_MULTI", STRATEGY_MULTI) < 0 ||
        PyModule_AddIntConstant(module, "STRATEGY_LINEAR", STRATEGY_LINEAR) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
