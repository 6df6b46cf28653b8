#!/usr/bin/env bash
# Builds the workbench in release mode and runs every lesson in order, regenerating Plots/.
# Extra arguments (e.g. --seed 1) are passed to every lesson.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release
status=0
for dir in Lessons/[0-9][0-9]-*/; do
  number=$(basename "$dir" | cut -c1-2)
  echo
  start=$(date +%s%N)
  .build/release/lesson-"$number" "$@" || status=$?
  elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
  echo "lesson-$number took $((elapsed / 1000)).$(printf '%03d' $((elapsed % 1000))) s" >&2
done
exit $status
