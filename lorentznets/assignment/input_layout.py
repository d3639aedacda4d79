"""The per-vector inputs of a SPANet event file as one feature layout, and four-momenta from them.

SPANet files may declare several SEQUENTIAL inputs (jets, leptons, ...), each with its own
features. The assignment models see all their vectors in one sequence: with a single input the
columns are its features in the event file's order (``pt``, ``eta``, ...); with several, one 0/1
flag column per input (named after the input) comes first, then every input's features as
``<input>/<feature>``, zero on the vectors of the other inputs.

Four-momenta (E, px, py, pz) in GeV come from ``pt`` and ``eta`` with the azimuth as ``phi`` or
as ``sin_phi`` and ``cos_phi``, and the mass (``mass``) or the energy (``energy``); without
either the vector is taken as massless. An input without all of ``pt``, ``eta`` and an azimuth
(e.g. MET with only its magnitude and angle) has no kinematics: its vectors get a zero
four-momentum (unchanged by any Lorentz transformation), so equivariant backbones see only its
Lorentz-invariant features and its input flag.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import torch

from .topology import EventTopology

MASS_NAMES = ("mass", "m")
ENERGY_NAMES = ("energy", "e")


@dataclass(frozen=True)
class KinematicColumns:
    """Names of the features that give a four-momentum (None where not provided).

    Attributes
    ----------
    pt, eta : str
    phi : str or None
        The azimuth; None when given as ``sin_phi`` / ``cos_phi``.
    sin_phi, cos_phi : str or None
    mass, energy : str or None
        At most one of them; neither: massless.
    """

    pt: str
    eta: str
    phi: str | None = None
    sin_phi: str | None = None
    cos_phi: str | None = None
    mass: str | None = None
    energy: str | None = None

    @property
    def used(self) -> tuple[str, ...]:
        """The feature names that enter the four-momentum."""
        names = (self.pt, self.eta, self.phi, self.sin_phi, self.cos_phi, self.mass, self.energy)
        return tuple(n for n in names if n is not None)


def kinematic_columns(features: Sequence[str], where: str = "input") -> KinematicColumns | None:
    """Which features of one input give its four-momenta; None for an input without kinematics
    (any of ``pt``, ``eta`` and the azimuth missing, e.g. a MET input with only its magnitude and
    angle).

    Raises
    ------
    ValueError
        ``sin_phi`` without ``cos_phi`` or the other way round, both ``phi`` and
        ``sin_phi``/``cos_phi``, or both a mass and an energy.
    """
    names = set(features)
    has_phi, has_sin, has_cos = "phi" in names, "sin_phi" in names, "cos_phi" in names
    if has_sin != has_cos:
        raise ValueError(f"{where}: give both sin_phi and cos_phi, or phi (found {sorted(names)})")
    if has_phi and has_sin:
        raise ValueError(f"{where}: give the azimuth as phi or as sin_phi/cos_phi, not both")
    masses = [n for n in MASS_NAMES if n in names]
    energies = [n for n in ENERGY_NAMES if n in names]
    if len(masses) + len(energies) > 1:
        raise ValueError(f"{where}: give one of the mass or the energy, found {masses + energies}")
    if not ("pt" in names and "eta" in names and (has_phi or has_sin)):
        return None
    return KinematicColumns(
        "pt",
        "eta",
        "phi" if has_phi else None,
        "sin_phi" if has_sin else None,
        "cos_phi" if has_cos else None,
        masses[0] if masses else None,
        energies[0] if energies else None,
    )


def four_momenta(values: Mapping[str, torch.Tensor], columns: KinematicColumns) -> torch.Tensor:
    """(E, px, py, pz) in GeV from the features named by ``columns``.

    Parameters
    ----------
    values : mapping of str to torch.Tensor with shape (...)
        Raw features by name (pt, mass, energy in GeV).
    columns : KinematicColumns

    Returns
    -------
    torch.Tensor with shape (..., 4), float64
    """
    pt, eta = values[columns.pt].double(), values[columns.eta].double()
    if columns.phi is not None:
        phi = values[columns.phi].double()
        cos, sin = torch.cos(phi), torch.sin(phi)
    else:
        sin, cos = values[columns.sin_phi].double(), values[columns.cos_phi].double()
        # Stored values need not lie exactly on the unit circle (float32 rounding); values far from
        # it are the reader's to refuse (experiments/assignment/kinematics_check.py), as is
        # (0, 0) on a real vector, which the guard below leaves at px = py = 0.
        radius = torch.sqrt(sin**2 + cos**2)
        safe = torch.where(radius > 0, radius, torch.ones_like(radius))
        sin, cos = sin / safe, cos / safe
    pz = pt * torch.sinh(eta)
    if columns.energy is not None:
        energy = values[columns.energy].double()
    else:
        mass = values[columns.mass].double() if columns.mass is not None else torch.zeros_like(pt)
        energy = torch.sqrt((pt * torch.cosh(eta)) ** 2 + mass**2)
    return torch.stack([energy, pt * cos, pt * sin, pz], dim=-1)


@dataclass(frozen=True)
class VectorLayout:
    """Columns of the per-vector features of all SEQUENTIAL inputs together.

    Attributes
    ----------
    inputs : tuple of str
        The SEQUENTIAL inputs in the event file's order.
    names : tuple of str
        Column names (see the module docstring).
    transforms : tuple of str
        The event file's transform per column (``none`` for the input flags).
    owner : tuple of int
        The input index each column belongs to; -1 for the input flags.
    features : tuple of str
        The feature name of each column without its input prefix (the input name for flags).
    """

    inputs: tuple[str, ...]
    names: tuple[str, ...]
    transforms: tuple[str, ...]
    owner: tuple[int, ...]
    features: tuple[str, ...]

    @property
    def num_flags(self) -> int:
        """Number of leading input-flag columns (0 with a single input)."""
        return sum(o < 0 for o in self.owner)


def vector_layout(topology: EventTopology) -> VectorLayout:
    """The combined feature layout of the topology's SEQUENTIAL inputs."""
    inputs = tuple(topology.sequential_inputs)
    if len(inputs) == 1:
        spec = topology.sequential_inputs[inputs[0]]
        return VectorLayout(inputs, tuple(spec), tuple(spec.values()), (0,) * len(spec), tuple(spec))
    names, transforms, owner, features = list(inputs), ["none"] * len(inputs), [-1] * len(inputs), list(inputs)
    for index, name in enumerate(inputs):
        for feature, transform in topology.sequential_inputs[name].items():
            names.append(f"{name}/{feature}")
            transforms.append(transform)
            owner.append(index)
            features.append(feature)
    return VectorLayout(inputs, tuple(names), tuple(transforms), tuple(owner), tuple(features))
