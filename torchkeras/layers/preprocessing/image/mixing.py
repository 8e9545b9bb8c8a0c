"""MixUp and CutMix: blend each image (and its label) with another image of the batch."""

import torch

from torchkeras import random
from torchkeras.layers.preprocessing.image.augment_base import AugmentLayer
from torchkeras.layers.preprocessing.image.base import factor_range
from torchkeras.registry import LAYERS


class MixingLayer(AugmentLayer):
    """Base of MixUp and CutMix: images, or a dict `{"images": ..., "labels": ...}`.

    With a dict (Keras' input for labelled data) the labels `(B, classes)` are mixed with the
    weights of their images; other entries pass through. Training outputs are floats.
    `sample` returns `(permutation, images' mixing, labels' weights)`.
    """

    def call(self, inputs, training=False):
        if not isinstance(inputs, dict):
            return super().call(inputs, training=training)
        images = inputs["images"]
        self.check_rank(images)
        outputs = dict(inputs)
        if not training or images.ndim == 3:
            outputs["images"] = super().call(images, training=training)
            return outputs
        transformation = self.sample(images)
        outputs["images"] = self.augment(images, transformation)
        if "labels" in inputs and transformation is not None:
            order, _, weights = transformation
            labels = torch.as_tensor(inputs["labels"], device=images.device)
            weights = weights.view(-1, 1)
            outputs["labels"] = weights * labels + (1.0 - weights) * labels[order]
        return outputs

    def shuffled_indices(self, batch, device):
        """Keras' `random.shuffle(arange(batch))`, drawn from the layer's generator."""
        return random.shuffle(torch.arange(batch, device=device), seed=self.generator)

    def beta(self, batch, alpha, device):
        """Keras' `random.beta((batch,), alpha, alpha)` from the layer's generator."""
        values = random.beta((batch,), alpha, alpha, dtype=self.compute_dtype, seed=self.generator)
        return values.to(device)


@LAYERS.register()
class MixUp(MixingLayer):
    """Replaces each image by `w * x + (1 - w) * x[perm]`, `w ~ Beta(alpha, alpha)` per image.

    Keras draws the permutation (a shuffle of the batch) and then the weights, from the
    layer's generator; the same numbers are drawn here. Labels given in a dict input are
    mixed with the same weights. At inference the input is returned unchanged.

    Args:
        alpha: Concentration of the Beta distribution of the weights (default 0.2).
        data_format: `"channels_last"` (default) or `"channels_first"`.
        seed: Optional int seed of the layer's random generator.

    Shapes: any 3D or 4D image shape -> the same shape.
    """

    def __init__(self, alpha=0.2, data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or alpha <= 0:
            raise ValueError(
                f"MixUp '{self.name}': `alpha` must be a positive number, got alpha={alpha!r}."
            )
        self.alpha = alpha

    def sample(self, images):
        batch, device = images.shape[0], images.device
        order = self.shuffled_indices(batch, device)
        weights = self.beta(batch, self.alpha, device)
        return order, weights, weights

    def augment(self, images, transformation):
        order, weights, _ = transformation
        images = self.cast(images)
        weights = weights.to(images.dtype).view(-1, 1, 1, 1)
        return weights * images + (1.0 - weights) * images[order]

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}


@LAYERS.register()
class CutMix(MixingLayer):
    """Pastes into each image a random rectangle of another image of the batch.

    Keras' draws, in order: `alpha` in `factor` (plus 1e-6) for the batch, a Beta(alpha,
    alpha) weight per image (the kept area is about that fraction), the rectangle's x then y
    start, and the permutation. Labels in a dict input are mixed by the pasted area. At
    inference, and for an unbatched image, the input is only cast to floats, as Keras.

    Args:
        factor: A float `f` (alphas in `[0, f]`) or a pair in [0, 1]; default 1.0.
        seed: Optional int seed of the layer's random generator.
        data_format: `"channels_last"` (default) or `"channels_first"`.

    Shapes: any 3D or 4D image shape -> the same shape.
    """

    CAST_AT_INFERENCE = True

    def __init__(self, factor=1.0, seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = factor_range(self, factor, "factor", bounds=(0, 1))

    def call(self, inputs, training=False):
        if not isinstance(inputs, dict) and getattr(inputs, "ndim", 4) == 3:
            self.check_rank(inputs)
            return self.cast(inputs)  # Keras leaves single images out
        return super().call(inputs, training=training)

    def sample(self, images):
        batch, device, dtype = images.shape[0], images.device, self.compute_dtype
        height, width = self.image_size(images.shape)
        alpha = self.random_uniform((1,), *self.factor, device, dtype)[0] + 1e-6
        ratio = torch.sqrt(1.0 - self.beta(batch, alpha.cpu(), device))
        x0, x1 = self._bounds(batch, width, ratio, device)
        y0, y1 = self._bounds(batch, height, ratio, device)
        grid_y = torch.arange(height, dtype=dtype, device=device)[:, None]
        grid_x = torch.arange(width, dtype=dtype, device=device)[None, :]
        corners = [corner.view(-1, 1, 1) for corner in (x0, x1, y0, y1)]
        masks = (grid_x >= corners[0]) & (grid_x < corners[1])
        masks = masks & (grid_y >= corners[2]) & (grid_y < corners[3])  # (B, H, W)
        masks = masks.unsqueeze(-1 if self.data_format == "channels_last" else 1)
        label_weights = 1.0 - (x1 - x0) * (y1 - y0) / (width * height)
        order = self.shuffled_indices(batch, device)
        return order, masks, label_weights

    def _bounds(self, batch, length, ratio, device):
        window = ratio * length
        start = self.random_uniform((batch,), 0, 1, device, self.compute_dtype)
        start = start * (length - window)
        return start, start + window

    def augment(self, images, transformation):
        order, masks, _ = transformation
        images = self.cast(images)
        return torch.where(masks, images[order], images)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}
