# The README's two commands:
#   make lessons   install what is missing, build in release mode, run every lesson, regenerate Plots/
#   make test      install what is missing, run the tests
.PHONY: lessons test setup format lint references peer-references peer-roundtrip bench

lessons:
	scripts/lessons.sh

test:
	scripts/test.sh

setup:
	scripts/setup.sh

# Rewrites the sources in the house layout (scripts/swift-format.json); `lint` checks it, as CI does.
format:
	swift format format --configuration scripts/swift-format.json --in-place --recursive Sources Tests Lessons Package.swift

lint:
	swift format lint --configuration scripts/swift-format.json --strict --recursive Sources Tests Lessons Package.swift
	python3 scripts/prose-width.py

# Regenerates the high-precision reference values the tests compare against (needs mpmath).
references:
	python3 scripts/references.py > Tests/WorkbenchTests/Resources/references.csv

# Regenerates the values pinned to the PyTorch peers (in the environment scripts/peer-setup.sh makes on demand).
peer-references:
	"$$(scripts/peer-setup.sh)" scripts/peer_references.py > Tests/WorkbenchTests/Resources/peer-embedding.csv

# The PyTorch half of the safetensors round trip (workbench → PyTorch → workbench), and the benchmarks against PyTorch.
peer-roundtrip:
	scripts/peer-roundtrip.sh

bench:
	scripts/bench-compare.sh 3
