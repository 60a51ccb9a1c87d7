"""ONNX and LiteRT (TFLite) files from ``tf.function`` signatures, and runners to check them.

The writers take what a SavedModel export takes: one ``tf.function`` with a fixed ``input_signature`` of flat
``tf.TensorSpec`` s (``None`` dimensions allowed: a dynamic batch, dynamic H/W for image -> image functions), or a
dict ``{signature_name: tf.function}``. The functions close over Keras networks (call them with
``training=False``); their variables are frozen into the file. Inputs are named after the ``TensorSpec`` names
(the argument names where a spec has none); outputs after the keys of a returned dict, otherwise ``output_0``,
``output_1``, ... as in a SavedModel signature.

* :func:`write_onnx` converts each signature with ``tf2onnx.convert.from_function``, as Keras'
  ``model.export(format="onnx")`` does on the TensorFlow backend. An ONNX model has one graph, so each signature
  gets its own file (:func:`onnx_paths`): the default signature (``serving_default`` when there is one, else the
  first) is written at ``path``, every other one beside it as ``<stem>.<name>.onnx``.
* :func:`write_litert` follows Keras' ``LiteRTExporter``: the functions go into a ``keras.export.ExportArchive``
  (which tracks the variables they use), that is written as a temporary SavedModel, and
  ``tf.lite.TFLiteConverter.from_saved_model`` makes one ``.tflite`` file holding every signature under its name.
* :func:`run_onnx` (onnxruntime) and :func:`run_litert` (LiteRT interpreter signature runners) run a file, so
  that tests and users can compare it with the sampler.

What converts (checked by ``tests/test_serving_formats.py``): Dense, Conv2D, Conv2DTranspose,
BatchNormalization (inference), Embedding of int32 labels, tanh, a dynamic batch, dynamic H/W and uint8 outputs
(``tf.cast`` to ``tf.uint8``). What does not, refused with :class:`UnsupportedSignatureError` before or after
conversion rather than written as a file that fails to load:

* ``tf.random.stateless_*`` (the ``generate`` signature's Philox latents): ONNX has no counter-based random op
  (its ``RandomNormal`` takes a fixed attribute seed and other numbers), and LiteRT's builtin op set has none
  either; only a LiteRT file with Select TF ops (``select_tf_ops=True``) holds them, and it runs only where the
  Flex delegate is linked, which neither ``ai_edge_litert`` nor ``tf.lite.Interpreter`` from pip is. A TF
  SavedModel serves them. Sample ``z`` outside and call the ``z -> images`` signature instead.
* ``tf.io.encode_png`` / ``encode_jpeg`` (a ``png_bytes`` output): no ONNX op, no LiteRT builtin. Return
  ``images_uint8`` and encode outside the graph.
* Any other op that tf2onnx or LiteRT's builtins lack (e.g. ``tf.math.igamma``): ONNX after conversion, LiteRT
  from the converter's error.

Where this differs from Keras and why:

* Keras calls ``keras.src.export.tf2onnx_lib.patch_tf2onnx()`` (a private numpy-2 backport) before converting.
  tf2onnx 1.17.0 ships the ``rewrite_constant_fold`` fix itself; the other patched path (``np.product`` in
  ``Node.get_value_attr``) runs only for ``large_model=True``, which is not used here; and the patch also sets
  ``np.object`` process-wide. So it is applied only for an older tf2onnx.
* tf2onnx logs unsupported ops and still writes a model that onnxruntime refuses to load; here the converted
  model is checked (every op known to ONNX, then ``onnx.checker``) and nothing is written when it fails.
* Keras converts LiteRT files with ``SELECT_TF_OPS`` on. Here builtins only is the default
  (``select_tf_ops=False``), so a file runs on any LiteRT runtime, the pip ones included; a graph that needs TF
  ops is refused with the list of those ops. Keras' own exporters take a model, not several closures, so
  ``ExportArchive`` and the converter are called here directly, the way ``LiteRTExporter`` calls them.
* Both writers are atomic (a temporary file in the target folder, then ``os.replace``; nothing is left when
  conversion fails) and refuse to replace an existing file unless ``overwrite=True``. With several ONNX files,
  all are converted and written before the first is moved into place. ONNX files must be under 2 GiB (no
  external data); the opset defaults to tf2onnx's (15 for tf2onnx 1.17.0) and dynamic dimensions get tf2onnx's
  names (``unk__N``).
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import warnings
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import tensorflow as tf

__all__ = [
    "DEFAULT_SIGNATURE",
    "ONNX_INSTALL",
    "LITERT_INSTALL",
    "UnsupportedSignatureError",
    "onnx_paths",
    "run_litert",
    "run_onnx",
    "write_litert",
    "write_onnx",
]

DEFAULT_SIGNATURE = "serving_default"
ONNX_INSTALL = 'pip install "keras-gans[onnx]"  (onnx==1.23.2 tf2onnx==1.17.0 onnxruntime==1.32.0)'
LITERT_INSTALL = 'pip install "keras-gans[litert]"  (ai-edge-litert==2.3.0)'
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Attributes of ExportArchive's trackable root, which endpoints would overwrite.
_RESERVED = frozenset({"variables", "trainable_variables", "non_trainable_variables"})
# Ops refused before conversion: (op type pattern, what they are, what to do instead).
_REFUSED = (
    # Numbers that depend on a seed given as an input: tf.random.stateless_* and their key/counter helpers.
    # StatelessIf / StatelessWhile / StatelessCase are control flow and do not match.
    (
        re.compile(r"^Stateless\w*(Random|Normal|Uniform|Multinomial|Shuffle)\w*$"),
        "tf.random.stateless_* (Philox) ops",
        "or sample z outside the graph and call the z -> images signature",
    ),
    (
        re.compile(r"^Encode(Png|Jpeg|JpegVariableQuality)$"),
        "image encoders (tf.io.encode_png / encode_jpeg)",
        "or return images_uint8 and encode the images outside the graph",
    ),
)
_SAVED_MODEL_HINT = "A TF SavedModel (keras_gans.export.export_saved_model) supports it"
_FLEX_NOTE = (
    "; select_tf_ops=True keeps them as Flex ops, for runtimes linked with the Flex delegate, which the pip "
    "ai-edge-litert and tf.lite.Interpreter are not"
)


class UnsupportedSignatureError(ValueError):
    """A signature uses ops the target format cannot express; ``fmt``, ``signature`` and ``ops`` say which."""

    def __init__(self, fmt: str, signature: str, ops: list[str], detail: str) -> None:
        self.fmt, self.signature, self.ops = fmt, signature, sorted(ops)
        super().__init__(f"{fmt} cannot express signature '{signature}' (ops: {', '.join(self.ops)}): {detail}")


# ----------------------------------------------------------------------------------------------------- inputs


def _signatures(functions: Any) -> dict[str, Any]:
    """``{name: tf.function}`` with dict outputs, checked; a bare function is ``serving_default``."""
    if not isinstance(functions, Mapping):
        functions = {DEFAULT_SIGNATURE: functions}
    if not functions:
        raise ValueError("no functions given")
    result = {}
    for name, fn in functions.items():
        if not isinstance(name, str) or not _NAME.match(name) or name in _RESERVED:
            raise ValueError(
                f"signature name {name!r} must match {_NAME.pattern} (it names files and signatures) and not be "
                f"one of {sorted(_RESERVED)}"
            )
        if not isinstance(fn, tf.types.experimental.GenericFunction):
            raise TypeError(f"signature '{name}': expected a tf.function, got {type(fn).__name__}")
        if fn.input_signature is None:
            raise ValueError(f"signature '{name}': the tf.function needs a fixed input_signature")
        for spec in fn.input_signature:
            if not isinstance(spec, tf.TensorSpec):
                raise TypeError(f"signature '{name}': input_signature must be flat tf.TensorSpecs, got {spec!r}")
        result[name] = _with_dict_outputs(name, fn)
    return result


def _with_dict_outputs(name: str, fn: Any) -> Any:
    """``fn`` itself when it returns a flat dict of tensors, else a wrapper returning ``{"output_i": ...}``."""
    outputs = fn.get_concrete_function().structured_outputs
    if isinstance(outputs, Mapping):
        for key, value in outputs.items():
            if not isinstance(value, tf.Tensor) or not _NAME.match(str(key)):
                raise TypeError(f"signature '{name}': output {key!r} must be a tensor under a name like 'images'")
        return fn
    flat = tf.nest.flatten(outputs)
    if not flat or not all(isinstance(t, tf.Tensor) for t in flat):
        raise TypeError(f"signature '{name}': outputs must be tensors, got {outputs!r}")

    @tf.function(input_signature=fn.input_signature)
    def with_names(*args):
        return {f"output_{i}": t for i, t in enumerate(tf.nest.flatten(fn(*args)))}

    with_names.get_concrete_function()
    return with_names


def _op_types(fn: Any) -> set[str]:
    """Every op type in the traced graph of ``fn``, nested functions included."""
    graph_def = fn.get_concrete_function().graph.as_graph_def()
    ops = {node.op for node in graph_def.node}
    for function in graph_def.library.function:
        ops.update(node.op for node in function.node_def)
    return ops


def _refuse_known(fmt: str, name: str, fn: Any, note: str = "") -> None:
    """Raises :class:`UnsupportedSignatureError` when ``fn`` uses ops of ``_REFUSED``."""
    ops = _op_types(fn)
    for pattern, what, instead in _REFUSED:
        found = sorted(op for op in ops if pattern.match(op))
        if found:
            raise UnsupportedSignatureError(
                fmt, name, found, f"{fmt} has no equivalent of {what}{note}. {_SAVED_MODEL_HINT}, {instead}."
            )


def _default_name(names: list[str]) -> str:
    return DEFAULT_SIGNATURE if DEFAULT_SIGNATURE in names else names[0]


# ----------------------------------------------------------------------------------------------------- files


def _check_targets(paths: list[Path], overwrite: bool) -> None:
    existing = [str(p) for p in paths if p.exists()]
    if existing and not overwrite:
        raise FileExistsError(f"{', '.join(existing)} exist(s); pass overwrite=True to replace")
    for path in paths:
        if path.is_dir():
            raise IsADirectoryError(f"{path} is a folder")


@contextlib.contextmanager
def _atomic_files(paths: list[Path]) -> Iterator[list[Path]]:
    """Temporary files beside ``paths``; moved onto them when the block ends, all removed if it raises."""
    temps = []
    try:
        for path in paths:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            os.close(fd)
            temps.append(Path(temp))
        yield temps
        for temp, path in zip(temps, paths):
            os.replace(temp, path)
    finally:
        for temp in temps:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()


def _write_bytes(path: Path, data: bytes) -> None:
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def _require_suffix(path: str | os.PathLike, suffix: str) -> Path:
    path = Path(path)
    if path.suffix != suffix:
        raise ValueError(f"the file name must end with '{suffix}', got {str(path)!r}")
    return path


# ------------------------------------------------------------------------------------------------------ ONNX


def _import_onnx_converter() -> tuple[Any, Any]:
    try:
        import onnx
        import tf2onnx
    except ImportError as err:
        raise ImportError(f"ONNX export needs onnx and tf2onnx ({err}); install them with: {ONNX_INSTALL}") from err
    from packaging.version import Version

    if Version(tf2onnx.__version__) < Version("1.17.0"):
        with contextlib.suppress(ImportError), warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            from keras.src.export.tf2onnx_lib import patch_tf2onnx

            patch_tf2onnx()  # Keras' numpy-2 backport for older tf2onnx
    return onnx, tf2onnx


def onnx_paths(path: str | os.PathLike, names: list[str] | tuple[str, ...]) -> dict[str, str]:
    """The file of each signature: the default one (``serving_default`` or the first) at ``path``, the others at
    ``<stem>.<name>.onnx`` in the same folder."""
    path = _require_suffix(path, ".onnx")
    names = list(names)
    default = _default_name(names)
    return {n: str(path if n == default else path.with_name(f"{path.stem}.{n}.onnx")) for n in names}


def _unknown_onnx_ops(onnx: Any, graph: Any) -> set[str]:
    """Default-domain ops that ONNX does not define (tf2onnx leaves unconverted TF ops so), subgraphs included."""
    unknown = set()
    for node in graph.node:
        if node.domain in ("", "ai.onnx") and not onnx.defs.has(node.op_type):
            unknown.add(node.op_type)
        for attr in node.attribute:
            subgraphs = [*attr.graphs, attr.g] if attr.HasField("g") else list(attr.graphs)
            for sub in subgraphs:
                unknown |= _unknown_onnx_ops(onnx, sub)
    return unknown


def write_onnx(
    functions: Any,
    path: str | os.PathLike,
    opset: int | None = None,
    *,
    overwrite: bool = False,
) -> str:
    """Writes each signature as an ONNX file (names: :func:`onnx_paths`); returns the default signature's path.

    Args:
        functions: a ``tf.function`` with an ``input_signature``, or ``{name: tf.function}``.
        path: ends with ``.onnx``.
        opset: the ONNX opset; ``None`` takes tf2onnx's default.
        overwrite: replace existing files.

    Raises:
        UnsupportedSignatureError: a signature uses ops ONNX cannot express (nothing is written).
    """
    onnx, tf2onnx = _import_onnx_converter()
    signatures = _signatures(functions)
    targets = {n: Path(p) for n, p in onnx_paths(path, list(signatures)).items()}
    _check_targets(list(targets.values()), overwrite)
    models = {}
    for name, fn in signatures.items():
        _refuse_known("ONNX", name, fn)
        model, _ = tf2onnx.convert.from_function(fn, input_signature=fn.input_signature, opset=opset)
        unknown = _unknown_onnx_ops(onnx, model.graph)
        if unknown:
            raise UnsupportedSignatureError(
                "ONNX", name, list(unknown), f"tf2onnx has no ONNX conversion for them. {_SAVED_MODEL_HINT}."
            )
        onnx.checker.check_model(model)
        models[name] = model.SerializeToString()
    _check_targets(list(targets.values()), overwrite)  # again: conversion takes a while
    with _atomic_files(list(targets.values())) as temps:
        for temp, name in zip(temps, targets):
            _write_bytes(temp, models[name])
    return str(targets[_default_name(list(signatures))])


def run_onnx(path: str | os.PathLike, inputs: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """Runs an ONNX file with onnxruntime (CPU); ``inputs`` by name, cast to the declared dtypes."""
    try:
        import onnxruntime
    except ImportError as err:
        raise ImportError(f"running ONNX files needs onnxruntime ({err}); install it with: {ONNX_INSTALL}") from err
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    declared = {i.name: _ORT_DTYPES.get(i.type) for i in session.get_inputs()}
    feed = _feed(declared, inputs, str(path))
    names = [o.name for o in session.get_outputs()]
    return dict(zip(names, session.run(names, feed)))


_ORT_DTYPES = {
    "tensor(float)": np.float32,
    "tensor(double)": np.float64,
    "tensor(float16)": np.float16,
    "tensor(int8)": np.int8,
    "tensor(int16)": np.int16,
    "tensor(int32)": np.int32,
    "tensor(int64)": np.int64,
    "tensor(uint8)": np.uint8,
    "tensor(bool)": np.bool_,
}


def _feed(declared: Mapping[str, Any], inputs: Mapping[str, Any], where: str) -> dict[str, np.ndarray]:
    """``inputs`` as arrays of the ``declared`` dtypes; wrong or missing names raise ``KeyError``."""
    if set(inputs) != set(declared):
        raise KeyError(f"{where} takes inputs {sorted(declared)}, got {sorted(inputs)}")
    feed = {}
    for name, dtype in declared.items():
        value = np.asarray(inputs[name])
        if dtype is not None and value.dtype != dtype:
            if not np.can_cast(value.dtype, dtype, casting="same_kind"):
                raise TypeError(f"input '{name}' of {where} is {np.dtype(dtype)}, got {value.dtype}")
            value = value.astype(dtype)
        feed[name] = value
    return feed


# ---------------------------------------------------------------------------------------------------- LiteRT


def write_litert(
    functions: Any,
    path: str | os.PathLike,
    *,
    select_tf_ops: bool = False,
    overwrite: bool = False,
) -> str:
    """Writes every signature into one LiteRT (``.tflite``) file; returns its path.

    Args:
        functions: a ``tf.function`` with an ``input_signature``, or ``{name: tf.function}``.
        path: ends with ``.tflite``.
        select_tf_ops: allow TF ops outside LiteRT's builtins (Keras' default; needs the Flex delegate to run).
        overwrite: replace an existing file.

    Raises:
        UnsupportedSignatureError: a signature needs ops LiteRT's builtins lack (nothing is written).
    """
    import keras

    converter_cls = getattr(getattr(tf, "lite", None), "TFLiteConverter", None)
    if converter_cls is None:
        raise ImportError("this TensorFlow has no tf.lite.TFLiteConverter; install tensorflow-cpu==2.21.0")
    target = _require_suffix(path, ".tflite")
    signatures = _signatures(functions)
    _check_targets([target], overwrite)
    if not select_tf_ops:
        for name, fn in signatures.items():
            _refuse_known("LiteRT", name, fn, " among its builtin ops" + _FLEX_NOTE)
    with tempfile.TemporaryDirectory(prefix="keras-gans-litert-") as saved_model_dir:
        archive = keras.export.ExportArchive()
        for name, fn in signatures.items():
            archive.add_endpoint(name, fn)
        archive.write_out(saved_model_dir, verbose=False)
        converter = converter_cls.from_saved_model(saved_model_dir, signature_keys=list(signatures))
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS] + (
            [tf.lite.OpsSet.SELECT_TF_OPS] if select_tf_ops else []
        )
        converter.experimental_enable_resource_variables = True
        try:
            flatbuffer = converter.convert()
        except Exception as err:
            found = re.search(r"TF Select ops: ([^\n]+)", str(err))
            ops = [op.strip() for op in found.group(1).split(",")] if found else []
            ops = ops or sorted(set(re.findall(r"'tf\.(\w+)' op", str(err))))
            if not ops:
                raise
            raise UnsupportedSignatureError(
                "LiteRT",
                ", ".join(signatures),
                ops,
                f"they are not LiteRT builtins{_FLEX_NOTE}. {_SAVED_MODEL_HINT}.",
            ) from err
    _check_targets([target], overwrite)  # again: conversion takes a while
    with _atomic_files([target]) as (temp,):
        _write_bytes(temp, flatbuffer)
    return str(target)


def _litert_interpreter() -> Callable[..., Any]:
    """``ai_edge_litert``'s Interpreter, else TF's deprecated ``tf.lite.Interpreter``."""
    try:
        from ai_edge_litert.interpreter import Interpreter

        return Interpreter
    except ImportError:
        pass
    interpreter = getattr(getattr(tf, "lite", None), "Interpreter", None)
    if interpreter is None:
        raise ImportError(f"running LiteRT files needs the LiteRT interpreter; install it with: {LITERT_INSTALL}")

    def tf_interpreter(**kwargs: Any) -> Any:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r"(?s).*tf.lite.Interpreter is deprecated")
            return interpreter(**kwargs)

    return tf_interpreter


def run_litert(
    path: str | os.PathLike, inputs: Mapping[str, Any], signature: str | None = None
) -> dict[str, np.ndarray]:
    """Runs one signature of a LiteRT file; inputs are resized to their shapes (dynamic batch, H, W).

    ``signature`` defaults to the only one, else ``serving_default``.
    """
    interpreter = _litert_interpreter()(model_path=str(path))
    available = list(interpreter.get_signature_list())
    if signature is None:
        signature = available[0] if len(available) == 1 else DEFAULT_SIGNATURE
    if signature not in available:
        raise KeyError(f"{path} has signatures {available}, not '{signature}'")
    runner = interpreter.get_signature_runner(signature)
    declared = {name: detail["dtype"] for name, detail in runner.get_input_details().items()}
    feed = _feed(declared, inputs, f"{path} [{signature}]")
    # The signature runner resizes each input tensor to its value's shape and reallocates before invoking.
    return {name: np.array(value) for name, value in runner(**feed).items()}
