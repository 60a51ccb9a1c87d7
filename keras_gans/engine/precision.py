"""The ``precision=`` of every model: the dtype policy its networks are built under, and what ``"auto"`` picks.

A model's networks compute in the policy's compute dtype and keep float32 variables (Keras' mixed precision).
What stays float32 whatever the policy: the losses and logs (the models cast D's outputs to float32), the
penalties' input gradients (:mod:`keras_gans.penalties`), batch-norm statistics (Keras computes them in float32),
the EMA weights, and the samplers' images (float32 in [-1, 1]).

``"auto"`` resolves, in this order, to

1. the policy of the networks passed in, when they all share one (a model keeps the precision of the networks it
   is given; loading a ``.keras`` file passes its networks in, see :func:`policy_for_loading`);
2. the global policy, when it is not float32 (``keras.mixed_precision.set_global_policy("mixed_bfloat16")`` keeps
   working as before ``precision=`` existed);
3. the policy named by the environment variable ``KERAS_GANS_AUTO_PRECISION`` when it is set (:func:`pinned_auto`:
   the same choice on every machine, e.g. for a test suite or a comparison across machines);
4. ``mixed_bfloat16`` where the hardware has native bfloat16 (:func:`native_bfloat16`) *and* the model declares
   ``auto_bfloat16 = True`` (its measured sample quality holds in bfloat16), else ``float32``.

:func:`resolve_precision` is a pure function of those inputs, :func:`detect_hardware` the thin wrapper that reads
the machine.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
import platform
import warnings
from collections.abc import Iterable, Iterator, Mapping

import keras

__all__ = [
    "AUTO",
    "AUTO_ENV",
    "BFLOAT16_CPU_FLAGS",
    "BuiltUnderPrecision",
    "BFLOAT16_MIN_COMPUTE_CAPABILITY",
    "PRECISIONS",
    "Hardware",
    "check_network_policies",
    "check_precision",
    "describe_auto",
    "detect_hardware",
    "dtype_policy_scope",
    "native_bfloat16",
    "parse_cpu_flags",
    "pinned_auto",
    "policies_in",
    "policy_for_loading",
    "resolve_for_model",
    "resolve_precision",
    "retarget_policies",
    "saved_policy",
    "warn_if_emulated",
]

AUTO = "auto"
#: The environment variable that pins what ``"auto"`` resolves to (when no networks or global policy decide).
AUTO_ENV = "KERAS_GANS_AUTO_PRECISION"
#: The values of ``precision=``.
PRECISIONS = (AUTO, "float32", "mixed_bfloat16", "mixed_float16")
#: x86 CPU flags (Linux ``/proc/cpuinfo``) of native bfloat16 arithmetic: AVX-512 BF16 and AMX-BF16.
BFLOAT16_CPU_FLAGS = ("avx512_bf16", "amx_bf16")
#: NVIDIA GPUs compute bfloat16 natively from compute capability 8.0 (Ampere).
BFLOAT16_MIN_COMPUTE_CAPABILITY = (8, 0)
#: CPU flags shown in the reasons (the vector extensions that decide the speed of float32 and bfloat16).
_SHOWN_CPU_FLAGS = ("avx2", "avx512f", "avx512_bf16", "avx512_fp16", "amx_tile", "amx_bf16")
_CPUINFO = "/proc/cpuinfo"


def check_precision(value) -> str:
    """``value`` if it is one of :data:`PRECISIONS`, else a ValueError listing them."""
    if not isinstance(value, str) or value not in PRECISIONS:
        raise ValueError(
            f"precision must be one of {list(PRECISIONS)}, got {value!r}. 'auto' picks mixed_bfloat16 only on "
            "hardware with native bfloat16 and for models whose measurements allow it, else float32."
        )
    return value


# ----------------------------------------------------------------------------------------------------------------
# Hardware


@dataclasses.dataclass(frozen=True)
class Hardware:
    """What decides whether bfloat16 is native where the model trains.

    Attributes:
        cpu_flags: the CPU's feature flags (lower case), or ``None`` when they cannot be read (not Linux).
        gpu_compute_capabilities: ``(major, minor)`` of each GPU (``None`` for a GPU that does not say).
        tpu: whether a TPU is attached.
        system: the operating system, for the reasons (``platform.system()``).
    """

    cpu_flags: frozenset[str] | None = frozenset()
    gpu_compute_capabilities: tuple[tuple[int, int] | None, ...] = ()
    tpu: bool = False
    system: str = "Linux"


def parse_cpu_flags(cpuinfo: str) -> frozenset[str]:
    """The flags of the first ``flags`` line of a ``/proc/cpuinfo`` text (x86 Linux); empty when it has none."""
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "flags":
            return frozenset(value.lower().split())
    return frozenset()


@functools.cache
def detect_hardware() -> Hardware:
    """This machine's :class:`Hardware` (read once per process; only physical-device queries, so TensorFlow's
    runtime is not initialised and logical devices can still be configured afterwards)."""
    import tensorflow as tf

    system = platform.system()
    flags = None
    if system == "Linux" and os.path.exists(_CPUINFO):
        try:
            with open(_CPUINFO, encoding="utf-8", errors="replace") as f:
                flags = parse_cpu_flags(f.read())
        except OSError:
            flags = None
    capabilities = []
    for gpu in tf.config.list_physical_devices("GPU"):
        try:
            capability = tf.config.experimental.get_device_details(gpu).get("compute_capability")
        except (RuntimeError, ValueError):
            capability = None
        capabilities.append(None if capability is None else (int(capability[0]), int(capability[1])))
    tpu = bool(tf.config.list_physical_devices("TPU"))
    return Hardware(cpu_flags=flags, gpu_compute_capabilities=tuple(capabilities), tpu=tpu, system=system)


def native_bfloat16(hardware: Hardware) -> tuple[bool, str]:
    """``(whether the device the model trains on computes bfloat16 natively, why)``.

    The device is the one TensorFlow places the model on: a TPU, else the GPUs (all of compute capability >= 8.0),
    else the CPU (one of :data:`BFLOAT16_CPU_FLAGS`; float32 where the flags cannot be read).
    """
    if hardware.tpu:
        return True, "a TPU (native bfloat16)"
    if hardware.gpu_compute_capabilities:
        capabilities = hardware.gpu_compute_capabilities
        shown = ", ".join("unknown" if c is None else f"{c[0]}.{c[1]}" for c in capabilities)
        low = ".".join(map(str, BFLOAT16_MIN_COMPUTE_CAPABILITY))
        if all(c is not None and c >= BFLOAT16_MIN_COMPUTE_CAPABILITY for c in capabilities):
            return True, f"GPU compute capability {shown} (>= {low}: native bfloat16)"
        return False, f"GPU compute capability {shown} (native bfloat16 needs >= {low} on every GPU)"
    if hardware.cpu_flags is None:
        return False, f"the CPU's flags cannot be read on {hardware.system}: float32 unless told otherwise"
    native = [f for f in BFLOAT16_CPU_FLAGS if f in hardware.cpu_flags]
    seen = " ".join(f for f in _SHOWN_CPU_FLAGS if f in hardware.cpu_flags) or "none of " + " ".join(_SHOWN_CPU_FLAGS)
    if native:
        return True, f"CPU flags {' '.join(native)} (native bfloat16; seen: {seen})"
    return False, f"no native bfloat16 on this CPU (neither {' nor '.join(BFLOAT16_CPU_FLAGS)}; seen: {seen})"


# ----------------------------------------------------------------------------------------------------------------
# The decision


def resolve_precision(
    requested: str,
    *,
    model_name: str,
    allows_bfloat16: bool,
    global_policy: str,
    hardware: Hardware,
    network_policies: Iterable[str] = (),
    pinned: str | None = None,
) -> tuple[str, str]:
    """``(dtype policy, reason)`` that ``precision=requested`` means for ``model_name``; see the module docstring.

    Args:
        requested: one of :data:`PRECISIONS`; an explicit policy is returned as it is.
        model_name: for the reasons.
        allows_bfloat16: the model's ``auto_bfloat16`` (its measurements show sample quality holds in bfloat16).
        global_policy: the name of Keras' global dtype policy (``keras.config.dtype_policy().name``).
        hardware: what :func:`detect_hardware` read (or a test's).
        network_policies: the dtype policies of the networks passed to the constructor.
        pinned: the policy :data:`AUTO_ENV` names (:func:`pinned_auto`), or None.
    """
    requested = check_precision(requested)
    if requested != AUTO:
        return requested, f"precision={requested!r} was asked for"
    policies = set(network_policies)
    if len(policies) == 1:
        (policy,) = policies
        return policy, f"auto: the networks passed in compute with the {policy!r} policy"
    if global_policy != "float32":
        return global_policy, f"auto: the global dtype policy is {global_policy!r} (keras.config.set_dtype_policy)"
    if pinned:
        return pinned, f"auto: {AUTO_ENV}={pinned} in the environment"
    native, why = native_bfloat16(hardware)
    if not native:
        return "float32", f"auto: {why}"
    if not allows_bfloat16:
        return "float32", (
            f"auto: {why}, but {model_name} keeps float32 until its measurements show sample quality holds in "
            "bfloat16 (auto_bfloat16 = False; pass precision='mixed_bfloat16' to use it anyway)"
        )
    return "mixed_bfloat16", f"auto: {why}, and {model_name}'s measurements allow bfloat16"


def resolve_for_model(model_class: type, requested: str, network_policies: Iterable[str] = ()) -> tuple[str, str]:
    """:func:`resolve_precision` for ``model_class`` on this machine now: its ``auto_bfloat16``, Keras' global
    policy, :func:`detect_hardware` and :func:`pinned_auto` (what both constructing and loading a model read)."""
    return resolve_precision(
        requested,
        model_name=model_class.__name__,
        allows_bfloat16=bool(getattr(model_class, "auto_bfloat16", False)),
        global_policy=keras.config.dtype_policy().name,
        hardware=detect_hardware(),
        network_policies=network_policies,
        pinned=pinned_auto(),
    )


def pinned_auto() -> str | None:
    """The policy :data:`AUTO_ENV` names, None when it is unset or empty; a ValueError naming the variable when it
    is not one of the explicit :data:`PRECISIONS`."""
    value = os.environ.get(AUTO_ENV, "").strip()
    if not value:
        return None
    if value not in PRECISIONS[1:]:
        raise ValueError(
            f"{AUTO_ENV}={value!r} is not a precision: set it to one of {list(PRECISIONS[1:])}, or unset it."
        )
    return value


def warn_if_emulated(policy: str, hardware: Hardware) -> None:
    """Warns (once per calling line) that float16 compute without a GPU is emulated: slower than float32."""
    if policy == "mixed_float16" and not hardware.gpu_compute_capabilities:
        warnings.warn(
            "precision mixed_float16 without a GPU: the CPU emulates float16 arithmetic, so training is slower than "
            "in float32. Use precision='float32', or 'mixed_bfloat16' on a CPU with AVX512_BF16 or AMX.",
            stacklevel=3,
        )


# ----------------------------------------------------------------------------------------------------------------
# Building networks under a policy, and checking the ones passed in


@contextlib.contextmanager
def dtype_policy_scope(policy: str) -> Iterator[None]:
    """Keras' global dtype policy set to ``policy`` inside the block and restored after it, whatever happens.

    Keras 3 has no scope of its own; its global policy is per thread, so this scope is too.
    """
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(policy)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def check_network_policies(model_name: str, networks: Mapping[str, keras.Model], policy: str, requested: str) -> None:
    """A ValueError naming the networks whose dtype policy is not the model's ``policy``, and the fixes."""
    found = {name: network.dtype_policy.name for name, network in networks.items()}
    wrong = {name: p for name, p in found.items() if p != policy}
    if not wrong:
        return
    listed = ", ".join(f"{name} {p!r}" for name, p in wrong.items())
    if requested == AUTO and len(set(found.values())) > 1:
        every = ", ".join(f"{name} {p!r}" for name, p in found.items())
        raise ValueError(
            f"{model_name}: the networks compute with different dtype policies ({every}). Build them all under one "
            "policy (keras.mixed_precision.set_global_policy(...) before building them), or pass precision= to "
            "choose the one the model checks them against."
        )
    other = next(iter(wrong.values()))
    raise ValueError(
        f"{model_name}(precision={requested!r}) computes with the {policy!r} dtype policy, but {listed} "
        f"{'was' if len(wrong) == 1 else 'were'} built under another. Build the networks under the model's policy "
        f"(keras.mixed_precision.set_global_policy({policy!r}) before building them, then set it back), or pass "
        f"precision={other!r} to match them."
    )


# ----------------------------------------------------------------------------------------------------------------
# Loading: "auto" is re-resolved on the machine that loads


def policies_in(config) -> list[str]:
    """The names of the ``DTypePolicy`` entries of a serialized (nested dict/list) Keras config, in order."""
    found: list[str] = []
    if isinstance(config, dict):
        if config.get("class_name") == "DTypePolicy" and isinstance(config.get("config"), dict):
            found.append(config["config"].get("name"))
        else:
            for value in config.values():
                found += policies_in(value)
    elif isinstance(config, list):
        for value in config:
            found += policies_in(value)
    return found


def retarget_policies(config, old: str, new: str):
    """A copy of a serialized Keras config with every ``DTypePolicy`` named ``old`` renamed ``new``.

    Layers pinned to another policy (the float32 output layers of a mixed-precision network) keep theirs, so only
    a mixed ``old`` can be retargeted safely: under float32 the pinned layers cannot be told from the others.
    """
    if isinstance(config, dict):
        if config.get("class_name") == "DTypePolicy" and isinstance(config.get("config"), dict):
            if config["config"].get("name") == old:
                return {**config, "config": {**config["config"], "name": new}}
            return config
        return {key: retarget_policies(value, old, new) for key, value in config.items()}
    if isinstance(config, list):
        return [retarget_policies(value, old, new) for value in config]
    return config


def saved_policy(network_configs: Iterable) -> str:
    """The policy saved networks were built under: their mixed policy if any layer has one, else float32."""
    for name in (p for config in network_configs for p in policies_in(config)):
        if name and name.startswith("mixed_"):
            return name
    return "float32"


def policy_for_loading(requested: str, saved: str, auto_now: str) -> str:
    """The policy a saved model is loaded under: an explicit ``requested`` value as saved; ``"auto"`` as it
    resolves on this machine (``auto_now``), except that a model saved in float32 stays float32 (its layers that
    must stay float32 cannot be told apart: build it again here to use bfloat16)."""
    if requested != AUTO:
        return requested
    return saved if saved == "float32" else auto_now


# ----------------------------------------------------------------------------------------------------------------
# The mechanism: every model is constructed under its policy


class BuiltUnderPrecision(type):
    """Metaclass of :class:`~keras_gans.engine.AdversarialModel`: a model is constructed under the dtype policy its
    ``precision=`` resolves to, so that the networks its family builds take it (Keras' global policy is restored
    afterwards, also when the constructor fails); then its networks are checked against that policy and the
    resolution is recorded (``model.resolved_precision``, ``model.precision_reason``, the config)."""

    def __call__(cls, *args, **kwargs):
        requested = check_precision(kwargs.get("precision", AUTO))
        passed = [value for value in (*args, *kwargs.values()) if isinstance(value, keras.Model)]
        policy, reason = resolve_for_model(cls, requested, [network.dtype_policy.name for network in passed])
        warn_if_emulated(policy, detect_hardware())
        with dtype_policy_scope(policy):
            model = super().__call__(*args, **kwargs)
        check_network_policies(cls.__name__, model.networks, policy, requested)
        model.record_precision(policy, reason)
        return model


def describe_auto(
    model_classes: Mapping[str, type], hardware: Hardware, global_policy: str, pinned: str | None = None
) -> list[str]:
    """Two lines for ``keras-gans info``: whether bfloat16 is native here (and the flags seen), and what
    ``precision="auto"`` resolves to for the models of ``model_classes`` (name -> class) when built from scratch
    (``pinned``: what :data:`AUTO_ENV` names)."""
    native, why = native_bfloat16(hardware)
    lines = [f"bfloat16 on this machine: {'native' if native else 'not native'} ({why})"]
    if global_policy != "float32":
        return [*lines, f"precision='auto' resolves to: {global_policy} for every model (the global dtype policy)"]
    if pinned:
        return [*lines, f"precision='auto' resolves to: {pinned} for every model ({AUTO_ENV})"]
    if not native:
        return [*lines, "precision='auto' resolves to: float32 for every model (no native bfloat16)"]
    allowed = [name for name, cls in model_classes.items() if getattr(cls, "auto_bfloat16", False)]
    if not allowed:
        return [
            *lines,
            "precision='auto' resolves to: float32 for every model: none declares auto_bfloat16 = True yet (their "
            "bfloat16 sample quality is not measured); precision='mixed_bfloat16' uses it anyway",
        ]
    others = "; float32 for the others (not measured in bfloat16)" if len(allowed) < len(model_classes) else ""
    return [*lines, f"precision='auto' resolves to: mixed_bfloat16 for {', '.join(allowed)}{others}"]
