"""Jet tagging: top tagging, quark-gluon tagging and JetClass with any registered tagger."""
