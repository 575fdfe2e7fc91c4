"""Tests of gonghui_kit.analysis, one file per module."""
