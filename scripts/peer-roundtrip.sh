#!/usr/bin/env bash
# The PyTorch half of the safetensors round trip (make test checks the workbench's half against the file shipped in
# Tests/WorkbenchTests/Resources, without PyTorch):
#   PyTorch → workbench: scripts/peer/unet.py writes a fresh U-Net and its ε_θ; `workbench eps` reads the model and
#                        must give the same ε_θ;
#   workbench → PyTorch: lesson 08's digits-unet.safetensors (written by the workbench) loads into the PyTorch U-Net,
#                        which must give the ε_θ `workbench eps` gives.
# Both to float32 rounding: 4e-5 of ε_θ's largest value (PyTorchFileTests derives it). Usage: scripts/peer-roundtrip.sh [python]
set -euo pipefail
cd "$(dirname "$0")/.."
python=${1:-$(scripts/peer-setup.sh)}
model=Plots/08-digits/digits-unet.safetensors
[ -f "$model" ] || { echo "peer-roundtrip: error: $model not found: run lesson-08 (make lessons) first" >&2; exit 1; }
swift build -c release --product workbench >/dev/null
workbench=.build/release/workbench
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$python" scripts/peer/unet.py fixture --out "$work"
inputs="$work/pytorch-unet-ch16-eps.safetensors"
"$workbench" eps --model "$work/pytorch-unet-ch16.safetensors" --inputs "$inputs" --output "$work/workbench-from-torch.safetensors"
"$workbench" eps --model "$model" --inputs "$inputs" --output "$work/workbench-own.safetensors"
"$python" scripts/peer/unet.py eps --model "$model" --inputs "$inputs" --out "$work/torch-from-workbench.safetensors"
"$python" - "$work" Tests/WorkbenchTests/Resources <<'PY'
import sys
from safetensors.torch import load_file
work, shipped = sys.argv[1], sys.argv[2]
def compare(what, a, b):
    err, scale = (a - b).abs().max().item(), b.abs().max().item()
    ok = err <= 4e-5 * scale
    print(f"{'✓' if ok else '✗'} {what}: largest difference {err:.2e}, {err / scale:.1e} of ε_θ's scale {scale:.3f} (allowed 4e-5)")
    return ok
fresh = load_file(f"{work}/pytorch-unet-ch16-eps.safetensors")["eps"]
ok = compare("PyTorch → workbench (a fresh PyTorch U-Net, read by workbench eps)", load_file(f"{work}/workbench-from-torch.safetensors")["eps"], fresh)
ok &= compare("workbench → PyTorch (lesson 08's model in the PyTorch U-Net)", load_file(f"{work}/torch-from-workbench.safetensors")["eps"], load_file(f"{work}/workbench-own.safetensors")["eps"])
same = all((load_file(f"{work}/{f}")[k] == load_file(f"{shipped}/{f}")[k]).all().item() for f in ["pytorch-unet-ch16.safetensors"] for k in load_file(f"{shipped}/{f}"))
print(("✓ the shipped fixture is what this PyTorch writes today" if same else
       "note: this PyTorch writes other fixture values than the shipped file (another torch version?); the shipped file still tests the reader"))
sys.exit(0 if ok else 1)
PY
