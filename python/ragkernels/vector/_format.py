"""The saved form of a VectorIndex (the twin of RagKernels.Vectors.VectorIndexFile: same
bytes, same checks in the same order, same messages) and the file handling both
implementations share: atomic writes and reads with the same OSError messages.

Layout, little-endian:
     0  8  magic b"RKVECIDX"
     8  4  uint32 format version (1)
    12  4  uint32 metric (0 dot, 1 cosine, 2 l2)
    16  8  int64 dimension
    24  8  int64 count
    32  8  int64 next automatic id
    40  4  uint32 CRC-32 (zlib.crc32) of the data
    44  4  uint32 CRC-32 of bytes 0..43
    48     int64 ids[count], then float32 vectors[count][dimension] as stored
           (unit length for cosine)
"""

from __future__ import annotations

import os
import struct
import tempfile
import zlib

import numpy as np

from ._checks import MAX_DIMENSION, MAX_ID

MAGIC = b"RKVECIDX"
VERSION = 1
HEADER = struct.Struct("<8sIIqqqII")
HEADER_SIZE = HEADER.size  # 48
_ARRAY_MAX = 0x7FFFFFC7  # .NET's Array.MaxLength: the largest array the C# kernel can hold


def size(dim: int, count: int) -> int:
    return HEADER_SIZE + count * 8 + count * dim * 4


def encode(metric_code: int, dim: int, ids: np.ndarray, vectors: np.ndarray, next_id: int) -> bytes:
    """The file bytes for `ids` (int64, count) and stored `vectors` (float32, count x dim)."""
    data = ids.astype("<i8", copy=False).tobytes() + vectors.astype("<f4", copy=False).tobytes()
    fields = (MAGIC, VERSION, metric_code, dim, len(ids), next_id, zlib.crc32(data))
    head = HEADER.pack(*fields, 0)[:44]
    return head + struct.pack("<I", zlib.crc32(head)) + data


def decode(data) -> tuple[int, int, np.ndarray, np.ndarray, int]:
    """(metric code, dim, ids, vectors, next id) from file bytes, checked as the C# reader does.
    Raises ValueError with the C# reader's message for a foreign, truncated or corrupt file."""
    view = memoryview(data).cast("B")
    length = len(view)
    if length < len(MAGIC) or bytes(view[: len(MAGIC)]) != MAGIC:
        raise ValueError("not a ragkernels vector index file (wrong magic bytes)")
    if length < HEADER_SIZE:
        raise ValueError(f"truncated vector index file: {length} bytes, the header alone needs {HEADER_SIZE}")
    _, version, metric, dim, count, next_id, data_crc, header_crc = HEADER.unpack_from(view)
    if version != VERSION:
        raise ValueError(f"unsupported vector index file version {version} (this build reads version {VERSION})")
    if zlib.crc32(view[:44]) != header_crc:
        raise ValueError("corrupt vector index file: header checksum mismatch")
    if (metric > 2 or dim < 1 or dim > MAX_DIMENSION or count < 0 or count > _ARRAY_MAX // dim
            or next_id < 0 or next_id > MAX_ID + 1):
        raise ValueError(f"corrupt vector index file: bad header fields (metric {metric}, dimension {dim}, "
                         f"count {count}, next id {next_id})")
    expected = size(dim, count)
    if length < expected:
        raise ValueError(f"truncated vector index file: {length} bytes, expected {expected}")
    if length > expected:
        raise ValueError(f"corrupt vector index file: {length} bytes, expected {expected} (trailing data)")
    if zlib.crc32(view[HEADER_SIZE:]) != data_crc:
        raise ValueError("corrupt vector index file: data checksum mismatch")
    ids = np.frombuffer(view, dtype="<i8", count=count, offset=HEADER_SIZE).astype(np.int64)
    vectors = np.frombuffer(view, dtype="<f4", count=count * dim, offset=HEADER_SIZE + 8 * count)
    vectors = vectors.astype(np.float32).reshape(count, dim)
    bad = np.flatnonzero((ids < 0) | (ids > MAX_ID) | (ids >= next_id))
    if bad.size:
        raise ValueError(f"corrupt vector index file: id {int(ids[bad[0]])} is out of range (0 to {next_id - 1})")
    if count:
        bad = np.flatnonzero(~np.isfinite(vectors).all(axis=1))
        if bad.size:
            raise ValueError(f"corrupt vector index file: vector {int(bad[0])} contains NaN or infinity")
    seen = set()
    for value in ids.tolist():
        if value in seen:
            raise ValueError(f"corrupt vector index file: id {value} appears twice")
        seen.add(value)
    return metric, dim, ids, vectors, next_id


def read_file(path) -> bytes:
    """The file's bytes; OSError (FileNotFoundError, IsADirectoryError, …) as open() raises it."""
    with open(os.fspath(path), "rb") as file:
        return file.read()


def write_atomic(path, data) -> None:
    """Writes `data` to a temporary file in the target's folder, flushes it to disk, then
    renames it over `path`: a crash leaves the old file or the new one, never a mix."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix=os.path.basename(path) + ".", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o644)  # mkstemp makes it 0600; an index file is ordinary data
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
    if hasattr(os, "O_DIRECTORY"):
        # Make the rename itself durable (POSIX); harmless to skip where unsupported.
        try:
            directory = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            return
        try:
            os.fsync(directory)
        except OSError:
            pass
        finally:
            os.close(directory)
