"""Benchmark importers: eForms notices (`notices`) and monitor CSV files (`values`).

Each validates its whole input first; the CSV importer writes nothing when any row is bad,
the notice importer rejects bad files individually and reports them (never a crash)."""
