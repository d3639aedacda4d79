"""Counter-based noise: random numbers that are a fixed function of (seed, key).

A generator's draws depend on how many were drawn before, so the noise of an event depended on
the batch it came in and on the process that drew it. Here the j-th number of the event with key
``k`` is a hash of ``(seed, k, j)``: the same in any batch, in any process and on any device.
The hash is Chris Wellons' ``lowbias32`` (a 32-bit integer mixer), evaluated with int64 tensor
operations whose products stay below 2^63.
"""

import hashlib
import math

import torch

from .base_distribution import GaussianUniformBase

__all__ = ["keyed_base_sample", "keyed_flow_matching_noise", "keyed_rademacher", "keyed_uniform", "stream_seed"]

_MASK32 = 0xFFFFFFFF


def _mul32(x: torch.Tensor, constant: int) -> torch.Tensor:
    """``x * constant mod 2^32`` for x in [0, 2^32): the constant split in 16-bit halves, so that
    no int64 product overflows."""
    low, high = constant & 0xFFFF, constant >> 16
    return (x * low + (((x * high) & 0xFFFF) << 16)) & _MASK32


def _hash32(x: torch.Tensor) -> torch.Tensor:
    """lowbias32 of int64 values in [0, 2^32), elementwise; the result lies in [0, 2^32)."""
    x = x ^ (x >> 16)
    x = _mul32(x, 0x7FEB352D)
    x = x ^ (x >> 15)
    x = _mul32(x, 0x846CA68B)
    return x ^ (x >> 16)


def keyed_uniform(seed: int, keys: torch.Tensor, count: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """``count`` uniform numbers in (0, 1) per key, each a fixed function of (seed, key, position).

    Parameters
    ----------
    seed : int
        Any integer; its lowest 32 bits are used.
    keys : torch.Tensor with shape (B,), integer
        Non-negative keys (e.g. event indices; up to 2^64 distinct values are told apart).
    count : int
        Numbers per key.
    dtype : torch.dtype
        Floating-point type of the result (24 random bits in any type).

    Returns
    -------
    torch.Tensor with shape (B, count), on the device of ``keys``

    Examples
    --------
    >>> a = keyed_uniform(3, torch.tensor([5, 9]), 4)
    >>> b = keyed_uniform(3, torch.tensor([9]), 4)
    >>> torch.equal(a[1], b[0])
    True
    """
    keys = keys.to(torch.int64)
    state = _hash32(torch.full_like(keys, seed & _MASK32))
    state = _hash32(state ^ (keys & _MASK32))
    state = _hash32(state ^ ((keys >> 32) & _MASK32))
    positions = _hash32(torch.arange(count, dtype=torch.int64, device=keys.device))
    bits = _hash32(state[:, None] ^ positions) >> 8
    return (bits.to(dtype) + 0.5) / 2**24


def keyed_rademacher(
    seed: int, keys: torch.Tensor, event_shape: tuple[int, ...], dtype: torch.dtype = torch.float32
) -> torch.Tensor:
    """Rademacher probes (+-1 with equal probability) per key, each a fixed function of (seed, key,
    position): Hutchinson probes of events that do not depend on the batch they are in.

    Parameters
    ----------
    seed : int
    keys : torch.Tensor with shape (B,), integer
        E.g. event indices.
    event_shape : tuple of int
    dtype : torch.dtype

    Returns
    -------
    torch.Tensor with shape (B, *event_shape), on the device of ``keys``
    """
    count = math.prod(event_shape)
    uniform = keyed_uniform(seed, keys, count, dtype)
    return torch.where(uniform < 0.5, -1.0, 1.0).to(dtype).view(len(keys), *event_shape)


def stream_seed(seed: int, *labels: str) -> int:
    """A seed of its own for each use of the noise (e.g. ``("sampling", "val")``), a fixed function
    of ``(seed, *labels)``, so that two uses keyed by the same indices draw unrelated numbers.

    Parameters
    ----------
    seed : int
    *labels : str

    Returns
    -------
    int
        In [0, 2^32).

    Examples
    --------
    >>> stream_seed(0, "sampling", "val") != stream_seed(0, "sampling", "test")
    True
    """
    text = "/".join([str(seed), *labels]).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=4).digest(), "little")


def _base_from_uniform(base: GaussianUniformBase, u: torch.Tensor) -> torch.Tensor:
    """Base samples (B, *base.event_shape) from uniforms u (B, 2 prod(event_shape)): Box-Muller
    normals in the non-periodic components, uniform on [-pi, pi) in the periodic ones."""
    size = math.prod(base.event_shape)
    radius, angle = u[:, :size], u[:, size : 2 * size]
    normal = torch.sqrt(-2 * torch.log(radius)) * torch.cos(2 * math.pi * angle)
    uniform = (2 * angle - 1) * math.pi
    shape = (len(u), *base.event_shape)
    periodic = base.periodic.to(device=u.device)
    return torch.where(periodic, uniform.reshape(shape), normal.reshape(shape))


def keyed_base_sample(
    base: GaussianUniformBase, seed: int, keys: torch.Tensor, dtype: torch.dtype = torch.float32
) -> torch.Tensor:
    """Base-distribution samples that are fixed functions of (seed, key), distributed as
    ``base.sample``: the same for a key in any batch.

    Parameters
    ----------
    base : GaussianUniformBase
    seed : int
        E.g. a :func:`stream_seed`.
    keys : torch.Tensor with shape (B,), integer
        One key per sample (its index in the sample).
    dtype : torch.dtype

    Returns
    -------
    torch.Tensor with shape (B, *base.event_shape), on the device of ``keys``
    """
    return _base_from_uniform(base, keyed_uniform(seed, keys, 2 * math.prod(base.event_shape), dtype))


def keyed_flow_matching_noise(
    base: GaussianUniformBase, seed: int, keys: torch.Tensor, dtype: torch.dtype = torch.float32
) -> tuple[torch.Tensor, torch.Tensor]:
    """Base-distribution samples and flow times that are fixed functions of (seed, key).

    Distributed as ``base.sample`` and ``torch.rand``: standard normal (Box-Muller) in the
    non-periodic components, uniform on [-pi, pi) in the periodic ones, times uniform in (0, 1).

    Parameters
    ----------
    base : GaussianUniformBase
    seed : int
    keys : torch.Tensor with shape (B,), integer
        One key per event (its index in its split).
    dtype : torch.dtype

    Returns
    -------
    x0 : torch.Tensor with shape (B, *base.event_shape)
    t : torch.Tensor with shape (B,)
    """
    size = math.prod(base.event_shape)
    u = keyed_uniform(seed, keys, 2 * size + 1, dtype)
    return _base_from_uniform(base, u[:, : 2 * size]), u[:, 2 * size]
