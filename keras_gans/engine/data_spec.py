"""What a family trains on: each :class:`DataSpec` unpacks a batch from ``fit`` and refuses what cannot work.

``fit(x)``, ``fit(x, y)``, a dataset of tensors, tuples or dicts (TFDS' ``{"image": ..., "label": ...}``) all
reach the family as the same tuple of tensors, checked at trace time (shapes, dtypes), so a wrong dataset fails at
the first batch with the fix named instead of training on garbage.

The values are checked too, in every train and test step (:func:`with_value_checks`): a batch holding NaN or inf,
images outside [-1, 1] (by more than :data:`RANGE_TOLERANCE`), or labels outside ``[0, num_classes)`` stops ``fit``
with a :class:`BadBatchError` that names the problem and the fix, before that batch updates any weight. Every
batch is checked, not only the first ones, because one bad pixel anywhere turns every weight into NaN, and the
check is a min, a max and an all-finite reduction per batch, too cheap to measure beside the step
(``benchmarks/bench_input_checks.py``). One check is ambiguous batch by batch: images that all lie in [0, 1] are
probably [0, 1] data, but a [-1, 1] batch can be all non-negative. That one is made on the first step of a fresh
model only (``step == 0``), where a wrongly scaled dataset shows; ``spec.check_unit_range = False`` turns it off.

XLA has no assertions (TensorFlow drops ``tf.debugging`` asserts inside an XLA cluster), so the checks run outside
it: with ``jit_compile=True`` on one device the step itself is compiled as its own XLA function, called after the
checks; under a ``tf.distribute`` strategy the step is not one XLA cluster anyway (only the gradient computations
are), so the checks run in each replica's step. The failed assertion (a ``tf.errors.InvalidArgumentError``) is
turned into the :class:`BadBatchError` by the step function ``fit`` calls. ``spec.check_values = False`` turns all
value checks off (for a model whose train function is built afterwards).
"""

from __future__ import annotations

import functools
import re
import struct

import tensorflow as tf

__all__ = [
    "RANGE_TOLERANCE",
    "BadBatchError",
    "DataSpec",
    "Images",
    "LabeledImages",
    "PairedImages",
    "UnpairedImages",
    "ValuePart",
    "bad_batch_error",
    "check_batch_values",
    "raise_bad_batches",
    "with_value_checks",
]

#: How far outside [-1, 1] image values may lie (float round-off from the user's own scaling, bfloat16 data).
RANGE_TOLERANCE = 0.01

_IMAGE_KEYS = ("image", "images", "x")
_LABEL_KEYS = ("label", "labels", "y")


def _as_parts(data) -> list:
    """``fit``'s batch as a list of tensors: unwraps 1-tuples, drops a ``None`` target, reads TFDS-style dicts."""
    if isinstance(data, dict):
        image_key = next((k for k in _IMAGE_KEYS if k in data), None)
        if image_key is None:
            raise ValueError(
                f"The dataset yields dicts with keys {sorted(data)}; keras_gans needs an 'image' key (and 'label' for "
                "conditional models). Map it first: ds.map(lambda d: d['your_key']), or use keras_gans.data.load."
            )
        label_key = next((k for k in _LABEL_KEYS if k in data), None)
        return [data[image_key]] + ([data[label_key]] if label_key else [])
    if isinstance(data, (tuple, list)):
        parts = [p for p in data if p is not None]
        if len(parts) == 1 and isinstance(parts[0], (tuple, list, dict)):
            return _as_parts(parts[0])
        return parts
    return [data]


def _shape_text(shape) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"


def check_images(images, expected_shape: tuple, model_name: str, what: str = "images") -> None:
    """Static checks of an image batch: rank, shape and a floating dtype."""
    shape = tuple(images.shape[1:])
    if len(shape) != len(expected_shape) or any(
        got is not None and got != want for got, want in zip(shape, expected_shape)
    ):
        hint = ""
        if len(shape) == len(expected_shape) - 1 and tuple(shape) == tuple(expected_shape[:-1]):
            hint = " The data has no channel axis: add one with images[..., None] (numpy) or tf.expand_dims(x, -1)."
        raise ValueError(
            f"{model_name} makes {what} of shape {tuple(expected_shape)} but the data has {_shape_text(shape)}.{hint} "
            "Resize the data (keras_gans.data loaders take image_size=) or build the model with "
            f"image_shape={_shape_text(shape)}."
        )
    if not images.dtype.is_floating:
        raise ValueError(
            f"{what.capitalize()} must be floats in [-1, 1], got dtype {images.dtype.name}. Normalise them first: "
            "keras_gans.data.from_arrays(images) does it for uint8, or use images / 127.5 - 1."
        )


class DataSpec:
    """A family's training data. ``unpack(data, model_name)`` returns a tuple of tensors.

    ``value_parts(data, model_name)`` names the parts whose values every step checks (see the module docstring);
    a new family's spec lists its parts there (``"values"`` parts are checked to be finite only).
    """

    #: Words for error messages: what one element of the dataset is.
    description = ""
    #: Check the values of every batch (NaN/inf, ranges, labels); read when the train function is built.
    check_values = True
    #: Refuse a first batch (step 0) whose images all lie in [0, 1]; off for [-1, 1] data that is all non-negative.
    check_unit_range = True
    #: Refuse images outside [-1, 1]; off for data a network does not bound (a generator without a tanh output,
    #: e.g. 2-D points of a toy mixture), which then gets the finiteness checks only.
    check_image_range = True

    def unpack(self, data, model_name: str) -> tuple:
        raise NotImplementedError

    def value_parts(self, data, model_name: str) -> list[ValuePart]:
        """The parts of a batch whose values are checked; by default every unpacked tensor, for finiteness."""
        parts = self.unpack(data, model_name)
        return [ValuePart("values", f"input {i}", t) for i, t in enumerate(parts) if t is not None]


class ValuePart:
    """One part of a batch to check. ``kind``: ``"images"`` (finite, in [-1, 1]), ``"labels"`` (class ids in
    ``[0, num_classes)``, one per image of ``batch_of``) or ``"values"`` (finite only); ``what`` names it."""

    def __init__(self, kind: str, what: str, tensor, num_classes: int = 0, batch_of=None):
        if kind not in _KINDS:
            raise ValueError(f"kind must be one of {_KINDS}, got {kind!r}")
        self.kind, self.what, self.tensor = kind, what, tensor
        self.num_classes, self.batch_of = int(num_classes), batch_of


# ----------------------------------------------------------------------------------------------------------------
# Value checks of every batch (see the module docstring)

_KINDS = ("images", "labels", "values")
_MARK = "keras_gans: bad batch"
_NON_FINITE, _IN_0_255, _OUTSIDE, _IN_0_1, _LABEL_RANGE, _LABEL_COUNT, _LABEL_ONE_HOT = range(1, 8)


class BadBatchError(ValueError):
    """A batch whose values cannot train (NaN/inf, images outside [-1, 1], labels outside [0, num_classes)).

    Raised by ``fit``/``evaluate`` at the first such batch, before it updates any weight. Attributes: ``model_name``,
    ``step`` (the model's step counter at that batch), ``what`` (``"images"``, ``"labels"``...) and ``problem``
    (the message without the model's name).
    """

    def __init__(self, model_name: str, step: int, what: str, problem: str):
        self.model_name, self.step, self.what, self.problem = model_name, step, what, problem
        super().__init__(f"{model_name}: {problem}")


def _float_bits(x) -> tf.Tensor:
    return tf.bitcast(tf.cast(x, tf.float32), tf.int32)


def _bits_float(bits: int) -> float:
    return struct.unpack("<f", struct.pack("<i", bits))[0]


def _as_int32(x) -> tf.Tensor:
    return tf.cast(tf.clip_by_value(x, -(2**31), 2**31 - 1), tf.int32)


def _part_problem(part: ValuePart, first_step, check_unit_range: bool) -> tuple:
    """``(code, low, high, extra)`` of one part, as int32 tensors (floats bit-cast): code 0 when it is fine."""
    if part.kind == "labels":
        labels = tf.reshape(part.tensor, [-1])
        count = tf.size(labels, out_type=tf.int32)
        low = tf.cast(tf.reduce_min(labels), tf.int64)
        high = tf.cast(tf.reduce_max(labels), tf.int64)
        out_of_range = (low < 0) | (high >= part.num_classes)
        extra = tf.constant(part.num_classes, tf.int32)
        if part.batch_of is None:
            code = tf.where(out_of_range, _LABEL_RANGE, 0)
            return code, _as_int32(low), _as_int32(high), extra
        # The static checks miss a one-hot batch when retracing relaxed the labels' shape to unknown.
        batch = tf.shape(part.batch_of, out_type=tf.int32)[0]
        shape = tf.shape(part.tensor, out_type=tf.int32)
        wrong_count = tf.not_equal(count, batch)
        one_hot = wrong_count & tf.equal(tf.size(shape), 2) & tf.equal(tf.pad(shape, [[0, 1]])[0], batch)
        code = tf.where(
            one_hot, _LABEL_ONE_HOT, tf.where(wrong_count, _LABEL_COUNT, tf.where(out_of_range, _LABEL_RANGE, 0))
        )
        low = tf.where(wrong_count, tf.cast(batch, tf.int64), low)
        high = tf.where(wrong_count, tf.cast(count, tf.int64), high)
        return code, _as_int32(low), _as_int32(high), extra
    x = tf.cast(part.tensor, tf.float32)
    finite = tf.reduce_all(tf.math.is_finite(x))
    low, high = tf.reduce_min(x), tf.reduce_max(x)
    code = tf.where(finite, 0, _NON_FINITE)
    if part.kind == "images":
        tol = RANGE_TOLERANCE
        outside = (low < -1.0 - tol) | (high > 1.0 + tol)
        looks_255 = (low >= -tol) & (high <= 255.0 + tol)
        inside_code = 0
        if check_unit_range:
            looks_01 = first_step & (low >= 0.0) & (high <= 1.0 + tol) & (high > low)
            inside_code = tf.where(looks_01, _IN_0_1, 0)
        code = tf.where(finite, tf.where(outside, tf.where(looks_255, _IN_0_255, _OUTSIDE), inside_code), code)
    return tf.cast(code, tf.int32), _float_bits(low), _float_bits(high), tf.constant(0, tf.int32)


def _problem_text(kind: str, what: str, code: int, low, high, extra: int, step: int, model_name: str) -> str:
    where = f"the batch of step {step}"
    if code == _NON_FINITE:
        return (
            f"{what} hold NaN or inf values ({where}): one of them turns every weight into NaN. Find them with "
            "np.isfinite(x).reshape(len(x), -1).all(1) (False marks a bad example) and repair or drop them, e.g. "
            "dataset.filter(lambda x, *rest: tf.reduce_all(tf.math.is_finite(x)))."
        )
    if code == _IN_0_255:
        return (
            f"{what} are in [0, 255] ({where} spans [{low:g}, {high:g}]) but {model_name} trains on [-1, 1]: divide "
            "by 127.5 and subtract 1, or use keras_gans.data.from_arrays(images) (uint8 arrays; for floats add "
            "value_range=(0, 255))."
        )
    if code == _OUTSIDE:
        return (
            f"{what} must be in [-1, 1] but {where} spans [{low:g}, {high:g}]: map their range onto [-1, 1] "
            "(keras_gans.data.from_arrays(images, value_range=(low, high)) does it), or clip a small overshoot from "
            "resizing or augmentation with tf.clip_by_value(x, -1, 1)."
        )
    if code == _IN_0_1:
        return (
            f"{what} are in [0, 1] (the first batch spans [{low:g}, {high:g}]) but {model_name} trains on [-1, 1]: "
            "multiply by 2 and subtract 1, or use keras_gans.data.from_arrays(images, value_range=(0, 1)). If they "
            "really are [-1, 1] images that are all non-negative, set gan.data_spec.check_unit_range = False."
        )
    if code == _LABEL_RANGE:
        n = extra
        fix = f"remap them to 0..{n - 1}"
        if low >= 0:
            fix += f", or build the model with num_classes={high + 1}"
        else:
            fix = "negative values are not class ids: " + fix
        return (
            f"{what} must be class ids in [0, {n}) ({model_name} has num_classes={n}) but {where} holds {what} from "
            f"{low} to {high}: {fix}."
        )
    if code == _LABEL_ONE_HOT:
        return (
            f"{model_name} takes integer class labels of shape (batch,), but {where} has {high // max(low, 1)} values "
            f"per image (one-hot?): pass class indices, labels.argmax(-1)."
        )
    if code == _LABEL_COUNT:
        return f"{where} has {low} images but {high} {what}: pass one integer class id per image."
    return f"{what}: unknown problem {code} ({where})."


def _check_op(spec: DataSpec, parts: list[ValuePart], step, model_name: str):
    """The assertion (graph mode) that every part is fine; raises :class:`BadBatchError` directly when eager."""
    first_step = tf.equal(step, 0)
    if not spec.check_image_range:
        parts = [ValuePart("values", p.what, p.tensor) if p.kind == "images" else p for p in parts]
    problems = [_part_problem(part, first_step, spec.check_unit_range) for part in parts]
    if tf.executing_eagerly():
        for part, (code, low, high, extra) in zip(parts, problems):
            if int(code):
                low, high = int(low), int(high)
                if part.kind != "labels":
                    low, high = _bits_float(low), _bits_float(high)
                text = _problem_text(part.kind, part.what, int(code), low, high, int(extra), int(step), model_name)
                raise BadBatchError(model_name, int(step), part.what, text)
        return None
    names = ";".join([model_name] + [f"{part.kind}:{part.what}" for part in parts])
    numbers = tf.stack([tf.cast(step, tf.int32)] + [v for problem in problems for v in problem])
    fine = tf.reduce_all(tf.equal(tf.stack([problem[0] for problem in problems]), 0))
    # String and int32 data only: TensorFlow then asserts without a tf.cond around the op (cheaper).
    return tf.debugging.Assert(fine, [_MARK, names, numbers], summarize=4 * len(parts) + 1)


def check_batch_values(spec: DataSpec, data, model_name: str, step):
    """The assertion that the values of ``data`` (a batch from ``fit``) can train, or ``None`` when there is nothing
    to check; eagerly, raises :class:`BadBatchError` at once instead."""
    parts = spec.value_parts(data, model_name)
    return _check_op(spec, parts, step, model_name) if parts else None


def with_value_checks(model, step, whole_step_xla: bool):
    """``(step, whole_step_xla)`` for Keras' step function: ``step`` run after the value checks of its batch.

    Every op of the step depends on the checks, so a bad batch changes nothing (no weight, no step counter). With
    ``whole_step_xla`` the step is compiled as its own XLA function, called after the checks (XLA drops
    assertions), and Keras must not compile the outer function: the second value is then ``False``.
    """
    spec = getattr(model, "data_spec", None)
    if spec is None or not spec.check_values:
        return step, whole_step_xla
    name = type(model).__name__
    inner = tf.function(step, jit_compile=True, reduce_retracing=True) if whole_step_xla else step

    def checked_step(data):
        check = check_batch_values(spec, data, name, model.step_counter)
        if check is None:
            return inner(data)
        with tf.control_dependencies([check]):
            return inner(data)

    checked_step.__name__ = getattr(step, "__name__", "step")
    return checked_step, False


_NUMBERS = re.compile(r"-?\d+")


def bad_batch_error(error: BaseException) -> BadBatchError | None:
    """The :class:`BadBatchError` a failed value check raised as ``error``, or ``None`` for any other error."""
    message = getattr(error, "message", None) or str(error)
    at = message.find(f"[{_MARK}]")
    if at < 0:
        return None
    rest = message[at + len(_MARK) + 2 :]
    match = re.match(r"\s*\[([^\]]*)\]\s*\[([-\d\s,]*)\]", rest)
    if not match:
        return None
    model_name, *described = match.group(1).split(";")
    numbers = [int(n) for n in _NUMBERS.findall(match.group(2))]
    step, values = numbers[0], numbers[1:]
    for index, description in enumerate(described):
        kind, _, what = description.partition(":")
        code, low, high, extra = values[4 * index : 4 * index + 4]
        if code:
            if kind != "labels":
                low, high = _bits_float(low), _bits_float(high)
            return BadBatchError(
                model_name, step, what, _problem_text(kind, what, code, low, high, extra, step, model_name)
            )
    return None


def raise_bad_batches(function):
    """Keras' step function ``function``, raising a failed value check as its :class:`BadBatchError`."""

    @functools.wraps(function)
    def step_function(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except tf.errors.InvalidArgumentError as error:
            translated = bad_batch_error(error)
            if translated is None:
                raise
            raise translated from None

    return step_function


class Images(DataSpec):
    """Images only (unconditional latent-space GANs): batches of shape ``(None, *shape)``."""

    description = "images"

    def __init__(self, shape: tuple):
        self.shape = tuple(shape)

    def unpack(self, data, model_name: str) -> tuple:
        parts = _as_parts(data)
        if len(parts) != 1:
            raise ValueError(
                f"{model_name} is unconditional but the data has labels: pass images only "
                "(with_labels=False in keras_gans.data loaders), or use CGAN for class-conditional training."
            )
        check_images(parts[0], self.shape, model_name)
        return (parts[0],)

    def value_parts(self, data, model_name: str) -> list[ValuePart]:
        return [ValuePart("images", "images", self.unpack(data, model_name)[0])]


class LabeledImages(DataSpec):
    """``(images, labels)`` with integer class labels in [0, num_classes)."""

    description = "(images, labels)"

    def __init__(self, shape: tuple, num_classes: int):
        self.shape = tuple(shape)
        self.num_classes = int(num_classes)

    def unpack(self, data, model_name: str) -> tuple:
        parts = _as_parts(data)
        if len(parts) != 2:
            raise ValueError(
                f"{model_name} is conditional: it trains on (images, labels) pairs. "
                "Pass fit(images, labels) or a dataset of (images, labels), e.g. a keras_gans.data loader "
                "with with_labels=True."
            )
        images, labels = parts
        check_images(images, self.shape, model_name)
        labels = tf.convert_to_tensor(labels)
        if labels.shape.rank == 2 and labels.shape[-1] not in (None, 1):
            raise ValueError(
                f"{model_name} takes integer class labels of shape (batch,), got shape {_shape_text(labels.shape)} "
                "(one-hot?). Pass class indices: labels.argmax(-1)."
            )
        if not labels.dtype.is_integer:
            raise ValueError(
                f"{model_name} takes integer class labels in [0, {self.num_classes}), got dtype {labels.dtype.name}. "
                "Cast them: labels.astype('int32')."
            )
        if labels.shape.rank is not None and labels.shape.rank > 2:
            raise ValueError(
                f"{model_name} takes integer class labels of shape (batch,), got shape {_shape_text(labels.shape)}. "
                "Pass one class index per image."
            )
        return images, tf.cast(tf.reshape(labels, [-1]), tf.int32)

    def value_parts(self, data, model_name: str) -> list[ValuePart]:
        images, _ = self.unpack(data, model_name)  # the static checks
        labels = tf.convert_to_tensor(_as_parts(data)[1])  # before the int32 cast, which would wrap large ids
        return [
            ValuePart("images", "images", images),
            ValuePart("labels", "labels", labels, num_classes=self.num_classes, batch_of=images),
        ]


class _TwoImageBatches(DataSpec):
    """Two image batches per element; subclasses name them and say how to build such a dataset."""

    part_names: tuple[str, str] = ("", "")
    wrong_count_fix = ""

    def __init__(self, first_shape: tuple, second_shape: tuple):
        self.shapes = (tuple(first_shape), tuple(second_shape))

    def unpack(self, data, model_name: str) -> tuple:
        parts = _as_parts(data)
        if len(parts) != 2:
            raise ValueError(f"{model_name} trains on {self.description}: {self.wrong_count_fix}.")
        for part, shape, what in zip(parts, self.shapes, self.part_names):
            check_images(part, shape, model_name, what)
        return tuple(parts)

    def value_parts(self, data, model_name: str) -> list[ValuePart]:
        parts = self.unpack(data, model_name)
        return [ValuePart("images", what, part) for part, what in zip(parts, self.part_names)]


class PairedImages(_TwoImageBatches):
    """``(x, y)`` pairs: an input image and its target (paired translation, super-resolution)."""

    description = "(input, target) pairs"
    part_names = ("inputs", "targets")
    wrong_count_fix = "pass fit(inputs, targets) or a dataset of pairs"


class UnpairedImages(_TwoImageBatches):
    """``(a, b)``: a batch from each domain, in no correspondence (unpaired translation)."""

    description = "a batch of each domain"
    part_names = ("domain A images", "domain B images")
    wrong_count_fix = "pass keras_gans.data.unpaired(images_a, images_b)"
