/*
 * The next JPEG marker after entropy-coded data (bouclier.media.structure): a 0xFF byte not
 * followed by a stuffed 0x00, a restart marker (0xD0-0xD7) or fill (another 0xFF), found with
 * memchr over the 0xFF bytes (about one in 170 of a photo's compressed bytes), where the regular
 * expression it replaces, \xff[^\x00\xd0-\xd7\xff], stepped through every byte in Python's
 * matcher. tests/media/test_markers.py compares the two.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <string.h>

/* next_marker(data, pos) -> int: the index of the first such 0xFF at or after pos, or -1. */
static PyObject *next_marker(PyObject *self, PyObject *args)
{
    (void)self;
    Py_buffer data;
    Py_ssize_t pos;
    if (!PyArg_ParseTuple(args, "y*n", &data, &pos))
        return NULL;
    const unsigned char *bytes = (const unsigned char *)data.buf;
    Py_ssize_t n = data.len, found = -1;
    if (pos < 0)
        pos = 0;
    while (pos + 1 < n) {
        const unsigned char *ff = memchr(bytes + pos, 0xFF, (size_t)(n - 1 - pos));
        if (ff == NULL)
            break;
        Py_ssize_t at = ff - bytes;
        unsigned char next = bytes[at + 1];
        if (next != 0x00 && next != 0xFF && (next < 0xD0 || next > 0xD7)) {
            found = at;
            break;
        }
        pos = at + 1;
    }
    PyBuffer_Release(&data);
    return PyLong_FromSsize_t(found);
}

static PyMethodDef module_methods[] = {
    {"next_marker", next_marker, METH_VARARGS,
     "next_marker(data, pos) -> int: the first 0xFF at or after pos that starts a JPEG marker "
     "(not followed by 0x00, 0xD0-0xD7 or 0xFF), or -1."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "_markers", "The next JPEG marker in C (see _markers.c).", -1,
    module_methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__markers(void)
{
    return PyModule_Create(&module_def);
}
