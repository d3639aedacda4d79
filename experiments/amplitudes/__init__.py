"""Amplitude regression (issue 6): learn exact squared matrix elements of partonic processes."""
