"""keras_gans.utils.images (grid and PNG helpers used by SampleGrid and the CLI)."""

import numpy as np
import pytest
from PIL import Image

from keras_gans.utils.images import make_grid, save_png, to_uint8


def test_to_uint8_maps_the_range_and_clips():
    values = np.array([-1.5, -1.0, 0.0, 1.0, 2.0], dtype=np.float32)
    np.testing.assert_array_equal(to_uint8(values), [0, 0, 128, 255, 255])


def test_make_grid_places_images_row_by_row():
    images = np.stack([np.full((2, 3, 1), i * 40, dtype=np.uint8) for i in range(5)])
    grid = make_grid(images, num_rows=2, padding=1, pad_value=7)
    assert grid.shape == (2 * 3 + 1, 3 * 4 + 1, 1) and grid.dtype == np.uint8
    assert grid[1, 1, 0] == 0 and grid[1, 5, 0] == 40 and grid[1, 9, 0] == 80
    assert grid[4, 1, 0] == 120 and grid[4, 5, 0] == 160
    assert grid[4, 9, 0] == 7 and grid[0, 0, 0] == 7  # empty cell and padding


def test_make_grid_defaults_to_a_square_and_converts_floats():
    grid = make_grid(np.ones((10, 4, 4, 3), dtype=np.float32), padding=0)
    assert grid.shape == (16, 12, 3)  # 4 rows of 3 columns
    assert grid[:4].min() == 255
    with pytest.raises(ValueError):
        make_grid(np.zeros((0, 4, 4, 1)))


def test_save_png_scales_with_nearest_neighbour(tmp_path):
    image = np.array([[0, 255], [128, 64]], dtype=np.uint8)[..., None]
    path = save_png(image, tmp_path / "sub" / "x.png", scale=3)
    loaded = np.asarray(Image.open(path))
    assert loaded.shape == (6, 6)
    np.testing.assert_array_equal(loaded, np.kron(image[..., 0], np.ones((3, 3), dtype=np.uint8)))
    rgb = save_png(np.zeros((4, 5, 3), dtype=np.float32), tmp_path / "rgb.png")
    assert np.asarray(Image.open(rgb)).shape == (4, 5, 3)
