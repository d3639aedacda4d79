"""ParticleNet layers: k-nearest-neighbour graphs and the EdgeConv block."""

from .channel_norm import channel_batch_norm
from .edge_conv import EdgeConvBlock, NeighbourTransform
from .knn import gather_neighbours, knn_indices
from .padding import pad_particles

__all__ = [
    "EdgeConvBlock",
    "NeighbourTransform",
    "channel_batch_norm",
    "gather_neighbours",
    "knn_indices",
    "pad_particles",
]
