"""kg.metrics against torch-fidelity's and torchmetrics' own functions on the same arrays, with their default settings.

Run from the repository root where ``torch``, ``torch-fidelity`` and ``torchmetrics`` are importable (none is a
dependency of keras_gans; e.g. ``pip install --target /tmp/x torch-fidelity torchmetrics`` and
``PYTHONPATH=/tmp/x``)::

    python benchmarks/crosscheck_metrics.py

Only torch-fidelity's metric modules are imported (``metric_kid``, ``metric_isc``, ``metric_prc``, ``metric_fid``),
with its feature-extraction module stubbed out, so torchvision is not needed. Prints one line per comparison:
the two values and their relative difference. docs/metrics.md quotes the output.
"""

from __future__ import annotations

import importlib
import os
import sys
import types

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def torch_fidelity_metrics():
    """torch-fidelity's metric modules without its package ``__init__`` (which imports torchvision)."""
    spec = importlib.util.find_spec("torch_fidelity")
    if spec is None:
        raise SystemExit("torch-fidelity is not importable; see the module docstring")
    package = types.ModuleType("torch_fidelity")
    package.__path__ = list(spec.submodule_search_locations)
    sys.modules["torch_fidelity"] = package
    utils = types.ModuleType("torch_fidelity.utils")
    utils.__getattr__ = lambda name: None  # feature extraction: not used here
    sys.modules["torch_fidelity.utils"] = utils
    return {name: importlib.import_module(f"torch_fidelity.metric_{name}") for name in ("kid", "isc", "prc", "fid")}


def line(name: str, ours: float, theirs: float) -> None:
    relative = abs(ours - theirs) / max(abs(theirs), 1e-300)
    print(f"{name:58s} ours {ours:.10g}  theirs {theirs:.10g}  rel. diff {relative:.1e}", flush=True)


def main() -> None:
    import torch

    from keras_gans import metrics as kgm

    tf_metrics = torch_fidelity_metrics()
    from torchmetrics.image.inception import InceptionScore
    from torchmetrics.image.kid import KernelInceptionDistance

    rng = np.random.default_rng(0)
    # 128-d ReLU features with dead dimensions, as a classifier's penultimate layer gives.
    mix = rng.normal(size=(96, 96)) / 8
    real = np.concatenate([np.maximum(rng.normal(size=(2000, 96)) @ mix, 0), np.zeros((2000, 32))], axis=1)
    fake = np.concatenate([np.maximum(rng.normal(0.2, 1.0, size=(2000, 96)) @ mix, 0), np.zeros((2000, 32))], axis=1)
    real_t, fake_t = torch.from_numpy(real), torch.from_numpy(fake)

    # KID, torch-fidelity defaults (100 subsets of 1000, rng_seed 2020): the same draws.
    theirs = tf_metrics["kid"].kid_features_to_metric(
        real_t, fake_t, kid_subsets=100, kid_subset_size=1000, kid_degree=3, kid_gamma=None, kid_coef0=1, verbose=False
    )
    mean, std = kgm.kid_from_features(real, fake, seed=2020)
    line("KID mean vs torch-fidelity (seed=2020)", mean, theirs["kernel_inception_distance_mean"])
    line("KID std vs torch-fidelity (seed=2020)", std, theirs["kernel_inception_distance_std"])

    # KID, torchmetrics defaults (100 subsets of 1000, torch.randperm subsets): the same estimator, other draws.
    metric = KernelInceptionDistance(feature=torch.nn.Identity(), subsets=100, subset_size=1000)
    metric.update(real_t, real=True)
    metric.update(fake_t, real=False)
    tm_mean, tm_std = (float(v) for v in metric.compute())
    line("KID mean vs torchmetrics (other subsets)", mean, tm_mean)
    print(f"{'':58s} |difference| / std = {abs(mean - tm_mean) / std:.2f}")
    try:
        kgm.kid_from_features(real[:500], fake)
    except ValueError as error:
        print(f"KID subset_size > n refused: {error}")

    # Inception Score from logits: torch-fidelity (shuffle with RandomState(2020), ddof 0).
    logits = rng.normal(size=(5000, 10)) * 2 + 4 * np.eye(10)[np.arange(5000) // 500]  # class-ordered samples
    probs = np.exp(logits - logits.max(1, keepdims=True))
    probs /= probs.sum(1, keepdims=True)
    theirs = tf_metrics["isc"].isc_features_to_metric(torch.from_numpy(logits), splits=10, shuffle=True, rng_seed=2020)
    ours = kgm.inception_score_from_probs(probs, 10, shuffle=True, seed=2020)
    line("IS mean vs torch-fidelity (shuffle=True, seed=2020)", ours[0], theirs["inception_score_mean"])
    line("IS std vs torch-fidelity (shuffle=True, seed=2020)", ours[1], theirs["inception_score_std"])
    # torchmetrics: torch.randperm shuffle, std with ddof 1; its permutation replayed here to compare exactly.
    metric = InceptionScore(feature=torch.nn.Identity(), splits=10)
    metric.update(torch.from_numpy(logits))
    torch.manual_seed(0)
    tm_mean, tm_std = (float(v) for v in metric.compute())
    torch.manual_seed(0)
    permutation = torch.randperm(len(logits)).numpy()
    ours = kgm.inception_score_from_probs(probs[permutation], 10, ddof=1)
    line("IS mean vs torchmetrics (its permutation, ddof=1)", ours[0], tm_mean)
    line("IS std vs torchmetrics (its permutation, ddof=1)", ours[1], tm_std)
    unshuffled = kgm.inception_score_from_probs(probs, 10)
    print(f"{'':58s} without the shuffle on these class-ordered samples: IS {unshuffled[0]:.4f}")

    # Precision / recall, torch-fidelity default k = 3; its convention (0.4): features_1 = generated (input1).
    p, r = tf_metrics["prc"].calculate_precision_recall_full(fake_t, real_t, neighborhood=3, batch_size=10000)
    ours = kgm.precision_recall(real, fake, k=3)
    line("precision vs torch-fidelity (k=3)", ours["precision"], p)
    line("recall vs torch-fidelity (k=3)", ours["recall"], r)

    # FID with 32 dead dimensions: against scipy on the live ones (float64), and torch-fidelity's eigvals route.
    import scipy.linalg

    live = (np.ptp(real, 0) > 0) & (np.ptp(fake, 0) > 0)
    mu1, mu2 = real.mean(0), fake.mean(0)
    s1, s2 = np.cov(real, rowvar=False), np.cov(fake, rowvar=False)
    covmean = scipy.linalg.sqrtm(s1[np.ix_(live, live)] @ s2[np.ix_(live, live)]).real
    reference = (mu1 - mu2) @ (mu1 - mu2) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean)
    line("FID (dead dims dropped) vs scipy on live dims", kgm.fid_from_features(real, fake), reference)
    theirs = tf_metrics["fid"].fid_statistics_to_metric({"mu": mu1, "sigma": s1}, {"mu": mu2, "sigma": s2}, False)
    line("torch-fidelity FID (all dims) vs scipy on live dims", theirs["frechet_inception_distance"], reference)


if __name__ == "__main__":
    main()
