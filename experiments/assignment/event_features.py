"""The event file's input features as a model saves them, and the refusal of a reload on others.

An assignment model reads its inputs as columns in the event file's order: the saved feature
statistics and the first layer's weights belong to column positions, not names. An event file
that lists the same features in another order (``{pt, mass, ...}`` instead of ``{mass, pt, ...}``)
loads without a shape mismatch and feeds the saved statistics and weights the wrong columns (greedy
purity 0.221 -> 0.087 in one re-evaluation), so a reload compares the names and transforms in order.
"""

from __future__ import annotations

from pathlib import Path

from lorentznets.assignment.input_layout import vector_layout
from lorentznets.assignment.topology import EventTopology

# What :func:`event_features` records: the columns of the joined SEQUENTIAL vectors and the GLOBAL inputs.
KINDS = {"sequential": "SEQUENTIAL", "global": "GLOBAL"}


def event_features(topology: EventTopology) -> dict[str, list[list[str]]]:
    """The model's input columns in order, as ``[name, transform]`` pairs (plain lists, saved with
    the weights).

    Returns
    -------
    dict
        ``"sequential"``: the columns of :func:`~lorentznets.assignment.input_layout.vector_layout`
        (``pt``, ... with one input; input flags, then ``<input>/<feature>`` with several);
        ``"global"``: ``<input>/<feature>`` of every GLOBAL input.
    """
    layout = vector_layout(topology)
    global_columns = [
        [f"{name}/{feature}", transform]
        for name, features in topology.global_inputs.items()
        for feature, transform in features.items()
    ]
    return {
        "sequential": [[name, transform] for name, transform in zip(layout.names, layout.transforms)],
        "global": global_columns,
    }


def refuse_other_features(saved: dict[str, list[list[str]]], topology: EventTopology, model_path: Path) -> None:
    """Raise ``ValueError`` when the event file's columns differ from those the model was trained on.

    Parameters
    ----------
    saved : dict
        :func:`event_features` of the training's event file, from the saved model.
    topology : EventTopology
        The event file of this run.
    model_path : Path
        The saved model, for the message.

    Raises
    ------
    ValueError
        One line naming the event file, the model and both column orders, e.g. ``"events.yaml:
        SEQUENTIAL features [pt:log_normalize, mass:log_normalize, ...] differ from [mass:log_normalize,
        pt:log_normalize, ...] that models/model_run0.pt was trained on: ..."``.
    """
    current = event_features(topology)
    for key, section in KINDS.items():
        here, trained = current[key], [list(column) for column in saved[key]]
        if here != trained:
            raise ValueError(
                f"{topology.source}: {section} features [{_columns(here)}] differ from [{_columns(trained)}] that "
                f"{model_path} was trained on: its feature statistics and weights belong to the columns in that "
                "order; use an event file that lists them so"
            )


def _columns(columns: list[list[str]]) -> str:
    return ", ".join(f"{name}:{transform}" for name, transform in columns)
