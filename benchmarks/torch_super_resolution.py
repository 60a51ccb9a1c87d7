"""The SRGAN and ESRGAN networks and train steps of the super-resolution benchmarks, in plain PyTorch eager.

* SRGAN mirrors ``bench_super_resolution.py``'s speed row, ``kg.SRGAN(scale=2, channels=1, filters=F, num_blocks=B,
  d_filters=DF, content=None)``: an SRResNet generator (9x9 head + PReLU, ``B`` residual blocks of
  conv-BN-PReLU-conv-BN, conv-BN, one x2 pixel-shuffle stage, 9x9 tail, tanh) and the SRGAN discriminator
  (:func:`sr_discriminator`); PReLU slopes per channel, shared over the pixels (keras' ``shared_axes=[1, 2]``).
  One iteration: a D update on the high-res batch and the detached upscaled one (BCE on
  logits), then a G update with MSE + 1e-3 * BCE(D(G(lr)), 1), Adam(1e-4) for both.
* ESRGAN mirrors ``bench_precision.py``'s row, ``kg.ESRGAN(scale=2, channels=1, filters=F, growth=K, num_blocks=B,
  d_filters=DF, content=None, pretrain_steps=0)`` in its GAN phase (:func:`esrgan_step`).

The networks have the keras models' layer shapes, so the trainable parameter counts agree
(:func:`parameter_count`; ``bench_precision.py`` logs both). Imported only in a PyTorch process (TensorFlow is never
loaded there).
"""

from __future__ import annotations

import math
from typing import Any

#: ESRGAN's residual scaling beta (``keras_gans.networks.rrdb.RESIDUAL_SCALING``).
RESIDUAL_SCALING = 0.2
#: Keras' BatchNormalization defaults: epsilon 1e-3, moving-average momentum 0.99 (PyTorch's momentum 0.01).
KERAS_BN = {"eps": 1e-3, "momentum": 0.01}


def parameter_count(*modules: Any) -> int:
    """Trainable parameters of ``modules``: the number compared with the keras model's ``trainable_weights``."""
    return sum(p.numel() for m in modules for p in m.parameters() if p.requires_grad)


def sr_discriminator(torch: Any, d_filters: int, channels: int = 1) -> Any:
    """``keras_gans.networks.build_sr_discriminator(channels, d_filters)``: conv3 + LReLU(0.2), seven conv3-BN-LReLU
    (widths F, 2F, 2F, 4F, 4F, 8F, 8F, stride 2 every other one, from the first), global average pool, Dense 1024,
    LReLU, Dense 1."""
    nn = torch.nn
    layers, width = [nn.Conv2d(channels, d_filters, 3, padding=1), nn.LeakyReLU(0.2)], d_filters
    f = d_filters
    for out, stride in [(f, 2), (2 * f, 1), (2 * f, 2), (4 * f, 1), (4 * f, 2), (8 * f, 1), (8 * f, 2)]:
        layers += [nn.Conv2d(width, out, 3, stride, 1, bias=False), nn.BatchNorm2d(out, **KERAS_BN), nn.LeakyReLU(0.2)]
        width = out
    return nn.Sequential(
        *layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(width, 1024), nn.LeakyReLU(0.2), nn.Linear(1024, 1)
    )


def srgan_step(torch: Any, filters: int, num_blocks: int, d_filters: int, batch: int = 32, size: int = 32):
    """``step()``: one SRGAN iteration (module docstring) on a fixed random ``batch`` of ``size``² high-res images."""
    nn = torch.nn
    torch.manual_seed(0)
    f = filters

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(
                nn.Conv2d(f, f, 3, padding=1, bias=False),
                nn.BatchNorm2d(f),
                nn.PReLU(f),
                nn.Conv2d(f, f, 3, padding=1, bias=False),
                nn.BatchNorm2d(f),
            )

        def forward(self, x):
            return x + self.body(x)

    class G(nn.Module):
        def __init__(self):
            super().__init__()
            self.head = nn.Sequential(nn.Conv2d(1, f, 9, padding=4), nn.PReLU(f))
            self.body = nn.Sequential(
                *[Block() for _ in range(num_blocks)],
                nn.Conv2d(f, f, 3, padding=1, bias=False),
                nn.BatchNorm2d(f),
            )
            self.tail = nn.Sequential(
                nn.Conv2d(f, 4 * f, 3, padding=1),
                nn.PixelShuffle(2),
                nn.PReLU(f),
                nn.Conv2d(f, 1, 9, padding=4),
                nn.Tanh(),
            )

        def forward(self, x):
            h = self.head(x)
            return self.tail(h + self.body(h))

    d = sr_discriminator(torch, d_filters)
    g = G()
    opt_g, opt_d = torch.optim.Adam(g.parameters(), 1e-4), torch.optim.Adam(d.parameters(), 1e-4)
    bce = nn.BCEWithLogitsLoss()
    hr = torch.rand(batch, 1, size, size) * 2 - 1
    lr = nn.functional.avg_pool2d(hr, 2)
    ones, zeros = torch.ones(batch, 1), torch.zeros(batch, 1)

    def step() -> None:
        fake = g(lr).detach()
        loss_d = bce(d(hr), ones) + bce(d(fake), zeros)
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        sr = g(lr)
        loss_g = ((sr - hr) ** 2).mean() + 1e-3 * bce(d(sr), ones)
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()

    step.trainable_parameters = parameter_count(g, d)
    return step


def rrdb_generator(torch: Any, filters: int, growth: int, num_blocks: int, scale: int = 2, channels: int = 1) -> Any:
    """``keras_gans.networks.build_rrdb_generator(channels, scale, filters, growth, num_blocks)``: conv3, ``B`` RRDBs
    (3 dense blocks of 5 convolutions each, residuals scaled by 0.2), conv3 + long skip, log2(scale) x [nearest x2,
    conv3, LReLU], conv3, LReLU, conv3, tanh. Initialisation as keras: Glorot-uniform, the dense blocks' He-normal
    times 0.1; biases 0."""
    nn, functional = torch.nn, torch.nn.functional

    def conv(cin: int, cout: int, small: bool = False):
        layer = nn.Conv2d(cin, cout, 3, padding=1)
        if small:
            nn.init.normal_(layer.weight, 0.0, math.sqrt(0.02 / (9 * cin)))  # VarianceScaling(0.02, fan_in)
        else:
            nn.init.xavier_uniform_(layer.weight)
        nn.init.zeros_(layer.bias)
        return layer

    class DenseBlock(nn.Module):
        def __init__(self):
            super().__init__()
            self.convs = nn.ModuleList(conv(filters + i * growth, growth, small=True) for i in range(4))
            self.last = conv(filters + 4 * growth, filters, small=True)

        def forward(self, x):
            features = [x]
            for layer in self.convs:
                features.append(functional.leaky_relu(layer(torch.cat(features, 1)), 0.2))
            return x + RESIDUAL_SCALING * self.last(torch.cat(features, 1))

    class RRDB(nn.Module):
        def __init__(self):
            super().__init__()
            self.chain = nn.Sequential(DenseBlock(), DenseBlock(), DenseBlock())

        def forward(self, x):
            return x + RESIDUAL_SCALING * self.chain(x)

    class RRDBNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.head = conv(channels, filters)
            self.trunk = nn.Sequential(*[RRDB() for _ in range(num_blocks)], conv(filters, filters))
            self.ups = nn.ModuleList(conv(filters, filters) for _ in range(int(math.log2(scale))))
            self.hr = conv(filters, filters)
            self.tail = conv(filters, channels)

        def forward(self, x):
            head = self.head(x)
            x = head + self.trunk(head)
            for layer in self.ups:
                x = functional.leaky_relu(layer(functional.interpolate(x, scale_factor=2, mode="nearest")), 0.2)
            return torch.tanh(self.tail(functional.leaky_relu(self.hr(x), 0.2)))

    return RRDBNet()


def esrgan_step(
    torch: Any,
    filters: int = 32,
    growth: int = 16,
    num_blocks: int = 2,
    d_filters: int = 16,
    batch: int = 32,
    size: int = 32,
    scale: int = 2,
):
    """``step()``: one GAN-phase iteration of ``kg.ESRGAN(content=None)`` on a fixed random ``batch`` of ``size``²
    high-res images, as its ``train_step`` does it:

    * D update: ``G(lr)`` detached, ``D(hr)`` and ``D(fake)`` (two calls, each with its batch statistics), the
      relativistic average loss ``BCE(D(hr) - E[D(fake)], 1) + BCE(D(fake) - E[D(hr)], 0)``;
    * G update: ``sr = G(lr)``, ``D(hr)`` and ``D(sr)``, ``1e-2 L1 + 1 L1 + 5e-3 (BCE(D(hr) - E[D(sr)], 0) +
      BCE(D(sr) - E[D(hr)], 1))`` (``content=None``: the content term is the L1 of the pixels too), gradients for G's
      weights only (keras' G player differentiates with respect to G's variables: no D weight gradients);
    * Adam(1e-4, betas (0.9, 0.99), eps 1e-7) for both (the ESRGAN defaults, keras' epsilon).

    Differences left: the low-res batch is made once (2x2 average pooling) where keras makes it every step (an
    antialiased bicubic einsum of a 32x32 batch, a negligible cost); keras also computes the gradient norms, PSNR
    and accuracy logs and checks the gradients are finite (a few reductions). ``step.trainable_parameters``: G + D.
    """
    nn = torch.nn
    torch.manual_seed(0)
    g = rrdb_generator(torch, filters, growth, num_blocks, scale)
    d = sr_discriminator(torch, d_filters)
    g_params = list(g.parameters())
    opt_g = torch.optim.Adam(g_params, 1e-4, betas=(0.9, 0.99), eps=1e-7)
    opt_d = torch.optim.Adam(d.parameters(), 1e-4, betas=(0.9, 0.99), eps=1e-7)
    bce = nn.functional.binary_cross_entropy_with_logits
    hr = torch.rand(batch, 1, size, size) * 2 - 1
    lr = nn.functional.avg_pool2d(hr, scale)
    ones, zeros = torch.ones(batch, 1), torch.zeros(batch, 1)

    def relativistic(real, fake, real_target, fake_target):
        real, fake = real.float(), fake.float()
        return bce(real - fake.mean(), real_target) + bce(fake - real.mean(), fake_target)

    def step() -> None:
        fake = g(lr).detach()
        loss_d = relativistic(d(hr), d(fake), ones, zeros)
        opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        opt_d.step()
        sr = g(lr).float()
        pixel = (sr - hr).abs().mean()
        adversarial = relativistic(d(hr), d(sr), zeros, ones)
        loss_g = 1e-2 * pixel + 1.0 * pixel + 5e-3 * adversarial
        opt_g.zero_grad(set_to_none=True)
        loss_g.backward(inputs=g_params)
        opt_g.step()

    step.trainable_parameters = parameter_count(g, d)
    return step
