"""The StyleGAN2 and ProGAN networks and train steps of ``bench_precision.py``, in plain PyTorch eager.

Layer for layer what ``keras_gans/networks/stylegan2.py`` and ``progressive.py`` build (so the trainable parameter
counts agree: :func:`torch_super_resolution.parameter_count`, logged by ``bench_precision.py``), with plain torch ops
(no custom CUDA/C++ ops, no FIR filters: bilinear x2 upsampling and 2x2 average pooling as keras has them):

* **Equalised learning rate**: weights stored as N(0, 1/lr_multiplier²), multiplied at run time by
  ``gain · lr_multiplier / sqrt(fan_in)``; biases stored divided by the multiplier (:class:`_Layers`).
* **StyleGAN2** (:func:`stylegan2_step`): mapping (pixel norm, equalised dense layers with lr multiplier 0.01),
  the skip synthesis network with modulated/demodulated convolutions (styles scale the input channels, the
  demodulation coefficients ``1 / sqrt(s² · Σ_kk w² + 1e-8)`` the outputs), per-layer noise with a learned strength,
  and the residual discriminator with grouped minibatch stddev.
* **ProGAN** (:func:`progan_step`): pixel norm, equalised layers, minibatch stddev; every level computed at every
  step and blended by the growth state's weights (as keras does), the state held at the full resolution, alpha 1.

Imported only in a PyTorch process (TensorFlow is never loaded there).
"""

from __future__ import annotations

import math
from typing import Any

from torch_super_resolution import parameter_count

#: Leaky ReLU slope and He's gain of the equalised layers (``keras_gans.networks.equalized``).
LEAKY_RELU_SLOPE = 0.2
HE_GAIN = math.sqrt(2.0)
#: StyleGAN2's defaults (``keras_gans.models.latent.stylegan2``): Adam lr, R1 weight γ/2, path-length weight and
#: decay, style-mixing probability, w_avg decay; the engine's EMA of G.
STYLEGAN2_LR = 0.002
R1_WEIGHT = 5.0
PATH_LENGTH_WEIGHT = 2.0
PATH_LENGTH_DECAY = 0.01
STYLE_MIXING = 0.9
W_AVG_BETA = 0.995
EMA_DECAY = 0.999
#: ProGAN's WGAN-GP weight and drift ε (``keras_gans.models.latent.progan``).
GRADIENT_PENALTY_WEIGHT = 10.0
DRIFT_WEIGHT = 1e-3


class _Layers:
    """The shared layers as torch modules: equalised dense/conv, pixel norm, grouped minibatch stddev."""

    def __init__(self, torch: Any):
        nn, functional = torch.nn, torch.nn.functional

        class EqualizedLinear(nn.Module):
            """``act(x · (W·c) + b·lr_multiplier)``, c = gain · lr_multiplier / sqrt(fan_in)."""

            def __init__(self, fan_in, units, gain=HE_GAIN, lr_multiplier=1.0, bias_init=0.0, act=False):
                super().__init__()
                self.weight = nn.Parameter(torch.randn(units, fan_in) / lr_multiplier)
                self.bias = nn.Parameter(torch.full((units,), bias_init / lr_multiplier))
                self.scale, self.lr_multiplier, self.act = gain * lr_multiplier / math.sqrt(fan_in), lr_multiplier, act

            def forward(self, x):
                x = functional.linear(x, self.weight * self.scale, self.bias * self.lr_multiplier)
                return functional.leaky_relu(x, LEAKY_RELU_SLOPE) if self.act else x

        class EqualizedConv2d(nn.Module):
            """A 'same', stride-1 convolution with an equalised learning rate (fan-in k·k·C_in)."""

            def __init__(self, cin, cout, kernel=3, gain=HE_GAIN, bias=True, act=False):
                super().__init__()
                self.weight = nn.Parameter(torch.randn(cout, cin, kernel, kernel))
                self.bias = nn.Parameter(torch.zeros(cout)) if bias else None
                self.scale, self.act = gain / math.sqrt(kernel * kernel * cin), act

            def forward(self, x):
                x = functional.conv2d(x, self.weight * self.scale, self.bias, padding=self.weight.shape[-1] // 2)
                return functional.leaky_relu(x, LEAKY_RELU_SLOPE) if self.act else x

        def pixel_norm(x, epsilon=1e-8):
            """``x / sqrt(mean_c(x²) + ε)`` over the channels, in float32 (as keras)."""
            y = x.float()
            return (y * torch.rsqrt(y.square().mean(dim=1, keepdim=True) + epsilon)).to(x.dtype)

        def minibatch_stddev(x, group_size=4, epsilon=1e-8):
            """One channel: the std over groups of ``group_size`` consecutive samples, averaged over C, H, W."""
            n, c, h, w = x.shape
            group = max(g for g in range(1, min(group_size, n) + 1) if n % g == 0)
            y = x.float().reshape(-1, group, c, h, w)
            std = (y.var(dim=1, unbiased=False, keepdim=True) + epsilon).sqrt().mean(dim=(2, 3, 4), keepdim=True)
            feature = (torch.zeros_like(y[:, :, :1]) + std).reshape(n, 1, h, w)
            return torch.cat([x, feature.to(x.dtype)], dim=1)

        self.EqualizedLinear, self.EqualizedConv2d = EqualizedLinear, EqualizedConv2d
        self.pixel_norm, self.minibatch_stddev = pixel_norm, minibatch_stddev


def _stylegan2_filters(resolution: int, top: int, filters: int, max_filters: int) -> int:
    return int(min(max_filters, filters * (top // resolution)))


def stylegan2_networks(
    torch: Any,
    size: int = 32,
    channels: int = 1,
    latent_dim: int = 128,
    filters: int = 32,
    max_filters: int = 128,
    mapping_layers: int = 4,
    mapping_lr_multiplier: float = 0.01,
    minibatch_group: int = 4,
):
    """``(mapping, synthesis, discriminator)`` of ``kg.StyleGAN2(image_shape=(size, size, channels), latent_dim,
    filters, max_filters, mapping_layers)`` (w_dim = latent_dim). ``synthesis(ws (N, num_ws, w_dim), noises)``;
    ``synthesis.noise_sizes`` lists the noise maps' sides, ``synthesis.num_ws`` the styles it takes."""
    nn, functional = torch.nn, torch.nn.functional
    layers = _Layers(torch)
    log2 = int(math.log2(size))
    top, w_dim = size, latent_dim

    def width(resolution: int) -> int:
        return _stylegan2_filters(resolution, top, filters, max_filters)

    class ModulatedConv2d(nn.Module):
        """``[x, w] -> conv(x · s, W·c) · demodulation``; s = affine(w) with bias 1."""

        def __init__(self, cin, cout, kernel=3, demodulate=True, bias=False):
            super().__init__()
            self.affine = layers.EqualizedLinear(w_dim, cin, gain=1.0, bias_init=1.0)
            self.weight = nn.Parameter(torch.randn(cout, cin, kernel, kernel))
            self.bias = nn.Parameter(torch.zeros(cout)) if bias else None
            self.scale, self.demodulate = 1.0 / math.sqrt(kernel * kernel * cin), demodulate

        def forward(self, x, w):
            styles = self.affine(w)
            weight = self.weight * self.scale
            y = functional.conv2d(x * styles[:, :, None, None], weight, padding=weight.shape[-1] // 2)
            if self.demodulate:
                with torch.autocast("cpu", enabled=False):  # keras computes the coefficients in float32
                    squares = weight.float().square().sum(dim=(2, 3)).t()  # (C_in, C_out)
                    coefficients = torch.rsqrt(styles.float().square() @ squares + 1e-8)
                y = y * coefficients.to(y.dtype)[:, :, None, None]
            if self.bias is not None:
                y = y + self.bias[None, :, None, None]
            return y

    class AddNoise(nn.Module):
        """``lrelu(x + strength · noise + bias) · sqrt(2)``."""

        def __init__(self, cout):
            super().__init__()
            self.strength = nn.Parameter(torch.zeros(()))
            self.bias = nn.Parameter(torch.zeros(cout))

        def forward(self, x, noise):
            x = x + self.strength * noise + self.bias[None, :, None, None]
            return functional.leaky_relu(x, LEAKY_RELU_SLOPE) * HE_GAIN

    class Mapping(nn.Module):
        def __init__(self):
            super().__init__()
            widths = [latent_dim] + [w_dim] * mapping_layers
            self.dense = nn.Sequential(
                *[
                    layers.EqualizedLinear(widths[i], w_dim, lr_multiplier=mapping_lr_multiplier, act=True)
                    for i in range(mapping_layers)
                ]
            )

        def forward(self, z):
            return self.dense(layers.pixel_norm(z))

    class Synthesis(nn.Module):
        def __init__(self):
            super().__init__()
            self.num_ws = 2 * log2 - 2
            self.noise_sizes = [4] + [2**r for r in range(3, log2 + 1) for _ in range(2)]
            self.constant = nn.Parameter(torch.randn(1, width(4), 4, 4))
            # (conv, noise) per layer, in the order of the styles ws[:, 0], ws[:, 2], ws[:, 3]...; a toRGB per
            # resolution on ws[:, 1] (4x4) and ws[:, 2r - 3].
            self.convs = nn.ModuleList([ModulatedConv2d(width(4), width(4))])
            self.noises = nn.ModuleList([AddNoise(width(4))])
            self.to_rgbs = nn.ModuleList([ModulatedConv2d(width(4), channels, 1, demodulate=False, bias=True)])
            for r in range(3, log2 + 1):
                cin, cout = width(2 ** (r - 1)), width(2**r)
                self.convs.extend([ModulatedConv2d(cin, cout), ModulatedConv2d(cout, cout)])
                self.noises.extend([AddNoise(cout), AddNoise(cout)])
                self.to_rgbs.append(ModulatedConv2d(cout, channels, 1, demodulate=False, bias=True))

        def forward(self, ws, noises):
            def up(x):
                return functional.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)

            x = self.constant.expand(ws.shape[0], -1, -1, -1)
            x = self.noises[0](self.convs[0](x, ws[:, 0]), noises[0])
            image = self.to_rgbs[0](x, ws[:, 1])
            for i, r in enumerate(range(3, log2 + 1)):
                x = up(x)
                for j in (1 + 2 * i, 2 + 2 * i):
                    x = self.noises[j](self.convs[j](x, ws[:, j + 1]), noises[j])
                image = up(image) + self.to_rgbs[i + 1](x, ws[:, 2 * r - 3])
            return image

    class Discriminator(nn.Module):
        def __init__(self):
            super().__init__()
            self.from_rgb = layers.EqualizedConv2d(channels, width(top), 1, act=True)
            self.blocks = nn.ModuleList()
            for r in range(log2, 2, -1):
                res, out = 2**r, width(2 ** (r - 1))
                self.blocks.append(
                    nn.ModuleDict(
                        {
                            "skip": layers.EqualizedConv2d(width(res), out, 1, gain=1.0, bias=False),
                            "conv0": layers.EqualizedConv2d(width(res), width(res), 3, act=True),
                            "conv1": layers.EqualizedConv2d(width(res), out, 3, act=True),
                        }
                    )
                )
            self.conv = layers.EqualizedConv2d(width(4) + 1, width(4), 3, act=True)
            self.dense = layers.EqualizedLinear(width(4) * 16, width(4), act=True)
            self.logit = layers.EqualizedLinear(width(4), 1, gain=1.0)

        def forward(self, images):
            x = self.from_rgb(images)
            for block in self.blocks:
                skip = block["skip"](functional.avg_pool2d(x, 2))
                x = functional.avg_pool2d(block["conv1"](block["conv0"](x)), 2)
                x = (x + skip) * (1.0 / math.sqrt(2.0))
            x = self.conv(layers.minibatch_stddev(x, minibatch_group))
            return self.logit(self.dense(x.flatten(1)))

    return Mapping(), Synthesis(), Discriminator()


def _ema_update(torch: Any, averages: list, params: list, decay: float, updates: int) -> None:
    """The engine's EMA with its ramp-up: d_n = 0.5 ** (1 / min(h, 0.05 n)), h = log(0.5) / log(decay)."""
    half_life = math.log(0.5) / math.log(decay)
    d = 0.5 ** (1.0 / max(min(half_life, 0.05 * updates), 1e-8))
    with torch.no_grad():
        for average, param in zip(averages, params):
            average.lerp_(param, 1.0 - d)


def stylegan2_step(
    torch: Any,
    size: int = 32,
    channels: int = 1,
    latent_dim: int = 128,
    filters: int = 32,
    max_filters: int = 128,
    mapping_layers: int = 4,
    batch: int = 32,
    r1_interval: int = 16,
    path_length_interval: int = 4,
):
    """``step()``: one iteration of ``kg.StyleGAN2`` (its defaults) on a fixed random ``batch``, as ``train_step``:

    * fakes: z1, z2 -> mapping (two passes), 90% of the samples take w2 from a random crossover layer on, fresh
      noise maps, synthesis;
    * D update: fakes under ``no_grad``, non-saturating loss ``softplus(-D(x)) + softplus(D(G(z)))``; on the steps
      ``k % r1_interval == 0`` the lazy R1 ``r1_interval · 5 · E[‖∇_x D(x)‖²]`` (a third D pass, differentiated
      twice);
    * G update: fresh fakes, ``softplus(-D(G(z)))``, w_avg moved towards the batch's mean w; on the steps
      ``k % path_length_interval == 0`` the path-length penalty ``interval · 2 · E[(a - μ)²]`` on half the batch
      (its own styles and noise, ``a = sqrt(mean_l Σ_d (∂(g·y)/∂w)²)``, y ~ N(0, I)/sqrt(HW); μ moved by 0.01);
      gradients for G's weights only; then the EMA of G (0.999, ramp-up);
    * Adam(0.002·c, betas (0, 0.99^c), eps 1e-8), c = 16/17 for D, 4/5 for G.

    The step counter ``k`` starts at 0, so any 16 consecutive steps hold one R1 and four path-length steps, as a
    chunk of 16 keras steps does. Differences left: keras draws from stateless replica-sliced streams (torch's
    global generator here), uses a ``tf.cond`` for the lazy terms, checks the images' range and the gradients'
    finiteness and logs gradient norms and diversity every step (a few reductions). ``step.trainable_parameters``:
    mapping + synthesis + D.
    """
    torch.manual_seed(0)
    functional = torch.nn.functional
    mapping, synthesis, d = stylegan2_networks(torch, size, channels, latent_dim, filters, max_filters, mapping_layers)
    g_params = [*mapping.parameters(), *synthesis.parameters()]
    averages = [p.detach().clone() for p in g_params]

    def adam(params, interval):
        c = interval / (interval + 1.0)
        return torch.optim.Adam(params, STYLEGAN2_LR * c, betas=(0.0, 0.99**c), eps=1e-8)

    opt_d, opt_g = adam(d.parameters(), r1_interval), adam(g_params, path_length_interval)
    real = torch.rand(batch, channels, size, size) * 2 - 1
    num_ws = synthesis.num_ws
    state = {"step": 0, "path_length_mean": torch.zeros(()), "w_avg": torch.zeros(latent_dim)}

    def mixed_styles(n):
        w1 = mapping(torch.randn(n, latent_dim))
        w2 = mapping(torch.randn(n, latent_dim))
        draws = torch.rand(n, 2)
        crossover = 1 + torch.clamp((draws[:, 1] * (num_ws - 1)).long(), max=num_ws - 2)
        crossover = torch.where(draws[:, 0] < STYLE_MIXING, crossover, torch.full_like(crossover, num_ws))
        from_second = torch.arange(num_ws)[None, :] >= crossover[:, None]
        return torch.where(from_second[:, :, None], w2[:, None], w1[:, None].expand(-1, num_ws, -1)), w1

    def noise(n):
        return [torch.randn(n, 1, s, s) for s in synthesis.noise_sizes]

    def step() -> None:
        k = state["step"]
        with torch.no_grad():
            fake = synthesis(mixed_styles(batch)[0], noise(batch))
        loss_d = functional.softplus(-d(real)).mean() + functional.softplus(d(fake)).mean()
        if k % r1_interval == 0:
            x = real.detach().requires_grad_(True)
            (grads,) = torch.autograd.grad(d(x).float().sum(), x, create_graph=True)
            loss_d = loss_d + R1_WEIGHT * r1_interval * grads.float().square().flatten(1).sum(1).mean()
        opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        opt_d.step()

        ws, w1 = mixed_styles(batch)
        fake = synthesis(ws, noise(batch))
        with torch.no_grad():
            mean = w1.float().mean(0)
            state["w_avg"] = mean + W_AVG_BETA * (state["w_avg"] - mean)
        loss_g = functional.softplus(-d(fake).float()).mean()
        if k % path_length_interval == 0:
            n = max(batch // 2, 1)
            ws, _ = mixed_styles(n)
            directions = torch.randn(n, channels, size, size) / math.sqrt(size * size)
            images = synthesis(ws, noise(n))
            (grads,) = torch.autograd.grad((images.float() * directions).sum(), ws, create_graph=True)
            lengths = grads.float().square().sum(2).mean(1).sqrt()
            penalty = (lengths - state["path_length_mean"]).square().mean()
            mean_length = lengths.detach().mean()
            state["path_length_mean"] = state["path_length_mean"] + PATH_LENGTH_DECAY * (
                mean_length - state["path_length_mean"]
            )
            loss_g = loss_g + PATH_LENGTH_WEIGHT * path_length_interval * penalty
        opt_g.zero_grad(set_to_none=True)
        loss_g.backward(inputs=g_params)
        opt_g.step()
        state["step"] = k + 1
        _ema_update(torch, averages, g_params, EMA_DECAY, k + 1)

    step.trainable_parameters = parameter_count(mapping, synthesis, d)
    return step


def _level_filters(level: int, levels: int, filters: int, max_filters: int) -> int:
    return min(max_filters, filters * 2 ** (levels - 1 - level))


def generator_output_weights(level: int, alpha: float, levels: int) -> list[float]:
    """Weight of every level's toRGB image: ``alpha`` at ``level``, ``1 - alpha`` below it, 0 elsewhere (alpha 1 at
    level 0), as ``keras_gans.networks.progressive.generator_output_weights``."""
    alpha = 1.0 if level == 0 else alpha
    return [alpha if k == level else (1.0 - alpha if k == level - 1 else 0.0) for k in range(levels)]


def discriminator_input_weights(level: int, alpha: float, levels: int) -> list[float]:
    """Weight of the higher level's features at every discriminator block's input: 1 below ``level - 1``, ``alpha``
    at it, 0 from ``level`` on (``keras_gans.networks.progressive.discriminator_input_weights``)."""
    alpha = 1.0 if level == 0 else alpha
    return [1.0 if k < level - 1 else (alpha if k == level - 1 else 0.0) for k in range(levels)]


def progan_networks(
    torch: Any,
    size: int = 32,
    channels: int = 1,
    latent_dim: int = 128,
    filters: int = 32,
    max_filters: int = 128,
    minibatch_group: int = 4,
):
    """``(generator, discriminator)`` of ``kg.ProGAN(image_shape=(size, size, channels), latent_dim, filters,
    max_filters)``, every level built; ``network.level`` and ``network.alpha`` (the growth state) start at the full
    resolution, alpha 1."""
    nn, functional = torch.nn, torch.nn.functional
    layers = _Layers(torch)
    levels = int(math.log2(size)) - 1

    def width(level: int) -> int:
        return _level_filters(level, levels, filters, max_filters)

    def up(x, factor):
        return x if factor == 1 else functional.interpolate(x, scale_factor=factor, mode="nearest")

    class Generator(nn.Module):
        def __init__(self):
            super().__init__()
            self.level, self.alpha = levels - 1, 1.0
            # The official code's gain for the 4x4 "deconvolution" written as a dense layer: sqrt(2) / 4.
            self.dense = layers.EqualizedLinear(latent_dim, 16 * width(0), gain=HE_GAIN / 4, act=True)
            self.convs = nn.ModuleList([layers.EqualizedConv2d(width(0), width(0), 3, act=True)])
            self.to_rgbs = nn.ModuleList([layers.EqualizedConv2d(width(0), channels, 1, gain=1.0)])
            for level in range(1, levels):
                self.convs.append(layers.EqualizedConv2d(width(level - 1), width(level), 3, act=True))
                self.convs.append(layers.EqualizedConv2d(width(level), width(level), 3, act=True))
                self.to_rgbs.append(layers.EqualizedConv2d(width(level), channels, 1, gain=1.0))

        def forward(self, z):
            x = self.dense(layers.pixel_norm(z)).reshape(-1, width(0), 4, 4)
            x = layers.pixel_norm(self.convs[0](layers.pixel_norm(x)))
            images = [self.to_rgbs[0](x)]
            for level in range(1, levels):
                x = up(x, 2)
                for conv in self.convs[2 * level - 1 : 2 * level + 1]:
                    x = layers.pixel_norm(conv(x))
                images.append(self.to_rgbs[level](x))
            weights = generator_output_weights(self.level, self.alpha, levels)
            return sum(w * up(image, size // image.shape[-1]) for w, image in zip(weights, images))

    class Discriminator(nn.Module):
        def __init__(self):
            super().__init__()
            self.level, self.alpha = levels - 1, 1.0
            self.from_rgbs = nn.ModuleList(
                layers.EqualizedConv2d(channels, width(k), 1, act=True) for k in range(levels)
            )
            self.convs = nn.ModuleList()
            for level in range(levels - 1, 0, -1):
                self.convs.append(layers.EqualizedConv2d(width(level), width(level), 3, act=True))
                self.convs.append(layers.EqualizedConv2d(width(level), width(level - 1), 3, act=True))
            self.conv = layers.EqualizedConv2d(width(0) + 1, width(0), 3, act=True)
            self.dense = layers.EqualizedLinear(width(0) * 16, width(0), act=True)
            self.critic = layers.EqualizedLinear(width(0), 1, gain=1.0)

        def from_rgb(self, image, level):
            factor = size // (4 * 2**level)
            return self.from_rgbs[level](image if factor == 1 else functional.avg_pool2d(image, factor))

        def forward(self, image):
            weights = discriminator_input_weights(self.level, self.alpha, levels)
            x = self.from_rgb(image, levels - 1)
            for i, level in enumerate(range(levels - 1, 0, -1)):
                x = functional.avg_pool2d(self.convs[2 * i + 1](self.convs[2 * i](x)), 2)
                d = weights[level - 1]
                x = (1.0 - d) * self.from_rgb(image, level - 1) + d * x
            x = self.conv(layers.minibatch_stddev(x, minibatch_group))
            return self.critic(self.dense(x.flatten(1)))

    generator, discriminator = Generator(), Discriminator()
    generator.levels = discriminator.levels = levels
    return generator, discriminator


def progan_step(
    torch: Any,
    size: int = 32,
    channels: int = 1,
    latent_dim: int = 128,
    filters: int = 32,
    max_filters: int = 128,
    batch: int = 32,
    critic_steps: int = 1,
):
    """``step()``: one iteration of ``kg.ProGAN`` (its defaults) at the full resolution, alpha 1, as ``train_step``:

    * the real batch blended to the active level (every level average-pooled, upsampled back and weighted, as
      keras' ``blend_to_level``: the full-size image itself at the top level, alpha 1);
    * ``critic_steps`` (keras' ``discriminator_steps``: 1, the paper's) critic updates: fakes under ``no_grad``,
      ``D(G(z)) - D(x)`` + 10 · E[(‖∇D(x̂)‖₂ - 1)²] on interpolates (a third D pass, differentiated twice) +
      1e-3 · E[D(x)²] (drift);
    * a G update on ``-D(G(z))`` (gradients for G's weights only), then the EMA of G (0.999, ramp-up);
    * Adam(1e-3, betas (0, 0.99), eps 1e-8) for both.

    Every level of both networks is computed and blended by the growth state's weights, as keras does at every
    step whatever the level (its graph never changes while the networks grow), so the work does not depend on the
    state. Differences left: keras advances the growth state and counts the images shown (two assignments), checks
    the images' range and the gradients' finiteness and logs gradient norms and diversity (a few reductions).
    ``step.trainable_parameters``: G + D.
    """
    torch.manual_seed(0)
    functional = torch.nn.functional
    g, d = progan_networks(torch, size, channels, latent_dim, filters, max_filters)
    g_params = list(g.parameters())
    averages = [p.detach().clone() for p in g_params]
    opt_g = torch.optim.Adam(g_params, 1e-3, betas=(0.0, 0.99), eps=1e-8)
    opt_d = torch.optim.Adam(d.parameters(), 1e-3, betas=(0.0, 0.99), eps=1e-8)
    images = torch.rand(batch, channels, size, size) * 2 - 1
    counter = {"step": 0}

    def blend_to_level(x):
        weights = generator_output_weights(g.level, g.alpha, g.levels)
        total = 0.0
        for k, w in enumerate(weights):
            factor = size // (4 * 2**k)
            y = x if factor == 1 else functional.interpolate(functional.avg_pool2d(x, factor), scale_factor=factor)
            total = total + w * y
        return total

    def step() -> None:
        real = blend_to_level(images)
        for _ in range(critic_steps):
            with torch.no_grad():
                fake = g(torch.randn(batch, latent_dim))
            alpha = torch.rand(batch, 1, 1, 1)
            real_out, fake_out = d(real).float(), d(fake).float()
            x_hat = (alpha * real + (1.0 - alpha) * fake).requires_grad_(True)
            (grads,) = torch.autograd.grad(d(x_hat).float().sum(), x_hat, create_graph=True)
            norms = (grads.float().square().flatten(1).sum(1) + 1e-12).sqrt()
            penalty = (norms - 1.0).square().mean()
            loss_d = fake_out.mean() - real_out.mean() + GRADIENT_PENALTY_WEIGHT * penalty
            loss_d = loss_d + DRIFT_WEIGHT * real_out.square().mean()
            opt_d.zero_grad(set_to_none=True)
            loss_d.backward()
            opt_d.step()
        loss_g = -d(g(torch.randn(batch, latent_dim))).float().mean()
        opt_g.zero_grad(set_to_none=True)
        loss_g.backward(inputs=g_params)
        opt_g.step()
        counter["step"] += 1
        _ema_update(torch, averages, g_params, EMA_DECAY, counter["step"])

    step.trainable_parameters = parameter_count(g, d)
    return step
