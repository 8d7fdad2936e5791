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

/* A table's bucket offsets (first row of each of its 2^b buckets, plus n at the end), stored as
 * a uint32 base per block of 256 buckets and a uint16 per bucket counted from that base: ~2 bytes
 * a bucket instead of 4, which pays for one more key bit at the same memory. A table where a
 * bucket starts 65536 rows or more into its block (a heavily repeated substring) stays `wide`. */
#define BLOCK_SHIFT 8

typedef struct {
    uint32_t *base; /* (2^b >> BLOCK_SHIFT) + 1 entries, or NULL when wide */
    uint16_t *low;  /* 2^b + 1 entries, or NULL when wide */
    uint32_t *wide; /* 2^b + 1 entries, or NULL when compact */
} Offsets;

static inline uint32_t bucket_start(const Offsets *o, uint32_t key)
{
    return o->wide != NULL ? o->wide[key] : o->base[key >> BLOCK_SHIFT] + o->low[key];
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

/* The parts of one table as stored in a snapshot, each padded to 8 bytes: compact offsets
 * (base, low) or wide ones, then the row ids. */
typedef struct {
    const void *ptr[3];
    size_t len[3];
    int count;
} TableParts;

size_t offsets_bytes(int bits);
void *big_alloc(size_t size);
int build_tables(MultiIndex *ix, int threads);
size_t stored_table_bytes(int bits, int wide, uint32_t n);
void table_parts(const MultiIndex *ix, int t, TableParts *out);
int adopt_tables(MultiIndex *ix, const uint8_t *buf, size_t len, const int *wide, int threads,
                 char *error, size_t error_len);
uint32_t crc32c(uint32_t crc, const uint8_t *p, size_t len);

#endif
