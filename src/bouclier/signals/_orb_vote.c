/*
 * The ORB stage's two inner loops: the index's candidate vote (bouclier/signals/orb_index.py) and
 * the pairing of two values' descriptors that every verification starts with
 * (bouclier/signals/orb.py, `pair`).
 *
 * The vote: every posting of a query's keys counted once per entry, and its key's weight summed,
 * in one pass.
 *
 * At a 100k-entry bank a query's ~1,000 keys hold ~1.2M postings (2M at p99). numpy needed six
 * passes over them (the gather's index, the gather, the weights repeated, two bincounts), each
 * writing a temporary as large: ~14 ms p50, 24 ms p99 of one core. This loop reads each posting
 * once and increments two counters that fit in the cache (12 bytes per entry), and its sums are
 * bit for bit those of np.bincount: the same additions in the same order (keys in the order
 * given, each key's postings in order, then the extra postings).
 *
 * Safety: every buffer's type and size is checked at the door, every key against the offsets and
 * every offset against the postings, every slot against the counters, so no input can make it
 * read or write out of bounds: it raises ValueError and leaves the counters partly written.
 * The loop releases the GIL; it only touches buffers the call holds a view on.
 *
 * The pairing: numpy built the whole (n, m) table of Hamming distances, then took each row's and
 * each column's nearest and runner-up in four more passes over it (0.3-0.4 ms for 256 x 256, a
 * quarter of a framed query's ORB time with nine verifications). One pass here keeps each row's
 * and each column's smallest distance, where it is (the first, as np.argmin) and the runner-up
 * (ties count as one, as np.partition's second), and decides the same pairs with the same
 * comparisons: the same pairs, in the same order.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>
#include <string.h>

/* What an argument must be: a contiguous buffer (writable or not) of `itemsize`-byte items whose
 * format is one of `formats`; `name` is how an error names it. */
struct buffer_spec {
    int writable;
    Py_ssize_t itemsize;
    const char *formats;
    const char *name;
};

/* The view of a buffer as `spec` says it must be, or -1 with ValueError (or the buffer's error). */
static int view(PyObject *obj, Py_buffer *buf, const struct buffer_spec *spec)
{
    Py_ssize_t itemsize = spec->itemsize;
    const char *formats = spec->formats, *name = spec->name;
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (spec->writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, buf, flags) < 0)
        return -1;
    const char *format = buf->format ? buf->format : "B";
    if (*format == '<' || *format == '=' || *format == '@')
        format++;
    if (buf->itemsize != itemsize || strlen(format) != 1 || !strchr(formats, *format)) {
        PyErr_Format(PyExc_ValueError, "%s: expected %zd-byte items of type %s, got '%s'", name,
                     itemsize, formats, buf->format ? buf->format : "B");
        PyBuffer_Release(buf);
        return -1;
    }
    return 0;
}

enum { OK = 0, BAD_KEY, BAD_OFFSETS, BAD_SLOT };

static int tally(const int64_t *offsets, Py_ssize_t n_offsets, const int32_t *postings,
                 Py_ssize_t n_postings, const int64_t *keys, const double *weights,
                 Py_ssize_t n_keys, const int32_t *extra, const double *extra_weights,
                 Py_ssize_t n_extra, int64_t *votes, double *score, Py_ssize_t count)
{
    for (Py_ssize_t k = 0; k < n_keys; k++) {
        int64_t key = keys[k];
        if (key < 0 || key >= n_offsets - 1)
            return BAD_KEY;
        int64_t start = offsets[key], end = offsets[key + 1];
        if (start < 0 || end < start || end > n_postings)
            return BAD_OFFSETS;
        double weight = weights[k];
        for (int64_t p = start; p < end; p++) {
            int32_t slot = postings[p];
            if (slot < 0 || slot >= count)
                return BAD_SLOT;
            votes[slot] += 1;
            score[slot] += weight;
        }
    }
    for (Py_ssize_t p = 0; p < n_extra; p++) {
        int32_t slot = extra[p];
        if (slot < 0 || slot >= count)
            return BAD_SLOT;
        votes[slot] += 1;
        score[slot] += extra_weights[p];
    }
    return OK;
}

static PyObject *vote(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *objs[8];
    if (!PyArg_ParseTuple(args, "OOOOOOOO:vote", &objs[0], &objs[1], &objs[2], &objs[3], &objs[4],
                          &objs[5], &objs[6], &objs[7]))
        return NULL;
    static const struct buffer_spec spec[8] = {
        {0, 8, "lq", "offsets (int64)"},   {0, 4, "i", "postings (int32)"},
        {0, 8, "lq", "keys (int64)"},      {0, 8, "d", "weights (float64)"},
        {0, 4, "i", "extra slots (int32)"}, {0, 8, "d", "extra weights (float64)"},
        {1, 8, "lq", "votes (int64)"},     {1, 8, "d", "score (float64)"},
    };
    Py_buffer b[8];
    int held = 0;
    for (; held < 8; held++)
        if (view(objs[held], &b[held], &spec[held]) < 0)
            break;
    int status = OK;
    const char *size_error = NULL;
    if (held == 8) {
        Py_ssize_t n_keys = b[2].len / 8, n_extra = b[4].len / 4, count = b[6].len / 8;
        if (b[3].len / 8 != n_keys)
            size_error = "one weight per key";
        else if (b[5].len / 8 != n_extra)
            size_error = "one weight per extra slot";
        else if (b[7].len / 8 != count)
            size_error = "votes and score of the same length";
        else {
            Py_BEGIN_ALLOW_THREADS
            status = tally(b[0].buf, b[0].len / 8, b[1].buf, b[1].len / 4, b[2].buf, b[3].buf,
                           n_keys, b[4].buf, b[5].buf, n_extra, b[6].buf, b[7].buf, count);
            Py_END_ALLOW_THREADS
        }
    }
    for (int i = 0; i < held; i++)
        PyBuffer_Release(&b[i]);
    if (held < 8)
        return NULL;
    if (size_error) {
        PyErr_Format(PyExc_ValueError, "vote: expected %s", size_error);
        return NULL;
    }
    static const char *errors[] = {NULL, "a key outside the offsets",
                                   "offsets out of order or past the postings",
                                   "a slot outside the counters"};
    if (status != OK) {
        PyErr_Format(PyExc_ValueError, "vote: %s", errors[status]);
        return NULL;
    }
    Py_RETURN_NONE;
}

/* Row and column statistics of the (n, m) table of Hamming distances between 16-byte
 * descriptors, each given as two 64-bit words: smallest, its first index, runner-up. */
static void nearest(const uint64_t *a, Py_ssize_t n, const uint64_t *b, Py_ssize_t m,
                    int32_t *row_best, int32_t *row_at, int32_t *row_second, int32_t *col_best,
                    int32_t *col_at, int32_t *col_second)
{
    for (Py_ssize_t j = 0; j < m; j++) {
        col_best[j] = col_second[j] = INT32_MAX;
        col_at[j] = 0;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        int32_t best = INT32_MAX, second = INT32_MAX, at = 0;
        uint64_t x0 = a[2 * i], x1 = a[2 * i + 1];
        for (Py_ssize_t j = 0; j < m; j++) {
            int32_t d = __builtin_popcountll(x0 ^ b[2 * j]) + __builtin_popcountll(x1 ^ b[2 * j + 1]);
            if (d < second) {
                if (d < best) {
                    second = best;
                    best = d;
                    at = (int32_t)j;
                } else {
                    second = d;
                }
            }
            if (d < col_second[j]) {
                if (d < col_best[j]) {
                    col_second[j] = col_best[j];
                    col_best[j] = d;
                    col_at[j] = (int32_t)i;
                } else {
                    col_second[j] = d;
                }
            }
        }
        row_best[i] = best;
        row_at[i] = at;
        row_second[i] = second;
    }
}

static PyObject *pair(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *objs[4];
    int match_bits;
    double ratio;
    if (!PyArg_ParseTuple(args, "OOidOO:pair", &objs[0], &objs[1], &match_bits, &ratio, &objs[2],
                          &objs[3]))
        return NULL;
    static const struct buffer_spec spec[4] = {
        {0, 1, "B", "da (uint8)"},
        {0, 1, "B", "db (uint8)"},
        {1, 8, "lq", "ia (int64)"},
        {1, 8, "lq", "ib (int64)"},
    };
    Py_buffer b[4];
    int held = 0;
    for (; held < 4; held++)
        if (view(objs[held], &b[held], &spec[held]) < 0)
            break;
    Py_ssize_t found = -1;
    const char *size_error = NULL;
    if (held == 4) {
        Py_ssize_t n = b[0].ndim == 2 ? b[0].shape[0] : 0, m = b[1].ndim == 2 ? b[1].shape[0] : 0;
        Py_ssize_t width = b[0].ndim == 2 ? b[0].shape[1] : 0;
        if (b[0].ndim != 2 || b[1].ndim != 2 || width != 16 || b[1].shape[1] != width)
            size_error = "da and db as (n, 16) and (m, 16)";
        else if (b[2].len / 8 < n || b[3].len / 8 < n)
            size_error = "ia and ib of at least len(da)";
        else if (n > INT32_MAX || m > INT32_MAX)
            size_error = "fewer descriptors";
        else if (n == 0 || m == 0)
            found = 0;
        else {
            /* the statistics, then both sets' words (copied: the buffers need not be aligned) */
            size_t words = 2 * (size_t)(n + m), counters = 3 * (size_t)(n + m);
            uint64_t *memory = PyMem_Malloc(8 * words + sizeof(int32_t) * counters + 8);
            if (memory == NULL) {
                for (int i = 0; i < held; i++)
                    PyBuffer_Release(&b[i]);
                return PyErr_NoMemory();
            }
            uint64_t *da = memory, *db = memory + 2 * n;
            memcpy(da, b[0].buf, (size_t)n * 16);
            memcpy(db, b[1].buf, (size_t)m * 16);
            int32_t *stats = (int32_t *)(memory + words);
            int32_t *row_best = stats, *row_at = stats + n, *row_second = stats + 2 * n;
            int32_t *col_best = stats + 3 * n, *col_at = col_best + m, *col_second = col_at + m;
            int64_t *ia = b[2].buf, *ib = b[3].buf;
            Py_BEGIN_ALLOW_THREADS
            nearest(da, n, db, m, row_best, row_at, row_second, col_best, col_at, col_second);
            found = 0;
            for (Py_ssize_t i = 0; i < n; i++) {
                int32_t j = row_at[i], d = row_best[i];
                if (col_at[j] != i || d > match_bits)
                    continue;
                if ((double)d < ratio * (double)row_second[i] &&
                    (double)d < ratio * (double)col_second[j]) {
                    ia[found] = i;
                    ib[found] = j;
                    found++;
                }
            }
            Py_END_ALLOW_THREADS
            PyMem_Free(memory);
        }
    }
    for (int i = 0; i < held; i++)
        PyBuffer_Release(&b[i]);
    if (held < 4)
        return NULL;
    if (size_error) {
        PyErr_Format(PyExc_ValueError, "pair: expected %s", size_error);
        return NULL;
    }
    return PyLong_FromSsize_t(found);
}

static PyMethodDef module_methods[] = {
    {"vote", vote, METH_VARARGS,
     "vote(offsets, postings, keys, weights, extra, extra_weights, votes, score) -> None: adds "
     "1 to votes[s] and the key's weight to score[s] for every posting s of every key, then "
     "for every extra slot"},
    {"pair", pair, METH_VARARGS,
     "pair(da, db, match_bits, ratio, ia, ib) -> int: the distinctive one-to-one pairs of two "
     "descriptor sets (mutual nearest within match_bits, nearer than ratio x the runner-up on "
     "both sides) written to ia[:k], ib[:k] in row order; k"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "bouclier.signals._orb_vote",
    .m_doc = "The ORB stage's candidate vote and descriptor pairing, each in one pass.",
    .m_size = -1,
    .m_methods = module_methods,
};

PyMODINIT_FUNC PyInit__orb_vote(void)
{
    return PyModule_Create(&module_def);
}
