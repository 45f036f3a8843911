#!/usr/bin/env bash
# Lab test: x86-vtd (Debian 6.1, emulated VT-d). Boots once, runs two
# scenarios and `hooks --json` in the guest, then checks every count against
# the model in docs/vfio-type1-model.md. Exact equality, no lower bounds.
set -u
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib_vtd.sh
. "$(dirname "$0")/lib_vtd.sh"
lab_setup vtd

vtd_vfio_checks x86-vtd 6.1. true vtd-vfio
lab_done vtd-vfio
