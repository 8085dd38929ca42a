"""Centavo test suite."""
