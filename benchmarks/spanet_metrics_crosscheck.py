"""Our assignment purities against SPANet's own evaluator, on the same predictions and targets.

SPANet (PyPI ``spanet``) computes its evaluation table with
``spanet.dataset.evaluator.SymmetricEvaluator.full_report_string`` per jet-multiplicity bin
(``spanet/test.py``: ``== m``, ``== m + 1``, ``>= m + 2`` and all events, m the fewest vectors in
the data). For random targets (with unmatched and partially matched particles) and predictions
(right, swapped within symmetries, or wrong) on three topologies (all-hadronic ttbar;
semi-leptonic ttH with 3-, 1- and 2-product particles; all-hadronic ttH with identical tops), this
script compares, bin by bin, every event proportion, event purity and per-cluster particle purity
of :func:`lorentznets.assignment.count_bins.purity_by_particle_count`, and the event purity per
multiplicity of :func:`lorentznets.assignment.metrics.assignment_metrics`, with SPANet's numbers.

SPANet's package needs PyTorch Lightning at import and pins nothing we would change, but it is not
a dependency of ours, so it is loaded from a separate folder without running its package
``__init__``::

    pip install --no-deps --target /tmp/spanet_pkg spanet==2.1.1
    python benchmarks/spanet_metrics_crosscheck.py --spanet-dir /tmp/spanet_pkg

SPANet 2.1.1's evaluator uses ``np.int``, removed in NumPy 1.24; the script restores the alias
(``int``) before calling it. SPANet always assigns every particle; our unassigned particles are
passed to it as jet -2, which never equals a target.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
import types
from pathlib import Path

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, uninstalled

from lorentznets.assignment.count_bins import ANY, count_bin_name, count_bins, purity_by_particle_count  # noqa: E402
from lorentznets.assignment.metrics import assignment_metrics  # noqa: E402
from lorentznets.assignment.topology import EventTopology  # noqa: E402

TOPOLOGIES = {
    "ttbar": """
INPUTS: {SEQUENTIAL: {Source: {pt: none}}}
EVENT: {t1: [q1, q2, b], t2: [q1, q2, b]}
PERMUTATIONS: {EVENT: [[t1, t2]], t1: [[q1, q2]], t2: [[q1, q2]]}
""",
    "semileptonic_tth": """
INPUTS: {SEQUENTIAL: {Source: {pt: none}}}
EVENT: {ht: [q1, q2, b], lt: [b], h: [b1, b2]}
PERMUTATIONS: {ht: [[q1, q2]], h: [[b1, b2]]}
""",
    "allhadronic_tth": """
INPUTS: {SEQUENTIAL: {Source: {pt: none}}}
EVENT: {t1: [q1, q2, b], t2: [q1, q2, b], h: [b1, b2]}
PERMUTATIONS: {EVENT: [[t1, t2]], t1: [[q1, q2]], t2: [[q1, q2]], h: [[b1, b2]]}
""",
}


def load_spanet_evaluator(folder: Path):
    """``SymmetricEvaluator`` and ``EventInfo`` from an installed copy of SPANet, without its
    package ``__init__`` (which imports PyTorch Lightning)."""
    root = Path(folder) / "spanet"
    if not (root / "dataset" / "evaluator.py").is_file():
        raise FileNotFoundError(f"no spanet/dataset/evaluator.py under {folder}; pip install --target {folder} spanet")
    for name, path in (
        ("spanet", root),
        ("spanet.dataset", root / "dataset"),
        ("spanet.network", root / "network"),
        ("spanet.network.utilities", root / "network" / "utilities"),
    ):
        module = types.ModuleType(name)
        module.__path__ = [str(path)]
        sys.modules[name] = module
    if not hasattr(np, "int"):
        np.int = int  # removed in NumPy 1.24, used by SPANet 2.1.1's evaluator
    evaluator = importlib.import_module("spanet.dataset.evaluator")
    return evaluator.SymmetricEvaluator, evaluator.EventInfo


def random_events(topology: EventTopology, events: int, rng: np.random.Generator):
    """Targets (some unmatched products and absent particles) and predictions (right, swapped by
    a symmetry, partly or wholly wrong), jet counts (from the number of products up, so that both
    multiplicity binnings agree) and an assigned mask."""
    total = topology.num_products
    num_jets = rng.integers(total, total + 4, events)
    order = np.stack([rng.permutation(12) for _ in range(events)])
    targets, predictions = [], []
    start = 0
    for particle in topology.particles:
        k = particle.num_products
        target = order[:, start : start + k].copy()
        target[target >= num_jets[:, None]] = -1
        target[rng.random(target.shape) < 0.1] = -1
        start += k
        targets.append(target)
    for p, particle in enumerate(topology.particles):
        # Predict the target of a random interchangeable particle, permuted within the product group.
        source = [q for q in range(len(topology.particles)) if any(perm[p] == q for perm in topology.event_symmetries)]
        chosen = rng.choice(source, events)
        guess = np.stack([targets[q][e] for e, q in enumerate(chosen)])
        perm = np.array(particle.symmetries)[rng.integers(0, len(particle.symmetries), events)]
        guess = np.take_along_axis(guess, perm, axis=1)
        wrong = rng.random(guess.shape) < 0.15
        guess = np.where(wrong | (guess < 0), rng.integers(0, 12, guess.shape), guess)
        predictions.append(guess)
    assigned = rng.random((events, len(topology.particles))) > 0.05
    return predictions, assigned, targets, num_jets


def spanet_tables(evaluator_class, event_info_class, yaml_text: str, predictions, assigned, targets, num_jets):
    """SPANet's ``full_report_string`` per jet-multiplicity bin, as ``spanet/test.py`` bins them."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "event.yaml"
        path.write_text(yaml_text)
        event_info = event_info_class.read_from_yaml(str(path))
    evaluator = evaluator_class(event_info)
    spanet_predictions = [np.where(assigned[:, p, None], pred, -2) for p, pred in enumerate(predictions)]
    masks = [(t >= 0).all(1) for t in targets]
    low = int(num_jets.min())
    limits = {f"== {low}": num_jets == low, f"== {low + 1}": num_jets == low + 1}
    limits[f">= {low + 2}"] = num_jets >= low + 2
    limits[None] = np.ones(len(num_jets), dtype=bool)
    return {
        name: evaluator.full_report_string(
            [p[keep] for p in spanet_predictions], [t[keep] for t in targets], [m[keep] for m in masks]
        )
        for name, keep in limits.items()
    }, evaluator.clusters


def compare(topology_name: str, yaml_text: str, spanet, events: int, seed: int) -> tuple[int, float]:
    """Number of compared values and the largest absolute difference."""
    topology = EventTopology.from_dict(yaml.safe_load(yaml_text))
    predictions, assigned, targets, num_jets = random_events(topology, events, np.random.default_rng(seed))
    tables, clusters = spanet_tables(*spanet, yaml_text, predictions, assigned, targets, num_jets)
    # SPANet's clusters in its order, matched to ours by their particle names.
    ours_by_names = {frozenset(topology.particle_names[p] for p in c): k for k, c in enumerate(topology.clusters)}
    order = [ours_by_names[frozenset(names)] for _, names, _ in clusters]
    low = int(num_jets.min())
    if low != topology.num_products:
        raise ValueError("the multiplicity bins are compared when the fewest jets equal the number of products")
    metrics = assignment_metrics(predictions, assigned, targets, num_jets, topology)
    suffixes = {
        f"== {low}": f"_njets{low}",
        f"== {low + 1}": f"_njets{low + 1}",
        f">= {low + 2}": f"_njets{low + 2}plus",
    }
    suffixes[None] = ""
    compared, worst = 0, 0.0
    for limit, report in tables.items():
        if limit is None:
            selected = np.ones(len(num_jets), dtype=bool)
        elif limit.startswith("=="):
            selected = num_jets == int(limit[3:])
        else:
            selected = num_jets >= int(limit[3:])
        ours = purity_by_particle_count(predictions, assigned, targets, topology, selected)
        for combination in count_bins(topology):
            spanet_counts = [combination[k] for k in order]
            mask_name = "".join(
                ("*" if n == ANY else str(n)) + cluster_name for n, (cluster_name, _, _) in zip(spanet_counts, clusters)
            )
            name = count_bin_name(topology, combination)
            pairs = [
                (ours[f"{name}/event_proportion"], report[f"{mask_name}/event_proportion"]),
                (ours[f"{name}/event_purity"], report[f"{mask_name}/event_purity"]),
            ]
            for k, (cluster_name, _, _) in zip(order, clusters):
                label = "-".join(topology.particle_names[p] for p in topology.clusters[k])
                pairs.append((ours[f"{name}/particle_purity.{label}"], report[f"{mask_name}/{cluster_name}_purity"]))
            for mine, theirs in pairs:
                compared += 1
                if np.isnan(mine) != np.isnan(theirs):
                    raise AssertionError(f"{topology_name} {limit} {mask_name}: ours {mine}, SPANet {theirs}")
                if not np.isnan(mine):
                    worst = max(worst, abs(mine - theirs))
        # The multiplicity table: SPANet's all-wildcard bin is our event purity per multiplicity.
        wildcard = "".join("*" + cluster_name for cluster_name, _, _ in clusters)
        mine = metrics[f"event_purity{suffixes[limit]}"]
        compared += 1
        worst = max(worst, abs(mine - report[f"{wildcard}/event_purity"]))
    return compared, worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spanet-dir", type=Path, required=True, help="folder with an installed spanet package")
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    spanet = load_spanet_evaluator(args.spanet_dir)
    for name, text in TOPOLOGIES.items():
        compared, worst = compare(name, text, spanet, args.events, args.seed)
        print(f"{name:18s} {compared:4d} values compared with SPANet's evaluator, largest difference {worst:.2e}")
        if worst > 1e-12:
            raise SystemExit(f"{name}: our metrics differ from SPANet's by {worst}")


if __name__ == "__main__":
    main()
