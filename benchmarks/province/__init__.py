"""The province-scale benchmark: a generated province written as a definition folder, loaded
into SQLite and PostgreSQL, then served by ``tieuchi serve --workers 2`` and measured.

``benchmarks/province_benchmark.py`` runs it; ``benchmarks/README.md`` ("Province scale")
records its figures. A script, not a test.
"""
