# The README's two commands:
#   make lessons   install what is missing, build in release mode, run every lesson, regenerate Plots/
#   make test      install what is missing, run the tests
.PHONY: lessons test setup references

lessons:
	scripts/lessons.sh

test:
	scripts/test.sh

setup:
	scripts/setup.sh

# Regenerates the high-precision reference values the tests compare against (needs mpmath).
references:
	python3 scripts/references.py > Tests/WorkbenchTests/Resources/references.csv
