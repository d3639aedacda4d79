"""``config/`` beside ``run.py`` on Hydra's search path, by absolute path: the paper configs
(``-cp config_paper``) build on its ``default``, ``tasks/`` and ``model/`` from any working
directory (a relative ``hydra.searchpath`` entry was read from the working directory)."""
