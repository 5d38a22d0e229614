"""The two ways Python calls the library: the compiled cffi binding ("api", generated from
ragkernels.h at build time) and cffi's ABI mode ("abi", ffi.dlopen). RAGKERNELS_FFI chooses;
the choice is made once at import, so the switching tests run in subprocesses."""

from __future__ import annotations

import ctypes.util
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from conftest import REPO, REQUIRE_NATIVE, native_lib
from ragkernels._native import _binding_build, _loader


def declared_functions() -> list[str]:
    return re.findall(r"^int32_t\s+(rk_\w+)\s*\(", _loader.read_cdef(), re.M)


def compiled_binding_expected() -> bool:
    """A build on this machine should have compiled the binding: a compiler and Python.h."""
    include = sysconfig.get_paths().get("include")
    return bool(shutil.which("cc") or shutil.which("gcc")) and bool(include) and (Path(include) / "Python.h").is_file()


# ---- the generator ---------------------------------------------------------------------

def test_generator_parses_every_declared_function_with_its_parameters():
    functions = _binding_build.parse_functions(_loader.read_cdef())
    assert [f.name for f in functions] == declared_functions()
    by_name = {f.name: f for f in functions}
    assert by_name["rk_abi_version"].parameters == []
    assert by_name["rk_abi_version"].parameter_list() == "void"
    assert by_name["rk_trend_window_push"].parameters == [
        ("uint64_t handle", "handle"), ("double score", "score"), ("double* drop", "drop")]
    # A declaration spread over several lines keeps all of its parameters.
    assert [n for _, n in by_name["rk_bm25_search_many"].parameters] == [
        "handle", "text", "text_length", "query_starts", "count", "token_offsets", "token_count", "k",
        "threads", "docs", "scores"]


def test_generated_source_wraps_every_function_and_resolves_every_symbol():
    source = _binding_build.c_source(_loader.read_cdef())
    for name in declared_functions():
        assert f"static int32_t {name}(" in source  # static: never clashes with the library's export
        assert f'    "{name}",' in source  # looked up by rkpy_bind
    assert f"#define RKPY_COUNT {len(declared_functions())}" in source
    assert "RTLD_NODELETE" in source and "LoadLibraryW" in source


def test_the_binding_carries_the_fingerprint_of_its_header():
    cdef = _loader.read_cdef()
    assert _binding_build.header_hash(cdef) == _loader._header_hash(cdef)
    assert f"#define RKPY_HEADER_HASH {_binding_build.header_hash(cdef)}LL" in _binding_build.c_source(cdef)
    assert _binding_build.header_hash(cdef + "\nint32_t rk_new(int64_t n);") != _binding_build.header_hash(cdef)
    compiled = _loader.compiled_binding()
    if not isinstance(compiled, str):
        assert compiled.lib.RKPY_HEADER_HASH == _binding_build.header_hash(cdef)


def test_a_binding_built_from_another_header_is_not_used(tmp_path):
    native_lib()
    if isinstance(_loader.compiled_binding(), str):
        pytest.skip("the compiled cffi binding was not built")
    # The installed package's header gains a declaration the binding was not generated from.
    import ragkernels

    package = Path(ragkernels.__file__).parent
    copy = tmp_path / "ragkernels"
    shutil.copytree(package, copy)
    header = copy / "ragkernels.h"
    header.write_text(header.read_text().replace("#endif /* RAGKERNELS_H */", "int32_t rk_future(int64_t n);\n#endif"))
    code = f"import sys; sys.path.insert(0, {str(tmp_path)!r}); " + PROBE
    result = run({}, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[1] == "abi"  # auto: the stale binding is passed over
    result = run({"RAGKERNELS_FFI": "api"}, code)
    assert result.stdout.split() == ["python", "api", "False"], result.stderr
    assert "generated from another ragkernels.h" in result.stderr


def test_generator_refuses_an_unnamed_parameter():
    with pytest.raises(ValueError, match="rk_thing: parameter 2"):
        _binding_build.parse_functions("int32_t rk_thing(int64_t count, double*);")


# ---- the binding in use ------------------------------------------------------------------

def test_the_compiled_binding_is_used_by_default_when_built():
    native_lib()
    from ragkernels import _native

    compiled = _loader.compiled_binding()
    if isinstance(compiled, str):
        if REQUIRE_NATIVE and compiled_binding_expected():
            pytest.fail(f"a C compiler and Python.h are here, but {compiled}")
        pytest.skip(compiled)
    if os.environ.get("RAGKERNELS_FFI", "auto") in ("auto", "api", ""):
        assert _native.binding == "api"
        assert _native.ffi is compiled.ffi and _native.lib is compiled.lib


def test_ffi_and_lib_belong_together():
    # cdata of one FFI instance is refused by another's functions: the modules' ffi must be lib's.
    lib = native_lib()
    from ragkernels._native import ffi

    out = ffi.new("double*")
    values = ffi.new("double[]", [0.8, 0.6, 0.2])
    assert lib.rk_signal_trend_drop(values, 3, out) == lib.RK_OK
    assert out[0] == pytest.approx(0.6)
    handle = ffi.new("uint64_t*")
    assert lib.rk_trend_window_create(3, handle) == lib.RK_OK
    assert lib.rk_trend_window_free(handle[0]) == lib.RK_OK


def test_bind_names_the_missing_symbol_and_changes_nothing():
    native_lib()
    compiled = _loader.compiled_binding()
    if isinstance(compiled, str):
        pytest.skip(compiled)
    libm = ctypes.util.find_library("m")
    if libm is None:
        pytest.skip("no libm to stand in for a library without the rk_* symbols")
    ffi, lib = compiled.ffi, compiled.lib
    error = ffi.new("char[]", 256)
    assert lib.rkpy_bind(libm.encode(), error, 256) == 1
    assert ffi.string(error).decode() == (
        "the library does not export rk_abi_version (it is older or newer than this package's ragkernels.h)")
    assert lib.rkpy_bind(b"/nonexistent/libragkernels.so", error, 256) == 1
    assert "/nonexistent/libragkernels.so" in ffi.string(error).decode()
    # The pointers still lead to the loaded library.
    assert lib.rk_abi_version() == lib.RK_ABI_VERSION


# ---- RAGKERNELS_FFI, in subprocesses ------------------------------------------------------

def run(env_changes: dict, code: str):
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAGKERNELS_")}
    env.update(env_changes)
    return subprocess.run([sys.executable, "-W", "always", "-c", code], env=env, capture_output=True, text=True)


PROBE = "import ragkernels, ragkernels._native as n; print(ragkernels.implementation(), n.binding, n.lib is not None)"


def test_abi_is_forced_by_the_environment():
    native_lib()
    result = run({"RAGKERNELS_FFI": "abi"}, PROBE)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["native", "abi", "True"]
    assert result.stderr == ""


def test_api_is_forced_by_the_environment():
    native_lib()
    if isinstance(_loader.compiled_binding(), str):
        pytest.skip("the compiled cffi binding was not built")
    result = run({"RAGKERNELS_FFI": "API"}, PROBE)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["native", "api", "True"]
    assert result.stderr == ""


def test_api_without_the_compiled_binding_falls_back_with_a_warning():
    native_lib()
    hide = "import sys; sys.modules['ragkernels._native._cffi_binding'] = None\n"
    result = run({"RAGKERNELS_FFI": "api"}, hide + PROBE)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["python", "api", "False"]
    assert "falls back to pure Python: RAGKERNELS_FFI=api but the compiled cffi binding is not available" in result.stderr
    # auto takes ABI mode instead, silently.
    result = run({}, hide + PROBE)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["native", "abi", "True"]
    assert result.stderr == ""


def test_unknown_ffi_choice_is_an_import_error():
    result = run({"RAGKERNELS_FFI": "fast"}, PROBE)
    assert result.returncode != 0
    assert "RAGKERNELS_FFI must be one of auto, api, abi, got 'fast'" in result.stderr


# A representative subset of the suite: the ABI itself (statuses, errors, handles, header vs
# exports), trend_drop and the window, the pairwise signals and their batches, BM25, the vector
# index and rank fusion, each against the Python twin.
SUBSET = ["test_abi.py", "test_trend_drop.py", "test_pair_signals.py", "test_bm25.py", "test_vector_index.py",
          "test_rrf.py", "test_embed_tokenizer.py"]
# The slowest ones (hypothesis parity of the pair signals, ArguAna) run in the main suite only:
# what matters here is that every kind of call crosses both bindings.
SLOW = ("not (test_parity_traceability or test_parity_numerical_consistency or test_parity_negation_flip"
        " or test_parity_entity_overlap or arguana)")


@pytest.mark.parametrize("binding", ["abi", "api"])
def test_a_representative_subset_passes_with_each_binding(binding):
    native_lib()
    if binding == "api" and isinstance(_loader.compiled_binding(), str):
        pytest.skip("the compiled cffi binding was not built")
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAGKERNELS_")}
    env.update({"RAGKERNELS_FFI": binding, "RAGKERNELS_REQUIRE_NATIVE": "1"})
    check = run(env, PROBE)
    assert check.stdout.split()[1] == binding, check.stderr
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-k", SLOW,
         *(f"tests/{name}" for name in SUBSET)],
        cwd=REPO, env=env, capture_output=True, text=True,
    )
    tail = result.stdout[-3000:] + result.stderr[-2000:]
    assert result.returncode == 0, tail
    assert re.search(r"\d+ passed", result.stdout), tail
