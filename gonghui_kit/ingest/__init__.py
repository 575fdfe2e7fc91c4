"""Ingest: safety → read → clean → load → check. Files in, canonical tables and findings out."""
