"""Normalization layers: BatchNormalization, LayerNormalization, GroupNormalization,
UnitNormalization, RMSNormalization, SpectralNormalization."""

from torchkeras.layers.normalization.batch_normalization import BatchNormalization
from torchkeras.layers.normalization.group_normalization import GroupNormalization
from torchkeras.layers.normalization.layer_normalization import LayerNormalization
from torchkeras.layers.normalization.rms_normalization import RMSNormalization
from torchkeras.layers.normalization.spectral_normalization import SpectralNormalization
from torchkeras.layers.normalization.unit_normalization import UnitNormalization

__all__ = [
    "BatchNormalization",
    "GroupNormalization",
    "LayerNormalization",
    "RMSNormalization",
    "SpectralNormalization",
    "UnitNormalization",
]
