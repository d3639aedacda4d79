"""Statistical uncertainty of a ROC AUC measured on a finite test set."""

import math

__all__ = ["hanley_mcneil_std"]


def hanley_mcneil_std(auc: float, n_positive: int, n_negative: int) -> float:
    """Standard error of an AUC estimated from ``n_positive`` and ``n_negative`` test events.

    Hanley and McNeil, Radiology 143 (1982) 29, eq. (1), with their exponential approximations
    ``Q1 = A / (2 - A)`` and ``Q2 = 2 A^2 / (1 + A)``::

        SE^2 = (A (1 - A) + (n_pos - 1)(Q1 - A^2) + (n_neg - 1)(Q2 - A^2)) / (n_pos n_neg)

    For A = 0.5 and n events of each class it is about sqrt(1 / (6 n)): 0.058 for n = 50.

    Parameters
    ----------
    auc : float
        Measured AUC in [0, 1].
    n_positive, n_negative : int
        Test events of each class, both at least 1.

    Returns
    -------
    float
        The standard error.
    """
    if not 0.0 <= auc <= 1.0:
        raise ValueError(f"hanley_mcneil_std: auc must lie in [0, 1], got {auc}")
    if n_positive < 1 or n_negative < 1:
        raise ValueError(f"hanley_mcneil_std: need test events of both classes, got {n_positive} and {n_negative}")
    q1 = auc / (2 - auc)
    q2 = 2 * auc**2 / (1 + auc)
    variance = auc * (1 - auc) + (n_positive - 1) * (q1 - auc**2) + (n_negative - 1) * (q2 - auc**2)
    return math.sqrt(max(variance, 0.0) / (n_positive * n_negative))
