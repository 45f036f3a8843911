#!/bin/sh
# tests/lab/readme-recipe.sh [README.md]: prints, one a line and in order, the
# commands of every ```sh block that directly follows a line
# "<!-- hw-recipe -->" in the README (blank lines and # comments skipped).
# tests/lab/test_vtd_nvme.sh runs them verbatim on the lab's NVMe controller;
# tests/test-ci-recipes.sh counts them. Exit 1 when there is none, or when a
# marked block is not closed.
awk '
	mark && /^```sh[ \t]*$/ { inblk = 1; mark = 0; blocks++; next }
	{ mark = 0 }
	/^<!-- hw-recipe -->[ \t]*$/ { mark = 1; next }
	inblk && /^```[ \t]*$/ { inblk = 0; next }
	inblk && !/^[ \t]*(#|$)/ { print; n++ }
	END {
		if (inblk) { print "readme-recipe: a hw-recipe block is not closed" > "/dev/stderr"; exit 1 }
		if (!n) { print "readme-recipe: no <!-- hw-recipe --> sh block" > "/dev/stderr"; exit 1 }
	}' "${1:-README.md}"
