#!/usr/bin/env python3
"""Checks the house rule for prose in the lessons: multi-line string literals at most 120 columns wide, and no
single-line literal of 80 or more characters on a line wider than 120 columns. Prints one line per offence
(file:line: columns) and exits 1 if there is any."""
import pathlib
import sys

WIDTH, LONG = 120, 80
roots = [pathlib.Path(p) for p in (sys.argv[1:] or ["Lessons", "Sources/ExerciseKit"])]


def longest_literal(line):
    """The most text (characters outside interpolations) in one single-line string literal on `line`."""
    best, i = 0, 0
    while i < len(line):
        if line.startswith("//", i):
            break
        if line[i] == '"':
            j, depth, text = i + 1, 0, 0
            while j < len(line):
                if line[j] == "\\" and j + 1 < len(line):
                    depth += line[j + 1] == "("
                    text += not depth
                    j += 2
                    continue
                if depth and line[j] == "(":
                    depth += 1
                elif depth and line[j] == ")":
                    depth -= 1
                elif not depth and line[j] == '"':
                    break
                text += not depth
                j += 1
            best = max(best, text)
            i = j + 1
            continue
        i += 1
    return best


offences = []
for root in roots:
    for path in sorted(root.rglob("*.swift")):
        inside = False
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            width = len(line)
            if line.count('"""') % 2 == 1:
                inside = not inside
                continue
            if inside and width > WIDTH:
                offences.append(f"{path}:{number}: prose line of {width} columns (at most {WIDTH})")
            elif not inside and width > WIDTH and longest_literal(line) >= LONG:
                offences.append(f"{path}:{number}: a {longest_literal(line)}-character literal on a {width}-column line")
for offence in offences:
    print(offence)
if offences:
    print(f"prose-width: {len(offences)} lines to rewrap as multi-line literals (at most {WIDTH} columns)", file=sys.stderr)
    sys.exit(1)
