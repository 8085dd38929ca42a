"""Generated receipt photos (tests and bench)."""
