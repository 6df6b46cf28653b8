#!/usr/bin/env bash
# Runs the workbench's benchmarks and their PyTorch peers (scripts/peer/toy2d.py, scripts/peer/unet.py) side by
# side, alternating, and prints medians and ratios. Makes the peer's environment on demand (scripts/peer-setup.sh)
# and first checks the PyTorch U-Net against the golden file when ../shared/bench is beside the package.
# Usage: scripts/bench-compare.sh [rounds=3] [python=the environment scripts/peer-setup.sh makes]
# WORKLOADS="toy2d digits" (the default) chooses the workloads; digits runs ch = 32 and ch = 16.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
python=${2:-$(scripts/peer-setup.sh)}
workloads=${WORKLOADS:-toy2d digits}
"$python" -c "import torch, safetensors" 2>/dev/null || { echo "bench-compare: error: $python cannot import torch and safetensors (scripts/peer-setup.sh makes an environment that can)" >&2; exit 1; }
if [ -f ../shared/bench/golden-unet-ch16.json ]; then
  for ch in 16 32; do "$python" scripts/peer/unet.py golden --against ../shared/bench/golden-unet-ch$ch.json; done
else
  echo "bench-compare: ../shared/bench is not beside the package: the PyTorch U-Net is not checked against the golden files"
fi
swift build -c release --product bench-toy2d >/dev/null
swift build -c release --product bench-digits >/dev/null
out=$(mktemp -d)
# The peer's own peak RSS: run it under a wrapper that prints getrusage's maxrss (KiB) after it finishes. The
# script's folder goes first on sys.path, as `python script.py` puts it (toy2d.py imports unet.py beside it).
peer() {
  "$python" -c 'import os, resource, runpy, sys; sys.argv = sys.argv[1:]; sys.path.insert(0, os.path.dirname(os.path.abspath(sys.argv[0]))); runpy.run_path(sys.argv[0], run_name="__main__"); print("peak_rss_kib:", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)' "$@"
}
for round in $(seq "$rounds"); do
  for threads in 1 2; do
    if [[ " $workloads " == *" toy2d "* ]]; then
      .build/release/bench-toy2d --threads "$threads" > "$out/swift-$threads-$round"
      peer scripts/peer/toy2d.py train-bench --threads "$threads" > "$out/torch-train-$threads-$round"
      peer scripts/peer/toy2d.py sample-bench --threads "$threads" > "$out/torch-sample-$threads-$round"
    fi
    if [[ " $workloads " == *" digits "* ]]; then
      for ch in 32 16; do
        .build/release/bench-digits --threads "$threads" --ch "$ch" > "$out/dswift-$ch-$threads-$round"
        peer scripts/peer/unet.py train-bench --threads "$threads" --ch "$ch" > "$out/dtorch-train-$ch-$threads-$round"
        peer scripts/peer/unet.py sample-bench --threads "$threads" --ch "$ch" > "$out/dtorch-sample-$ch-$threads-$round"
      done
    fi
  done
done
python3 - "$out" "$rounds" "$workloads" <<'PY'
import json, statistics, sys
out, rounds, workloads = sys.argv[1], int(sys.argv[2]), sys.argv[3].split()
m = statistics.median
R = range(1, rounds + 1)
def field(path, key):
    for line in open(path):
        if line.startswith(key + ":"):
            return float(line.split(":")[1])
def peer(path):
    lines = open(path).read().splitlines()
    return json.loads(next(l for l in lines if l.startswith("{"))), float(next(l for l in lines if l.startswith("peak_rss_kib:")).split(":")[1]) / 1024
def span(xs, fmt):
    return f"{m(xs):{fmt}} ({min(xs):{fmt}}–{max(xs):{fmt}})"
if "toy2d" in workloads:
    print("toy2d:")
    print("| threads | Swift train steps/s | PyTorch steps/s | ratio | Swift sample s | PyTorch s | ratio | Swift peak RSS MiB |")
    print("|---|---|---|---|---|---|---|---|")
    for t in (1, 2):
        st = [field(f"{out}/swift-{t}-{r}", "train_steps_per_s") for r in R]
        ss = [field(f"{out}/swift-{t}-{r}", "sample_seconds") for r in R]
        tt = [peer(f"{out}/torch-train-{t}-{r}")[0]["steps_per_s"] for r in R]
        ts = [peer(f"{out}/torch-sample-{t}-{r}")[0]["seconds"] for r in R]
        rss = [field(f"{out}/swift-{t}-{r}", "peak_rss_mib") for r in R]
        print(f"| {t} | {span(st, '.0f')} | {span(tt, '.0f')} | {m(st)/m(tt):.2f}× | {span(ss, '.2f')} | {span(ts, '.2f')} | {m(ss)/m(ts):.2f}× | {max(rss):.0f} |")
if "digits" in workloads:
    print("digits-unet:")
    print("| ch | threads | Swift train steps/s | PyTorch steps/s | ratio | Swift sample s | PyTorch s | ratio | peak RSS MiB Swift / PyTorch |")
    print("|---|---|---|---|---|---|---|---|---|")
    for ch in (32, 16):
        for t in (1, 2):
            st = [field(f"{out}/dswift-{ch}-{t}-{r}", "train_steps_per_s") for r in R]
            ss = [field(f"{out}/dswift-{ch}-{t}-{r}", "sample_seconds") for r in R]
            tt = [peer(f"{out}/dtorch-train-{ch}-{t}-{r}")[0]["steps_per_s"] for r in R]
            ts = [peer(f"{out}/dtorch-sample-{ch}-{t}-{r}")[0]["seconds"] for r in R]
            rss = [field(f"{out}/dswift-{ch}-{t}-{r}", "peak_rss_mib") for r in R]
            prss = [max(peer(f"{out}/dtorch-train-{ch}-{t}-{r}")[1], peer(f"{out}/dtorch-sample-{ch}-{t}-{r}")[1]) for r in R]
            print(f"| {ch} | {t} | {span(st, '.2f')} | {span(tt, '.2f')} | {m(st)/m(tt):.2f}× | {span(ss, '.1f')} | {span(ts, '.1f')} | {m(ss)/m(ts):.2f}× | {max(rss):.0f} / {max(prss):.0f} |")
PY
