"""Particle Transformer layers: pair interaction features, embeddings and the ParT block."""

from ..attention import real_particles
from .attention import standard_attention
from .block import ParTBlock
from .dropout import RandomBitDropout, random_bit_dropout
from .embedding import PairEmbedding, ParticleEmbedding
from .interaction import PAIR_FEATURES, pairwise_interaction_features
from .masked_batch_norm import MaskedBatchNorm
from .real_indices import real_pairs

__all__ = [
    "PAIR_FEATURES",
    "MaskedBatchNorm",
    "PairEmbedding",
    "ParTBlock",
    "ParticleEmbedding",
    "RandomBitDropout",
    "pairwise_interaction_features",
    "random_bit_dropout",
    "real_pairs",
    "real_particles",
    "standard_attention",
]
