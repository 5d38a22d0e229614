"""Drop-in modules for popular libraries' APIs (e.g. ragkernels.compat.rank_bm25)."""
