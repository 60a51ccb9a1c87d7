"""ACGAN (Odena et al., 2017): G(z, y); D(x) with a real/fake head and an auxiliary classifier head."""

from __future__ import annotations

import keras
from keras import ops

from keras_gans import losses as losses_lib
from keras_gans.models.latent.dcgan import DCGAN
from keras_gans.models.registry import register_model

__all__ = ["ACGAN"]


@register_model
@keras.saving.register_keras_serializable(package="keras_gans")
class ACGAN(DCGAN):
    """Auxiliary-classifier GAN on DCGAN networks.

    G takes ``[z, labels]``; D takes images only and returns ``[real/fake logit, class logits]``. The objectives
    of the paper (section 3): L_S, the log-likelihood of the right source, and L_C, of the right class. D
    maximises L_S + L_C, G maximises L_C - L_S: here D's loss is its GAN loss plus
    ``classifier_weight · (CE(C(x), y) + CE(C(G(z, y)), y))`` and G's is its GAN loss plus
    ``classifier_weight · CE(C(G(z, y)), y)``. Fakes use the real batch's labels (classes balanced like the data;
    the paper drew them uniformly). Logs ``class_acc_real`` and ``class_acc_fake``: the auxiliary classifier's
    accuracy on real and on generated images. Optimizer: Adam(2e-4, beta_1=0.5), as the paper.

    Args:
        num_classes: number of classes (required).
        classifier_weight: weight of the auxiliary classification loss (1 in the paper).
        **kwargs: as :class:`DCGAN`.
    """

    labels_condition_discriminator = False
    #: The paper's recipe (optimizers, no EMA), not DCGAN's measured defaults (docs/zoo/defaults.md).
    measured_defaults = False
    #: Not measured in bfloat16 (benchmarks/PRECISION.md measures DCGAN and CGAN): "auto" keeps float32.
    auto_bfloat16 = False

    def __init__(self, num_classes: int | None = None, classifier_weight: float = 1.0, **kwargs):
        from keras_gans.engine.options import check_number

        if num_classes is None:
            raise ValueError("ACGAN needs num_classes= (the number of label values, e.g. 10 for MNIST).")
        self.classifier_weight = check_number("classifier_weight", classifier_weight, low=0)
        super().__init__(num_classes=num_classes, **kwargs)

    def _default_auxiliary_heads(self, num_classes) -> dict[str, int]:
        return {"class_logits": int(num_classes)}

    def _check_auxiliary_outputs(self, outputs) -> None:
        if len(outputs) != 1 or tuple(outputs[0].shape[1:]) != (self.num_classes,):
            raise ValueError(
                f"ACGAN's discriminator returns [real/fake (batch, 1), class logits (batch, {self.num_classes})]; "
                f"got auxiliary outputs {[tuple(o.shape) for o in outputs]}."
            )

    def _auxiliary_log_names(self) -> list[str]:
        return ["class_acc_real", "class_acc_fake"]

    def _auxiliary_d_loss(self, real_aux, fake_aux, labels, codes):
        real_logits, fake_logits = real_aux[0], fake_aux[0]
        loss = losses_lib.classification_loss(real_logits, labels) + losses_lib.classification_loss(fake_logits, labels)
        logs = {
            "class_acc_real": _accuracy(real_logits, labels),
            "class_acc_fake": _accuracy(fake_logits, labels),
        }
        return self.classifier_weight * loss, logs

    def _auxiliary_g_loss(self, fake_aux, labels, codes):
        return self.classifier_weight * losses_lib.classification_loss(fake_aux[0], labels), {}

    def classify(self, images, batch_size: int = 256):
        """The auxiliary classifier's class probabilities for ``images`` (n, H, W, C) in [-1, 1]."""
        import numpy as np

        outputs = self.discriminator.predict(np.asarray(images, "float32"), batch_size=batch_size, verbose=0)
        return ops.convert_to_numpy(ops.softmax(outputs[1], axis=-1))

    def get_config(self) -> dict:
        return {**super().get_config(), "classifier_weight": self.classifier_weight}


def _accuracy(logits, labels):
    predicted = ops.cast(ops.argmax(logits, axis=-1), "int32")
    return ops.mean(ops.cast(ops.equal(predicted, ops.cast(labels, "int32")), "float32"))
