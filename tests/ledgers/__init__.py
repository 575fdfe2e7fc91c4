"""Tests of gonghui_kit.ledgers, one file per module."""
