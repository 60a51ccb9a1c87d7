"""The model base every family composes: players, step counter, logs, compile, XLA/distribution, saving, export.

A family subclasses :class:`AdversarialModel` and declares

* ``data_spec``: what it trains on (:mod:`keras_gans.engine.data_spec`);
* its networks, passed to ``__init__`` as a dict (they become attributes of the model);
* ``players()``: the :class:`~keras_gans.engine.players.Player` updates of one step, in order;
* ``log_names()``: every log its step returns;
* ``default_optimizers()``: one optimizer per player's optimizer name (the paper's);
* ``sampled_networks``: the networks its samplers use (averaged when ``ema_decay`` is set);
* ``serving_endpoints()``: the signatures ``export`` writes (name -> (function, input signature));
* ``test_step`` when ``evaluate`` means something for it.

The engine runs every player's update with the same mechanics (replica and loss scaling, gradient norms, skipping
non-finite updates, weight clipping), advances its own step counter, updates the EMA copies, keeps the running means
of the logs, and builds step functions that work with ``jit_compile=True`` and under every ``tf.distribute``
strategy (see :mod:`keras_gans.engine.distribution`).
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import tensorflow as tf

from keras_gans.engine import distribution, precision, update
from keras_gans.engine.data_spec import DataSpec
from keras_gans.engine.ema import ExponentialMovingAverage
from keras_gans.engine.options import check_bool
from keras_gans.engine.players import Player
from keras_gans.engine.randomness import NoiseSource
from keras_gans.engine.regularization import WeightedLog

__all__ = ["AdversarialModel"]


class AdversarialModel(keras.Model, metaclass=precision.BuiltUnderPrecision):
    """Base of every model of the zoo; see the module docstring for what a family declares.

    Every model is constructed under the dtype policy of its ``precision=`` option, which the metaclass resolves
    (:mod:`keras_gans.engine.precision`); ``resolved_precision`` and ``precision_reason`` say what it chose and why.

    Args:
        networks: name -> network; each becomes an attribute of the model and is saved with it.
        options: the family's options (an :class:`~keras_gans.engine.options.EngineOptions` or a subclass).
        seed: seed of the model's noise streams (random when ``None``; saved with the model).
    """

    #: What the family trains on; set by the family's constructor.
    data_spec: DataSpec
    #: Names of the networks its samplers use (EMA-averaged when ``ema_decay`` is set).
    sampled_networks: tuple[str, ...] = ()
    #: Whether ``precision="auto"`` may pick mixed_bfloat16 on hardware with native bfloat16: declared by a family
    #: (or model) whose measurements show its sample quality holds in bfloat16 (FID at a fixed budget, same seeds).
    auto_bfloat16: bool = False

    def __init__(
        self,
        networks: dict[str, keras.Model],
        options,
        seed: int | None = None,
        name: str | None = None,
        **base_kwargs: Any,
    ):
        super().__init__(name=name, **base_kwargs)
        self.options = options
        self.network_names = tuple(networks)
        for key, network in networks.items():
            if not isinstance(network, keras.Model):
                raise TypeError(f"{key} must be a keras.Model, got {type(network).__name__}.")
            setattr(self, key, network)
        if seed is not None and (isinstance(seed, bool) or int(seed) != seed or not 0 <= int(seed) < 2**63):
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}.")
        self.seed = int(np.random.randint(0, 2**31 - 1) if seed is None else seed)
        self.noise = NoiseSource(self.seed)
        self._optimizer_names = tuple(dict.fromkeys(p.optimizer for p in self.players()))
        for optimizer_name in self._optimizer_names:
            setattr(self, optimizer_name, None)
        self._trackers = {log: keras.metrics.Mean(name=log) for log in self.log_names()}
        self._ema = None
        if options.ema_decay:
            averaged = {n: getattr(self, n) for n in self.sampled_networks}
            self._ema = ExponentialMovingAverage(self, averaged, options.ema_decay)
        # Created last: files written before the engine have every other own weight in the same order.
        self.step_counter = self.add_weight(
            shape=(),
            dtype="int64",
            initializer="zeros",
            trainable=False,
            name="step_counter",
            aggregation="only_first_replica",
        )
        self._step_counter_from_optimizer = False
        # No call(): fit() must not try to build the model from a data batch.
        self.built = True

    # ----------------------------------------------------------------------------------------------------------
    # What a family declares

    def players(self) -> tuple[Player, ...]:
        raise NotImplementedError

    def log_names(self) -> list[str]:
        raise NotImplementedError

    def default_optimizers(self) -> dict[str, keras.optimizers.Optimizer]:
        raise NotImplementedError

    def serving_endpoints(self) -> dict:
        """``name -> (function, input_signature)``: the signatures of the exported model."""
        raise NotImplementedError

    #: ``(name, "min" | "max")``: the sample-quality number ``keras-gans train`` keeps ``checkpoints/best.keras`` by
    #: (a key of :meth:`evaluate_quality`'s result or of the metrics callback's logs).
    primary_metric: tuple[str, str] = ("fid", "min")

    @classmethod
    def data_arguments(cls, element_spec) -> dict:
        """The constructor arguments that follow from the training data's ``element_spec`` (``keras-gans train``
        builds ``cls(**data_arguments(spec), seed=..., **model_args)``)."""
        raise NotImplementedError(f"{cls.__name__} does not say which arguments its training data fixes.")

    def record_precision(self, policy: str, reason: str) -> None:
        """Records the dtype policy the model was built under and why (called once it is built)."""
        self.resolved_precision = policy
        self.precision_reason = reason
        self.options = self.options.with_resolved_precision(policy)

    @property
    def networks(self) -> dict[str, keras.Model]:
        return {n: getattr(self, n) for n in self.network_names}

    @property
    def optimizers(self) -> dict[str, keras.optimizers.Optimizer | None]:
        """Optimizer name -> optimizer (``None`` before ``compile``)."""
        return {n: getattr(self, n, None) for n in self._optimizer_names}

    @property
    def metrics(self) -> list[keras.metrics.Metric]:
        return list(self._trackers.values())

    # ----------------------------------------------------------------------------------------------------------
    # Compile

    def compile(
        self,
        jit_compile: bool | str = "auto",
        steps_per_execution: int = 1,
        run_eagerly: bool = False,
        **optimizers: Any,
    ) -> None:
        """Sets one optimizer per player (the paper's when omitted) and the execution options.

        ``jit_compile="auto"`` turns XLA on only on GPU/TPU hosts: on CPU a DCGAN step ran 1.1-1.35x slower with it.
        ``jit_compile=True`` always works: under a ``tf.distribute`` strategy the per-replica gradient computation
        is XLA-compiled and the cross-replica reduction runs outside XLA.
        """
        if optimizers.get("loss") is not None or optimizers.get("optimizer") is not None:
            raise ValueError(
                f"{type(self).__name__} takes {' and '.join(f'{n}=' for n in self._optimizer_names)} in compile(), and "
                "its loss in the constructor (loss=..., e.g. one of keras_gans.losses.names())."
            )
        unknown = sorted(k for k in optimizers if k not in self._optimizer_names and k not in ("loss", "optimizer"))
        if unknown:
            raise TypeError(
                f"compile() got unexpected keyword(s) {unknown}; {type(self).__name__} takes "
                f"{list(self._optimizer_names)}, jit_compile, steps_per_execution and run_eagerly."
            )
        if jit_compile != "auto":
            check_bool("jit_compile", jit_compile)
        check_bool("run_eagerly", run_eagerly)
        if isinstance(steps_per_execution, bool) or not isinstance(steps_per_execution, int) or steps_per_execution < 1:
            raise ValueError(f"steps_per_execution must be an integer >= 1, got {steps_per_execution!r}.")
        defaults = self.default_optimizers()
        chosen = {}
        for key in self._optimizer_names:
            given = optimizers.get(key)
            chosen[key] = keras.optimizers.get(given) if given is not None else defaults[key]
        if len({id(o) for o in chosen.values()}) != len(chosen):
            raise ValueError(f"{' and '.join(chosen)} must be different optimizer objects.")
        if self.dtype_policy.name == "mixed_float16" or any(
            net.dtype_policy.name == "mixed_float16" for net in self.networks.values()
        ):
            scaled = keras.optimizers.LossScaleOptimizer
            chosen = {k: o if isinstance(o, scaled) else scaled(o) for k, o in chosen.items()}
        if jit_compile == "auto":
            jit_compile = distribution.xla_is_faster() and not run_eagerly
        super().compile(
            optimizer=None,
            jit_compile=bool(jit_compile),
            steps_per_execution=steps_per_execution,
            run_eagerly=run_eagerly,
        )
        for key, optimizer in chosen.items():
            setattr(self, key, optimizer)
        # Built here, inside the model's strategy scope, before the first (possibly distributed) step.
        with self.distribute_strategy.scope():
            for key, variables in self._optimizer_variables().items():
                chosen[key].build(variables)
        self._compile_args = {
            **{k: keras.saving.serialize_keras_object(o) for k, o in chosen.items()},
            "jit_compile": bool(jit_compile),
            "steps_per_execution": steps_per_execution,
        }

    def _player_variables(self, player: Player) -> list:
        return [v for n in player.networks for v in getattr(self, n).trainable_variables]

    def _optimizer_variables(self) -> dict[str, list]:
        variables: dict[str, list] = {}
        for player in self.players():
            seen = variables.setdefault(player.optimizer, [])
            seen += [v for v in self._player_variables(player) if all(v is not s for s in seen)]
        return variables

    def get_compile_config(self) -> dict:
        return dict(getattr(self, "_compile_args", {}))

    def compile_from_config(self, config: dict) -> None:
        config = dict(config)
        for key in self._optimizer_names:
            if key in config:
                config[key] = keras.saving.deserialize_keras_object(config[key])
        self.compile(**config)

    # ----------------------------------------------------------------------------------------------------------
    # The train step

    def unpack_batch(self, data) -> tuple:
        return self.data_spec.unpack(data, type(self).__name__)

    def train_step(self, data):
        batch = self.unpack_batch(data)
        step = tf.identity(self.step_counter)
        guard = update.NonFiniteGuard(self.networks.values()) if self.options.skip_non_finite_gradients else None
        logs = self.run_players(batch, step)
        if guard is not None:
            guard.restore()
        self.step_counter.assign_add(1)
        if self._ema is not None:
            self._ema.update()
        return self.record_logs(logs)

    def run_players(self, batch: tuple, step) -> dict:
        """Every player's updates of one step, in the declared order; returns the merged logs."""
        logs: dict = {}
        for player in self.players():
            gradients = self.xla_compiled(self._gradients_function(player))
            for repeat in range(player.repeats):
                grads, player_logs = gradients(batch, step, repeat)
                self.apply_player_update(player, grads)
                logs.update(player_logs)
        return logs

    def _gradients_function(self, player: Player):
        functions = self.__dict__.setdefault("_gradient_functions", {})
        if player.name not in functions:

            def gradients(batch, step, repeat):
                return self.player_gradients(player, batch, step, repeat)

            gradients.__name__ = f"{player.name}_gradients"
            functions[player.name] = gradients
        return functions[player.name]

    def player_gradients(self, player: Player, batch, step, repeat):
        """The player's loss, its gradients (replica- and loss-scaled) and its logs, with the gradient norm."""
        optimizer = getattr(self, player.optimizer)
        variables = self._player_variables(player)
        with tf.GradientTape() as tape:
            loss, logs = player.loss(batch, step, repeat)
            scaled = update.scale_loss(optimizer, loss)
        grads = tape.gradient(scaled, variables)
        logs = dict(logs)
        logs[player.grad_norm_log] = update.global_norm(grads, optimizer)
        return grads, logs

    def apply_player_update(self, player: Player, grads) -> None:
        variables = self._player_variables(player)
        update.apply_update(
            getattr(self, player.optimizer), grads, variables, skip_non_finite=self.options.skip_non_finite_gradients
        )
        if player.clipped and self.options.weight_clip:
            update.clip_weights(variables, self.options.weight_clip)

    def xla_compiled(self, fn):
        """``fn``, XLA-compiled on its own when the whole step can't be (jit_compile=True under a strategy)."""
        if not getattr(self, "_xla_inside_step", False):
            return fn
        compiled = self.__dict__.setdefault("_xla_functions", {})
        if fn.__name__ not in compiled:
            compiled[fn.__name__] = tf.function(
                distribution.without_batch_norm_sync(self, fn), jit_compile=True, reduce_retracing=True
            )
        return compiled[fn.__name__]

    def record_logs(self, logs: dict) -> dict:
        """Adds a step's logs to the running means; returns every log's mean so far."""
        for name, value in logs.items():
            if isinstance(value, WeightedLog):
                self._trackers[name].update_state(value.value, sample_weight=value.weight)
            else:
                self._trackers[name].update_state(value)
        results = {name: tracker.result() for name, tracker in self._trackers.items()}
        return distribution.prepare_logs(results)

    # ----------------------------------------------------------------------------------------------------------
    # EMA

    #: Properties that return a network made from others (the EMA copy: averaged weights + the live batch-norm
    #: statistics). Keras' saving walks ``dir(model)`` and stores every network an attribute returns, which would
    #: write G a second time into every .keras file; these are left out of ``dir`` so that it does not.
    derived_views: tuple[str, ...] = ()

    def __dir__(self):
        return [name for name in super().__dir__() if name not in self.derived_views]

    def averaged_network(self, name: str) -> keras.Model:
        """Network ``name`` as the samplers use it: its EMA copy when ``ema_decay`` is set, else the network."""
        if self._ema is None or name not in self._ema.networks:
            return getattr(self, name)
        return self._ema.averaged(name)

    # ----------------------------------------------------------------------------------------------------------
    # Step functions, distribution and saving

    def make_train_function(self, force: bool = False):
        self._sync_legacy_step_counter()
        if self.train_function is not None and not force:
            return self.train_function
        self.train_function = distribution.make_step_function(self, self.train_step)
        return self.train_function

    def make_test_function(self, force: bool = False):
        if self.test_function is not None and not force:
            return self.test_function
        self.test_function = distribution.make_step_function(self, self.test_step)
        return self.test_function

    def _maybe_symbolic_build(self, iterator=None, data_batch=None):
        # Networks and optimizers are built by the constructor and compile(); Keras' symbolic build from a data
        # batch would reduce a per-replica batch eagerly, which fails under MultiWorkerMirroredStrategy.
        return

    def load_own_variables(self, store) -> None:
        own = self._trainable_variables + self._non_trainable_variables
        if len(store.keys()) == len(own) - 1 and own[-1] is self.step_counter:
            # Written before the engine had a step counter: the last optimizer's iterations counted the steps.
            for i, variable in enumerate(own[:-1]):
                variable.assign(store[f"{i}"])
            self._step_counter_from_optimizer = True
            return
        super().load_own_variables(store)

    def _sync_legacy_step_counter(self) -> None:
        if self._step_counter_from_optimizer:
            last = getattr(self, self._optimizer_names[-1], None)
            if last is not None:
                self.step_counter.assign(tf.cast(last.iterations, tf.int64))
                self._step_counter_from_optimizer = False

    def save(self, filepath, overwrite: bool = True, **kwargs: Any) -> None:
        self._sync_legacy_step_counter()
        from keras_gans.saving import check_save_path

        check_save_path(filepath)
        super().save(filepath, overwrite=overwrite, **kwargs)

    def export(
        self,
        filepath,
        format: str = "tf_saved_model",
        verbose: bool | None = None,
        tf_serving_layout: bool = False,
        **kwargs: Any,
    ) -> str:
        """Writes the model's samplers for serving, as :meth:`keras.Model.export` does for a model's ``call``.

        ``format="tf_saved_model"``: ``filepath`` is the SavedModel folder, with the signatures of
        ``serving_endpoints()``; ``"onnx"`` and ``"litert"`` as Keras offers them. ``tf_serving_layout=True``
        writes ``filepath/<model_name>/<version>/`` for TF Serving instead. See :mod:`keras_gans.export`.
        """
        from keras_gans import export as export_lib

        if tf_serving_layout:
            if format != "tf_saved_model":
                raise ValueError("tf_serving_layout=True writes a SavedModel: use format='tf_saved_model'.")
            return export_lib.export_for_tf_serving(self, filepath, verbose=bool(verbose), **kwargs)
        return export_lib.export_model(self, filepath, format=format, verbose=verbose, **kwargs)

    @classmethod
    def from_preset(cls, name_or_path: str, **kwargs: Any) -> AdversarialModel:
        """A pretrained model of this class from a preset name, folder, archive or URL (``TypeError`` for a preset
        of another class); see :func:`keras_gans.hub.load_gan`."""
        from keras_gans import hub

        return hub.load_gan(name_or_path, expected_class=cls, **kwargs)

    def network_config(self) -> dict:
        return {n: keras.saving.serialize_keras_object(getattr(self, n)) for n in self.network_names}

    @classmethod
    def deserialize_networks(cls, config: dict, names) -> dict:
        """``config`` with the networks ``names`` deserialized under the policy the model loads with: the saved
        one, or for ``precision="auto"`` the one it resolves to on this machine
        (:func:`~keras_gans.engine.precision.policy_for_loading`)."""
        config = dict(config)
        serialized = {key: config[key] for key in names if isinstance(config.get(key), dict)}
        requested = precision.check_precision(config.get("precision", precision.AUTO))
        saved = config.pop("resolved_precision", None) or precision.saved_policy(serialized.values())
        auto_now, _ = precision.resolve_for_model(cls, precision.AUTO)
        policy = precision.policy_for_loading(requested, saved, auto_now)
        with precision.dtype_policy_scope(policy):
            for key, value in serialized.items():
                if policy != saved:
                    value = precision.retarget_policies(value, saved, policy)
                config[key] = keras.saving.deserialize_keras_object(value)
        return config
