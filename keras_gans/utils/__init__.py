"""Small helpers shared by the library and the CLI (image grids and PNG files: :mod:`keras_gans.utils.images`)."""

__all__: list[str] = []
