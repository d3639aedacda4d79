"""Small helpers shared by every level of the library."""

from .device_constant import device_constant

__all__ = ["device_constant"]
