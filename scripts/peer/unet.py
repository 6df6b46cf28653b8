"""The workbench's digits U-Net in PyTorch: the same network under the same parameter names, so a model moves
between the two as a safetensors file (the workbench's `Checkpoint`). Also the PyTorch side of the digits
benchmark (WORKLOAD-digits.md in ../shared/bench), and training on a GPU when a student outgrows the laptop.

    python scripts/peer/unet.py train-bench  --threads 1 --ch 32     # steps/s of Algorithm 1, one JSON line
    python scripts/peer/unet.py sample-bench --threads 1 --ch 32     # seconds of Algorithm 2, 100 images
    python scripts/peer/unet.py golden --ch 16 --against ../shared/bench/golden-unet-ch16.json
    python scripts/peer/unet.py train --ch 32 --steps 20000 --device cuda --out digits-unet.safetensors
    python scripts/peer/unet.py eps --model M.safetensors --inputs I.safetensors --out O.safetensors
    python scripts/peer/unet.py fixture --out Tests/WorkbenchTests/Resources     # the file make test reads

The set-up (a virtual environment with the CPU wheel of torch) is scripts/peer-setup.sh.
"""
import argparse
import gzip
import json
import math
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import load_file, save_file

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DIGITS = os.path.join(ROOT, "Sources/Datasets/Resources/digits.csv.gz")
T = 1000
GROUPS = 8
EMBEDDING = 128


def schedule():
    """β linear from 1e-4 to 0.02 over t = 1…T (index t − 1), ᾱ its cumulative product of 1 − β, in float64."""
    beta = torch.linspace(1e-4, 0.02, T, dtype=torch.float64)
    return beta, torch.cumprod(1 - beta, 0)


def frequencies():
    """fᵢ = exp(−ln(10000)·i/16), i = 0…15, in float64, then rounded to float32 (as the workbench)."""
    return torch.tensor([math.exp(-math.log(10000.0) * i / 16) for i in range(16)], dtype=torch.float64).float()


def embed(t, dtype):
    """[sin a, cos a] with aᵢ = t·fᵢ formed in `dtype` from the float32 fᵢ (float32 in training and sampling; float64,
    the float32 frequencies widened, for the golden file, as the workbench's tape in Double)."""
    a = t.to(dtype)[:, None] * frequencies().to(t.device, dtype)[None, :]
    return torch.cat([torch.sin(a), torch.cos(a)], dim=1)


def conv(cin, cout, k=3, stride=1, zero=False):
    layer = nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2)
    if zero:
        nn.init.zeros_(layer.weight)
        nn.init.zeros_(layer.bias)
    return layer


class Res(nn.Module):
    """h = conv1(SiLU(GN(x))) + temb(SiLU(temb)) per channel; h = conv2(SiLU(GN(h))); skip(x) + h."""

    def __init__(self, cin, cout):
        super().__init__()
        self.norm1 = nn.GroupNorm(GROUPS, cin)
        self.conv1 = conv(cin, cout)
        self.temb = nn.Linear(EMBEDDING, cout)
        self.norm2 = nn.GroupNorm(GROUPS, cout)
        self.conv2 = conv(cout, cout, zero=True)
        if cin != cout:
            self.skip = conv(cin, cout, k=1)
        else:
            self.skip = None

    def forward(self, x, e):
        h = self.conv1(F.silu(self.norm1(x))) + self.temb(e)[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return (x if self.skip is None else self.skip(x)) + h


class Attn(nn.Module):
    """One head over the H·W positions: q, k, v thirds of a 1×1 conv of GN(x); x + proj(v·softmax(qᵀk/√c))."""

    def __init__(self, c):
        super().__init__()
        self.norm = nn.GroupNorm(GROUPS, c)
        self.qkv = conv(c, 3 * c, k=1)
        self.proj = conv(c, c, k=1, zero=True)

    def forward(self, x):
        n, c, h, w = x.shape
        q, k, v = self.qkv(self.norm(x)).reshape(n, 3, c, h * w).unbind(1)
        a = torch.softmax(torch.einsum("nci,ncj->nij", q, k) / math.sqrt(c), dim=-1)
        return x + self.proj(torch.einsum("nij,ncj->nci", a, v).reshape(n, c, h, w))


class UNet(nn.Module):
    """Sources/Networks/Model/UNet.swift: ch at 8×8, 2ch at 4×4 with attention, skips concatenated."""

    def __init__(self, ch=32, out=1, classes=0):
        super().__init__()
        self.ch, self.out, self.classes = ch, out, classes
        self.temb = nn.Sequential(nn.Linear(32, EMBEDDING), nn.SiLU(), nn.Linear(EMBEDDING, EMBEDDING))
        self.conv_in = conv(1, ch)
        self.down0 = Res(ch, ch)
        self.downsample = conv(ch, ch, stride=2)
        self.down1 = Res(ch, 2 * ch)
        self.down1_attn = Attn(2 * ch)
        self.mid1 = Res(2 * ch, 2 * ch)
        self.mid_attn = Attn(2 * ch)
        self.mid2 = Res(2 * ch, 2 * ch)
        self.up1a = Res(4 * ch, 2 * ch)
        self.up1a_attn = Attn(2 * ch)
        self.up1b = Res(3 * ch, 2 * ch)
        self.up1b_attn = Attn(2 * ch)
        self.upsample = conv(2 * ch, 2 * ch)
        self.up0a = Res(3 * ch, ch)
        self.up0b = Res(2 * ch, ch)
        self.norm_out = nn.GroupNorm(GROUPS, ch)
        self.conv_out = conv(ch, out, zero=True)
        # The workbench's layout puts the label table last.
        self.label_emb = nn.Embedding(classes + 1, EMBEDDING) if classes else None

    @property
    def configuration(self):
        """The line the workbench's checkpoints carry (`UNet.configuration`)."""
        return f"unet ch={self.ch}" + (f" out={self.out}" if self.out != 1 else "") + (f" classes={self.classes}" if self.classes else "")

    def forward(self, x, t, y=None):
        temb = self.temb(embed(t, x.dtype))
        if self.label_emb is not None:
            temb = temb + self.label_emb(y)
        e = F.silu(temb)
        h0 = self.conv_in(x)
        h1 = self.down0(h0, e)
        h2 = self.downsample(h1)
        h3 = self.down1_attn(self.down1(h2, e))
        h = self.mid2(self.mid_attn(self.mid1(h3, e)), e)
        h = self.up1a_attn(self.up1a(torch.cat([h, h3], 1), e))
        h = self.up1b_attn(self.up1b(torch.cat([h, h2], 1), e))
        h = self.upsample(F.interpolate(h, scale_factor=2, mode="nearest"))
        h = self.up0a(torch.cat([h, h1], 1), e)
        h = self.up0b(torch.cat([h, h0], 1), e)
        return self.conv_out(F.silu(self.norm_out(h)))


def from_configuration(line):
    """The U-Net a checkpoint's configuration line names (`unet ch=32 [out=2] [classes=10]`)."""
    words = dict(w.split("=") for w in line.split()[1:])
    if not line.startswith("unet ") or set(words) - {"ch", "out", "classes"}:
        sys.exit(f"unet.py: a configuration this script does not build: {line!r}")
    return UNet(int(words["ch"]), int(words.get("out", 1)), int(words.get("classes", 0)))


def load_model(path):
    """A U-Net and its weights from a workbench (or this script's) safetensors file."""
    from safetensors import safe_open

    with safe_open(path, "pt") as f:
        line = (f.metadata() or {}).get("configuration")
    if line is None:
        sys.exit(f"unet.py: {path} names no configuration in its metadata")
    model = from_configuration(line)
    model.load_state_dict({k: v.float() for k, v in load_file(path).items()})
    return model


def save_model(model, path, dtype=torch.float32):
    """The model as the workbench reads it: its state_dict under PyTorch's names, the configuration in the metadata."""
    tensors = {k: v.detach().to("cpu", dtype).contiguous() for k, v in model.state_dict().items()}
    save_file(tensors, path, metadata={"format": "ddpm-workbench", "configuration": model.configuration})


def digits(device):
    """The 1,500 training digits as x = v/8 − 1 ∈ [−1, 1], [1500, 1, 8, 8] (the workbench's split)."""
    with gzip.open(DIGITS, "rt") as f:
        rows = [list(map(int, line.split(","))) for line in f if line.strip() and line[0].isdigit()]
    values = torch.tensor([r[:64] for r in rows[:1500]], dtype=torch.float32)
    return (values / 8 - 1).reshape(-1, 1, 8, 8).to(device)


def step_loss(model, x0, abar, generator=None):
    """Algorithm 1: t ~ U{1…T}, ε ~ N(0, I), L_simple = mean (ε − ε_θ(√ᾱ x₀ + √(1 − ᾱ) ε, t))²."""
    n = x0.shape[0]
    t = torch.randint(1, T + 1, (n,), device=x0.device, generator=generator)
    eps = torch.randn(x0.shape, device=x0.device, generator=generator)
    a = abar[t - 1].float()[:, None, None, None]
    return F.mse_loss(model(a.sqrt() * x0 + (1 - a).sqrt() * eps, t), eps)


def cmd_train_bench(a):
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model, data = UNet(a.ch), digits("cpu")
    _, abar = schedule()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for i in range(a.warmup + a.steps):
        if i == a.warmup:
            start = time.perf_counter()
        x0 = data[torch.randint(0, data.shape[0], (128,))]
        loss = step_loss(model, x0, abar)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    print(json.dumps({"ch": a.ch, "threads": a.threads, "steps_per_s": a.steps / (time.perf_counter() - start)}))


def sample(model, n, generator, device):
    """Algorithm 2 with σₜ² = βₜ, no clipping, z = 0 at t = 1: all n images as one batch per step."""
    beta, abar = schedule()
    c1, c2, sigma = (1 / (1 - beta).sqrt()).float(), (beta / (1 - abar).sqrt()).float(), beta.sqrt().float()
    x = torch.randn(n, 1, 8, 8, generator=generator).to(device)
    for t in range(T, 0, -1):
        steps = torch.full((n,), t, dtype=torch.long, device=device)
        x = c1[t - 1] * (x - c2[t - 1] * model(x, steps))
        if t > 1:
            x = x + sigma[t - 1] * torch.randn(n, 1, 8, 8, generator=generator).to(device)
    return x


def cmd_sample_bench(a):
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = UNet(a.ch).eval()
    with torch.inference_mode():
        model(torch.zeros(a.images, 1, 8, 8), torch.ones(a.images, dtype=torch.long))
        start = time.perf_counter()
        sample(model, a.images, torch.Generator().manual_seed(1), "cpu")
        seconds = time.perf_counter() - start
    print(json.dumps({"ch": a.ch, "threads": a.threads, "seconds": seconds}))


def golden_hash(n, layer, salt):
    """hash(n, l, s)ₖ = 2·((k + 1 + 1000003·(2l + s))·2654435761 mod 2³²)/2³² − 1, k = 0…n − 1 (float64)."""
    k = torch.arange(n, dtype=torch.int64)
    h = ((k + 1 + 1000003 * (2 * layer + salt)) * 2654435761) % (1 << 32)
    return 2 * (h.double() / 4294967296) - 1


def cmd_golden(a):
    """Reproduces the golden file's float64 forward and backward (WORKLOAD-digits.md §3b) and compares."""
    golden = json.load(open(a.against))
    torch.set_num_threads(1)
    model = UNet(golden["ch"]).double()
    with torch.no_grad():
        for l, (name, p) in enumerate(model.named_parameters(), start=1):
            n = p.numel()
            if name.endswith("bias"):
                v = 0.1 * golden_hash(n, l, 1)
            elif p.dim() == 1:
                v = 1 + 0.1 * golden_hash(n, l, 0)
            else:
                v = golden_hash(n, l, 0) / math.sqrt(n / p.shape[0])
            p.copy_(v.view_as(p))
    x0 = (digits("cpu")[:4]).double()
    t = torch.tensor(golden["t"])
    eps = (golden_hash(4 * 64, 0, 1) * 1.5).reshape(4, 1, 8, 8)
    _, abar = schedule()
    ab = abar[t - 1][:, None, None, None]
    out = model(ab.sqrt() * x0 + (1 - ab).sqrt() * eps, t)
    loss = ((out - eps) ** 2).mean()
    loss.backward()
    worst = max(abs(o - g) / (1e-300 + abs(g)) for o, g in zip(out.flatten().tolist(), golden["output"]) if abs(g) > 1e-6)
    worst = max(worst, abs(loss.item() - golden["loss"]) / golden["loss"])
    params = dict(model.named_parameters())
    for entry in golden["parameters"]:
        g = params[entry["name"]].grad
        if list(g.shape) != entry["shape"]:
            sys.exit(f"golden: {entry['name']} has shape {list(g.shape)}, the golden file {entry['shape']}")
        n, sumsq = g.numel(), entry["grad_sumsq"]
        # A sum's scale is √(n·Σg²) (Cauchy–Schwarz): a relative error of the sum that cancels is measured against it.
        worst = max(worst, abs(g.sum().item() - entry["grad_sum"]) / math.sqrt(n * sumsq), abs((g**2).sum().item() - sumsq) / sumsq)
    # Float64 through the same operations in another order: about 1e-13 relative; 1e-9 leaves room for the sums.
    ok = worst < 1e-9
    print(json.dumps({"golden": a.against, "largest_relative_difference": worst, "ok": ok}))
    sys.exit(0 if ok else 1)


def cmd_train(a):
    """Algorithm 1 with Adam and an EMA of the weights (decay 0.999), saved for the workbench's lessons 09–16."""
    device = a.device
    torch.manual_seed(a.seed)
    model = UNet(a.ch).to(device)
    ema = UNet(a.ch).to(device)
    ema.load_state_dict(model.state_dict())
    data = digits(device)
    _, abar = schedule()
    abar = abar.to(device)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    for step in range(1, a.steps + 1):
        loss = step_loss(model, data[torch.randint(0, data.shape[0], (a.batch,), device=device)], abar)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        with torch.no_grad():
            for e, p in zip(ema.parameters(), model.parameters()):
                e.mul_(0.999).add_(p, alpha=0.001)
        if step % max(1, a.steps // 20) == 0:
            print(f"step {step}: loss {loss.item():.4f}", flush=True)
    save_model(ema, a.out)
    print(f"wrote {a.out} ({ema.configuration}); run lesson-09 with --models on its folder (name it digits-unet.safetensors)")


def cmd_eps(a):
    """ε_θ of a model on the inputs file's x [N, 1, 8, 8] and t [N] (float32), written as eps [N, 1, 8, 8]."""
    model = load_model(a.model).eval()
    inputs = load_file(a.inputs)
    with torch.inference_mode():
        eps = model(inputs["x"].float(), inputs["t"].round().long())
    save_file({"eps": eps.contiguous()}, a.out)


def cmd_fixture(a):
    """The file `make test` reads: a U-Net at ch = 16 with PyTorch's initialisation (its zero-initialised tensors
    given small random values, so every tensor changes ε_θ), stored in float16, and inputs with PyTorch's float32
    ε_θ for the weights as stored. The Swift reader must give the same ε_θ."""
    torch.manual_seed(2026)
    model = UNet(16)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.abs().max() == 0:
                p.copy_(0.05 * torch.randn_like(p))
        for p in model.parameters():
            p.copy_(p.half().float())
    os.makedirs(a.out, exist_ok=True)
    save_model(model, os.path.join(a.out, "pytorch-unet-ch16.safetensors"), dtype=torch.float16)
    g = torch.Generator().manual_seed(7)
    x = torch.randn(4, 1, 8, 8, generator=g)
    t = torch.tensor([1, 10, 500, 1000])
    with torch.inference_mode():
        eps = model(x, t)
    save_file({"x": x, "t": t.float(), "eps": eps.contiguous()}, os.path.join(a.out, "pytorch-unet-ch16-eps.safetensors"))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    for name in ["train-bench", "sample-bench"]:
        s = sub.add_parser(name)
        s.add_argument("--threads", type=int, default=1)
        s.add_argument("--ch", type=int, default=32)
        s.add_argument("--warmup", type=int, default=20)
        s.add_argument("--steps", type=int, default=200)
        s.add_argument("--images", type=int, default=100)
    s = sub.add_parser("golden")
    s.add_argument("--against", required=True)
    s = sub.add_parser("train")
    s.add_argument("--ch", type=int, default=32)
    s.add_argument("--steps", type=int, default=20000)
    s.add_argument("--batch", type=int, default=128)
    s.add_argument("--lr", type=float, default=1e-3)
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    s.add_argument("--out", required=True)
    s = sub.add_parser("eps")
    for flag in ["--model", "--inputs", "--out"]:
        s.add_argument(flag, required=True)
    s = sub.add_parser("fixture")
    s.add_argument("--out", required=True)
    a = p.parse_args()
    {"train-bench": cmd_train_bench, "sample-bench": cmd_sample_bench, "golden": cmd_golden, "train": cmd_train,
     "eps": cmd_eps, "fixture": cmd_fixture}[a.command](a)


if __name__ == "__main__":
    main()
