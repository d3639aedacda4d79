"""Jet-parton assignment (SPANet-style) on all-hadronic ttbar events."""
