"""The error of bad experiment input, shared by the base experiment and the modules it calls."""


class ExperimentInputError(RuntimeError):
    """Bad input (missing file, wrong key, invalid values); ``run.py`` prints it in one line."""
