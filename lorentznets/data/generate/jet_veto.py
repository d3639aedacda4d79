"""Early Pythia vetoes for events that cannot give a jet above the generator's pT cut.

Most events of a pTHat window wide enough to keep the window bias below 1% never produce a jet in
the narrow pT range of a tagging sample, and most of Pythia's time per event goes into the low-pT
end of the parton shower and into hadronisation. :class:`JetVeto` checks the event twice, with
anti-kT jets of a *wider* radius built from the partons present at that stage (Pythia's
``SlowJet``, which clusters with fjcore):

1. when the interleaved shower of the hard process passes ``scale`` (20 GeV): every emission
   harder than that has happened;
2. at the end of the parton level, before hadronisation.

An event is vetoed when no such jet with |y| below the cut plus ``rapidity_margin`` reaches
``pt_min - shower_margin`` (stage 1) or ``pt_min - parton_margin`` (stage 2). The margins were
measured to be far larger than the change of a jet's pT after those stages (``docs/data.md``;
:mod:`lorentznets.data.generate.veto_check` repeats the measurement), so the accepted jets are
the same as without the veto, only found faster. Pythia drops a vetoed event and generates the
next one; the event weights of the kept events are untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

from lorentznets.data.convert.optional import import_optional
from lorentznets.data.generate.fjcore_banner import silence_fjcore_banner

pythia8mc = import_optional("pythia8mc", "the Pythia event generators (lorentznets.data.generate)")

SLOWJET_ANTIKT = -1
SLOWJET_VISIBLE = 2
SLOWJET_KEEP_MASSES = 2
# doVetoPT's first argument: 0-3 are points of the interleaved evolution of the hard process,
# higher values the showers of resonance decays (checked there only through the second check).
HARD_PROCESS_STAGES = (0, 1, 2, 3)


@dataclass(frozen=True)
class VetoSettings:
    """Thresholds of :class:`JetVeto`; GeV for momenta.

    Attributes
    ----------
    pt_min : float
        The generator's jet pT cut.
    rapidity_max : float
        The generator's jet |y| (or |eta|) cut.
    radius : float
        The generator's anti-kT radius.
    scale : float
        Shower evolution scale of the first check.
    shower_margin, parton_margin : float
        How far below ``pt_min`` the wide-radius jet may lie at the first and second check.
    radius_margin : float
        Added to ``radius`` for the jets of the checks.
    rapidity_margin : float
        Added to ``rapidity_max`` for the jets of the checks.
    """

    pt_min: float
    rapidity_max: float
    radius: float
    scale: float = 20.0
    shower_margin: float = 150.0
    parton_margin: float = 50.0
    radius_margin: float = 0.4
    rapidity_margin: float = 0.5

    def as_dict(self) -> dict[str, float]:
        """The settings as a JSON-serialisable dict (stored in the generated file)."""
        return asdict(self)


class JetVeto(pythia8mc.UserHooks):
    """Pythia user hook that vetoes events without a hard enough wide-radius jet.

    Parameters
    ----------
    settings : VetoSettings
        Thresholds.
    record : callable or None
        When given, nothing is vetoed; instead ``record(shower_pt, parton_pt)`` is called once per
        parton-level attempt with the two leading wide-radius jet pT values (GeV) the checks would
        have compared. Used to measure the margins.
    """

    def __init__(self, settings: VetoSettings, record: Callable[[float, float], None] | None = None):
        super().__init__()
        self.settings = settings
        self.record = record
        self.shower_pt = 0.0
        silence_fjcore_banner()
        self._jets = pythia8mc.SlowJet(
            SLOWJET_ANTIKT, settings.radius + settings.radius_margin, 1.0, 1e3, SLOWJET_VISIBLE, SLOWJET_KEEP_MASSES
        )

    def leading_pt(self, event: pythia8mc.Event) -> float:
        """pT (GeV) of the hardest wide-radius jet of ``event`` within the widened rapidity cut."""
        self._jets.analyze(event)
        y_max = self.settings.rapidity_max + self.settings.rapidity_margin
        pts = [self._jets.pT(i) for i in range(self._jets.sizeJet()) if abs(self._jets.y(i)) < y_max]
        return max(pts, default=0.0)

    def canVetoPT(self) -> bool:  # noqa: N802 (Pythia's method names)
        return True

    def scaleVetoPT(self) -> float:  # noqa: N802
        return self.settings.scale

    def doVetoPT(self, stage: int, event: pythia8mc.Event) -> bool:  # noqa: N802
        if stage not in HARD_PROCESS_STAGES:
            return False
        self.shower_pt = self.leading_pt(event)
        return self.record is None and self.shower_pt < self.settings.pt_min - self.settings.shower_margin

    def canVetoPartonLevel(self) -> bool:  # noqa: N802
        return True

    def doVetoPartonLevel(self, event: pythia8mc.Event) -> bool:  # noqa: N802
        parton_pt, shower_pt = self.leading_pt(event), self.shower_pt
        self.shower_pt = 0.0
        if self.record is not None:
            self.record(shower_pt, parton_pt)
            return False
        return parton_pt < self.settings.pt_min - self.settings.parton_margin


def veto_from_settings(settings: dict[str, float] | None) -> JetVeto | None:
    """The veto described by a generator's stored ``veto`` settings, or None when it is off."""
    return None if settings is None else JetVeto(VetoSettings(**settings))
