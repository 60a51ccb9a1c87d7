"""precision=: the "auto" decision with injected hardware, the networks built under the chosen policy (the global
policy restored afterwards), networks passed in checked, the .keras round trip, a mixed_bfloat16 step per family."""

import os
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_gans as kg
from keras_gans import cli
from keras_gans.engine import EngineOptions, precision

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "models"))
import zoo  # noqa: E402

AVX2 = precision.Hardware(cpu_flags=frozenset({"sse4_2", "avx", "avx2", "fma"}))
AVX512_BF16 = precision.Hardware(cpu_flags=frozenset({"avx2", "avx512f", "avx512bw", "avx512_bf16"}))
AMX = precision.Hardware(cpu_flags=frozenset({"avx2", "avx512f", "amx_tile", "amx_bf16"}))
SHAPE = (8, 8, 1)


def gpus(*capabilities):
    return precision.Hardware(cpu_flags=AVX2.cpu_flags, gpu_compute_capabilities=capabilities)


def resolve(requested="auto", hardware=AVX2, allows=True, global_policy="float32", networks=(), pinned=None):
    return precision.resolve_precision(
        requested,
        model_name="DCGAN",
        allows_bfloat16=allows,
        global_policy=global_policy,
        hardware=hardware,
        network_policies=networks,
        pinned=pinned,
    )


@keras.saving.register_keras_serializable(package="test_precision")
class MeasuredDCGAN(kg.DCGAN):
    """A DCGAN whose (pretended) measurements allow bfloat16 under precision="auto"."""

    auto_bfloat16 = True


@pytest.fixture
def global_policy():
    """Sets Keras' global dtype policy for one test; restores float32 afterwards."""
    yield keras.config.set_dtype_policy
    keras.config.set_dtype_policy("float32")


@pytest.fixture
def machine(monkeypatch):
    """Pretends the model is built on the given hardware."""

    def use(hardware):
        monkeypatch.setattr(precision, "detect_hardware", lambda: hardware)
        monkeypatch.delenv(precision.AUTO_ENV, raising=False)  # conftest pins "auto" to float32

    return use


def tiny_dcgan(cls=kg.DCGAN, **kwargs):
    return cls(image_shape=SHAPE, latent_dim=4, filters=4, seed=3, **kwargs)


def tiny_networks():
    return {
        "generator": kg.networks.build_dcgan_generator(4, SHAPE, filters=4),
        "discriminator": kg.networks.build_dcgan_discriminator(SHAPE, filters=4),
    }


# ----------------------------------------------------------------------------------------------------------------
# The decision


def test_cpu_flags_are_read_from_the_first_flags_line():
    cpuinfo = "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu AVX2 avx512_bf16\n\n"
    cpuinfo += "processor\t: 1\nflags\t\t: sse\n"
    assert precision.parse_cpu_flags(cpuinfo) == {"fpu", "avx2", "avx512_bf16"}
    assert precision.parse_cpu_flags("processor : 0\nFeatures : fp asimd bf16\n") == frozenset()


@pytest.mark.parametrize(
    "hardware, native, says",
    [
        (AVX2, False, "seen: avx2"),
        (AVX512_BF16, True, "avx512_bf16"),
        (AMX, True, "amx_bf16"),
        (gpus((7, 5)), False, "7.5"),
        (gpus((8, 0)), True, "8.0"),
        (gpus((9, 0), (7, 0)), False, "every GPU"),
        (gpus(None), False, "unknown"),
        (precision.Hardware(cpu_flags=AVX2.cpu_flags, tpu=True), True, "TPU"),
        (precision.Hardware(cpu_flags=None, system="Darwin"), False, "Darwin"),
    ],
)
def test_native_bfloat16(hardware, native, says):
    found, why = precision.native_bfloat16(hardware)
    assert found is native and says in why


def test_auto_is_float32_without_native_bfloat16():
    policy, reason = resolve(hardware=AVX2)
    assert policy == "float32" and "avx2" in reason and "avx512_bf16" in reason


@pytest.mark.parametrize("hardware", [AVX512_BF16, AMX, gpus((8, 0), (8, 6))])
def test_auto_is_bfloat16_on_native_hardware_for_a_model_that_declares_it(hardware):
    assert resolve(hardware=hardware, allows=True)[0] == "mixed_bfloat16"
    policy, reason = resolve(hardware=hardware, allows=False)
    assert policy == "float32" and "auto_bfloat16 = False" in reason


def test_auto_on_gpus_follows_the_compute_capability():
    assert resolve(hardware=gpus((7, 5)))[0] == "float32"
    assert resolve(hardware=gpus((8, 0)))[0] == "mixed_bfloat16"


@pytest.mark.parametrize("policy", ["mixed_bfloat16", "mixed_float16"])
def test_auto_respects_an_explicit_global_policy(policy):
    assert resolve(hardware=AVX2, global_policy=policy, allows=False) == (
        policy,
        f"auto: the global dtype policy is {policy!r} (keras.config.set_dtype_policy)",
    )


def test_auto_takes_the_policy_of_the_networks_passed_in():
    assert resolve(hardware=AVX512_BF16, networks=["float32", "float32"])[0] == "float32"
    assert resolve(hardware=AVX2, networks=["mixed_bfloat16"])[0] == "mixed_bfloat16"
    # Networks that disagree decide nothing (the model then refuses them).
    assert resolve(hardware=AVX2, networks=["mixed_bfloat16", "float32"])[0] == "float32"


@pytest.mark.parametrize("value", ["float32", "mixed_bfloat16", "mixed_float16"])
def test_an_explicit_value_is_kept_whatever_the_hardware(value):
    assert resolve(value, hardware=AVX2, allows=False, global_policy="mixed_float16", networks=["float32"])[0] == value


@pytest.mark.parametrize("value", ["bfloat16", "float16", "fp32", None, 32])
def test_an_unknown_value_is_refused_with_the_choices(value, global_policy):
    global_policy("mixed_bfloat16")
    for make in (lambda: resolve(value), lambda: EngineOptions(precision=value), lambda: tiny_dcgan(precision=value)):
        with pytest.raises(ValueError, match=r"precision must be one of \['auto', 'float32', 'mixed_bfloat16'"):
            make()
    assert keras.config.dtype_policy().name == "mixed_bfloat16"


def test_auto_can_be_pinned_by_the_environment(monkeypatch):
    monkeypatch.setenv(precision.AUTO_ENV, "float32")
    model = tiny_dcgan(kg.DCGAN)  # the conftest's pin, on any machine
    assert model.generator.compute_dtype == "float32" and precision.AUTO_ENV in model.precision_reason
    assert resolve(hardware=AVX512_BF16, pinned="mixed_bfloat16")[0] == "mixed_bfloat16"
    assert resolve(hardware=AVX512_BF16, global_policy="mixed_float16", pinned="float32")[0] == "mixed_float16"
    monkeypatch.setenv(precision.AUTO_ENV, "bf16")
    with pytest.raises(ValueError, match="KERAS_GANS_AUTO_PRECISION='bf16' is not a precision"):
        tiny_dcgan(kg.DCGAN)


def test_info_lines_say_what_auto_resolves_to():
    classes = {"WGANGP": kg.WGANGP, "Measured": MeasuredDCGAN}
    native, auto = precision.describe_auto(classes, AVX512_BF16, "float32")
    assert "native" in native and "avx512_bf16" in native
    assert auto.endswith("mixed_bfloat16 for Measured; float32 for the others (not measured in bfloat16)")
    assert "float32 for every model" in precision.describe_auto(classes, AVX2, "float32")[1]
    assert "none declares" in precision.describe_auto({"WGANGP": kg.WGANGP}, AMX, "float32")[1]
    assert "mixed_float16 for every model" in precision.describe_auto(classes, AVX2, "mixed_float16")[1]


# ----------------------------------------------------------------------------------------------------------------
# The networks a model builds


@pytest.mark.filterwarnings("ignore:precision mixed_float16 without a GPU")
@pytest.mark.parametrize(
    "value, compute", [("float32", "float32"), ("mixed_bfloat16", "bfloat16"), ("mixed_float16", "float16")]
)
def test_an_explicit_value_builds_the_networks_under_it(value, compute):
    model = tiny_dcgan(precision=value, ema_decay=0.9)
    assert model.resolved_precision == value and model.options.precision == value
    for network in (model.generator, model.discriminator, model.ema_generator):
        assert network.compute_dtype == compute
    assert model.discriminator.get_layer("output").compute_dtype == "float32"  # logits stay float32
    floats = {w.dtype for w in model.weights if w.dtype != "int64"}  # networks, BN statistics, EMA weights
    assert floats == {"float32"}
    images = model.generate(4, seed=0)
    assert images.dtype == np.float32 and np.abs(images).max() <= 1.0
    assert keras.config.dtype_policy().name == "float32"  # the global policy is back


def test_the_global_policy_is_restored_after_a_constructor_error(global_policy):
    global_policy("mixed_float16")
    with pytest.raises(ValueError, match="label_smoothing"):  # raised after the networks were built
        tiny_dcgan(precision="mixed_bfloat16", label_smoothing=0.7)
    with pytest.raises(ValueError, match="dtype polic"):  # raised by the engine's check of the networks
        kg.DCGAN(**tiny_networks(), latent_dim=4, precision="float32")
    assert keras.config.dtype_policy().name == "mixed_float16"


def test_auto_keeps_an_explicit_global_policy(global_policy):
    global_policy("mixed_bfloat16")
    model = tiny_dcgan()
    assert model.resolved_precision == "mixed_bfloat16" and model.generator.compute_dtype == "bfloat16"
    assert "global dtype policy" in model.precision_reason
    assert keras.config.dtype_policy().name == "mixed_bfloat16"


def test_auto_picks_bfloat16_only_where_the_hardware_and_the_model_allow_it(machine):
    machine(AVX512_BF16)
    assert tiny_dcgan(MeasuredDCGAN).generator.compute_dtype == "bfloat16"
    # DCGAN and CGAN are measured (benchmarks/PRECISION.md); the subclasses with other losses or penalties are not.
    assert tiny_dcgan().generator.compute_dtype == "bfloat16"
    assert tiny_dcgan(kg.CGAN, num_classes=3).generator.compute_dtype == "bfloat16"
    for cls in (kg.WGANGP, kg.LSGAN, kg.ACGAN):
        kwargs = {"num_classes": 3} if cls is kg.ACGAN else {}
        model = tiny_dcgan(cls, **kwargs)
        assert model.generator.compute_dtype == "float32" and "auto_bfloat16 = False" in model.precision_reason
    machine(AVX2)
    model = tiny_dcgan(MeasuredDCGAN)
    assert model.generator.compute_dtype == "float32" and "no native bfloat16" in model.precision_reason


def test_networks_passed_in_must_have_the_policy_asked_for(global_policy):
    with pytest.raises(ValueError) as refused:
        kg.DCGAN(**tiny_networks(), latent_dim=4, precision="mixed_bfloat16")
    message = str(refused.value)
    assert "'mixed_bfloat16'" in message and "generator 'float32'" in message
    assert "set_global_policy('mixed_bfloat16')" in message and "precision='float32'" in message
    global_policy("mixed_bfloat16")
    networks = tiny_networks()
    global_policy("float32")
    assert kg.DCGAN(**networks, latent_dim=4, precision="mixed_bfloat16").resolved_precision == "mixed_bfloat16"
    adopted = kg.DCGAN(**networks, latent_dim=4)
    assert adopted.resolved_precision == "mixed_bfloat16" and "networks passed in" in adopted.precision_reason
    with pytest.raises(ValueError, match="different dtype policies"):
        kg.DCGAN(generator=networks["generator"], discriminator=tiny_networks()["discriminator"], latent_dim=4)


# ----------------------------------------------------------------------------------------------------------------
# Saving and loading


@pytest.mark.filterwarnings("ignore:precision mixed_float16 without a GPU")
@pytest.mark.parametrize("value", ["auto", "float32", "mixed_bfloat16", "mixed_float16"])
def test_keras_round_trip_keeps_the_precision(value, tmp_path):
    model = tiny_dcgan(precision=value)
    config = model.get_config()
    assert config["precision"] == value and config["resolved_precision"] == model.resolved_precision
    model.save(tmp_path / "model.keras")
    loaded = keras.saving.load_model(tmp_path / "model.keras")
    assert loaded.options.precision == value and loaded.resolved_precision == model.resolved_precision
    for name in ("generator", "discriminator"):
        assert getattr(loaded, name).compute_dtype == getattr(model, name).compute_dtype
    np.testing.assert_array_equal(loaded.generate(3, seed=1), model.generate(3, seed=1))


def test_loading_resolves_auto_again_on_the_new_machine(machine, tmp_path):
    machine(AVX512_BF16)
    auto, explicit = tiny_dcgan(MeasuredDCGAN), tiny_dcgan(MeasuredDCGAN, precision="mixed_bfloat16")
    assert auto.resolved_precision == explicit.resolved_precision == "mixed_bfloat16"
    auto.save(tmp_path / "auto.keras")
    explicit.save(tmp_path / "explicit.keras")
    machine(AVX2)
    loaded = keras.saving.load_model(tmp_path / "auto.keras")
    assert loaded.resolved_precision == "float32" and loaded.options.precision == "auto"
    assert {layer.compute_dtype for layer in loaded.generator.layers[1:]} == {"float32"}
    np.testing.assert_allclose(loaded.generate(3, seed=1), auto.generate(3, seed=1), atol=0.05)
    kept = keras.saving.load_model(tmp_path / "explicit.keras")
    assert kept.resolved_precision == "mixed_bfloat16" and kept.generator.compute_dtype == "bfloat16"


def test_a_float32_model_stays_float32_when_loaded_on_bfloat16_hardware(machine, tmp_path):
    machine(AVX2)
    tiny_dcgan(MeasuredDCGAN).save(tmp_path / "model.keras")
    machine(AVX512_BF16)
    loaded = keras.saving.load_model(tmp_path / "model.keras")
    # Its layers that must stay float32 cannot be told from the others: it loads as saved.
    assert loaded.resolved_precision == "float32" and loaded.discriminator.compute_dtype == "float32"


def test_mixed_layers_of_a_saved_network_are_retargeted_and_pinned_layers_kept():
    config = {"layers": [{"class_name": "DTypePolicy", "config": {"name": p}} for p in ("mixed_bfloat16", "float32")]}
    retargeted = precision.retarget_policies(config, "mixed_bfloat16", "float32")
    assert precision.policies_in(retargeted) == ["float32", "float32"]
    assert precision.policies_in(precision.retarget_policies(config, "mixed_bfloat16", "mixed_float16")) == [
        "mixed_float16",
        "float32",
    ]
    assert precision.saved_policy([config]) == "mixed_bfloat16" and precision.saved_policy([{}]) == "float32"
    assert precision.policy_for_loading("auto", "mixed_bfloat16", "float32") == "float32"
    assert precision.policy_for_loading("auto", "float32", "mixed_bfloat16") == "float32"
    assert precision.policy_for_loading("mixed_bfloat16", "mixed_bfloat16", "float32") == "mixed_bfloat16"


# ----------------------------------------------------------------------------------------------------------------
# One step of each family under mixed_bfloat16


@pytest.mark.parametrize("name", ["DCGAN", "Pix2Pix", "SRGAN"])
def test_a_mixed_bfloat16_step_gives_finite_float32_losses(name):
    entry = zoo.BY_NAME[name]
    with precision.dtype_policy_scope("mixed_bfloat16"):  # the zoo's SRGAN is given a discriminator: build it so
        model = entry.build(precision="mixed_bfloat16")
    assert getattr(model, zoo.hooks(model).sampled_network).compute_dtype == "bfloat16"
    model.compile()
    x, y = zoo.training_data(entry, 8)
    batch = model.unpack_batch(tf.constant(x) if y is None else (tf.constant(x), tf.constant(y)))
    for player in model.players():
        loss, logs = player.loss(batch, tf.constant(1, tf.int64), 0)
        for key, value in {"loss": loss, **logs}.items():
            value = getattr(value, "value", value)  # a lazy penalty's weighted log
            assert value.dtype == tf.float32 and np.isfinite(value.numpy()).all(), (player.name, key)
    weights = [w.numpy() for w in model.generator.trainable_weights]
    logs = model.train_step(tf.constant(x) if y is None else (tf.constant(x), tf.constant(y)))  # eager: no tracing
    assert all(np.isfinite(float(value)) for value in logs.values()), logs
    assert any(np.abs(w - v.numpy()).max() > 0 for w, v in zip(weights, model.generator.trainable_weights))
    images = zoo.sampler_output(model, zoo.serving_inputs(model, 2))
    assert images.dtype == np.float32 and np.abs(images).max() <= 1.0


# ----------------------------------------------------------------------------------------------------------------
# The command line


def test_info_says_what_auto_resolves_to(capsys):
    assert cli.main(["info"]) == 0
    out = capsys.readouterr().out
    assert "bfloat16 on this machine:" in out and "precision='auto' resolves to: float32" in out


def test_a_bad_precision_in_model_args_is_a_one_line_error(tmp_path, capsys):
    code = cli.main(
        ["train", "--config", "dcgan_digits", "--set", "model_args.precision=bf16", "--output", str(tmp_path / "r")]
    )
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1
    assert "model_args.precision" in err and "'mixed_bfloat16'" in err
    # A good value is a keyword the run accepts, for every family; the saved record is not one.
    for cls in (kg.DCGAN, kg.Pix2Pix, kg.SRGAN):
        accepted = cli._model_keywords(cls)
        assert "precision" in accepted and "resolved_precision" not in accepted
