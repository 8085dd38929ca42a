"""Unit tests of the nlu package."""
