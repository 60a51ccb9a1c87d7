"""Unrolled optimisation of a network: k differentiable updates of its weights, computed functionally.

Metz, Poole, Pfau and Sohl-Dickstein, "Unrolled Generative Adversarial Networks", ICLR 2017 (arXiv:1611.02163).
The generator is trained against the discriminator as it would be after ``K`` more of its own updates::

    theta_D^0     = theta_D                                       (the discriminator's current weights)
    theta_D^{k+1} = theta_D^k - U_k(g_k),   g_k = d L_D(theta_G, theta_D^k) / d theta_D^k,   k = 0 .. K-1
    L_G^unrolled(theta_G) = L_G(theta_G, theta_D^K(theta_G, theta_D))

    d L_G^unrolled / d theta_G = dL_G/d theta_G + dL_G/d theta_D^K . d theta_D^K / d theta_G   (second-order term)

:func:`unrolled_variables` computes ``theta_D^K`` with ``network.stateless_call``, so gradients taken by the caller
through the result reach ``theta_G`` (through the fake samples inside ``L_D``) and ``theta_D^0``. The update
``U_k`` is either plain SGD, ``U_k = lr g_k``, or Adam continued from a state (the paper's code unrolls with the
discriminator's own Adam, moments and step count included), with ``t = t_0 + k + 1``::

    m_{k+1} = m_k + (1 - beta_1) (g_k - m_k),      v_{k+1} = v_k + (1 - beta_2) (g_k^2 - v_k)
    U_k     = lr sqrt(1 - beta_2^t) / (1 - beta_1^t) . m_{k+1} / (sqrt(v_{k+1}) + epsilon)

(Keras' ``Adam.update_step``, term for term.) With ``second_order=False`` every ``U_k`` is wrapped in
``tf.stop_gradient``: ``d theta_D^K / d theta_D^0 = I`` and ``d theta_D^K / d theta_G = 0``, so the generator's
gradient is ``dL_G/d theta_G`` at the unrolled discriminator, the paper's cheaper first-order variant.

Nothing is assigned: the network's variables and the optimizer (its moments and ``iterations``) are only read.
Network state (``non_trainable_variables``: batch-norm moving statistics, dropout seeds) is threaded through the
unrolled steps and then dropped: the moving statistics of the unrolled steps are not kept, and a batch-norm layer
in training mode normalises with each batch's own statistics anyway. The paper uses batch-norm-free MLPs.
Regularisation losses of the network's layers are not added to ``L_D``; add them in ``loss_fn`` if needed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal, NamedTuple

import keras
import tensorflow as tf

__all__ = ["AdamState", "adam_state_from_optimizer", "unrolled_variables"]

Forward = Callable[..., Any]
"""``forward(*inputs, **kwargs)``: the network's outputs at the current unrolled weights (``stateless_call``)."""


class AdamState(NamedTuple):
    """The Adam state an unrolling starts from, one moment tensor per trainable variable (same order).

    ``iterations`` is the number of updates already applied (Keras' ``optimizer.iterations``): the first unrolled
    step uses ``t = iterations + 1``. ``learning_rate`` is a number or tensor, or a callable of the (int64)
    iteration count giving one (a ``keras.optimizers.schedules.LearningRateSchedule``).
    """

    momentums: list[tf.Tensor]
    velocities: list[tf.Tensor]
    iterations: tf.Tensor
    learning_rate: Any
    beta_1: float = 0.9
    beta_2: float = 0.999
    epsilon: float = 1e-7


def _value(x: Any) -> tf.Tensor:
    return tf.convert_to_tensor(x.value if isinstance(x, keras.Variable) else x)


def adam_state_from_optimizer(optimizer: keras.optimizers.Adam, variables: Sequence[keras.Variable]) -> AdamState:
    """Snapshot (read only) the moments, step count and hyperparameters of ``optimizer`` for ``variables``.

    An optimizer not built yet gives zero moments and ``iterations = 0``, the state its first update would start
    from. Options that change the update (``amsgrad``, weight decay, gradient clipping, gradient accumulation) are
    not reproduced and raise ``ValueError``; ``loss_scale_factor`` is irrelevant here (gradients are unscaled).
    """
    if not isinstance(optimizer, keras.optimizers.Adam):
        raise TypeError(f"expected a keras.optimizers.Adam, got {type(optimizer).__name__}")
    unsupported = {
        "amsgrad": optimizer.amsgrad,
        "weight_decay": optimizer.weight_decay,
        "clipnorm": optimizer.clipnorm,
        "clipvalue": optimizer.clipvalue,
        "global_clipnorm": optimizer.global_clipnorm,
        "gradient_accumulation_steps": optimizer.gradient_accumulation_steps,
    }
    used = {name: value for name, value in unsupported.items() if value}
    if used:
        raise ValueError(f"unrolling does not reproduce these Adam options: {used}")
    hyper = [optimizer.beta_1, optimizer.beta_2, optimizer.epsilon]
    beta_1, beta_2, epsilon = (h() if callable(h) else h for h in hyper)
    schedule = optimizer._learning_rate  # the schedule itself, not its value at the current step
    if isinstance(schedule, keras.optimizers.schedules.LearningRateSchedule):
        learning_rate: Any = schedule
    else:
        learning_rate = _value(optimizer.learning_rate)
    iterations = tf.cast(_value(optimizer.iterations), tf.int64)
    if not optimizer.built:
        zeros = [tf.zeros(v.shape, v.dtype) for v in variables]
        return AdamState(zeros, list(zeros), iterations, learning_rate, beta_1, beta_2, epsilon)
    momentums, velocities = [], []
    for variable in variables:
        try:
            index = optimizer._get_variable_index(variable)
        except KeyError:
            raise ValueError(f"the optimizer was not built on variable {variable.path!r}") from None
        momentums.append(_value(optimizer._momentums[index]))
        velocities.append(_value(optimizer._velocities[index]))
    return AdamState(momentums, velocities, iterations, learning_rate, beta_1, beta_2, epsilon)


def _safe_sqrt(x: tf.Tensor) -> tf.Tensor:
    """``sqrt(x)`` whose gradient at ``x = 0`` is 0, not inf (which meets a zero and gives NaN).

    Where ``v = 0`` the gradient ``g`` is 0 too; the limit of ``d U / d g`` there is ``(1 - beta_1) lr_t / eps``
    through ``m`` alone, which is what this gradient gives.
    """
    positive = x > 0
    return tf.where(positive, tf.sqrt(tf.where(positive, x, tf.ones_like(x))), tf.zeros_like(x))


def _learning_rate_at(learning_rate: Any, iterations: tf.Tensor, dtype: tf.DType) -> tf.Tensor:
    if callable(learning_rate):
        learning_rate = learning_rate(iterations)
    return tf.cast(learning_rate, dtype)


@tf.autograph.experimental.do_not_convert  # Python control flow only; ``steps`` is unrolled when traced
def unrolled_variables(
    network: keras.Layer,
    trainable_values: Sequence[Any] | None,
    non_trainable_values: Sequence[Any] | None,
    loss_fn: Callable[[Forward], tf.Tensor],
    steps: int,
    learning_rate: Any = None,
    method: Literal["adam", "sgd"] = "adam",
    adam_state: AdamState | keras.optimizers.Adam | None = None,
    *,
    second_order: bool = True,
    training: bool = True,
) -> list[tf.Tensor]:
    """The trainable weights of ``network`` after ``steps`` differentiable updates minimising ``loss_fn``.

    ``theta^{k+1} = theta^k - U_k(dL/d theta^k)`` for ``k < steps``, with ``U_k = lr g_k`` (``method="sgd"``) or
    the Adam update of the module docstring (``method="adam"``). Returns one tensor per
    ``network.trainable_variables``, in that order; evaluate the network at them with
    ``network.stateless_call(result, non_trainable_values, x, training=True)`` and differentiate through them.
    Works eagerly, in ``tf.function`` and under XLA (``jit_compile=True``); ``steps`` is a Python int (the loop is
    unrolled when traced).

    Args:
        network: a built Keras layer or model (for a GAN: the discriminator).
        trainable_values: the starting weights ``theta^0`` (tensors, same order as ``network.trainable_variables``);
            ``None`` reads the network's variables.
        non_trainable_values: the network's state (``None``: read); threaded through the steps, then dropped.
        loss_fn: ``loss_fn(forward) -> scalar``, the loss to minimise, where ``forward(*inputs, **kwargs)`` returns
            the network's outputs at the current unrolled weights. Every step calls it anew; for a GAN it closes
            over the real batch and the generator's samples (the source of the second-order term).
        steps: ``K >= 0``; 0 returns ``theta^0``.
        learning_rate: SGD's (required; a number, tensor or variable such as ``optimizer.learning_rate``), or Adam's
            (``None``: the learning rate of ``adam_state``).
        method: ``"adam"`` or ``"sgd"``.
        adam_state: where Adam starts: a ``keras.optimizers.Adam`` (its current moments, ``iterations`` and
            hyperparameters, read with :func:`adam_state_from_optimizer`), an :class:`AdamState`, or ``None``
            (zero moments, ``t_0 = 0``, Keras' default hyperparameters and ``learning_rate``, required then).
        second_order: if False, ``tf.stop_gradient`` on every update (the first-order approximation).
        training: passed to ``stateless_call``.
    """
    if not isinstance(steps, int) or steps < 0:
        raise ValueError(f"steps must be a non-negative int, got {steps!r}")
    if method not in ("adam", "sgd"):
        raise ValueError(f"method must be 'adam' or 'sgd', got {method!r}")
    variables = list(network.trainable_variables)
    params = [_value(v) for v in (variables if trainable_values is None else trainable_values)]
    if len(params) != len(variables):
        raise ValueError(f"{len(params)} trainable values given for {len(variables)} trainable variables")
    state = [
        _value(v) for v in (network.non_trainable_variables if non_trainable_values is None else non_trainable_values)
    ]

    if method == "sgd":
        if learning_rate is None:
            raise ValueError("method='sgd' needs a learning_rate")
        if adam_state is not None:
            raise ValueError("adam_state is only used with method='adam'")
    else:
        if isinstance(adam_state, keras.optimizers.Adam):
            adam_state = adam_state_from_optimizer(adam_state, variables)
        elif adam_state is None:
            if learning_rate is None:
                raise ValueError("method='adam' needs a learning_rate or an adam_state")
            zeros = [tf.zeros_like(p) for p in params]
            adam_state = AdamState(zeros, list(zeros), tf.constant(0, tf.int64), learning_rate)
        if learning_rate is not None:
            adam_state = adam_state._replace(learning_rate=learning_rate)
        momentums = [_value(m) for m in adam_state.momentums]
        velocities = [_value(v) for v in adam_state.velocities]
        if len(momentums) != len(params) or len(velocities) != len(params):
            raise ValueError("adam_state must hold one momentum and one velocity per trainable variable")
        iterations = tf.cast(adam_state.iterations, tf.int64)

    for k in range(steps):
        step_state = list(state)

        def forward(*args: Any, _params: list = params, _state: list = step_state, **kwargs: Any) -> Any:
            outputs, new_state = network.stateless_call(_params, _state, *args, training=training, **kwargs)
            _state[:] = list(new_state)
            return outputs

        with tf.GradientTape() as tape:
            tape.watch(params)
            loss = loss_fn(forward)
        grads = tape.gradient(loss, params, unconnected_gradients=tf.UnconnectedGradients.ZERO)
        state = step_state
        if not second_order:
            grads = [tf.stop_gradient(g) for g in grads]

        if method == "sgd":
            lr = _value(learning_rate)
            params = [p - tf.cast(lr, p.dtype) * tf.cast(g, p.dtype) for p, g in zip(params, grads)]
            continue
        step = iterations + (k + 1)
        new_params, new_m, new_v = [], [], []
        for p, g, m, v in zip(params, grads, momentums, velocities):
            dtype = p.dtype
            g = tf.cast(g, dtype)
            t = tf.cast(step, dtype)
            beta_1, beta_2 = adam_state.beta_1, adam_state.beta_2
            lr = _learning_rate_at(adam_state.learning_rate, step - 1, dtype)
            alpha = lr * tf.sqrt(1 - tf.pow(tf.cast(beta_2, dtype), t)) / (1 - tf.pow(tf.cast(beta_1, dtype), t))
            # (1 - beta) rounded once, from the Python float, as Keras does.
            m = m + (g - m) * tf.cast(1 - beta_1, dtype)
            v = v + (tf.square(g) - v) * tf.cast(1 - beta_2, dtype)
            update = (m * alpha) / (_safe_sqrt(v) + tf.cast(adam_state.epsilon, dtype))
            if not second_order:
                update = tf.stop_gradient(update)
            new_params.append(p - update)
            new_m.append(m)
            new_v.append(v)
        params, momentums, velocities = new_params, new_m, new_v
    return params
