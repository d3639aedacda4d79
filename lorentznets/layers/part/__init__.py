"""Particle Transformer layers: pair interaction features, embeddings and the ParT block."""

from .block import ParTBlock, standard_attention
from .embedding import PairEmbedding, ParticleEmbedding, real_pairs
from .interaction import PAIR_FEATURES, pairwise_interaction_features
from .masked_batch_norm import MaskedBatchNorm

__all__ = [
    "PAIR_FEATURES",
    "MaskedBatchNorm",
    "PairEmbedding",
    "ParTBlock",
    "ParticleEmbedding",
    "pairwise_interaction_features",
    "real_pairs",
    "standard_attention",
]
