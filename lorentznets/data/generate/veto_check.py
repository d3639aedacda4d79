"""Measure what the early jet veto would remove, on events generated without it.

``python -m lorentznets.data.generate.veto_check toptagging --events 15000 --seed 31`` generates
events of both classes with :class:`~lorentznets.data.generate.jet_veto.JetVeto` in recording
mode (nothing vetoed), applies the generator's own jet selection, and prints for each class how
many events the veto would have removed and how many accepted jets (weighted) it would have lost.
"""

from __future__ import annotations

import argparse
import importlib
from dataclasses import dataclass

import awkward as ak
import numpy as np

from lorentznets.data.cli_types import int_in_range
from lorentznets.data.convert.event_weights import WEIGHT_KEY
from lorentznets.data.generate.jet_veto import JetVeto, VetoSettings
from lorentznets.data.generate.options import MAX_PYTHIA_SEED
from lorentznets.data.generate.pythia_session import event_weight, make_pythia, next_batch

CLASSES = {
    "toptagging": (("top", "signal_pythia", True), ("qcd", "background_pythia", False)),
    "quarkgluon": (("quark", "quark_pythia", True), ("gluon", "gluon_pythia", False)),
}


@dataclass
class VetoCheck:
    """Recorded veto quantities of one class.

    Attributes
    ----------
    settings : VetoSettings
        The veto that was checked.
    shower_pt, parton_pt : np.ndarray
        Leading wide-radius jet pT (GeV) at the shower-scale and parton-level checks, (events,).
    accepted : np.ndarray
        Whether the event gave an accepted jet of the generator, (events,) bool.
    weight : np.ndarray
        Event weights, (events,).
    """

    settings: VetoSettings
    shower_pt: np.ndarray
    parton_pt: np.ndarray
    accepted: np.ndarray
    weight: np.ndarray

    @property
    def vetoed(self) -> np.ndarray:
        """Whether the veto would have removed the event, (events,) bool."""
        s = self.settings
        return (self.shower_pt < s.pt_min - s.shower_margin) | (self.parton_pt < s.pt_min - s.parton_margin)

    @property
    def lost_fraction(self) -> float:
        """Weighted fraction of the accepted jets that the veto would have removed."""
        lost = self.vetoed & self.accepted
        return float(self.weight[lost].sum() / max(self.weight[self.accepted].sum(), 1e-300))


def check_veto(dataset: str, first_class: bool, n_events: int, seed: int) -> VetoCheck:
    """Generate ``n_events`` events of one class of ``dataset`` with the default settings, recording.

    Parameters
    ----------
    dataset : str
        ``"toptagging"`` or ``"quarkgluon"``.
    first_class : bool
        Signal (top) or quark when true, background (QCD) or gluon otherwise.
    n_events, seed : int
        Events to generate and ``Random:seed``.
    """
    module = importlib.import_module(f"lorentznets.data.generate.{dataset}")
    parser = argparse.ArgumentParser()
    module.add_arguments(parser)
    settings = module.settings_from_args(parser.parse_args([]))
    key = next(k for _, k, flag in CLASSES[dataset] if flag == first_class)
    veto_settings = VetoSettings(**settings["veto"])
    records: dict[float, tuple[float, float]] = {}
    pythias = []

    def record(shower_pt: float, parton_pt: float) -> None:
        # Events are identified by their float64 pT2Hat; a parton level that Pythia retries for the
        # same hard process overwrites its record.
        records[pythias[0].infoPython().pT2Hat()] = (shower_pt, parton_pt)

    veto = JetVeto(veto_settings, record=record)
    pythias.append(make_pythia(settings[key], seed, settings["mpi"], hooks=veto))
    events = next_batch(pythias[0], n_events)
    rows = module.select_jets(events, settings, first_class)
    bounds = np.array([records[x] for x in ak.to_numpy(events.info.pT2Hat)])
    weight = event_weight(events.info)
    if len(np.unique(weight)) < len(weight):
        raise RuntimeError("event weights are not unique (is the pTHat bias off?); cannot identify the selected events")
    return VetoCheck(
        settings=veto_settings,
        shower_pt=bounds[:, 0],
        parton_pt=bounds[:, 1],
        # The pTHat-bias weight (float64) is unique per event, so it identifies the selected ones.
        accepted=np.isin(weight, rows[WEIGHT_KEY]),
        weight=weight,
    )


def main(argv: list[str] | None = None) -> None:
    """Print the veto check of both classes of a dataset."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", choices=sorted(CLASSES))
    parser.add_argument("--events", type=int, default=15000, help="events per class")
    parser.add_argument(
        "--seed", type=int_in_range(1, MAX_PYTHIA_SEED), default=31, help=f"Random:seed, in [1, {MAX_PYTHIA_SEED}]"
    )
    args = parser.parse_args(argv)
    for name, _, flag in CLASSES[args.dataset]:
        check = check_veto(args.dataset, flag, args.events, args.seed)
        acc = check.accepted
        print(
            f"{name}: {acc.sum()} accepted jets of {len(acc)} events; the veto removes "
            f"{check.vetoed.mean():.1%} of the events and {check.lost_fraction:.2%} of the accepted jets "
            f"(weighted); {acc.sum() / max((~check.vetoed).sum(), 1):.0%} of the events it keeps give "
            f"an accepted jet; lowest wide-jet pT of an accepted jet: {check.shower_pt[acc].min():.0f} GeV at the "
            f"shower check (threshold {check.settings.pt_min - check.settings.shower_margin:.0f}), "
            f"{check.parton_pt[acc].min():.0f} GeV at parton level "
            f"(threshold {check.settings.pt_min - check.settings.parton_margin:.0f})"
        )


if __name__ == "__main__":
    main()
