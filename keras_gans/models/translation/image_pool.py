"""The history of generated images CycleGAN's discriminators train on (Shrivastava et al., 2017, section 2.3).

D updates see a mix of the current batch of fakes and older ones: of a pool of ``size`` (50) past fakes, each new
fake either passes through or, once the pool is full, with probability ½ is swapped for a random stored one (which
D then sees instead). Images are taken in batch order, one at a time, as in the authors' ``ImagePool``:

    for each image:  if count < size: store it at ``count``, count += 1, return it
                     elif u < ½:      return it                       (u ~ U[0, 1))
                     else:            i = floor(v · size); return pool[i]; pool[i] = image   (v ~ U[0, 1))

:func:`query_image_pool` is that loop as a pure function of the pool, the images and the draws. :class:`ImagePool`
keeps the pool in non-trainable weights of the model (saved with it, so a resumed run continues with the same
history) and takes its draws from the model's noise streams over the global batch: under a ``tf.distribute``
strategy every replica gathers the global batch of fakes, runs the same loop with the same draws (so every
replica's pool stays the one a single device would hold) and returns its own slice.
"""

from __future__ import annotations

import tensorflow as tf

__all__ = ["PAPER_POOL_SIZE", "ImagePool", "query_image_pool"]

#: The pool size of the paper (Zhu et al., 2017, section 4: "a history of the 50 previously generated images").
PAPER_POOL_SIZE = 50
#: Probability that a fake is swapped for a stored one once the pool is full.
SWAP_PROBABILITY = 0.5


def query_image_pool(pool, count, images, swap_draws, index_draws):
    """One pass of ``images`` through the pool (see the module docstring).

    Args:
        pool: (size, H, W, C) stored images; ``count`` (int32 scalar) of them are filled.
        images: (n, H, W, C) new fakes, in batch order.
        swap_draws, index_draws: (n,) U[0, 1) draws: u decides the swap (u >= ½ swaps), v the slot.
    Returns:
        ``(returned images (n, H, W, C), new pool, new count)``.
    """
    size = tf.shape(pool)[0]
    images = tf.cast(images, pool.dtype)
    n = tf.shape(images)[0]
    returned = tf.TensorArray(pool.dtype, size=n, element_shape=images.shape[1:])

    def body(i, pool, count, returned):
        image = images[i]
        filling = count < size
        swapping = tf.logical_and(tf.logical_not(filling), swap_draws[i] >= SWAP_PROBABILITY)
        slot = tf.where(
            filling,
            count,
            tf.minimum(tf.cast(index_draws[i] * tf.cast(size, index_draws.dtype), tf.int32), size - 1),
        )
        stored = pool[slot]
        out = tf.where(swapping, stored, image)
        written = tf.where(tf.logical_or(filling, swapping), image, stored)
        pool = tf.tensor_scatter_nd_update(pool, [[slot]], written[None])
        return i + 1, pool, count + tf.cast(filling, tf.int32), returned.write(i, out)

    _, pool, count, returned = tf.while_loop(
        lambda i, *_: i < n, body, (tf.constant(0), pool, tf.cast(count, tf.int32), returned)
    )
    return returned.stack(), pool, count


class ImagePool:
    """The pool of one domain, as weights of ``model`` named ``{name}`` and ``{name}_count``."""

    def __init__(self, model, image_shape: tuple[int, ...], size: int, name: str):
        self.size = int(size)
        self.images = model.add_weight(
            shape=(self.size, *image_shape),
            dtype="float32",
            initializer="zeros",
            trainable=False,
            name=name,
            aggregation="only_first_replica",
        )
        self.count = model.add_weight(
            shape=(),
            dtype="int32",
            initializer="zeros",
            trainable=False,
            name=f"{name}_count",
            aggregation="only_first_replica",
        )

    def query(self, images, swap_draws, index_draws):
        """The images D trains on for this (local) batch of fakes; updates the pool.

        ``swap_draws``, ``index_draws``: U[0, 1) draws for the global batch (every replica's fakes, in replica
        order), the same in every replica (see :meth:`global_draws`).
        """
        if self.size == 0:
            return images
        dtype = images.dtype
        images = tf.stop_gradient(images)
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        local = tf.shape(images)[0]
        if replicas > 1:
            images = tf.distribute.get_replica_context().all_gather(images, axis=0)
        returned, pool, count = query_image_pool(tf.identity(self.images), self.count, images, swap_draws, index_draws)
        self.images.assign(pool)
        self.count.assign(count)
        if replicas > 1:
            replica = tf.cast(tf.distribute.get_replica_context().replica_id_in_sync_group, tf.int32)
            returned = returned[replica * local : (replica + 1) * local]
        return tf.cast(returned, dtype)

    @staticmethod
    def global_draws(noise, local_batch, step, swap_purpose: int, index_purpose: int):
        """``(swap, index)`` U[0, 1) draws for the global batch from the model's ``noise`` (not sliced per replica)."""
        total = local_batch * tf.distribute.get_strategy().num_replicas_in_sync
        swap = tf.random.stateless_uniform([total], noise.step_seed(step, swap_purpose), alg="philox")
        index = tf.random.stateless_uniform([total], noise.step_seed(step, index_purpose), alg="philox")
        return swap, index
