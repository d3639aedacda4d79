"""This repository's Hydra plugins: Hydra instantiates a sweeper only from the ``hydra_plugins``
namespace, which this folder (beside ``run.py``) joins."""
