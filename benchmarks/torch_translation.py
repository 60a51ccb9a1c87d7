"""The Pix2Pix and CycleGAN networks and train steps of keras_gans, written in plain PyTorch eager, for the speed ratio.

The networks mirror, layer for layer, what ``kg.Pix2Pix(input_shape=(H, W, C), output_channels=C, filters=F,
discriminator_filters=F)`` and ``kg.CycleGAN(shape_a=..., shape_b=..., filters=F, residual_blocks=R,
discriminator_filters=F)`` build (``keras_gans/networks/unet.py``, ``patchgan.py``, ``resnet_translator.py``); the
benchmark checks that the trainable parameter counts agree. One iteration is what one keras_gans ``train_step`` does:

* Pix2Pix: D update on (x, y) real and (x, G(x)) detached fake (½ BCE); G update with a fresh G(x) (dropout on),
  BCE(D(x, G(x)), 1) + 100·L1; Adam(2e-4, β = (0.5, 0.999)) for both.
* CycleGAN: G update (both generators): LSGAN G losses + 10·cycle + 5·identity; D update (both discriminators) on
  real images and the history pool's fakes (50 images, 50% swap), ½ LSGAN D loss.

Imported only by ``bench_translation.py`` in its PyTorch process (TensorFlow is never loaded there).
"""

from __future__ import annotations

from typing import Any


def _init(module: Any, torch: Any) -> None:
    for m in module.modules():
        if isinstance(m, (torch.nn.Conv2d, torch.nn.ConvTranspose2d)):
            torch.nn.init.normal_(m.weight, 0.0, 0.02)
            if m.bias is not None:
                torch.nn.init.zeros_(m.bias)


def unet(torch: Any, size: int, in_channels: int, out_channels: int, filters: int, dropout: float = 0.5) -> Any:
    """keras_gans' U-Net: depth = how often ``size`` halves (<= 8); BN(eps 1e-5, momentum 0.9 = torch 0.1)."""
    nn = torch.nn
    depth, side = 0, size
    while depth < 8 and side % 2 == 0 and side >= 2:
        side, depth = side // 2, depth + 1
    widths = [filters * min(2**i, 8) for i in range(depth)]

    class UNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.down = nn.ModuleList()
            channels = in_channels
            for level, width in enumerate(widths):
                norm = level not in (0, depth - 1)
                layers = [nn.Conv2d(channels, width, 4, 2, 1, bias=not norm)]
                if norm:
                    layers.append(nn.BatchNorm2d(width, eps=1e-5, momentum=0.1))
                layers.append(nn.LeakyReLU(0.2))
                self.down.append(nn.Sequential(*layers))
                channels = width
            self.up = nn.ModuleList()
            for index, level in enumerate(range(depth - 2, -1, -1)):
                layers = [nn.ConvTranspose2d(channels, widths[level], 4, 2, 1, bias=False)]
                layers.append(nn.BatchNorm2d(widths[level], eps=1e-5, momentum=0.1))
                if dropout and index < 3:
                    layers.append(nn.Dropout(dropout))
                layers.append(nn.ReLU())
                self.up.append(nn.Sequential(*layers))
                channels = 2 * widths[level]
            self.out = nn.Sequential(nn.ConvTranspose2d(channels, out_channels, 4, 2, 1), nn.Tanh())

        def forward(self, x):
            skips = []
            for layer in self.down:
                x = layer(x)
                skips.append(x)
            for layer, level in zip(self.up, range(depth - 2, -1, -1)):
                x = torch.cat([layer(x), skips[level]], dim=1)
            return self.out(x)

    model = UNet()
    _init(model, torch)
    return model


def patchgan(torch: Any, size: int, in_channels: int, filters: int, normalization: str) -> Any:
    """keras_gans' PatchGAN: k4 convolutions with 1-pixel zero padding, stride-2 layers while the patch fits."""
    nn = torch.nn
    layers_count = 3

    def field(n):
        specs = [(4, 2)] * n + [(4, 1)] * 2
        r = 1
        for k, s in reversed(specs):
            r = (r - 1) * s + k
        return r

    while layers_count > 1 and field(layers_count) > size:
        layers_count -= 1
    specs = [(4, 2)] * layers_count + [(4, 1)] * 2
    widths = [filters * min(2**i, 8) for i in range(len(specs) - 1)] + [1]
    layers, channels = [], in_channels
    for index, ((kernel, stride), width) in enumerate(zip(specs, widths)):
        last = index == len(specs) - 1
        norm = not (index == 0 or last)
        layers.append(nn.Conv2d(channels, width, kernel, stride, 1, bias=not norm or normalization == "instance"))
        channels = width
        if last:
            break
        if norm:
            layers.append(
                nn.BatchNorm2d(width, eps=1e-5, momentum=0.1)
                if normalization == "batch"
                else nn.InstanceNorm2d(width, eps=1e-5, affine=True)
            )
        layers.append(nn.LeakyReLU(0.2))
    model = nn.Sequential(*layers)
    _init(model, torch)
    return model


def resnet_translator(torch: Any, size: int, channels: int, filters: int, blocks: int) -> Any:
    """keras_gans' ResNet translator: reflect-pad 7x7, two stride-2 3x3, residual blocks, two up, 7x7, tanh."""
    nn = torch.nn
    edge = min(3, size - 1)

    def norm(n):
        return nn.InstanceNorm2d(n, eps=1e-5, affine=True)

    class Block(nn.Module):
        def __init__(self, width):
            super().__init__()
            self.body = nn.Sequential(
                nn.ReflectionPad2d(1), nn.Conv2d(width, width, 3), norm(width), nn.ReLU(),
                nn.ReflectionPad2d(1), nn.Conv2d(width, width, 3), norm(width),
            )  # fmt: skip

        def forward(self, x):
            return x + self.body(x)

    layers = [nn.ReflectionPad2d(edge), nn.Conv2d(channels, filters, 2 * edge + 1), norm(filters), nn.ReLU()]
    width = filters
    for _ in range(2):
        layers += [nn.Conv2d(width, 2 * width, 3, 2, 1), norm(2 * width), nn.ReLU()]
        width *= 2
    layers += [Block(width) for _ in range(blocks)]
    for _ in range(2):
        layers += [nn.ConvTranspose2d(width, width // 2, 3, 2, 1, output_padding=1), norm(width // 2), nn.ReLU()]
        width //= 2
    layers += [nn.ReflectionPad2d(edge), nn.Conv2d(width, channels, 2 * edge + 1), nn.Tanh()]
    model = nn.Sequential(*layers)
    _init(model, torch)
    return model


def trainable_parameters(*modules: Any) -> int:
    return sum(p.numel() for m in modules for p in m.parameters() if p.requires_grad)


def _adam(torch, module):
    return torch.optim.Adam(module.parameters(), lr=2e-4, betas=(0.5, 0.999), eps=1e-7)


def pix2pix_step(torch: Any, size: int, channels: int, filters: int):
    """``(step(x, y), trainable parameter count)`` of the Pix2Pix iteration (module docstring)."""
    functional = torch.nn.functional
    generator = unet(torch, size, channels, channels, filters)
    discriminator = patchgan(torch, size, 2 * channels, filters, "batch")
    g_opt, d_opt = _adam(torch, generator), _adam(torch, discriminator)
    generator.train()
    discriminator.train()

    def bce(logits, target):
        return functional.binary_cross_entropy_with_logits(logits, torch.full_like(logits, target))

    def step(x, y):
        with torch.no_grad():
            fake = generator(x)
        d_opt.zero_grad(set_to_none=True)
        real_logits = discriminator(torch.cat([x, y], 1))
        fake_logits = discriminator(torch.cat([x, fake], 1))
        d_loss = 0.5 * (bce(real_logits, 1.0) + bce(fake_logits, 0.0))
        d_loss.backward()
        d_opt.step()
        g_opt.zero_grad(set_to_none=True)
        fake = generator(x)
        g_loss = bce(discriminator(torch.cat([x, fake], 1)), 1.0) + 100.0 * (fake - y).abs().mean()
        g_loss.backward()
        g_opt.step()

    return step, trainable_parameters(generator, discriminator)


def cyclegan_step(torch: Any, size: int, channels: int, filters: int, blocks: int, pool_size: int = 50):
    """``(step(a, b), trainable parameter count)`` of the CycleGAN iteration (module docstring)."""
    g_ab, g_ba = (resnet_translator(torch, size, channels, filters, blocks) for _ in range(2))
    d_a, d_b = (patchgan(torch, size, channels, filters, "instance") for _ in range(2))
    g_params = list(g_ab.parameters()) + list(g_ba.parameters())
    d_params = list(d_a.parameters()) + list(d_b.parameters())
    g_opt = torch.optim.Adam(g_params, lr=2e-4, betas=(0.5, 0.999), eps=1e-7)
    d_opt = torch.optim.Adam(d_params, lr=2e-4, betas=(0.5, 0.999), eps=1e-7)
    pools: dict[str, list] = {"a": [], "b": []}

    def query(pool, images):
        out = []
        for image in images.detach():
            if len(pool) < pool_size:
                pool.append(image)
                out.append(image)
            elif torch.rand(()) < 0.5:
                index = int(torch.randint(0, pool_size, ()))
                out.append(pool[index])
                pool[index] = image
            else:
                out.append(image)
        return torch.stack(out)

    def step(a, b):
        g_opt.zero_grad(set_to_none=True)
        fake_b, fake_a = g_ab(a), g_ba(b)
        g_loss = ((d_b(fake_b) - 1) ** 2).mean() + ((d_a(fake_a) - 1) ** 2).mean()
        cycle = (g_ba(fake_b) - a).abs().mean() + (g_ab(fake_a) - b).abs().mean()
        identity = (g_ab(b) - b).abs().mean() + (g_ba(a) - a).abs().mean()
        (g_loss + 10.0 * cycle + 5.0 * identity).backward()
        g_opt.step()
        d_opt.zero_grad(set_to_none=True)
        d_loss = 0.0
        for network, real, fake in ((d_a, a, query(pools["a"], fake_a)), (d_b, b, query(pools["b"], fake_b))):
            d_loss = d_loss + 0.5 * (((network(real) - 1) ** 2).mean() + (network(fake) ** 2).mean())
        d_loss.backward()
        d_opt.step()

    return step, trainable_parameters(g_ab, g_ba, d_a, d_b)
