"""Tests of gonghui_kit.ingest, one file per module."""
