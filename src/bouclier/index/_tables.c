/*
 * Building, exporting and adopting the tables of bouclier.index._hamming's multi-index.
 *
 * Builds run one table per worker thread (POSIX threads, the GIL released by the caller), each
 * worker with its own scratch memory, so an index of m tables builds in about m / cores table
 * times. A snapshot holds the built tables; before tables read from a file are searched they are
 * checked here, in full: the layout (widths, sizes) must be the one the header states, every
 * table's bucket offsets must start at 0, never decrease and end at n, and its row ids must be a
 * permutation of 0..n-1 (each below n, each exactly once). A table that passes can be searched
 * without reading out of bounds, whatever else the file says; its checksum (CRC-32C, computed
 * here at memory speed) is what catches damage.
 */
#include "_hamming.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* Bytes of a table's offsets in `form` (in memory; a snapshot pads each array to 8 bytes). */
size_t offsets_bytes(int form, int bits, size_t spilled)
{
    size_t buckets = (size_t)1 << bits, base = ((buckets >> BLOCK_SHIFT) + 1) * sizeof(uint32_t);
    switch (form) {
    case FORM_WIDE:
        return (buckets + 1) * sizeof(uint32_t);
    case FORM_NARROW:
        return base + (buckets + 1) + (spilled << BLOCK_SHIFT) * sizeof(uint32_t);
    default:
        return base + (buckets + 1) * sizeof(uint16_t);
    }
}

/* What a layout planner counts for a table of n random hashes: narrow offsets where a block
 * holds 128 rows or fewer on average (255 is then over 11 standard deviations away, so nothing
 * spills), compact ones otherwise. */
size_t planned_offsets_bytes(int bits, size_t n)
{
    int narrow = (n << BLOCK_SHIFT >> bits) <= 128 && n < SPILLED;
    return offsets_bytes(narrow ? FORM_NARROW : FORM_COMPACT, bits, 0);
}


/* Large arrays go on 2 MiB pages where the kernel allows it: random probes then miss the TLB
 * far less often. Memory from posix_memalign is released with free(). */
void *big_alloc(size_t size)
{
    const size_t huge = (size_t)2 << 20;
    void *p = NULL;
    if (size < 2 * huge)
        return malloc(size ? size : 1);
    size = (size + huge - 1) / huge * huge;
    if (posix_memalign(&p, huge, size) != 0)
        return NULL;
#ifdef MADV_HUGEPAGE
    madvise(p, size, MADV_HUGEPAGE);
#endif
    return p;
}

/* Rows sorted (stably) by one substring, as a two-pass radix sort: first by the high half of the
 * key, straight into `rows`, then each partition by the low half (through a copy of the
 * partition, a small fraction of n). Each pass writes to at most 2^14 places, which stay in cache;
 * a one-pass counting sort over 2^22 buckets would miss the cache on every row. Keys are read
 * from the hashes twice instead of being kept: the scratch is 2 bytes a row (the low halves),
 * not 12, which at 100M rows is 1 GB less per build thread. */
_Static_assert(MAX_TABLE_BITS / 2 <= 16, "low halves of keys must fit 16 bits");

static int build_table(const uint8_t *base, uint32_t n, int start, int bits, uint32_t *off,
                       uint32_t *rows, uint16_t *low_keys)
{
    int low_bits = bits / 2, high_bits = bits - low_bits;
    size_t n_high = (size_t)1 << high_bits, n_low = (size_t)1 << low_bits;
    uint32_t low_mask = (uint32_t)n_low - 1;
    uint32_t *part = calloc(n_high + 1, sizeof *part), *cursor = malloc(n_high * sizeof *cursor);
    uint32_t *low = malloc((n_low + 1) * sizeof *low), *copy = NULL;
    int rc = -1;
    if (part == NULL || cursor == NULL || low == NULL)
        goto done;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t w[4];
        load_hash(base + (size_t)i * HASH_BYTES, w);
        part[(substring(w, start, bits) >> low_bits) + 1]++;
    }
    uint32_t widest = 0;
    for (size_t h = 1; h <= n_high; h++) { /* part[h] = first position of high partition h */
        widest = part[h] > widest ? part[h] : widest;
        part[h] += part[h - 1];
    }
    if ((copy = malloc((widest ? widest : 1) * sizeof *copy)) == NULL)
        goto done;
    memcpy(cursor, part, n_high * sizeof *cursor);
    for (uint32_t i = 0; i < n; i++) {
        uint64_t w[4];
        load_hash(base + (size_t)i * HASH_BYTES, w);
        uint32_t key = substring(w, start, bits), pos = cursor[key >> low_bits]++;
        rows[pos] = i;
        low_keys[pos] = (uint16_t)(key & low_mask);
    }
    for (size_t h = 0; h < n_high; h++) {
        uint32_t first = part[h], last = part[h + 1];
        memset(low, 0, (n_low + 1) * sizeof *low);
        for (uint32_t j = first; j < last; j++)
            low[low_keys[j] + 1]++;
        for (size_t k = 0; k < n_low; k++) {
            low[k + 1] += low[k];
            off[(h << low_bits) | k] = first + low[k];
        }
        memcpy(copy, rows + first, (size_t)(last - first) * sizeof *copy);
        for (uint32_t j = first; j < last; j++)
            rows[first + low[low_keys[j]]++] = copy[j - first];
    }
    off[(size_t)1 << bits] = n;
    rc = 0;
done:
    free(part);
    free(cursor);
    free(low);
    free(copy);
    return rc;
}

/* The offsets of one table, from the plain uint32 offsets just built in `wide` (a buffer shared
 * by all tables), in the smallest form that holds them (see Offsets). Offsets never decrease, so
 * a block's largest start relative to its base is its last one's. Returns the bytes kept, or 0
 * if memory ran out. */
static size_t keep_offsets(Offsets *o, const uint32_t *wide, int bits, uint32_t n)
{
    size_t buckets = (size_t)1 << bits, blocks = (buckets >> BLOCK_SHIFT) + 1, spilled = 0;
    int compact = 1;
    for (size_t j = 0; j < blocks; j++) {
        size_t first = j << BLOCK_SHIFT, last = first + BLOCK_MASK < buckets ? first + BLOCK_MASK
                                                                             : buckets;
        uint32_t span = wide[last] - wide[first];
        spilled += span > UINT8_MAX;
        compact &= span <= UINT16_MAX;
    }
    size_t narrow_bytes = offsets_bytes(FORM_NARROW, bits, spilled);
    o->form = FORM_WIDE;
    if (compact && offsets_bytes(FORM_COMPACT, bits, 0) < offsets_bytes(FORM_WIDE, bits, 0))
        o->form = FORM_COMPACT;
    if (n < SPILLED && narrow_bytes < offsets_bytes(o->form, bits, 0))
        o->form = FORM_NARROW;
    if (o->form == FORM_WIDE) {
        if ((o->wide = big_alloc((buckets + 1) * sizeof *wide)) == NULL)
            return 0;
        memcpy(o->wide, wide, (buckets + 1) * sizeof *wide);
        return offsets_bytes(FORM_WIDE, bits, 0);
    }
    if ((o->base = big_alloc(blocks * sizeof *o->base)) == NULL)
        return 0;
    for (size_t j = 0; j < blocks; j++)
        o->base[j] = wide[j << BLOCK_SHIFT];
    if (o->form == FORM_COMPACT) {
        if ((o->low = big_alloc((buckets + 1) * sizeof *o->low)) == NULL)
            return 0;
        for (size_t k = 0; k <= buckets; k++)
            o->low[k] = (uint16_t)(wide[k] - o->base[k >> BLOCK_SHIFT]);
        return offsets_bytes(FORM_COMPACT, bits, 0);
    }
    o->low8 = big_alloc(buckets + 1);
    o->spill = calloc(spilled ? spilled << BLOCK_SHIFT : 1, sizeof *o->spill);
    if (o->low8 == NULL || o->spill == NULL)
        return 0;
    o->spilled = (uint32_t)spilled;
    for (size_t j = 0, s = 0; j < blocks; j++) {
        size_t first = j << BLOCK_SHIFT, end = first + BLOCK_MASK < buckets ? first + BLOCK_MASK
                                                                            : buckets;
        if (wide[end] - wide[first] > UINT8_MAX) {
            o->base[j] = SPILLED | (uint32_t)s; /* (end - first < 255 only in a table of < 8 bits) */
            memcpy(&o->spill[s << BLOCK_SHIFT], &wide[first], (end - first + 1) * sizeof *wide);
            memset(&o->low8[first], 0, end - first + 1);
            s++;
        } else {
            for (size_t k = first; k <= end; k++)
                o->low8[k] = (uint8_t)(wide[k] - wide[first]);
        }
    }
    return narrow_bytes;
}

/* ---- worker threads, one table at a time ---- */

enum { JOB_OK = 0, JOB_NO_MEMORY = 1, JOB_BAD = 2 };

typedef struct Job Job;
struct Job {
    MultiIndex *ix;
    /* returns a JOB_* code; on JOB_BAD, says why in `why` (200 bytes) */
    int (*work)(Job *job, int t, void *scratch, char *why);
    size_t scratch_bytes;
    const uint8_t *buf; /* adopt: the stored tables, and where each begins */
    size_t at[MAX_TABLES];
    const int *form;
    const uint32_t *spilled;
    int next, failed;
    char error[256];
};

static void job_fail(Job *job, int code, int t, const char *what)
{
    int none = JOB_OK;
    if (__atomic_compare_exchange_n(&job->failed, &none, code, 0, __ATOMIC_SEQ_CST,
                                    __ATOMIC_SEQ_CST) &&
        what != NULL)
        snprintf(job->error, sizeof job->error, "table %d: %s", t, what);
}

static void *job_worker(void *arg)
{
    Job *job = arg;
    char why[200] = "";
    void *scratch = job->scratch_bytes ? big_alloc(job->scratch_bytes) : NULL;
    if (job->scratch_bytes && scratch == NULL) {
        job_fail(job, JOB_NO_MEMORY, 0, NULL);
        return NULL;
    }
    for (;;) {
        int t = __atomic_fetch_add(&job->next, 1, __ATOMIC_RELAXED);
        if (t >= job->ix->m || __atomic_load_n(&job->failed, __ATOMIC_RELAXED))
            break;
        int code = job->work(job, t, scratch, why);
        if (code != JOB_OK)
            job_fail(job, code, t, code == JOB_NO_MEMORY ? NULL : why);
    }
    free(scratch);
    return NULL;
}

/* Runs job->work on every table, on `threads` threads (0: one per online CPU) counting this
 * one; a thread that cannot be started leaves its share to the others. */
static int run_job(Job *job, int threads)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (threads <= 0)
        threads = cpus > 0 ? (int)cpus : 1;
    if (threads > job->ix->m)
        threads = job->ix->m;
    if (threads > MAX_THREADS)
        threads = MAX_THREADS;
    pthread_t workers[MAX_THREADS];
    int started = 0;
    for (int i = 1; i < threads; i++)
        if (pthread_create(&workers[started], NULL, job_worker, job) == 0)
            started++;
    job_worker(job);
    for (int i = 0; i < started; i++)
        pthread_join(workers[i], NULL);
    return job->failed;
}

/* ---- building ---- */

static int build_one(Job *job, int t, void *scratch, char *why)
{
    (void)why;
    MultiIndex *ix = job->ix;
    uint32_t n = ix->n, *wide = scratch;
    uint16_t *low_keys = (uint16_t *)(wide + ((size_t)1 << ix->bits[t]) + 1);
    ix->rows[t] = big_alloc((size_t)n * sizeof(uint32_t));
    if (ix->rows[t] == NULL ||
        build_table(ix->view.buf, n, ix->start[t], ix->bits[t], wide, ix->rows[t], low_keys) < 0)
        return JOB_NO_MEMORY;
    return keep_offsets(&ix->offsets[t], wide, ix->bits[t], n) > 0 ? JOB_OK : JOB_NO_MEMORY;
}

static size_t table_memory(const MultiIndex *ix, int t)
{
    const Offsets *o = &ix->offsets[t];
    return offsets_bytes(o->form, ix->bits[t], o->spilled) + (size_t)ix->n * sizeof(uint32_t);
}

/* Builds every table; -1 if memory ran out (what was allocated is freed with the object). */
int build_tables(MultiIndex *ix, int threads)
{
    int max_bits = 0;
    for (int t = 0; t < ix->m; t++)
        max_bits = ix->bits[t] > max_bits ? ix->bits[t] : max_bits;
    /* per worker, allocated once: fresh pages cost more to fault in than the sort costs to run */
    Job job = {.ix = ix, .work = build_one};
    job.scratch_bytes = (((size_t)1 << max_bits) + 1) * sizeof(uint32_t) + (size_t)ix->n * 2;
    if (run_job(&job, threads) != JOB_OK)
        return -1;
    ix->table_bytes = 0;
    for (int t = 0; t < ix->m; t++)
        ix->table_bytes += table_memory(ix, t);
    return 0;
}

/* ---- the stored form ---- */

static size_t pad8(size_t bytes)
{
    return (bytes + 7) & ~(size_t)7;
}

size_t stored_table_bytes(int bits, int form, size_t spilled, uint32_t n)
{
    size_t buckets = (size_t)1 << bits, base = pad8(((buckets >> BLOCK_SHIFT) + 1) * sizeof(uint32_t));
    size_t offsets = form == FORM_WIDE     ? pad8((buckets + 1) * sizeof(uint32_t))
                     : form == FORM_NARROW ? base + pad8(buckets + 1) +
                                                 pad8((spilled << BLOCK_SHIFT) * sizeof(uint32_t))
                                           : base + pad8((buckets + 1) * sizeof(uint16_t));
    return offsets + pad8((size_t)n * sizeof(uint32_t));
}

void table_parts(const MultiIndex *ix, int t, TableParts *out)
{
    const Offsets *o = &ix->offsets[t];
    size_t buckets = (size_t)1 << ix->bits[t];
    out->count = 0;
#define PART(p, bytes) (out->ptr[out->count] = (p), out->len[out->count++] = (bytes))
    if (o->form == FORM_WIDE) {
        PART(o->wide, (buckets + 1) * sizeof(uint32_t));
    } else {
        PART(o->base, ((buckets >> BLOCK_SHIFT) + 1) * sizeof(uint32_t));
        if (o->form == FORM_COMPACT) {
            PART(o->low, (buckets + 1) * sizeof(uint16_t));
        } else {
            PART(o->low8, buckets + 1);
            PART(o->spill, ((size_t)o->spilled << BLOCK_SHIFT) * sizeof(uint32_t));
        }
    }
    PART(ix->rows[t], (size_t)ix->n * sizeof(uint32_t));
#undef PART
}

/* ---- adopting stored tables, after checking them ---- */

static int check_one(Job *job, int t, void *scratch, char *why)
{
    MultiIndex *ix = job->ix;
    const uint8_t *p = job->buf + job->at[t];
    size_t buckets = (size_t)1 << ix->bits[t], blocks = (buckets >> BLOCK_SHIFT) + 1;
    uint32_t n = ix->n;
    Offsets *o = &ix->offsets[t];
    o->form = job->form[t];
    if (o->form == FORM_WIDE) {
        o->wide = (uint32_t *)p;
        p += pad8((buckets + 1) * sizeof(uint32_t));
    } else {
        o->base = (uint32_t *)p;
        p += pad8(blocks * sizeof(uint32_t));
        if (o->form == FORM_COMPACT) {
            o->low = (uint16_t *)p;
            p += pad8((buckets + 1) * sizeof(uint16_t));
        } else {
            o->low8 = (uint8_t *)p;
            p += pad8(buckets + 1);
            o->spill = (uint32_t *)p;
            o->spilled = job->spilled[t];
            p += pad8(((size_t)o->spilled << BLOCK_SHIFT) * sizeof(uint32_t));
        }
    }
    const uint32_t *rows = (const uint32_t *)p;
    if (o->form == FORM_NARROW)
        for (size_t j = 0; j < blocks; j++)
            if ((o->base[j] & SPILLED) && (o->base[j] & ~SPILLED) >= o->spilled) {
                snprintf(why, 200, "block %zu points past the %u spilled blocks", j, o->spilled);
                return JOB_BAD;
            }
    /* in 64 bits: a compact start that would wrap around in 32 is out of range, not small */
    uint64_t previous = 0;
    for (size_t k = 0; k <= buckets; k++) {
        uint64_t first = o->form == FORM_COMPACT ? (uint64_t)o->base[k >> BLOCK_SHIFT] + o->low[k]
                                                 : bucket_start(o, (uint32_t)k); /* no wrap */
        if (first < previous || first > n || (k == 0 && first != 0) || (k == buckets && first != n)) {
            snprintf(why, 200, "bucket offsets do not run from 0 to %u without decreasing (bucket %zu)",
                     n, k);
            return JOB_BAD;
        }
        previous = first;
    }
    uint8_t *seen = scratch;
    memset(seen, 0, ((size_t)n + 7) / 8);
    for (uint32_t j = 0; j < n; j++) {
        uint32_t row = rows[j];
        if (row >= n || ((seen[row >> 3] >> (row & 7)) & 1)) {
            snprintf(why, 200, "row id %u %s", row, row >= n ? "out of range" : "listed twice");
            return JOB_BAD;
        }
        seen[row >> 3] |= (uint8_t)(1u << (row & 7));
    }
    ix->rows[t] = (uint32_t *)rows;
    return JOB_OK;
}

/* Points the tables at `buf` (the stored tables, in order) after checking them all. Returns 0,
 * or -1 with a message in `error` (the tables are then left unset), or -2 if memory ran out. */
int adopt_tables(MultiIndex *ix, const uint8_t *buf, size_t len, const int *form,
                 const uint32_t *spilled, int threads, char *error, size_t error_len)
{
    Job job = {.ix = ix, .work = check_one, .buf = buf, .form = form, .spilled = spilled};
    job.scratch_bytes = ((size_t)ix->n + 7) / 8 + 1;
    size_t at = 0;
    for (int t = 0; t < ix->m; t++) {
        if (form[t] < FORM_COMPACT || form[t] > FORM_NARROW ||
            (form[t] == FORM_NARROW && (ix->n >= SPILLED || spilled[t] > ix->n)) ||
            (form[t] != FORM_NARROW && spilled[t] != 0)) {
            snprintf(error, error_len, "table %d: offsets of form %d with %u spilled blocks", t,
                     form[t], spilled[t]);
            return -1;
        }
        job.at[t] = at;
        at += stored_table_bytes(ix->bits[t], form[t], spilled[t], ix->n);
    }
    if (((uintptr_t)buf & 7) != 0 || at != len) {
        snprintf(error, error_len, "tables take %zu bytes for this layout, the file holds %zu%s",
                 at, len, ((uintptr_t)buf & 7) != 0 ? " (misaligned)" : "");
        return -1;
    }
    int failed = run_job(&job, threads);
    if (failed != JOB_OK) {
        memset(ix->offsets, 0, sizeof ix->offsets);
        memset(ix->rows, 0, sizeof ix->rows);
        snprintf(error, error_len, "%s", job.error);
        return failed == JOB_NO_MEMORY ? -2 : -1;
    }
    ix->table_bytes = 0; /* the file's pages, shared with the page cache, not memory of ours */
    return 0;
}

/* ---- CRC-32C (Castagnoli), with the SSE 4.2 instruction where the CPU has it ---- */

static uint32_t crc32c_table[256];

static uint32_t crc32c_portable(uint32_t crc, const uint8_t *p, size_t len)
{
    if (crc32c_table[1] == 0)
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++)
                c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
            crc32c_table[i] = c;
        }
    crc = ~crc;
    for (size_t i = 0; i < len; i++)
        crc = crc32c_table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <nmmintrin.h>

__attribute__((target("sse4.2"))) static uint32_t crc32c_sse42(uint32_t crc, const uint8_t *p,
                                                               size_t len)
{
    uint64_t c = ~crc;
    for (; len >= 8; p += 8, len -= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        c = _mm_crc32_u64(c, word);
    }
    uint32_t c32 = (uint32_t)c;
    for (; len > 0; p++, len--)
        c32 = _mm_crc32_u8(c32, *p);
    return ~c32;
}
#endif

uint32_t crc32c(uint32_t crc, const uint8_t *p, size_t len)
{
#if defined(__x86_64__) && defined(__GNUC__)
    if (__builtin_cpu_supports("sse4.2"))
        return crc32c_sse42(crc, p, len);
#endif
    return crc32c_portable(crc, p, len);
}
