"""The C ABI itself: header vs exports, statuses, errors and handles, called through cffi."""

from __future__ import annotations

import gc
import re
import shutil
import subprocess

import pytest

from ragkernels._native import _loader


def exported_symbols(path) -> set[str]:
    nm = shutil.which("nm")
    if nm is None:
        pytest.skip("nm (binutils) is needed to list the library's exports")
    out = subprocess.run([nm, "-D", "--defined-only", str(path)], capture_output=True, text=True, check=True).stdout
    return {m.group(1) for m in re.finditer(r"\s[TW]\s+(rk_\w+)", out)}


def declared_functions() -> set[str]:
    return set(re.findall(r"^int32_t\s+(rk_\w+)\s*\(", _loader.read_cdef(), re.M))


def test_header_and_library_export_the_same_functions(lib):
    path = _loader.candidate_paths()[0]
    assert declared_functions() == exported_symbols(path)


def test_abi_version_matches_the_header(lib):
    assert lib.rk_abi_version() == lib.RK_ABI_VERSION


def test_loader_refuses_a_library_of_another_abi_version(lib, ffi):
    expected = f"implements ABI version {lib.RK_ABI_VERSION}, but this ragkernels package needs version 999"
    with pytest.raises(_loader.LoadError, match=expected):
        _loader.load(ffi, 999)


def last_error(lib, ffi) -> str:
    needed = ffi.new("int64_t*")
    assert lib.rk_last_error_message(ffi.NULL, 0, needed) in (lib.RK_OK, lib.RK_BUFFER_TOO_SMALL)
    buffer = ffi.new("uint8_t[]", max(needed[0], 1))
    assert lib.rk_last_error_message(buffer, needed[0], needed) == lib.RK_OK
    return bytes(ffi.buffer(buffer, needed[0])).decode()


def test_error_status_and_message(lib, ffi):
    out = ffi.new("double*")
    assert lib.rk_signal_trend_drop(ffi.NULL, -1, out) == lib.RK_INVALID_ARGUMENT
    assert "count must be between 0 and" in last_error(lib, ffi)
    assert lib.rk_signal_trend_drop(ffi.NULL, 3, out) == lib.RK_NULL_POINTER
    assert last_error(lib, ffi) == "values must not be NULL"
    assert lib.rk_signal_trend_drop(ffi.NULL, 0, ffi.NULL) == lib.RK_NULL_POINTER
    assert lib.rk_signal_trend_drop(ffi.NULL, 0, out) == lib.RK_OK and out[0] == 0.0


def test_last_error_buffer_too_small_copies_nothing(lib, ffi):
    lib.rk_signal_trend_drop(ffi.NULL, 3, ffi.new("double*"))
    buffer = ffi.new("uint8_t[]", b"\x7f" * 4)
    needed = ffi.new("int64_t*")
    assert lib.rk_last_error_message(buffer, 4, needed) == lib.RK_BUFFER_TOO_SMALL
    assert needed[0] == len("values must not be NULL")
    assert bytes(ffi.buffer(buffer, 4)) == b"\x7f" * 4
    assert lib.rk_last_error_message(buffer, 4, ffi.NULL) == lib.RK_NULL_POINTER


def test_last_error_is_per_thread(lib, ffi):
    import threading

    lib.rk_signal_trend_drop(ffi.NULL, -5, ffi.new("double*"))
    seen = []

    def other():
        lib.rk_signal_trend_drop(ffi.NULL, 7, ffi.new("double*"))
        seen.append(last_error(lib, ffi))

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    assert seen == ["values must not be NULL"]
    assert "got -5" in last_error(lib, ffi)


def make_window(lib, ffi, size=3) -> int:
    handle = ffi.new("uint64_t*")
    assert lib.rk_trend_window_create(size, handle) == lib.RK_OK
    return handle[0]


def test_forged_freed_and_stale_handles_are_refused(lib, ffi):
    out = ffi.new("double*")
    handle = make_window(lib, ffi)
    assert lib.rk_trend_window_push(handle, 0.5, out) == lib.RK_OK
    forged = [0, 1, 2**64 - 1, handle ^ (1 << 40), handle + 1, handle ^ (0xFF << 56), handle & 0xFFFFFFFF]
    for value in forged:
        assert lib.rk_trend_window_push(value, 0.5, out) == lib.RK_INVALID_HANDLE, hex(value)
        assert lib.rk_trend_window_reset(value) == lib.RK_INVALID_HANDLE
        assert lib.rk_trend_window_free(value) == lib.RK_INVALID_HANDLE
    assert "invalid trend window handle" in last_error(lib, ffi)
    assert lib.rk_trend_window_free(handle) == lib.RK_OK
    assert lib.rk_trend_window_free(handle) == lib.RK_INVALID_HANDLE
    assert lib.rk_trend_window_push(handle, 0.5, out) == lib.RK_INVALID_HANDLE
    # The freed slot is reused with a new generation: the old handle stays invalid.
    reused = make_window(lib, ffi)
    assert reused != handle and (reused & 0xFFFFFFFF) == (handle & 0xFFFFFFFF)
    assert lib.rk_trend_window_push(handle, 0.5, out) == lib.RK_INVALID_HANDLE
    assert lib.rk_trend_window_push(reused, 0.5, out) == lib.RK_OK
    assert lib.rk_trend_window_free(reused) == lib.RK_OK


def test_window_create_rejects_bad_sizes(lib, ffi):
    handle = ffi.new("uint64_t*")
    for size in (0, -1, 2**20 + 1, 2**62):
        assert lib.rk_trend_window_create(size, handle) == lib.RK_INVALID_ARGUMENT
    assert lib.rk_trend_window_create(3, ffi.NULL) == lib.RK_NULL_POINTER


def test_python_object_raises_for_a_handle_freed_behind_its_back(lib):
    from ragkernels.signals._native import TrendWindow

    window = TrendWindow(3)
    assert lib.rk_trend_window_free(window._handle) == lib.RK_OK
    with pytest.raises(ValueError, match="invalid trend window handle"):
        window.push(0.5)
    window.close()  # the finaliser's second free is refused quietly, not a crash


def test_forgotten_window_is_freed_by_the_finaliser(lib, ffi):
    from ragkernels.signals._native import TrendWindow

    window = TrendWindow(3)
    handle = window._handle
    assert lib.rk_trend_window_reset(handle) == lib.RK_OK
    del window
    gc.collect()
    assert lib.rk_trend_window_reset(handle) == lib.RK_INVALID_HANDLE
