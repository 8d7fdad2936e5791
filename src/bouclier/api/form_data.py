"""A strict multipart/form-data parser for a body already in memory: the lean upload path's
(bouclier.api.lean_match; issue 18, docs/benchmarks-log.md).

One pass over the body with ``bytes.find``, no callbacks and no copies but the file's own bytes.
It takes only the plain form of RFC 7578 that every client sends, and for those bodies it gives
exactly what Starlette's ``MultiPartParser`` over python-multipart gives the general route
(``bouclier.api.media_uploads.read_media``: at most one file part, at most 16 other fields);
tests/api/test_form_data.py checks that on generated and mutated bodies:

* the ``Content-Type``: ``multipart/form-data; boundary=B`` or ``boundary="B"``, B 1 to 70 of
  RFC 2046's boundary characters without the space (no other parameter, no ``charset``);
* the body: ``--B CRLF``, no preamble; each part's header lines ``name: value CRLF`` (a token
  name, the value without CR or LF), an empty line, the data, then ``CRLF --B`` followed by
  ``CRLF`` (the next part) or ``--`` (the last, followed by nothing or by ``CRLF`` and an
  epilogue, which is ignored); the data does not hold ``CRLF --B`` (the boundary inside the data);
* each part has exactly one ``Content-Disposition: form-data`` header with the parameters
  ``name`` and ``filename`` at most once each, lower case, a token or a quoted string without a
  backslash, a quote or a semicolon (so no escapes to decode).

A body outside that grammar is either one python-multipart refuses whatever comes before, which
is answered :class:`Malformed` (the route's "malformed" error): a part with more than 8 header
lines, a header line over 4,224 bytes, a header name that is empty or not a token, a header line
without its LF, no ``Content-Disposition`` or one without ``name``, a second file part, a 17th
field, a field over 1 MiB; or it is anything else, for which :func:`parse_form` answers ``None``
and the caller hands the same bytes, in the same chunks, to the route's parser (a preamble, a
missing last boundary, a boundary followed by anything but ``CRLF`` or ``--``, transport padding,
a header line cut by the end of the body, other ``Content-Disposition`` forms, escapes in a
quoted name, a repeated ``Content-Disposition``, a ``charset``, a longer or quoted-with-space
boundary, an epilogue without its ``CRLF``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: python-multipart's limits on a part's header lines (``DEFAULT_MAX_HEADER_COUNT``,
#: ``DEFAULT_MAX_HEADER_SIZE``: a line without its CRLF).
MAX_HEADERS = 8
MAX_HEADER_LINE = 4096 + 128
#: Starlette's limit on a field that is not a file (``MultiPartParser.max_part_size``).
MAX_FIELD_BYTES = 1024 * 1024
#: The route's limits (``read_media``): one file, 16 other fields.
MAX_FILES = 1
MAX_FIELDS = 16

_TOKEN = b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_BCHARS = rb"[0-9A-Za-z'()+_,\-./:=?]"
_CONTENT_TYPE = re.compile(
    rb"multipart/form-data; ?boundary=(?:\"(" + _BCHARS + rb"{1,70})\"|(" + _BCHARS + rb"{1,70}))"
)
_PARAM_VALUE = rb"(?:\"([^\"\\;\r\n]*)\"|([!#$%&'*+\-.^_`|~0-9A-Za-z]+))"
_DISPOSITION = re.compile(rb"form-data((?:; *(?:name|filename)=" + _PARAM_VALUE + rb")*)")
_PARAM = re.compile(rb"; *(name|filename)=" + _PARAM_VALUE)
_CRLF = b"\r\n"
_CR = 13
_LF = 10
_DISPOSITION_NAME = b"content-disposition"


class Malformed(Exception):
    """A body python-multipart refuses (the route answers its "malformed" error)."""


@dataclass(frozen=True, slots=True)
class Part:
    """One part: its field name (the bytes of the header's parameter), whether it is a file (it
    has a ``filename``), and where its data lies in the body."""

    name: bytes
    is_file: bool
    start: int
    end: int


def boundary_of(content_type: bytes) -> bytes | None:
    """The boundary of a ``Content-Type`` this parser takes, else None."""
    found = _CONTENT_TYPE.fullmatch(content_type)
    if found is None:
        return None
    quoted, bare = found.groups()
    return quoted if quoted is not None else bare


def parse_form(content_type: bytes, body: bytes) -> list[Part] | None:
    """The parts of ``body`` in order; None when the body (or its ``Content-Type``) is not one
    this parser takes (the caller hands it to python-multipart). Raises :class:`Malformed`."""
    boundary = boundary_of(content_type)
    if boundary is None:
        return None
    first = b"--" + boundary + _CRLF
    if not body.startswith(first):
        return None
    delimiter = _CRLF + b"--" + boundary
    size = len(body)
    position = len(first)
    parts: list[Part] = []
    files = fields = 0
    while True:
        headers = _headers(body, position)
        if headers is None:
            return None
        disposition, start = headers
        if disposition is None:
            raise Malformed  # no name
        params = _params(disposition)
        if params is None:
            return None
        name = params.get(b"name")
        if name is None:
            raise Malformed
        is_file = b"filename" in params
        if is_file:
            files += 1
            if files > MAX_FILES:
                raise Malformed
        else:
            fields += 1
            if fields > MAX_FIELDS:
                raise Malformed
        end = body.find(delimiter, start)
        if end == -1:
            return None
        if not is_file and end - start > MAX_FIELD_BYTES:
            raise Malformed
        parts.append(Part(name, is_file, start, end))
        after = end + len(delimiter)
        ending = body[after : after + 2]
        if ending == _CRLF:
            position = after + 2
            continue
        if ending == b"--" and (after + 2 == size or body.startswith(_CRLF, after + 2)):
            return parts
        return None


def _headers(body: bytes, position: int) -> tuple[bytes | None, int] | None:
    """A part's ``Content-Disposition`` value (None if it has none) and where its data starts,
    from its header lines at ``position``; None for lines this parser does not take."""
    size = len(body)
    disposition: bytes | None = None
    seen = 0
    while not body.startswith(_CRLF, position):
        if seen == MAX_HEADERS:  # python-multipart counts a line not starting with CR
            if position < size and body[position] != _CR:
                raise Malformed
            return None
        line_end = body.find(b"\r", position)
        if (line_end if line_end != -1 else size) - position > MAX_HEADER_LINE:
            raise Malformed
        if line_end in (position, -1):  # a lone CR, or cut by the end
            return None
        colon = body.find(b":", position, line_end)
        if colon <= position or body[position:colon].translate(None, _TOKEN):
            raise Malformed  # empty, not a token, or no colon (CR is no token character)
        if line_end + 1 == size:
            return None
        if body[line_end + 1] != _LF:
            raise Malformed
        if body[position:colon].lower() == _DISPOSITION_NAME:
            if disposition is not None:
                return None  # repeated: python-multipart keeps the last
            disposition = body[colon + 1 : line_end].lstrip(b" ")
        seen += 1
        position = line_end + 2
    return disposition, position + 2


def _params(disposition: bytes) -> dict[bytes, bytes] | None:
    """``name`` and ``filename`` of a ``Content-Disposition`` value this parser takes."""
    found = _DISPOSITION.fullmatch(disposition)
    if found is None:
        return None
    params: dict[bytes, bytes] = {}
    for key, quoted, bare in _PARAM.findall(found.group(1)):
        if key in params:
            return None
        params[key] = quoted if quoted or not bare else bare
    return params
