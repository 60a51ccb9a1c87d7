"""InfoGAN (Chen et al., 2016): latent codes whose mutual information with the samples is maximised."""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from keras_gans import losses as losses_lib
from keras_gans.engine.options import check_number
from keras_gans.engine.randomness import SAMPLING_STREAM, sampling_normal
from keras_gans.models.latent.base import Draw
from keras_gans.models.latent.dcgan import DCGAN
from keras_gans.models.registry import register_model

__all__ = ["InfoGAN"]

#: Second seed word of the codes drawn by ``generate`` (the latents use ``SAMPLING_STREAM``).
SAMPLING_CODES_STREAM = SAMPLING_STREAM + 1
_CODE_PURPOSE = {Draw.LATENT: Draw.CODES, Draw.G_LATENT: Draw.G_CODES, Draw.TEST_LATENT: Draw.TEST_CODES}


@register_model
@keras.saving.register_keras_serializable(package="keras_gans")
class InfoGAN(DCGAN):
    """InfoGAN on DCGAN networks: G(z, c) with categorical and continuous codes c, and a Q head on D's body.

    G's input is ``[z, one_hot(c_1), ..., one_hot(c_k), c_cont]``, categorical codes uniform over their values and
    continuous codes uniform in [-1, 1] (the paper's MNIST setup: one 10-way code, two continuous codes, 62 noise
    dimensions). Q shares every layer of D but the last and predicts the codes of a generated image: logits for
    each categorical code and the mean of the continuous ones. The variational lower bound of the mutual
    information, L_I = CE(Q_cat(x), c_cat) + NLL of c_cont under N(Q_mean(x), 1), is added with weight λ to D's
    (updating the body and Q) and to G's loss: ``categorical_weight`` (λ = 1 in the paper) and
    ``continuous_weight`` (smaller, as the paper advises; 0.1 here). Optimizers: D Adam(2e-4, 0.5) and G
    Adam(1e-3, 0.5), the paper's MNIST rates. Logs ``info_loss`` and ``code_acc`` (how often Q recovers the
    first categorical code of a generated image).

    ``generate(n, seed=...)`` draws the codes; ``generate(n, codes={"categorical": ..., "continuous": ...})`` fixes
    them (either may be omitted and is then drawn): e.g. ``codes={"categorical": [3] * 8}`` for 8 samples of
    category 3.

    Args:
        categorical_codes: the number of values of each categorical code, e.g. ``(10,)``.
        continuous_codes: how many continuous codes.
        categorical_weight, continuous_weight: λ of the two mutual-information terms.
        **kwargs: as :class:`DCGAN` (no ``num_classes``: InfoGAN is unsupervised).
    """

    #: The paper's recipe (optimizers, no EMA), not DCGAN's measured defaults (docs/zoo/defaults.md).
    measured_defaults = False
    #: Not measured in bfloat16 (benchmarks/PRECISION.md measures DCGAN and CGAN): "auto" keeps float32.
    auto_bfloat16 = False

    def __init__(
        self,
        categorical_codes: tuple[int, ...] | list[int] = (10,),
        continuous_codes: int = 2,
        categorical_weight: float = 1.0,
        continuous_weight: float = 0.1,
        latent_dim: int = 62,
        **kwargs: Any,
    ):
        if kwargs.get("num_classes") is not None:
            raise ValueError("InfoGAN is unsupervised: it takes no num_classes (use categorical_codes instead).")
        self.categorical_codes, self.continuous_codes = self._check_codes(categorical_codes, continuous_codes)
        self.categorical_weight = check_number("categorical_weight", categorical_weight, low=0)
        self.continuous_weight = check_number("continuous_weight", continuous_weight, low=0)
        super().__init__(latent_dim=latent_dim, **kwargs)

    @staticmethod
    def _check_codes(categorical, continuous) -> tuple[tuple[int, ...], int]:
        if isinstance(categorical, int):
            categorical = (categorical,)
        categorical = tuple(check_number("categorical_codes", c, low=2, integer=True) for c in categorical)
        continuous = check_number("continuous_codes", continuous, low=0, integer=True)
        if not categorical and not continuous:
            raise ValueError("InfoGAN needs at least one code: categorical_codes=(10,) or continuous_codes=2.")
        return categorical, continuous

    def default_optimizers(self):
        """The paper's MNIST rates: D Adam(2e-4, beta_1=0.5), G Adam(1e-3, beta_1=0.5)."""
        return {
            "d_optimizer": keras.optimizers.Adam(2e-4, beta_1=0.5, name="d_adam"),
            "g_optimizer": keras.optimizers.Adam(1e-3, beta_1=0.5, name="g_adam"),
        }

    def generator_input_size(self, latent_dim: int) -> int:
        return latent_dim + sum(self.categorical_codes) + self.continuous_codes

    def _default_auxiliary_heads(self, num_classes) -> dict[str, int]:
        heads = {f"q_categorical_{i}": k for i, k in enumerate(self.categorical_codes)}
        if self.continuous_codes:
            heads["q_continuous"] = self.continuous_codes
        return heads

    def _check_auxiliary_outputs(self, outputs) -> None:
        expected = [(k,) for k in self.categorical_codes]
        expected += [(self.continuous_codes,)] if self.continuous_codes else []
        got = [tuple(o.shape[1:]) for o in outputs]
        if got != expected:
            raise ValueError(
                f"InfoGAN's discriminator returns [real/fake (batch, 1), Q heads {expected}]; got Q heads {got}."
            )

    def _auxiliary_log_names(self) -> list[str]:
        return ["info_loss"] + (["code_acc"] if self.categorical_codes else [])

    # ------------------------------------------------------------------------------------------------------------
    # Codes

    def _codes_from_uniform(self, uniform):
        """(categorical indices (n, k) int32, continuous codes (n, c) in [-1, 1]) from U[0, 1) draws (n, k + c)."""
        k = len(self.categorical_codes)
        sizes = tf.constant(self.categorical_codes, tf.float32)
        categorical = tf.minimum(
            tf.cast(uniform[:, :k] * sizes, tf.int32), tf.constant(self.categorical_codes, tf.int32) - 1
        )
        continuous = 2.0 * uniform[:, k:] - 1.0
        return categorical, continuous

    def _code_vector(self, categorical, continuous):
        parts = [tf.one_hot(categorical[:, i], k) for i, k in enumerate(self.categorical_codes)]
        if self.continuous_codes:
            parts.append(tf.cast(continuous, tf.float32))
        return tf.concat(parts, axis=-1)

    def _latents(self, batch, step, purpose: int):
        z = self.noise.normal([batch, self.latent_dim], step, purpose)
        uniform = self.noise.uniform(
            [batch, len(self.categorical_codes) + self.continuous_codes], step, _CODE_PURPOSE[purpose]
        )
        categorical, continuous = self._codes_from_uniform(uniform)
        return tf.concat([z, self._code_vector(categorical, continuous)], axis=-1), (categorical, continuous)

    def _info_loss(self, q_outputs, codes):
        categorical, continuous = codes
        k = len(self.categorical_codes)
        loss = tf.constant(0.0)
        for i in range(k):
            loss = loss + self.categorical_weight * losses_lib.classification_loss(q_outputs[i], categorical[:, i])
        if self.continuous_codes:
            loss = loss + self.continuous_weight * losses_lib.gaussian_code_loss(q_outputs[k], continuous)
        logs = {"info_loss": loss}
        if k:
            predicted = ops.cast(ops.argmax(q_outputs[0], axis=-1), "int32")
            logs["code_acc"] = ops.mean(ops.cast(ops.equal(predicted, categorical[:, 0]), "float32"))
        return loss, logs

    def _auxiliary_d_loss(self, real_aux, fake_aux, labels, codes):
        return self._info_loss(fake_aux, codes)

    def _auxiliary_g_loss(self, fake_aux, labels, codes):
        return self._info_loss(fake_aux, codes)

    # ------------------------------------------------------------------------------------------------------------
    # Sampling

    def sample_codes(self, num_samples: int, seed: int | None = None) -> dict[str, np.ndarray]:
        """The codes ``generate(num_samples, seed=seed)`` uses: ``{"categorical": (n, k), "continuous": (n, c)}``."""
        seed = int(np.random.randint(0, 2**31 - 1)) if seed is None else int(seed)
        uniform = tf.random.stateless_uniform(
            [num_samples, len(self.categorical_codes) + self.continuous_codes],
            seed=[seed, SAMPLING_CODES_STREAM],
            alg="philox",
        )
        categorical, continuous = self._codes_from_uniform(uniform)
        return {"categorical": categorical.numpy(), "continuous": continuous.numpy()}

    def _fixed_codes(self, codes: dict, num_samples: int, seed) -> dict[str, np.ndarray]:
        unknown = sorted(set(codes) - {"categorical", "continuous"})
        if unknown:
            raise ValueError(f"codes takes the keys 'categorical' and 'continuous', got {unknown}.")
        drawn = self.sample_codes(num_samples, seed)
        k = len(self.categorical_codes)
        if codes.get("categorical") is not None:
            categorical = np.asarray(codes["categorical"])
            if categorical.ndim == 1:
                categorical = categorical[:, None]
            if categorical.dtype.kind not in "iu" or categorical.shape != (num_samples, k):
                raise ValueError(
                    f"codes['categorical'] must be integers of shape ({num_samples},) or ({num_samples}, {k}), got "
                    f"{categorical.dtype} {categorical.shape}."
                )
            for i, size in enumerate(self.categorical_codes):
                if categorical[:, i].min() < 0 or categorical[:, i].max() >= size:
                    raise ValueError(f"categorical code {i} takes values in [0, {size}).")
            drawn["categorical"] = categorical.astype("int32")
        if codes.get("continuous") is not None:
            continuous = np.asarray(codes["continuous"], "float32")
            if continuous.shape != (num_samples, self.continuous_codes) or not np.all(np.isfinite(continuous)):
                raise ValueError(
                    f"codes['continuous'] must be finite floats of shape ({num_samples}, {self.continuous_codes}), "
                    f"got {continuous.shape}."
                )
            drawn["continuous"] = continuous
        return drawn

    def generate(
        self,
        num_samples: int | None = None,
        seed: int | None = None,
        codes: dict | None = None,
        z=None,
        batch_size: int = 256,
        labels=None,
    ) -> np.ndarray:
        """Generated images for drawn or fixed codes; see the class docstring. ``z``: noise (n, latent_dim)."""
        if labels is not None:
            raise ValueError("InfoGAN is unsupervised: generate() takes codes=, not labels.")
        if num_samples is None:
            lengths = [len(np.asarray(v)) for v in (codes or {}).values() if v is not None]
            num_samples = lengths[0] if lengths else (len(z) if z is not None else None)
        if num_samples is None:
            raise ValueError("Pass num_samples (or codes=, or z=).")
        if seed is None:
            seed = int(np.random.randint(0, 2**31 - 1))
        noise = self.latents(num_samples, seed) if z is None else np.asarray(z, "float32")
        if noise.shape != (num_samples, self.latent_dim):
            raise ValueError(f"z must have shape ({num_samples}, {self.latent_dim}), got {noise.shape}.")
        fixed = self._fixed_codes(codes or {}, num_samples, seed)
        vector = self._code_vector(tf.constant(fixed["categorical"]), tf.constant(fixed["continuous"])).numpy()
        batch_size = check_number("batch_size", batch_size, low=1, integer=True)
        batches = self._generator_batches(np.concatenate([noise, vector], axis=-1), None, batch_size)
        return self._clipped(self._run_generator(batches))

    def grid_samples(self, num_rows: int = 8, seed: int = 0) -> tuple[np.ndarray, int]:
        """One value of the first categorical code per column (its effect reads across a row), codes drawn else."""
        if not self.categorical_codes:
            return super().grid_samples(num_rows, seed)
        columns = self.categorical_codes[0]
        codes = self.sample_codes(num_rows * columns, seed)
        codes["categorical"][:, 0] = np.tile(np.arange(columns), num_rows)
        return self.generate(num_rows * columns, seed=seed, codes=codes), num_rows

    def serving_endpoints(self) -> dict:
        """``serving_default``: (z, categorical (n, k) int32, continuous (n, c)) -> images; ``generate``: as DCGAN."""
        generator = self.sampling_generator
        latent_dim = self.latent_dim
        k, c = len(self.categorical_codes), self.continuous_codes

        def images(z, categorical, continuous):
            vector = self._code_vector(categorical, continuous)
            return tf.cast(generator(tf.concat([z, vector], axis=-1), training=False), tf.float32)

        def generate(num_samples, seed):
            z = sampling_normal(tf.stack([num_samples, latent_dim]), seed)
            code_seed = tf.stack([tf.cast(seed, tf.int64), tf.constant(SAMPLING_CODES_STREAM, tf.int64)])
            uniform = tf.random.stateless_uniform(tf.stack([num_samples, k + c]), seed=code_seed, alg="philox")
            return images(z, *self._codes_from_uniform(uniform))

        specs = [
            tf.TensorSpec([None, latent_dim], tf.float32, name="z"),
            tf.TensorSpec([None, k], tf.int32, name="categorical"),
            tf.TensorSpec([None, c], tf.float32, name="continuous"),
        ]
        return {
            "serving_default": (images, specs),
            "generate": (
                generate,
                [tf.TensorSpec([], tf.int32, name="num_samples"), tf.TensorSpec([], tf.int64, name="seed")],
            ),
        }

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "categorical_codes": list(self.categorical_codes),
            "continuous_codes": self.continuous_codes,
            "categorical_weight": self.categorical_weight,
            "continuous_weight": self.continuous_weight,
        }
