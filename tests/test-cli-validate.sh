# Sourced by tests/test-cli.sh ($bin, $tmp, $here and the check helpers
# set): `run` refuses bad input before its first side effect. Every
# refusal: exit 2, within a second or two, the message naming what is
# wrong, no results/ and no results file created.

# A PCI address no host has (domain 0x7fff0000); nothing below may ever
# reach a real device's driver.
nodev=7fff0000:00:00.0
top=$PWD
# these runs start in other folders
case $bin in /*) vbin=$bin ;; */*) vbin=$PWD/$bin ;; *) vbin=$(command -v "$bin") ;; esac

# run_in DIR ARGS...: run from DIR with stderr in $tmp/err; sets rc and ms
run_in() {
	local dir=$1 t0
	shift
	t0=$(date +%s%N)
	(cd "$dir" && IOMMUBENCH_DEVICE= timeout 60 "$vbin" run "$@") > /dev/null 2> "$tmp/err"
	rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
}

# refused WHAT PATTERN: exit 2, quickly, the message matches PATTERN
refused() {
	check_eq "$1: exit 2" "$rc" 2
	check_eq "$1: refused within 2 s (took $ms ms)" "$((ms < 2000))" 1
	check_eq "$1: says why" "$(grep -cE -- "$2" "$tmp/err")" 1
}

cwd=$tmp/cwd
mkdir -p "$cwd"
# -o into a folder that does not exist, or is a file: refused up front, not
# after the run (whose data would be lost)
run_in "$cwd" "$top/scenarios/basic.ini" --device "$nodev" -o "$tmp/nodir/x.json"
refused "-o in a missing folder" "cannot write $tmp/nodir/x.json: folder $tmp/nodir: No such file or directory"
run_in "$cwd" "$top/scenarios/basic.ini" --device "$nodev" -o "$tmp/keep.json/x.json"
refused "-o under a file" "folder $tmp/keep.json: Not a directory"
run_in "$cwd" "$top/scenarios/basic.ini" --device "$nodev" -o "$tmp/"
refused "-o naming a folder" "not a file name"
check_eq "-o refused: no results/ created" "$(ls -A "$cwd")" ""
# the default output: results/ is made only when a run writes, never by a
# refused one (here: no such device)
run_in "$cwd" "$top/scenarios/basic.ini" --device "$nodev"
refused "no such device" "device $nodev: .*No such file or directory \(no such PCI device"
check_eq "refused run: no results/ created" "$(ls -A "$cwd")" ""

# trace checks its output path the same way, before the probes load
t0=$(date +%s%N)
(cd "$cwd" && timeout 60 "$vbin" trace -d 1 -o "$tmp/nodir/t.json") 2> "$tmp/err"
rc=$? ms=$((($(date +%s%N) - t0) / 1000000))
refused "trace -o in a missing folder" "cannot write $tmp/nodir/t.json: folder $tmp/nodir: No such file or directory"
check_eq "trace refused: no results/ created" "$(ls -A "$cwd")" ""

# a plan too large for memory is refused from the scenario's numbers, before
# anything is allocated, with the file, the line and the key to lower
printf '[global]\nbackend=vfio\n\n[big]\npages=1048576\norder=map_unmap_each\nloops=4\n' > "$tmp/big.ini"
run_in "$cwd" "$tmp/big.ini" --device "$nodev" -o "$tmp/big.json"
refused "over-size plan" "^iommubench: $tmp/big.ini:5: key 'pages': pages=1048576: .*would need [0-9.]+ [MG]iB .*\(limit 256 MiB\); lower pages, or "
# --repetitions overrides loops=: then the option is what to lower
run_in "$cwd" "$top/scenarios/basic.ini" --device "$nodev" -o "$tmp/big.json" -R 1000000
refused "over-size plan by --repetitions" "^iommubench: $top/scenarios/basic.ini: --repetitions 1000000 with this scenario: .*lower --repetitions"
printf '[global]\nbackend=vfio\n[small]\npages=4\n' > "$tmp/big2.ini"
run_in "$cwd" "$tmp/big2.ini" --device "$nodev" -o "$tmp/big.json" -R 1000000
check_eq "a large plan within the limit: passes the size check" "$(grep -c 'would need' "$tmp/err")" 0
# dma: more dma_map_benchmark runs than a run keeps, refused before binding
run_in "$cwd" "$top/scenarios/dma-map.ini" --device "$nodev" -o "$tmp/big.json" -R 1023
refused "dma: too many runs" "^iommubench: $top/scenarios/dma-map.ini: --repetitions 1023: .* more than the 1024 a run keeps"
check_eq "over-size plans: nothing written" "$(ls "$tmp"/big*.json 2> /dev/null; ls -A "$cwd")" ""

# one parser for PCI addresses: --device and device= take and refuse the same
# forms (the kernel's sysfs names, 4 to 8 domain digits as VMD's 10000:...,
# lspci's short form); an accepted one gets as far as the output check
for form in 7fff0000:00:00.0 10000:e1:00.0 ff:1f.7 ABCD:FF:1F.7 0000:ff:1f.6 \
	000:00:02.0 123456789:00:00.0 80000000:00:00.0 0000:00:20.0 0000:00:02.8 0000:ff:1f mock; do
	canon=$(printf '%s' "$form" | tr 'A-F' 'a-f')
	case $canon in ??:??.?) canon=0000:$canon ;; esac
	if [ -e "/sys/bus/pci/devices/$canon" ]; then
		echo "  skip: $form names a device on this host"
		continue
	fi
	run_in "$cwd" "$top/scenarios/basic.ini" --device "$form" -o "$tmp/nodir/x.json"
	cli=$(grep -oE 'not a PCI address|PCI allows|folder [^ ]*: No such' "$tmp/err")
	cli_rc=$rc
	printf '[global]\ndevice=%s\n[dev]\npages=1\n' "$form" > "$tmp/dev.ini"
	run_in "$cwd" "$tmp/dev.ini" -o "$tmp/nodir/x.json"
	ini=$(grep -oE 'not a PCI address|PCI allows|folder [^ ]*: No such' "$tmp/err")
	check_eq "device $form: --device and device= agree" "$cli_rc $cli" "$rc $ini"
	check_eq "device $form: refused with exit 2" "$rc" 2
	case $form in
	7fff0000:* | 10000:* | ff:* | ABCD:* | 0000:ff:1f.6)
		check_eq "device $form: accepted" "$cli" "folder $tmp/nodir: No such" ;;
	*)
		check_eq "device $form: refused by both" "$(grep -cE "dev.ini:2: key 'device': " "$tmp/err")" 1 ;;
	esac
done

# privileges: an unprivileged user is refused before anything is done, with
# what to do; run as nobody when this test runs as root
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv > /dev/null; then
	echo "  skip: unprivileged run (needs root and setpriv to become nobody)"
else
	nb=$tmp/nobody
	mkdir -p "$nb"
	chown nobody "$nb"
	chmod 755 "$tmp"
	t0=$(date +%s%N)
	(cd "$nb" && IOMMUBENCH_DEVICE= setpriv --reuid=nobody --regid=nogroup --clear-groups \
		timeout 60 "$vbin" run "$top/scenarios/basic.ini" --device "$nodev") 2> "$tmp/err"
	rc=$? ms=$((($(date +%s%N) - t0) / 1000000))
	refused "as nobody, probes" "the probes need root \(CAP_SYS_ADMIN, or CAP_BPF and CAP_PERFMON\).*uid 65534.*run as root, or pass --no-probes"
	# without probes, moving a device (any on this host; nobody cannot) needs root too
	dev=$(ls /sys/bus/pci/devices 2> /dev/null | head -n 1)
	if [ -n "$dev" ] && [ "$(basename "$(readlink "/sys/bus/pci/devices/$dev/driver" 2> /dev/null)")" != vfio-pci ]; then
		t0=$(date +%s%N)
		(cd "$nb" && IOMMUBENCH_DEVICE= setpriv --reuid=nobody --regid=nogroup --clear-groups \
			timeout 60 "$vbin" run --no-probes "$top/scenarios/basic.ini" --device "$dev") 2> "$tmp/err"
		rc=$? ms=$((($(date +%s%N) - t0) / 1000000))
		refused "as nobody, bind" "moving $dev from .* needs root: .*driver_override: Permission denied"
	else
		echo "  skip: as nobody, bind (no PCI device on this host that is off vfio-pci)"
	fi
	t0=$(date +%s%N)
	(cd "$nb" && setpriv --reuid=nobody --regid=nogroup --clear-groups timeout 60 "$vbin" trace -d 1) 2> "$tmp/err"
	rc=$? ms=$((($(date +%s%N) - t0) / 1000000))
	refused "as nobody, trace" "the probes need root \(CAP_SYS_ADMIN, or CAP_BPF and CAP_PERFMON\)"
	check_eq "as nobody: nothing created" "$(ls -A "$nb")" ""
	chmod 700 "$tmp"
fi
