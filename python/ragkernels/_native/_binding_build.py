"""Build-time generator of the compiled cffi binding (API mode, out-of-line).

ABI mode (`ffi.dlopen`) calls every kernel through libffi: ~0.1 µs per call plus ~30-40 ns
per argument, more than many sub-microsecond kernels take. The compiled binding
`ragkernels._native._cffi_binding` calls the library through plain C function pointers
instead. Its C source is generated from ragkernels.h, the one declaration of the ABI: for
each `rk_*` function a static pointer and a static wrapper of the same signature that calls
through it, and `rkpy_bind(path, error, capacity)`, which opens the library (RTLD_NOW |
RTLD_NODELETE; LoadLibraryW on Windows) and resolves every symbol before any pointer changes.
The wrappers are static so that they never clash with the library's own exported names.

This file is read by setup.py through its path (the package cannot be imported while it is
being built), so it imports nothing from ragkernels: the caller hands in the cdef text
(`_loader.read_cdef()`).
"""

from __future__ import annotations

import re
from pathlib import Path

MODULE_NAME = "ragkernels._native._cffi_binding"

# The one extra function of the binding (declared to cffi next to the header's), and the
# fingerprint of the declarations it was generated from: the loader refuses a binding built from
# another ragkernels.h (a stale editable build, say), whose functions would not match.
BIND_DECLARATION = "int32_t rkpy_bind(const char* path, char* error, int64_t capacity);"
HASH_DECLARATION = "#define RKPY_HEADER_HASH ..."


def header_hash(cdef: str) -> int:
    """A 60-bit fingerprint of the cdef text (what the loader compares)."""
    import hashlib

    return int(hashlib.sha256(cdef.encode("utf-8")).hexdigest()[:15], 16)

_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
_FUNCTION = re.compile(r"(?:^|;|\n)\s*([A-Za-z_][\w \t\*]*?)\s*\b(rk_\w+)\s*\(([^;{}()]*)\)\s*;", re.S)
_DEFINE = re.compile(r"^#define\s+(RK_\w+)\s+(-?\d+)\s*$", re.M)
_STRUCT = re.compile(r"typedef\s+struct\s+\w+\s*\{[^{}]*\}\s*\w+\s*;", re.S)
_PARAMETER_NAME = re.compile(r"([A-Za-z_]\w*)\s*$")


class Function:
    """One declaration: return type, name, and parameters as (declaration, name) pairs."""

    def __init__(self, result: str, name: str, parameters: list[tuple[str, str]]):
        self.result = result
        self.name = name
        self.parameters = parameters

    def parameter_list(self) -> str:
        return ", ".join(decl for decl, _ in self.parameters) or "void"

    def argument_list(self) -> str:
        return ", ".join(name for _, name in self.parameters)


def parse_functions(cdef: str) -> list[Function]:
    """Every `rk_*` function declared in the cdef text, in order."""
    text = _COMMENT.sub(" ", cdef)
    functions = []
    for match in _FUNCTION.finditer(text):
        result = " ".join(match.group(1).split())
        name = match.group(2)
        raw = " ".join(match.group(3).split())
        parameters = []
        if raw and raw != "void":
            for position, piece in enumerate(p.strip() for p in raw.split(",")):
                found = _PARAMETER_NAME.search(piece)
                if found is None or found.group(1) in ("void", "int", "char", "double", "float") \
                        or found.group(1).endswith("_t"):
                    raise ValueError(f"{name}: parameter {position + 1} ({piece!r}) has no name")
                parameters.append((piece, found.group(1)))
        functions.append(Function(result, name, parameters))
    if not functions:
        raise ValueError("no rk_* function declarations found in the header")
    return functions


def binding_cdef(cdef: str) -> str:
    """What cffi is told: the header's declarations plus rkpy_bind."""
    return cdef + "\n" + BIND_DECLARATION + "\n" + HASH_DECLARATION + "\n"


def c_source(cdef: str) -> str:
    """The C source of the binding for the declarations in cdef."""
    functions = parse_functions(cdef)
    out = [
        "/* Generated at build time by ragkernels/_native/_binding_build.py from ragkernels.h: do not edit. */",
        "#include <stdint.h>",
        "#include <stdio.h>",
        "#include <string.h>",
        "#ifdef _WIN32",
        "#include <windows.h>",
        "#else",
        "#include <dlfcn.h>",
        "#endif",
        "",
    ]
    out += [f"#define {name} {value}" for name, value in _DEFINE.findall(cdef)]
    out.append(f"#define RKPY_HEADER_HASH {header_hash(cdef)}LL")
    out.append("")
    # The header's struct types (rk_span, rk_text), which the declarations below use.
    out += [" ".join(struct.split()) for struct in _STRUCT.findall(_COMMENT.sub(" ", cdef))]
    out.append("")
    for f in functions:
        # A pointer that is never NULL: before rkpy_bind it points at a stub that answers
        # RK_INTERNAL instead of jumping to address 0.
        out.append(f"typedef {f.result} (*rkpy_t_{f.name})({f.parameter_list()});")
        out.append(f"static {f.result} rkpy_stub_{f.name}({f.parameter_list()}) {{"
                   + "".join(f" (void){name};" for _, name in f.parameters) + " return 99; }")
        out.append(f"static rkpy_t_{f.name} rkpy_p_{f.name} = rkpy_stub_{f.name};")
        out.append(f"static {f.result} {f.name}({f.parameter_list()}) {{ "
                   f"return rkpy_p_{f.name}({f.argument_list()}); }}")
    out.append("")
    out.append(f"#define RKPY_COUNT {len(functions)}")
    out.append("static const char* const rkpy_names[RKPY_COUNT] = {")
    out += [f'    "{f.name}",' for f in functions]
    out.append("};")
    out.append("")
    out.append("static void rkpy_store(void* const* found) {")
    out += [f"    rkpy_p_{f.name} = (rkpy_t_{f.name})found[{i}];" for i, f in enumerate(functions)]
    out.append("}")
    out.append(_BIND)
    return "\n".join(out) + "\n"


_BIND = r"""
static void rkpy_error(char* error, int64_t capacity, const char* a, const char* b, const char* c) {
    if (error != NULL && capacity > 0) {
        snprintf(error, (size_t)capacity, "%s%s%s", a, b, c != NULL ? c : "");
    }
}

/* Opens the library at path (UTF-8) and resolves every rk_* symbol; 0 on success, else 1 with
   the reason in error (NUL-terminated, cut to capacity). Nothing changes unless all resolve.
   The library is never closed: a NativeAOT runtime cannot be unloaded. */
static int32_t rkpy_bind(const char* path, char* error, int64_t capacity) {
    void* found[RKPY_COUNT];
    int i;
#ifdef _WIN32
    HMODULE module;
    wchar_t wide[32768];
    if (MultiByteToWideChar(CP_UTF8, 0, path, -1, wide, 32768) == 0) {
        rkpy_error(error, capacity, "cannot convert the path to UTF-16: ", path, NULL);
        return 1;
    }
    module = LoadLibraryW(wide);
    if (module == NULL) {
        char code[32];
        snprintf(code, sizeof code, " (error %lu)", (unsigned long)GetLastError());
        rkpy_error(error, capacity, "LoadLibraryW failed for ", path, code);
        return 1;
    }
    for (i = 0; i < RKPY_COUNT; i++) {
        found[i] = (void*)GetProcAddress(module, rkpy_names[i]);
        if (found[i] == NULL) {
            rkpy_error(error, capacity, "the library does not export ", rkpy_names[i],
                       " (it is older or newer than this package's ragkernels.h)");
            return 1;
        }
    }
#else
    void* handle;
    int flags = RTLD_NOW | RTLD_LOCAL;
#ifdef RTLD_NODELETE
    flags |= RTLD_NODELETE;
#endif
    handle = dlopen(path, flags);
    if (handle == NULL) {
        rkpy_error(error, capacity, "", dlerror(), NULL);
        return 1;
    }
    for (i = 0; i < RKPY_COUNT; i++) {
        dlerror();
        found[i] = dlsym(handle, rkpy_names[i]);
        if (found[i] == NULL) {
            rkpy_error(error, capacity, "the library does not export ", rkpy_names[i],
                       " (it is older or newer than this package's ragkernels.h)");
            return 1;
        }
    }
#endif
    rkpy_store(found);
    return 0;
}
"""


def make_ffi(cdef: str):
    """A cffi.FFI ready to compile the binding for the declarations in cdef."""
    import cffi

    ffi = cffi.FFI()
    ffi.cdef(binding_cdef(cdef))
    import sys

    # dlopen lives in libdl before glibc 2.34.
    libraries = ["dl"] if sys.platform.startswith("linux") else []
    ffi.set_source(MODULE_NAME, c_source(cdef), libraries=libraries)
    return ffi


def compile_binding(cdef: str, tmpdir: Path) -> Path:
    """Compiles the extension in tmpdir and returns the built file. Raises on failure
    (cffi.VerificationError / distutils errors when there is no working C compiler)."""
    ffi = make_ffi(cdef)
    tmpdir.mkdir(parents=True, exist_ok=True)
    return Path(ffi.compile(tmpdir=str(tmpdir), verbose=False))
