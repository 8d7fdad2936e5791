/*
 * The framing stage's gate in C (bouclier.hashing.framing): the looks every upload pays for, on
 * the reduced copy, answered as the numpy code they replace answered them (that code is kept in
 * tests/hashing/test_framing_c.py, which compares the two on varied frames, edge sizes included).
 *
 *   edge_colour: the colour of a row of pixels and its tolerance when it is one colour;
 *   sharp_box: the sharp picture over a blurred copy of itself, or None.
 *
 * Floating-point values are computed with the numpy code's operations in its order (doubles,
 * -ffp-contract=off): the medians, shares and means here are exact or correctly rounded there
 * too, so the comparisons fall the same way.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int is_bytes_format(const Py_buffer *view)
{
    return view->itemsize == 1 && view->format != NULL &&
           (strcmp(view->format, "B") == 0 || strcmp(view->format, "=B") == 0 ||
            strcmp(view->format, "<B") == 0 || strcmp(view->format, "@B") == 0);
}

/*
 * edge_colour(pixels, colour_tolerance, uniform_edge) -> ((c0, ...), tolerance) | None, for an
 * (n, channels) or (n,) uint8 array (any strides), n >= 1, channels 1 to 4: framing._edge_colour. The colour is each channel's
 * median (the mean of the middle two values, from a count of each value), a pixel's distance
 * the largest of its channels' absolute differences from it (a multiple of 0.5); the pixels
 * within colour_tolerance set the tolerance, min(colour_tolerance, 6 + 3 * their mean distance)
 * (their sum is exact: multiples of 0.5, small); the row is one colour when at least
 * uniform_edge of its pixels lie within that tolerance.
 */
static PyObject *edge_colour(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *arg;
    double colour_tolerance, uniform_edge;
    if (!PyArg_ParseTuple(args, "Odd", &arg, &colour_tolerance, &uniform_edge))
        return NULL;
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_STRIDES | PyBUF_FORMAT) < 0)
        return NULL;
    Py_ssize_t n = view.ndim >= 1 ? view.shape[0] : 0;
    int channels = view.ndim == 2 ? (int)view.shape[1] : 1;
    if (!(view.ndim == 1 || view.ndim == 2) || !is_bytes_format(&view) || n < 1 || channels < 1 ||
        channels > 4) {
        PyBuffer_Release(&view);
        PyErr_SetString(PyExc_ValueError, "expected an (n, channels) or (n,) uint8 array, n >= 1");
        return NULL;
    }
    const uint8_t *base = (const uint8_t *)view.buf;
    Py_ssize_t step = view.strides[0], across = view.ndim == 2 ? view.strides[1] : 0;
    double colour[4];
    for (int c = 0; c < channels; c++) {
        Py_ssize_t count[256] = {0};
        for (Py_ssize_t i = 0; i < n; i++)
            count[base[i * step + c * across]]++;
        /* the values of rank (n - 1) / 2 and n / 2 (from 0) in sorted order */
        Py_ssize_t want_low = (n - 1) / 2, want_high = n / 2, seen = 0;
        int low = -1, high = -1;
        for (int v = 0; v < 256 && high < 0; v++) {
            seen += count[v];
            if (low < 0 && seen > want_low)
                low = v;
            if (seen > want_high)
                high = v;
        }
        colour[c] = (double)(low + high) / 2;
    }
    double close_sum = 0.0;
    Py_ssize_t close_n = 0;
    double *distance = malloc(sizeof(double) * (size_t)n);
    if (distance == NULL) {
        PyBuffer_Release(&view);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        double d = 0.0;
        for (int c = 0; c < channels; c++) {
            double e = (double)base[i * step + c * across] - colour[c];
            e = e < 0 ? -e : e;
            d = e > d ? e : d;
        }
        distance[i] = d;
        if (d <= colour_tolerance) {
            close_sum += d;
            close_n++;
        }
    }
    PyBuffer_Release(&view);
    if (close_n == 0) {
        free(distance);
        Py_RETURN_NONE;
    }
    double tolerance = 6.0 + 3.0 * (close_sum / (double)close_n);
    if (colour_tolerance <= tolerance)
        tolerance = colour_tolerance;
    Py_ssize_t within = 0;
    for (Py_ssize_t i = 0; i < n; i++)
        within += distance[i] <= tolerance;
    free(distance);
    if ((double)within / (double)n < uniform_edge)
        Py_RETURN_NONE;
    PyObject *values = PyTuple_New(channels);
    if (values == NULL)
        return NULL;
    for (int c = 0; c < channels; c++) {
        PyObject *v = PyFloat_FromDouble(colour[c]);
        if (v == NULL) {
            Py_DECREF(values);
            return NULL;
        }
        PyTuple_SET_ITEM(values, c, v);
    }
    return Py_BuildValue("(Nd)", values, tolerance);
}

/* OpenCV's BORDER_REFLECT_101 index (the Laplacian's default border). */
static inline Py_ssize_t reflect(Py_ssize_t i, Py_ssize_t n)
{
    if (n == 1)
        return 0;
    if (i < 0)
        return -i;
    if (i >= n)
        return 2 * n - 2 - i;
    return i;
}

/* framing._longest_run: [start, end) of the longest run of set flags, gaps of up to 2 closed,
 * the first of equal runs; (0, 0) when none is set. */
static void longest_run(const uint8_t *flags, Py_ssize_t n, Py_ssize_t *start, Py_ssize_t *end)
{
    Py_ssize_t best_start = 0, best_end = 0, run = -1, last = -1;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!flags[i])
            continue;
        if (run < 0 || i - last > 3) {
            if (run >= 0 && last + 1 - run > best_end - best_start) {
                best_start = run;
                best_end = last + 1;
            }
            run = i;
        }
        last = i;
    }
    if (run >= 0 && last + 1 - run > best_end - best_start) {
        best_start = run;
        best_end = last + 1;
    }
    *start = best_start;
    *end = best_end;
}

/*
 * sharp_box(grey, sharp, sharp_share, contrast, min_area, max_area) -> (x0, y0, x1, y1) | None,
 * for an (h, w) grey uint8 C-contiguous array: framing._sharp_box of its grey, `contrast` its
 * SHARP_CONTRAST * slack. A pixel is sharp when its 4-neighbour Laplacian (integers, OpenCV's
 * reflected border: cv2.Laplacian with ksize=1) is above `sharp` in absolute value.
 */
static PyObject *sharp_box(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *arg;
    double sharp, sharp_share, contrast, min_area, max_area;
    if (!PyArg_ParseTuple(args, "Oddddd", &arg, &sharp, &sharp_share, &contrast, &min_area,
                          &max_area))
        return NULL;
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
        return NULL;
    if (view.ndim != 2 || !is_bytes_format(&view) || view.shape[0] < 1 || view.shape[1] < 1) {
        PyBuffer_Release(&view);
        PyErr_SetString(PyExc_ValueError, "expected a C-contiguous (h, w) uint8 array, not empty");
        return NULL;
    }
    Py_ssize_t h = view.shape[0], w = view.shape[1];
    size_t hw = (size_t)h * (size_t)w;
    uint8_t *flags = malloc(hw);
    Py_ssize_t *row_count = malloc(sizeof(Py_ssize_t) * (size_t)(h > w ? h : w));
    uint8_t *line = malloc((size_t)(h > w ? h : w));
    if (flags == NULL || row_count == NULL || line == NULL) {
        free(flags);
        free(row_count);
        free(line);
        PyBuffer_Release(&view);
        return PyErr_NoMemory();
    }
    const uint8_t *grey = (const uint8_t *)view.buf;
    /* |L| > sharp for an integer L is |L| > floor(sharp): compared in 16-bit integers, the
     * columns inside the border in a loop that vectorises, the two border columns reflected */
    int limit = sharp < 0 ? -1 : sharp > 4 * 255 ? 4 * 255 : (int)sharp;
    Py_ssize_t total = 0;
    for (Py_ssize_t y = 0; y < h; y++) {
        const uint8_t *up = grey + reflect(y - 1, h) * w, *row = grey + y * w,
                      *down = grey + reflect(y + 1, h) * w;
        uint8_t *f = flags + y * w;
        for (Py_ssize_t x = 1; x < w - 1; x++) {
            int16_t lap = (int16_t)(up[x] + down[x] + row[x - 1] + row[x + 1] - 4 * row[x]);
            f[x] = (lap < 0 ? -lap : lap) > limit;
        }
        Py_ssize_t ends[2] = {0, w - 1};
        for (int e = 0; e < (w > 1 ? 2 : 1); e++) {
            Py_ssize_t x = ends[e];
            int lap = up[x] + down[x] + row[reflect(x - 1, w)] + row[reflect(x + 1, w)] - 4 * row[x];
            f[x] = (lap < 0 ? -lap : lap) > limit;
        }
        Py_ssize_t count = 0;
        for (Py_ssize_t x = 0; x < w; x++)
            count += f[x];
        row_count[y] = count;
        total += count;
    }
    PyBuffer_Release(&view);
    PyObject *answer = NULL;
    Py_ssize_t y0, y1, x0, x1;
    for (Py_ssize_t y = 0; y < h; y++)
        line[y] = (double)row_count[y] / (double)w >= sharp_share;
    longest_run(line, h, &y0, &y1);
    if (y1 - y0 >= 8) {
        for (Py_ssize_t x = 0; x < w; x++)
            row_count[x] = 0;
        for (Py_ssize_t y = y0; y < y1; y++)
            for (Py_ssize_t x = 0; x < w; x++)
                row_count[x] += flags[y * w + x];
        for (Py_ssize_t x = 0; x < w; x++)
            line[x] = (double)row_count[x] / (double)(y1 - y0) >= sharp_share;
        longest_run(line, w, &x0, &x1);
        Py_ssize_t area = (x1 - x0) * (y1 - y0);
        int framed_rows = y0 >= 2 && h - y1 >= 2, framed_cols = x0 >= 2 && w - x1 >= 2;
        if (x1 - x0 >= 8 && min_area * (double)h * (double)w <= (double)area &&
            (double)area <= max_area * (double)h * (double)w && (framed_rows || framed_cols)) {
            Py_ssize_t in = 0;
            for (Py_ssize_t y = y0; y < y1; y++)
                for (Py_ssize_t x = x0; x < x1; x++)
                    in += flags[y * w + x];
            double inside = (double)in / (double)area;
            Py_ssize_t rest = (Py_ssize_t)hw - area;
            double outside = ((double)total - inside * (double)area) / (double)(rest > 1 ? rest : 1);
            if (!(inside < contrast * outside))
                answer = Py_BuildValue("(nnnn)", x0 + (x0 > 0), y0 + (y0 > 0), x1 - (x1 < w),
                                       y1 - (y1 < h));
        }
    }
    free(flags);
    free(row_count);
    free(line);
    if (answer == NULL && !PyErr_Occurred())
        Py_RETURN_NONE;
    return answer;
}

static PyMethodDef module_methods[] = {
    {"edge_colour", edge_colour, METH_VARARGS,
     "edge_colour(pixels, colour_tolerance, uniform_edge) -> ((channel values), tolerance) or "
     "None: framing._edge_colour."},
    {"sharp_box", sharp_box, METH_VARARGS,
     "sharp_box(grey, sharp, sharp_share, contrast, min_area, max_area) -> (x0, y0, x1, y1) or "
     "None: framing._sharp_box."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "_framing", "The framing stage's gate in C (see _framing.c).", -1,
    module_methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__framing(void)
{
    return PyModule_Create(&module_def);
}
