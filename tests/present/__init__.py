"""Tests of gonghui_kit.present, one file per module."""
