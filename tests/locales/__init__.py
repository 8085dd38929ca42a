"""Tests generated from the language data and the per-language test tables."""
