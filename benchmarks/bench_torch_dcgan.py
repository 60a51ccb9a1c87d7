"""A plain PyTorch eager DCGAN loop with the architecture, batch and optimizer of ``kg.DCGAN``, for the ratio.

Run from the repository root (``run_all.py`` runs it; it needs ``torch``, and reports ``{"skipped": ...}``
without it)::

    python benchmarks/bench_torch_dcgan.py --batch 64 --g-forwards 1 [--steps 15 --warmup 3]

The networks mirror ``kg.DCGAN(image_shape=(28, 28, 1), latent_dim=100, filters=64)`` layer for layer:

* G: Linear(100, 7*7*256, no bias), BatchNorm, ReLU, reshape, ConvTranspose(256->128, k5, s1), BN, ReLU,
  ConvTranspose(128->64, k5, s2), BN, ReLU, ConvTranspose(64->1, k5, s2, bias), tanh;
* D: Conv(1->64, k5, s2), LeakyReLU(0.2), Conv(64->128, k5, s2), BN, LeakyReLU(0.2), flatten, Linear(6272, 1);
* weights N(0, 0.02); batch norm with Keras' epsilon 1e-3 and momentum 0.99 (PyTorch momentum 0.01);
  Adam(2e-4, betas=(0.5, 0.999), eps=1e-7) for both networks; the non-saturating loss on logits.

One iteration is one D update (real and detached fake batch) and one G update. ``--g-forwards 1`` runs the
generator once per iteration and back-propagates the G loss through that batch (the PyTorch DCGAN example, and
keras_gans with ``reuse_fake_batch=True``); ``--g-forwards 2`` draws fresh latents for the G update and runs G
again (keras_gans with ``reuse_fake_batch=False``, the default). The real batch is MNIST test digits in memory.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402


def build_networks(torch, latent_dim: int = 100, filters: int = 64, discriminator_batch_norm: bool = True):
    """(G, D) mirroring keras_gans' DCGAN networks for 28x28x1 images (D without batch norm: WGAN-GP's critic)."""
    nn = torch.nn

    def bn1d(n):
        return nn.BatchNorm1d(n, eps=1e-3, momentum=0.01)

    def bn2d(n):
        return nn.BatchNorm2d(n, eps=1e-3, momentum=0.01)

    width = filters * 4
    generator = nn.Sequential(
        nn.Linear(latent_dim, 7 * 7 * width, bias=False),
        bn1d(7 * 7 * width),
        nn.ReLU(),
        nn.Unflatten(1, (width, 7, 7)),
        nn.ConvTranspose2d(width, width // 2, 5, stride=1, padding=2, bias=False),
        bn2d(width // 2),
        nn.ReLU(),
        nn.ConvTranspose2d(width // 2, width // 4, 5, stride=2, padding=2, output_padding=1, bias=False),
        bn2d(width // 4),
        nn.ReLU(),
        nn.ConvTranspose2d(width // 4, 1, 5, stride=2, padding=2, output_padding=1),
        nn.Tanh(),
    )
    discriminator = nn.Sequential(
        nn.Conv2d(1, filters, 5, stride=2, padding=2),
        nn.LeakyReLU(0.2),
        nn.Conv2d(filters, filters * 2, 5, stride=2, padding=2),
        bn2d(filters * 2) if discriminator_batch_norm else nn.Identity(),
        nn.LeakyReLU(0.2),
        nn.Flatten(),
        nn.Linear(filters * 2 * 7 * 7, 1),
    )
    for module in list(generator) + list(discriminator):
        if isinstance(module, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(module.weight, 0.0, 0.02)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
    return generator, discriminator


def make_iteration(
    torch, batch: int, g_forwards: int, seed: int = 0, device: str = "cpu", compile: bool = False, images=None
):
    """One iteration of the module docstring as a function of no arguments: the networks built (seeded) on
    ``device`` (``torch.compile``-d with ``compile``) and their optimizers, the real batch ``images`` (NHWC in
    [-1, 1]; the first ``batch`` MNIST test digits by default)."""
    torch.manual_seed(seed)
    generator, discriminator = (network.to(device) for network in build_networks(torch))
    if compile:
        generator, discriminator = torch.compile(generator), torch.compile(discriminator)
    d_opt = torch.optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999), eps=1e-7)
    g_opt = torch.optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999), eps=1e-7)
    bce = torch.nn.BCEWithLogitsLoss()
    if images is None:
        images, _ = harness.mnist_images(batch, with_tensorflow=False)
    real = torch.from_numpy(images).permute(0, 3, 1, 2).contiguous().to(device)
    ones, zeros = torch.ones(batch, 1, device=device), torch.zeros(batch, 1, device=device)

    def iteration() -> None:
        fake = generator(torch.randn(batch, 100, device=device))
        d_opt.zero_grad(set_to_none=True)
        d_loss = bce(discriminator(real), ones) + bce(discriminator(fake.detach()), zeros)
        d_loss.backward()
        d_opt.step()
        if g_forwards == 2:
            fake = generator(torch.randn(batch, 100, device=device))
        g_opt.zero_grad(set_to_none=True)
        g_loss = bce(discriminator(fake), ones)
        g_loss.backward()
        g_opt.step()

    return iteration


def make_wgan_gp_iteration(torch, batch: int, seed: int = 0, critic_steps: int = 5, weight: float = 10.0):
    """One iteration of ``kg.WGANGP`` on the same networks (the critic without batch norm): ``critic_steps`` critic
    updates on the same real batch, each with fresh latents and the gradient penalty E[(‖∇D(x̂)‖₂ - 1)²] on
    interpolates x̂ (``create_graph``: the penalty is differentiated), then one G update; Adam(1e-4, (0, 0.9))."""
    torch.manual_seed(seed)
    generator, critic = build_networks(torch, discriminator_batch_norm=False)
    d_opt = torch.optim.Adam(critic.parameters(), lr=1e-4, betas=(0.0, 0.9), eps=1e-7)
    g_opt = torch.optim.Adam(generator.parameters(), lr=1e-4, betas=(0.0, 0.9), eps=1e-7)
    images, _ = harness.mnist_images(batch, with_tensorflow=False)
    real = torch.from_numpy(images).permute(0, 3, 1, 2).contiguous()

    def iteration() -> None:
        for _ in range(critic_steps):
            with torch.no_grad():
                fake = generator(torch.randn(batch, 100))
            alpha = torch.rand(batch, 1, 1, 1)
            x_hat = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
            (grads,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
            penalty = ((grads.flatten(1).norm(dim=1) - 1) ** 2).mean()
            d_opt.zero_grad(set_to_none=True)
            (critic(fake).mean() - critic(real).mean() + weight * penalty).backward()
            d_opt.step()
        g_opt.zero_grad(set_to_none=True)
        (-critic(generator(torch.randn(batch, 100))).mean()).backward()
        g_opt.step()

    return iteration


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--g-forwards", type=int, choices=(1, 2), default=1)
    parser.add_argument("--steps", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: torch's)")
    args = parser.parse_args()
    try:
        import torch
    except ImportError:
        harness.emit({"skipped": "torch is not installed (pip install torch)"})
        return
    if args.threads:
        torch.set_num_threads(args.threads)
    iteration = make_iteration(torch, args.batch, args.g_forwards)
    for _ in range(args.warmup):
        iteration()
    wall, cpu = [], []
    for _ in range(args.steps):
        start = (time.perf_counter(), time.process_time())
        iteration()
        wall.append(time.perf_counter() - start[0])
        cpu.append(time.process_time() - start[1])
    summary = harness.summarize(wall, cpu)
    harness.emit(
        {
            "framework": f"torch {torch.__version__}",
            "batch": args.batch,
            "g_forwards": args.g_forwards,
            **summary,
            "images_per_s": summary["it_per_s"] * args.batch,
            "peak_rss_mb": harness.peak_rss_mb(),
            "torch_threads": torch.get_num_threads(),
            "load_average_1min": harness.load_average(),
        }
    )


if __name__ == "__main__":
    main()
