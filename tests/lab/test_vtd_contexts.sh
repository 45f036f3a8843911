#!/usr/bin/env bash
# Lab test: per-context workloads on x86-vtd (Debian 6.1, emulated VT-d).
# aux-switch.ini (8 contexts, 16 round-robin rebinds, isolation checks with
# edu DMA), the oracle's own failure test (--test-skip-unmap), the
# invalidation patterns and THP-backed 2 MiB mappings. Counts are checked
# exactly against the model in docs/vfio-type1-model.md ("Contexts").
set -u
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib_vtd.sh
. "$(dirname "$0")/lib_vtd.sh"
lab_setup ctx

vtd_contexts_checks x86-vtd vtd-contexts
lab_done vtd-contexts
