"""Ledgers the toolkit writes: the blank template and the messy sample with its ground truth."""
