"""How the readers build jets from a file beyond what its layout fixes, checked once."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from lorentznets.data.convert.pid import CONSTITUENT_MASSES, PID_FEATURES, check_constituent_mass, check_pid_features

from . import energyflow_npz


@dataclass(frozen=True)
class ReadingOptions:
    """The reading options of the tagging readers, checked on construction.

    Built once, from a run's ``data`` block or from the keywords of
    :func:`~lorentznets.data.readers.load_jets` and the streams (:meth:`resolve`), and passed down
    to the readers as it is (those three take it as ``reading``): the readers take the values as
    given, and the EnergyFlow chunks, which any caller may reach, check theirs once per call.

    Attributes
    ----------
    impact_parameters : bool
        JetClass ROOT only: the four track impact-parameter features follow the particle IDs in
        the ``scalars`` (Particle Transformer's full input, S = 10).
    constituent_mass : str
        One of :data:`~lorentznets.data.convert.pid.CONSTITUENT_MASSES`: the mass the EnergyFlow
        reader gives each constituent when it builds the energies from (pt, y, phi, pid).
    pid_features : str
        One of :data:`~lorentznets.data.convert.pid.PID_FEATURES`: the scalars the EnergyFlow
        reader builds from the PDG codes. Other formats' scalars are the file's whatever this says
        (JetClass's are weaver's six flags already).

    Raises
    ------
    ValueError
        ``impact_parameters`` not a bool, an unknown ``constituent_mass`` or ``pid_features``.

    Examples
    --------
    >>> options = ReadingOptions.cast({"constituent_mass": "massless"})
    >>> options.reader_keywords("energyflow_npz", "qg.h5")
    {'constituent_mass': 'massless'}
    >>> options.reader_keywords("jetclass_root", "a.root")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    ValueError: a.root: constituent_mass='massless' applies to EnergyFlow (pt, y, phi, pid) files only, ...
    """

    impact_parameters: bool = False
    constituent_mass: str = CONSTITUENT_MASSES[0]
    pid_features: str = PID_FEATURES[0]

    def __post_init__(self) -> None:
        if not isinstance(self.impact_parameters, bool | np.bool_):
            raise ValueError(f"impact_parameters={self.impact_parameters!r}: expected True or False")
        check_constituent_mass(self.constituent_mass)
        check_pid_features(self.pid_features)

    @classmethod
    def cast(cls, options: ReadingOptions | Mapping[str, Any]) -> ReadingOptions:
        """``options`` itself, or the options a mapping of field names gives (the others default).

        Raises
        ------
        ValueError
            A key that is no field (naming the fields), or a value :class:`ReadingOptions` refuses.
        """
        if isinstance(options, cls):
            return options
        names = [field.name for field in fields(cls)]
        unknown = sorted(set(options) - set(names))
        if unknown:
            raise ValueError(f"reading options {unknown} are unknown; expected some of {names}")
        return cls(**options)

    @classmethod
    def resolve(cls, reading: ReadingOptions | None, **keywords: Any) -> ReadingOptions:
        """``reading``, or the options of the ``keywords`` that are not None (the others default):
        the public entries take either the object, built once by their caller, or the keywords.

        Raises
        ------
        ValueError
            ``reading`` together with a keyword (naming them), or a value :class:`ReadingOptions`
            refuses.
        """
        given = {name: value for name, value in keywords.items() if value is not None}
        if reading is None:
            return cls(**given)
        if given:
            raise ValueError(
                f"reading options given twice: reading={reading} and the keywords {sorted(given)}; pass either"
            )
        return reading

    def reader_keywords(self, format: str, path: str | os.PathLike) -> dict[str, Any]:
        """Keyword arguments of the reader of ``format`` (``read``, ``read_range``) for the options
        that differ from their defaults: a reader takes only the options it has.

        Parameters
        ----------
        format : str
            The file's format.
        path : str or os.PathLike
            The file, for the message.

        Raises
        ------
        ValueError
            A ``constituent_mass`` other than "pdg" for a format whose files store four-momenta
            (every format but "energyflow_npz"): the energies are the file's. Impact parameters
            of other formats than JetClass ROOT are refused by the callers, which know all files.
        """
        keywords: dict[str, Any] = {"impact_parameters": True} if self.impact_parameters else {}
        if self.constituent_mass != CONSTITUENT_MASSES[0]:
            if format != energyflow_npz.FORMAT:
                raise ValueError(
                    f"{os.fspath(path)}: constituent_mass={self.constituent_mass!r} applies to EnergyFlow (pt, y, "
                    f"phi, pid) files only, whose energies the reader builds; format {format!r} stores four-momenta"
                )
            keywords["constituent_mass"] = self.constituent_mass
        if self.pid_features != PID_FEATURES[0] and format == energyflow_npz.FORMAT:
            keywords["pid_features"] = self.pid_features
        return keywords


DEFAULT_READING = ReadingOptions()
"""The defaults: no impact parameters, PDG masses, our particle-ID scalars (frozen, so a safe
default argument)."""
