"""The package version, read by pyproject.toml and reported by every benchmark."""

__version__ = "0.1.0"
