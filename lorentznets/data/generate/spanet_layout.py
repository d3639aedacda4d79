"""Key names of the SPANet HDF5 layout that the ttbar generator writes and its readers read.

``INPUTS/Source/{MASK, pt, eta, phi, mass, btag}`` (events, jets), real jets first;
``TARGETS/<top>/<parton>`` (events,) int64 jet indices, -1 = unmatched; our generator adds
``TRUTH/<top>/<parton>`` (events, 4) truth (E, px, py, pz) in GeV.
"""

SOURCE_GROUP = "INPUTS/Source"
MASK = "MASK"
KINEMATICS = ("pt", "eta", "phi", "mass")
BTAG = "btag"


def source_key(feature: str) -> str:
    """Dataset of one jet feature, e.g. ``source_key("pt") == "INPUTS/Source/pt"``."""
    return f"{SOURCE_GROUP}/{feature}"


def target_key(top: str, parton: str) -> str:
    """Dataset of one parton's matched jet index, e.g. ``target_key("t1", "b") == "TARGETS/t1/b"``."""
    return f"TARGETS/{top}/{parton}"


def truth_key(top: str, parton: str) -> str:
    """Dataset of one truth parton's (E, px, py, pz), e.g. ``"TRUTH/t1/q1"``."""
    return f"TRUTH/{top}/{parton}"
