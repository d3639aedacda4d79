"""Shared machinery of the experiments: one concept per module."""
