"""Whether a tagging run weights its jets: the one decision the in-memory and the streamed splits
share before each normalises its weights in its own way."""

from __future__ import annotations

import logging
from collections.abc import Mapping

LOGGER = logging.getLogger("lorentznets")


def splits_are_weighted(has_weights: Mapping[str, bool], sources: Mapping[str, str], use_weights: bool) -> bool:
    """True when the per-jet weights of the files enter the losses and metrics.

    Parameters
    ----------
    has_weights : mapping of str to bool
        For each split, whether its files have per-jet weights (key ``weight``).
    sources : mapping of str to str
        Each split's files, named in the error.
    use_weights : bool
        ``data.use_weights``.

    Returns
    -------
    bool
        True when every split has weights and ``use_weights`` is on; False when no split has
        weights, or when ``use_weights`` is off (logged: the files' weights are ignored).

    Raises
    ------
    ValueError
        ``use_weights`` is on and only some splits have weights; the message names the splits
        without and their files.
    """
    if not any(has_weights.values()):
        return False
    if not use_weights:
        LOGGER.info("data.use_weights=false: ignoring the per-jet weights in the data files")
        return False
    missing = {split: sources[split] for split, has in has_weights.items() if not has}
    if missing:
        raise ValueError(
            f"data.use_weights=true, but only some splits have per-jet weights (key 'weight'); "
            f"missing in {missing}: use files that all have weights or set data.use_weights=false"
        )
    return True
