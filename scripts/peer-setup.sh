#!/usr/bin/env bash
# Makes, on demand, the virtual environment the PyTorch side of the benchmarks and of the safetensors round trip
# runs in: CPU-only torch (a plain `pip install torch` would pull gigabytes of GPU libraries), numpy and
# safetensors. Prints the environment's python. Usage: scripts/peer-setup.sh [folder=.build/peer]
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${1:-.build/peer}
packages=(numpy safetensors "torch==2.13.0+cpu")
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import numpy, safetensors, torch" 2>/dev/null; then
  echo "$venv/bin/python"
  exit 0
fi
command -v python3 >/dev/null 2>&1 || { echo "peer-setup: error: python3 is not installed" >&2; exit 1; }
echo "peer-setup: making $venv (${packages[*]})" >&2
python3 -m venv "$venv" >&2 || { echo "peer-setup: error: python3 -m venv failed (on Debian: apt-get install python3-venv)" >&2; exit 1; }
# The CPU wheel of torch: from the machine's wheel folder when it holds one, else from PyTorch's CPU index.
if compgen -G "/opt/wheels/torch-2.13.0+cpu-*.whl" >/dev/null; then
  sources=(--find-links /opt/wheels)
else
  sources=(--extra-index-url https://download.pytorch.org/whl/cpu)
fi
"$venv/bin/pip" install -q "${sources[@]}" "${packages[@]}" >&2 || { echo "peer-setup: error: pip could not install ${packages[*]}" >&2; exit 1; }
echo "$venv/bin/python"
