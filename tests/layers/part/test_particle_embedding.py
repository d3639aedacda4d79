"""ParT's particle embedding: the packed path equals the padded one, eager and compiled."""

from __future__ import annotations

import pytest
import torch

from lorentznets.layers.attention.pack_index import real_particles
from lorentznets.layers.part.embedding import ParticleEmbedding


def _inputs() -> tuple[torch.Tensor, torch.Tensor]:
    features = torch.randn(3, 7, 5, generator=torch.Generator().manual_seed(0))
    mask = torch.arange(7) < torch.tensor([7, 4, 2])[:, None]
    return features * mask[..., None], mask


@pytest.mark.parametrize("train", [True, False])
def test_packed_rows_are_the_padded_rows(train):
    torch.manual_seed(0)
    embedding = ParticleEmbedding(5, (8, 6)).train(train)
    features, mask = _inputs()
    padded = embedding(features)
    packed = embedding(features, real_particles(mask))
    torch.testing.assert_close(packed, padded[mask])


@pytest.mark.parametrize("train", [True, False])
def test_packed_embedding_compiles_fullgraph(train):
    # torch.compile's tracing gave batch_norm's output of a transposed (B, C, N) input other strides than
    # the eager kernel does, and the view flattening it failed under aot_eager ("view size is not compatible")
    torch._dynamo.reset()
    torch.manual_seed(0)
    embedding = ParticleEmbedding(5, (8, 6)).train(train)
    features, mask = _inputs()
    index = real_particles(mask)
    compiled = torch.compile(embedding, fullgraph=True, dynamic=False, backend="aot_eager")
    torch.testing.assert_close(compiled(features, index), embedding(features, index))
    torch._dynamo.reset()
