"""The workbench's 2-D MLP in PyTorch, the PyTorch side of the toy2d benchmark (WORKLOAD.md in ../shared/bench):
the same network under the same names (`net.0`, `net.2`, … of an nn.Sequential), so lesson 04's
swissroll.safetensors loads here as it loads in the workbench.

    python scripts/peer/toy2d.py train-bench  --threads 1     # steps/s of Algorithm 1 (batch 256), one JSON line
    python scripts/peer/toy2d.py sample-bench --threads 1     # seconds of Algorithm 2, 2,000 samples × 1,000 steps

The set-up (a virtual environment with the CPU wheel of torch) is scripts/peer-setup.sh.
"""
import argparse
import json
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import load_file

from unet import T, frequencies, schedule  # the U-Net peer's schedule and time-embedding frequencies (same folder)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODEL = os.path.join(ROOT, "Plots/04-training/swissroll.safetensors")
FREQUENCIES = frequencies()


class MLP(nn.Module):
    """ε_θ = net(cat[xₜ, emb(t)]): Linear(34→128) → SiLU → Linear(128→128) → SiLU → Linear(128→128) → SiLU →
    Linear(128→2), with emb(t) = [sin a, cos a], aᵢ = float32(t)·fᵢ (Sources/Networks/Model/MLP.swift)."""

    def __init__(self):
        super().__init__()
        widths = [34, 128, 128, 128, 2]
        layers = []
        for i in range(len(widths) - 1):
            layers.append(nn.Linear(widths[i], widths[i + 1]))
            if i < len(widths) - 2:
                layers.append(nn.SiLU())
        self.net = nn.Sequential(*layers)

    def forward(self, x, t):
        a = t.float()[:, None] * FREQUENCIES[None, :]
        return self.net(torch.cat([x, torch.sin(a), torch.cos(a)], dim=1))


def swiss_roll(n, seed):
    """A Swiss roll as WORKLOAD.md's: angle u = 1.5π(1 + 2U), the point (u cos u, u sin u) plus N(0, 0.5²) noise
    per coordinate, divided by 10 (the plane of scikit-learn's make_swiss_roll, columns 0 and 2)."""
    rng = np.random.default_rng(seed)
    u = 1.5 * np.pi * (1 + 2 * rng.random(n))
    points = np.stack([u * np.cos(u), u * np.sin(u)], axis=1) + 0.5 * rng.standard_normal((n, 2))
    return torch.from_numpy(points / 10).float()


def cmd_train_bench(a):
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model, data = MLP(), swiss_roll(10_000, 0)
    _, abar = schedule()
    root, rest = abar.sqrt().float(), (1 - abar).sqrt().float()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for i in range(a.warmup + a.steps):
        if i == a.warmup:
            start = time.perf_counter()
        x0 = data[torch.randint(0, data.shape[0], (256,))]
        t = torch.randint(1, T + 1, (256,))
        eps = torch.randn(256, 2)
        loss = F.mse_loss(model(root[t - 1, None] * x0 + rest[t - 1, None] * eps, t), eps)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    print(json.dumps({"threads": a.threads, "steps_per_s": a.steps / (time.perf_counter() - start)}))


def cmd_sample_bench(a):
    """Algorithm 2 (σₜ² = βₜ, z = 0 at t = 1, no clipping) from lesson 04's trained weights: with untrained
    weights x drifts far from the data and the workload stops being representative."""
    torch.set_num_threads(a.threads)
    model = MLP()
    model.load_state_dict(load_file(a.model))
    model.eval()
    beta, abar = schedule()
    c1, c2, sigma = (1 / (1 - beta).sqrt()).float(), (beta / (1 - abar).sqrt()).float(), beta.sqrt().float()
    g = torch.Generator().manual_seed(1)
    with torch.inference_mode():
        model(torch.zeros(a.samples, 2), torch.ones(a.samples, dtype=torch.long))
        start = time.perf_counter()
        x = torch.randn(a.samples, 2, generator=g)
        for t in range(T, 0, -1):
            x = c1[t - 1] * (x - c2[t - 1] * model(x, torch.full((a.samples,), t, dtype=torch.long)))
            if t > 1:
                x = x + sigma[t - 1] * torch.randn(a.samples, 2, generator=g)
        seconds = time.perf_counter() - start
    print(json.dumps({"threads": a.threads, "seconds": seconds, "sample_mean_abs": x.abs().mean().item()}))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("train-bench")
    s.add_argument("--threads", type=int, default=1)
    s.add_argument("--warmup", type=int, default=100)
    s.add_argument("--steps", type=int, default=2000)
    s = sub.add_parser("sample-bench")
    s.add_argument("--threads", type=int, default=1)
    s.add_argument("--samples", type=int, default=2000)
    s.add_argument("--model", default=MODEL)
    a = p.parse_args()
    {"train-bench": cmd_train_bench, "sample-bench": cmd_sample_bench}[a.command](a)


if __name__ == "__main__":
    main()
