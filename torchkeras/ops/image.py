"""`keras.ops.image`: Keras 3's image operations on torch tensors, with Keras' numerics.

Images are `(H, W, C)` or batched `(B, H, W, C)` (channels_last, Keras' default) or the
channels_first forms; `data_format=None` means `config.image_data_format()`. Results stay on the
inputs' device and are differentiable where Keras' torch backend is.
"""

from torchkeras.ops.image_color import hsv_to_rgb, rgb_to_grayscale, rgb_to_hsv  # noqa: F401
from torchkeras.ops.image_crop_pad import crop_images, pad_images  # noqa: F401
from torchkeras.ops.image_elastic import elastic_transform  # noqa: F401
from torchkeras.ops.image_filters import gaussian_blur, sobel_edges, ssim  # noqa: F401
from torchkeras.ops.image_patches import extract_patches, extract_patches_3d  # noqa: F401
from torchkeras.ops.image_resize import resize, scale_and_translate  # noqa: F401
from torchkeras.ops.image_sampling import map_coordinates  # noqa: F401
from torchkeras.ops.image_warp import affine_transform, perspective_transform  # noqa: F401
from torchkeras.ops import symbolic_dispatch  # noqa: E402

symbolic_dispatch.accept_symbolic_tensors(globals(), prefix="image.")  # on KerasTensors: record
