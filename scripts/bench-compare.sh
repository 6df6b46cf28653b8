#!/usr/bin/env bash
# Runs the toy2d benchmark and its PyTorch peer side by side, alternating, and prints medians and
# ratios. Needs the peer's environment (../shared/bench/README.md):
#   python3 -m venv /tmp/peer && /tmp/peer/bin/pip install -q numpy scikit-learn torch==2.13.0+cpu
# Usage: scripts/bench-compare.sh [rounds=3] [python=/tmp/peer/bin/python]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
python=${2:-/tmp/peer/bin/python}
peer=../shared/bench/torch_ref.py
[ -f "$peer" ] || { echo "bench-compare: error: $peer not found (../shared must sit beside the package)" >&2; exit 1; }
"$python" -c "import torch" 2>/dev/null || { echo "bench-compare: error: $python cannot import torch; see ../shared/bench/README.md" >&2; exit 1; }
swift build -c release --product bench-toy2d >/dev/null
out=$(mktemp -d)
for round in $(seq "$rounds"); do
  for threads in 1 2; do
    .build/release/bench-toy2d --threads "$threads" > "$out/swift-$threads-$round"
    (cd ../shared/bench && "$python" torch_ref.py train-bench --threads "$threads") > "$out/torch-train-$threads-$round"
    (cd ../shared/bench && "$python" torch_ref.py sample-bench --threads "$threads") > "$out/torch-sample-$threads-$round"
  done
done
python3 - "$out" "$rounds" <<'PY'
import json, statistics, sys, os
out, rounds = sys.argv[1], int(sys.argv[2])
def field(path, key):
    for line in open(path):
        if line.startswith(key + ":"):
            return float(line.split(":")[1])
print("| threads | Swift train steps/s | PyTorch steps/s | ratio | Swift sample s | PyTorch s | ratio | Swift peak RSS MiB |")
print("|---|---|---|---|---|---|---|---|")
for t in (1, 2):
    st = [field(f"{out}/swift-{t}-{r}", "train_steps_per_s") for r in range(1, rounds + 1)]
    ss = [field(f"{out}/swift-{t}-{r}", "sample_seconds") for r in range(1, rounds + 1)]
    tt = [json.load(open(f"{out}/torch-train-{t}-{r}"))["steps_per_s"] for r in range(1, rounds + 1)]
    ts = [json.load(open(f"{out}/torch-sample-{t}-{r}"))["seconds"] for r in range(1, rounds + 1)]
    rss = [field(f"{out}/swift-{t}-{r}", "peak_rss_mib") for r in range(1, rounds + 1)]  # getrusage, whole process
    m = statistics.median
    print(f"| {t} | {m(st):.0f} ({min(st):.0f}–{max(st):.0f}) | {m(tt):.0f} ({min(tt):.0f}–{max(tt):.0f}) | {m(st)/m(tt):.2f}× "
          f"| {m(ss):.2f} ({min(ss):.2f}–{max(ss):.2f}) | {m(ts):.2f} ({min(ts):.2f}–{max(ts):.2f}) | {m(ss)/m(ts):.2f}× | {max(rss):.0f} |")
PY
