"""The SRGAN networks and train step of ``bench_super_resolution.py``'s speed row, in plain PyTorch eager.

The networks mirror ``kg.SRGAN(scale=2, channels=1, filters=F, num_blocks=B, d_filters=DF, content=None)``: an
SRResNet generator (9x9 head + PReLU, ``B`` residual blocks of conv-BN-PReLU-conv-BN, conv-BN, one x2 pixel-shuffle
stage, 9x9 tail, tanh) and the SRGAN discriminator (3x3 convolutions doubling the width every other layer, stride 2
every second, BN, LeakyReLU(0.2), global average pool, Dense 1024, Dense 1). One iteration: a D update on the
high-res batch and the detached upscaled one (BCE on logits), then a G update with MSE + 1e-3 * BCE(D(G(lr)), 1),
Adam(1e-4) for both. Imported only in a PyTorch process (TensorFlow is never loaded there).
"""

from __future__ import annotations

from typing import Any


def srgan_step(torch: Any, filters: int, num_blocks: int, d_filters: int, batch: int = 32, size: int = 32):
    """``step()``: one iteration (module docstring) on a fixed random ``batch`` of ``size``² high-res images."""
    nn = torch.nn
    torch.manual_seed(0)
    f = filters

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(
                nn.Conv2d(f, f, 3, padding=1, bias=False),
                nn.BatchNorm2d(f),
                nn.PReLU(),
                nn.Conv2d(f, f, 3, padding=1, bias=False),
                nn.BatchNorm2d(f),
            )

        def forward(self, x):
            return x + self.body(x)

    class G(nn.Module):
        def __init__(self):
            super().__init__()
            self.head = nn.Sequential(nn.Conv2d(1, f, 9, padding=4), nn.PReLU())
            self.body = nn.Sequential(
                *[Block() for _ in range(num_blocks)],
                nn.Conv2d(f, f, 3, padding=1, bias=False),
                nn.BatchNorm2d(f),
            )
            self.tail = nn.Sequential(
                nn.Conv2d(f, 4 * f, 3, padding=1),
                nn.PixelShuffle(2),
                nn.PReLU(),
                nn.Conv2d(f, 1, 9, padding=4),
                nn.Tanh(),
            )

        def forward(self, x):
            h = self.head(x)
            return self.tail(h + self.body(h))

    d_f = d_filters
    layers, width = [nn.Conv2d(1, d_f, 3, padding=1), nn.LeakyReLU(0.2)], d_f
    for out, stride in [(d_f, 2), (2 * d_f, 1), (2 * d_f, 2), (4 * d_f, 1), (4 * d_f, 2), (8 * d_f, 1), (8 * d_f, 2)]:
        layers += [nn.Conv2d(width, out, 3, stride, 1, bias=False), nn.BatchNorm2d(out), nn.LeakyReLU(0.2)]
        width = out
    d = nn.Sequential(
        *layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(width, 1024), nn.LeakyReLU(0.2), nn.Linear(1024, 1)
    )
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

    return step
