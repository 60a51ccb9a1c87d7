"""The two-batch data specs (paired and unpaired translation): unpacking, shape checks and messages."""

import pytest
import tensorflow as tf

from keras_gans.engine.data_spec import PairedImages, UnpairedImages


def test_paired_and_unpaired_unpack_and_check_each_part():
    x, y = tf.zeros([2, 8, 8, 1]), tf.zeros([2, 8, 8, 3])
    assert [t.shape[-1] for t in PairedImages((8, 8, 1), (8, 8, 3)).unpack((x, y), "P")] == [1, 3]
    assert len(UnpairedImages((8, 8, 1), (8, 8, 3)).unpack({"image": x, "label": y}, "U")) == 2
    with pytest.raises(ValueError, match=r"P trains on \(input, target\) pairs: pass fit\(inputs, targets\)"):
        PairedImages((8, 8, 1), (8, 8, 3)).unpack((x,), "P")
    with pytest.raises(ValueError, match="U trains on a batch of each domain: pass keras_gans.data.unpaired"):
        UnpairedImages((8, 8, 1), (8, 8, 1)).unpack(x, "U")
    with pytest.raises(ValueError, match=r"makes targets of shape \(8, 8, 1\)"):
        PairedImages((8, 8, 1), (8, 8, 1)).unpack((x, y), "P")
    parts = UnpairedImages((8, 8, 1), (8, 8, 3)).value_parts((x, y), "U")
    assert [p.what for p in parts] == ["domain A images", "domain B images"]
