#include <Python.h>
static struct PyModuleDef m = {PyModuleDef_HEAD_INIT, "_hamming", NULL, -1, NULL};
PyMODINIT_FUNC PyInit__hamming(void) { return PyModule_Create(&m); }
