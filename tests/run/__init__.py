"""Tests of gonghui_kit.run, one file per module."""
