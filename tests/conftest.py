"""Shared fixtures: the real MNIST test digits from ../shared/data/mnist (or $KERAS_GANS_MNIST_DIR)."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import numpy as np  # noqa: E402
import pytest  # noqa: E402

# precision="auto" is float32 in every test and every process a test starts, whatever the CPU (DCGAN and CGAN pick
# mixed_bfloat16 on AVX512_BF16/AMX CPUs): what the tests assert does not depend on the machine. Tests of the decision
# unset it (test_precision.py's ``machine``).
os.environ["KERAS_GANS_AUTO_PRECISION"] = "float32"
import keras_gans  # noqa: E402, F401  (first, as users should: it chooses oneDNN before TensorFlow loads)


def pytest_collection_modifyitems(config, items):
    """Tests marked ``heavy(seconds=...)`` first, longest first; the rest in collection order.

    Under pytest-xdist a minutes-long test that starts last keeps one worker busy while the others idle (the suite
    took 1457 s on 2 cores for 2365 s of tests, one 209 s test at its end); started first, it overlaps the rest.
    """

    def expected_seconds(item) -> float:
        marker = item.get_closest_marker("heavy")
        return marker.kwargs.get("seconds", 0.0) if marker else 0.0

    items.sort(key=lambda item: -expected_seconds(item))


@pytest.fixture(scope="session")
def mnist() -> tuple[np.ndarray, np.ndarray]:
    """The 10,000 MNIST test digits as (uint8 images (N, 28, 28), int labels (N,))."""
    from keras_gans.data.idx import default_mnist_dir, load_mnist_idx

    directory = default_mnist_dir()
    if not os.path.isdir(directory):
        pytest.fail(f"MNIST IDX files not found in {directory}; set KERAS_GANS_MNIST_DIR to the folder holding them")
    return load_mnist_idx(directory, split="test")


@pytest.fixture(scope="session")
def mnist_float(mnist) -> tuple[np.ndarray, np.ndarray]:
    """MNIST test digits as float32 (N, 28, 28, 1) in [-1, 1] with their labels."""
    images, labels = mnist
    return (images.astype("float32")[..., None] / 127.5 - 1.0), labels.astype("int32")


@pytest.fixture(scope="session")
def mnist16(mnist_float) -> tuple[np.ndarray, np.ndarray]:
    """The MNIST test digits resized to 16x16 (antialiased), float32 in [-1, 1], with their labels."""
    import tensorflow as tf

    images, labels = mnist_float
    return tf.image.resize(images, (16, 16), antialias=True).numpy(), labels


@pytest.fixture(scope="session")
def digit_classifier16(mnist16):
    """A small CNN trained for one epoch on the 16x16 digits (about 95% accuracy), as a feature extractor."""
    import keras

    from keras_gans.metrics.classifier import train_mnist_classifier
    from keras_gans.metrics.extractors import ClassifierFeatureExtractor

    images, labels = mnist16
    keras.utils.set_random_seed(1234)
    return ClassifierFeatureExtractor(train_mnist_classifier(images, labels, epochs=1))
