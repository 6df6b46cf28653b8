# The README's two commands:
#   make lessons   install what is missing, build in release mode, run every lesson, regenerate Plots/
#   make test      install what is missing, run the tests
.PHONY: lessons test setup references peer-references

lessons:
	scripts/lessons.sh

test:
	scripts/test.sh

setup:
	scripts/setup.sh

# Regenerates the high-precision reference values the tests compare against (needs mpmath).
references:
	python3 scripts/references.py > Tests/WorkbenchTests/Resources/references.csv

# Regenerates the values pinned to the PyTorch peers (needs the peer's venv, ../shared/bench/README.md).
peer-references:
	/tmp/peer/bin/python scripts/peer_references.py > Tests/WorkbenchTests/Resources/peer-embedding.csv
