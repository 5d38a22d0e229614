"""The header of every report: what ran, where."""

from __future__ import annotations

import datetime as _dt
import os
import platform
import re
import subprocess
from pathlib import Path

from .._dispatch import implementation
from .._version import __version__


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _run(command: list[str]) -> str | None:
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=30, cwd=Path.cwd())
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def _library_build() -> str | None:
    from .. import _native

    if _native.lib is None:
        return None
    ffi, lib = _native.ffi, _native.lib
    needed = ffi.new("int64_t*")
    buffer = ffi.new("uint8_t[]", 256)
    if lib.rk_build_info(buffer, 256, needed) != lib.RK_OK:
        return None
    return bytes(ffi.buffer(buffer, needed[0])).decode()


def header() -> dict:
    from .. import _native

    commit = _run(["git", "rev-parse", "--short=12", "HEAD"]) or "unknown"
    # Committed reports themselves are not the code being measured.
    if commit != "unknown" and _run(["git", "status", "--porcelain", "--untracked-files=no", "--", ".",
                                     ":(exclude)benchmarks/results"]):
        commit += "-dirty"
    return {
        "package_version": __version__,
        "git_commit": commit,
        "implementation": implementation(),
        "binding": _native.binding_name(),
        "library": _native.library_path(),
        "library_build": _library_build(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "dotnet_sdk": _run(["dotnet", "--version"]) or "not installed",
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "os": f"{platform.system()} {platform.release()} ({platform.machine()})",
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def machine_slug(head: dict) -> str:
    """A folder name for this machine kind: CPU model and core count."""
    cpu = re.sub(r"\((r|tm)\)|cpu|processor|@.*", "", head["cpu"].lower())
    cpu = re.sub(r"[^a-z0-9]+", "-", cpu).strip("-") or "unknown-cpu"
    return f"{cpu}-{head['cores']}c"
