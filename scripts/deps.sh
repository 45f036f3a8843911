#!/usr/bin/env bash
# Installs the Debian packages iommubench needs, and only the missing ones.
#   scripts/deps.sh            build, unit tests and the x86 lab
#   scripts/deps.sh arm64      also the arm64 cross-build (multiarch libraries)
#                              and the arm64 lab targets (qemu-system-aarch64)
set -euo pipefail

pkgs=(
	make gcc pkg-config      # build
	clang llvm               # BPF objects (clang -target bpf), llvm-strip
	libclang-rt-dev          # make test-fuzz/test-sanitize: clang's libFuzzer, ASan and UBSan runtimes (libclang-rt-14-dev on bookworm; only recommended by clang)
	bpftool                  # skeletons, vmlinux.h
	libbpf-dev libelf-dev zlib1g-dev   # libbpf and what it links against (static .a included)
	libjansson-dev           # results JSON
	libinih-dev              # scenario INI files
	qemu-system-x86          # the lab: q35 with intel-iommu and the edu device
	jq                       # lab tests read the results documents
	python3-jsonschema       # tests/test-schema.sh: results documents against docs/results.schema.json
	lava-common              # tests/test-ci-recipes.sh: ci/lava/iommubench-gate.yaml against LAVA's own test definition schema (pulls python3-voluptuous)
	time                     # make bench: peak RSS and wall time of report (/usr/bin/time -v)
	gnuplot-nox              # report --format html: plots rendered to inline SVG
	python3                  # tests/test-report-hostile.sh: parses the reports (xml.etree, html.parser)
	chromium                 # tests/test-report-html.sh: the HTML report in a headless browser
	busybox-static cpio kmod xz-utils zstd   # the lab's initramfs (depmod, decompressing modules)
	flex                     # x86-iommufd lab kernel build (lab/build-kernel): Kconfig and dtc lexers
	bison                    # x86-iommufd lab kernel build: Kconfig parser
	bc                       # x86-iommufd lab kernel build: timeconst.h
	libssl-dev               # x86-iommufd lab kernel build: certificate tools (extract-cert, sign-file)
	dwarves                  # x86-iommufd lab kernel build: pahole turns DWARF into BTF (DEBUG_INFO_BTF)
)
if [ "${1:-}" = arm64 ]; then
	pkgs+=(gcc-aarch64-linux-gnu libbpf-dev:arm64 libelf-dev:arm64 zlib1g-dev:arm64
	       libjansson-dev:arm64 libinih-dev:arm64
	       qemu-system-arm   # the arm64 lab: virt machine with an emulated SMMUv3
	       dpkg-dev patch ninja-build libglib2.0-dev libfdt-dev libcap-ng-dev libattr1-dev)  # lab/qemu/build: QEMU with the MMU-500 model (arm64-smmuv2)
fi

missing=()
for p in "${pkgs[@]}"; do
	[ "${p:0:1}" = "#" ] && continue
	# once arm64 is a foreign architecture, a bare name lists every installed
	# architecture of a multiarch package: require the native one (or "all")
	arch=${p#*:}
	[ "$arch" != "$p" ] || arch="$(dpkg --print-architecture)|all"
	dpkg-query -W -f='${db:Status-Status} ${Architecture}\n' "$p" 2>/dev/null |
		grep -qxE "installed ($arch)" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#pkgs[@]} packages present"
	exit 0
fi
echo "deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: not root: run as root, or: apt-get install ${missing[*]}" >&2
	exit 1
fi
if [ "${1:-}" = arm64 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
	echo "deps: adding arm64 as a dpkg foreign architecture (multiarch)"
	dpkg --add-architecture arm64
fi
export DEBIAN_FRONTEND=noninteractive
if ! apt-get update -qq; then
	echo "deps: apt-get update failed: check the apt sources and the network" >&2
	exit 1
fi
if ! apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
	echo "deps: apt-get install failed for: ${missing[*]}" >&2
	exit 1
fi
echo "deps: done"
