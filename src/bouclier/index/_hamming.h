/*
 * What the two C files of bouclier.index._hamming share: the multi-index's layout in memory.
 * _hamming.c searches it and is the Python type; _tables.c builds the tables (on worker threads),
 * checks tables read from a snapshot before adopting them, and computes CRC-32C checksums.
 */
#ifndef BOUCLIER_HAMMING_H
#define BOUCLIER_HAMMING_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>
#include <string.h>

#define HASH_BYTES 32
#define HASH_BITS 256
#define MAX_TABLES 64
#define MAX_TABLE_BITS 28 /* 2^28 offsets = 1 GiB: more than any budget we would choose */
#define MAX_THREADS 64

static inline void load_hash(const uint8_t *p, uint64_t w[4])
{
    memcpy(w, p, HASH_BYTES); /* byte order does not matter for XOR + popcount */
}

/* Bits [start, start+bits) of a 256-bit value held as 4 little-endian words; bits <= 28. */
static inline uint32_t substring(const uint64_t w[4], int start, int bits)
{
    int word = start >> 6, shift = start & 63;
    uint64_t v = w[word] >> shift;
    if (shift + bits > 64)
        v |= w[word + 1] << (64 - shift);
    return (uint32_t)(v & ((UINT64_C(1) << bits) - 1));
}

/* A table's bucket offsets (first row of each of its 2^b buckets, plus n at the end), in one of
 * three forms, the smallest that holds the table (chosen when it is built, recorded in a
 * snapshot):
 * - FORM_COMPACT: a uint32 base per block of 256 buckets and a uint16 per bucket counted from
 *   it, ~2 bytes a bucket; needs every bucket to start within 65535 rows of its block.
 * - FORM_WIDE: a uint32 per bucket, for a table where some bucket does not (a substring
 *   repeated 65536 times or more).
 * - FORM_NARROW: the same base per block and a uint8 per bucket, ~1 byte a bucket, which pays for
 *   one more key bit at the same memory (buckets of ~0.4 rows instead of ~1.5 at 100M). A block
 *   whose rows do not fit 255 (a near-duplicate hub) is *spilled*: its base has SPILLED set and
 *   the rest of it indexes `spill`, 256 uint32 starts per spilled block. Hubs are few, so the
 *   form stays ~1 byte a bucket on skewed banks too; it needs n < 2^31. */
#define BLOCK_SHIFT 8
#define BLOCK_MASK ((1u << BLOCK_SHIFT) - 1)
#define SPILLED 0x80000000u

enum { FORM_COMPACT = 0, FORM_WIDE = 1, FORM_NARROW = 2 };

typedef struct {
    int form;
    uint32_t spilled;  /* FORM_NARROW: blocks in `spill` */
    uint32_t *base;    /* (2^b >> BLOCK_SHIFT) + 1 entries (COMPACT, NARROW) */
    uint16_t *low;     /* 2^b + 1 entries (COMPACT) */
    uint8_t *low8;     /* 2^b + 1 entries (NARROW) */
    uint32_t *spill;   /* spilled << BLOCK_SHIFT entries (NARROW) */
    uint32_t *wide;    /* 2^b + 1 entries (WIDE) */
} Offsets;

static inline uint32_t bucket_start(const Offsets *o, uint32_t key)
{
    if (o->form == FORM_NARROW) {
        uint32_t base = o->base[key >> BLOCK_SHIFT];
        if (__builtin_expect((base & SPILLED) != 0, 0))
            return o->spill[((size_t)(base & ~SPILLED) << BLOCK_SHIFT) | (key & BLOCK_MASK)];
        return base + o->low8[key];
    }
    return o->form == FORM_WIDE ? o->wide[key] : o->base[key >> BLOCK_SHIFT] + o->low[key];
}

/* The address of `key`'s start, to prefetch: in a spilled block its spill entry, which would
 * otherwise be a miss that nothing hides (the bases, 4 bytes a block, mostly sit in cache). */
static inline const void *bucket_line(const Offsets *o, uint32_t key)
{
    if (o->form == FORM_NARROW) {
        uint32_t base = o->base[key >> BLOCK_SHIFT];
        if (__builtin_expect((base & SPILLED) != 0, 0))
            return &o->spill[((size_t)(base & ~SPILLED) << BLOCK_SHIFT) | (key & BLOCK_MASK)];
        return &o->low8[key];
    }
    return o->form == FORM_WIDE ? (const void *)&o->wide[key] : (const void *)&o->low[key];
}

/* What to prefetch before bucket_line reads it: the block's base (or the wide offset). */
static inline const void *block_line(const Offsets *o, uint32_t key)
{
    return o->form == FORM_WIDE ? (const void *)&o->wide[key]
                                : (const void *)&o->base[key >> BLOCK_SHIFT];
}

typedef struct {
    PyObject_HEAD
    Py_buffer view; /* the stored hashes, n * 32 bytes, held for the object's life */
    uint32_t n;
    int m;
    int start[MAX_TABLES], bits[MAX_TABLES];
    uint64_t mask[MAX_TABLES][4]; /* the bits of each substring, to re-check earlier tables */
    Offsets offsets[MAX_TABLES];
    uint32_t *rows[MAX_TABLES];
    size_t table_bytes;
    /* Tables adopted from a snapshot point into this buffer (a memory-mapped file) instead of
     * memory of their own; obj is NULL for tables built here. */
    Py_buffer adopted;
} MultiIndex;

/* The parts of one table as stored in a snapshot, each padded to 8 bytes: its offsets (compact:
 * base, low; wide; narrow: base, low8, spill), then the row ids. */
typedef struct {
    const void *ptr[4];
    size_t len[4];
    int count;
} TableParts;

size_t offsets_bytes(int form, int bits, size_t spilled);
size_t planned_offsets_bytes(int bits, size_t n);
void *big_alloc(size_t size);
int build_tables(MultiIndex *ix, int threads);
size_t stored_table_bytes(int bits, int form, size_t spilled, uint32_t n);
void table_parts(const MultiIndex *ix, int t, TableParts *out);
int adopt_tables(MultiIndex *ix, const uint8_t *buf, size_t len, const int *form,
                 const uint32_t *spilled, int threads, char *error, size_t error_len);
uint32_t crc32c(uint32_t crc, const uint8_t *p, size_t len);

#endif
