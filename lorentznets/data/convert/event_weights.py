"""Keys of the per-jet event weights that our Pythia generators write and every jet reader reads.

The generators sample pTHat with a bias and store, per jet, the compensating event weight under
``weight`` and the hard-process pTHat (GeV) under ``pthat`` (see docs/data.md); public files have
neither.
"""

WEIGHT_KEY = "weight"
PTHAT_KEY = "pthat"
