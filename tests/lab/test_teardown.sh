#!/usr/bin/env bash
# Lab test: x86-vtd. Whatever way a run ends (normally, on an error, on
# SIGINT, SIGTERM, a second SIGINT during the teardown, SIGKILL followed by
# `iommubench restore` or by the next run), afterwards no iommubench BPF
# program, link or map is left (`iommubench restore --check` lists them by
# id from the kernel), the device is back where it was (edu has no driver:
# none, driver_override cleared), the tracefs iommubench mounted is
# unmounted, and no state file is left. Also: a second run on the same
# device is refused naming the first one's pid.
# --test-fail (a run's error path) and --test-slow-teardown SEC (a teardown
# that waits for a second signal) are run's hidden test options.
# The group's domain type (dma backend) needs the x86-iommufd kernel; it is
# covered by tests/unit/test_state.c on a fake sysfs.
set -u
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
lab_setup teardown
# this test counts mounts and leftovers from a clean boot: no `hooks --json`
# before it for make check's coverage table (it would leave the tracefs
# automount under debugfs, and BPF objects the kernel frees a moment later)
unset IOMMUBENCH_LAB_HOOKS_DIR
# eight runs load the probes (13 s each in an idle guest, minutes when the
# host's CPUs are shared with other guests)
export IOMMUBENCH_LAB_TIMEOUT=${IOMMUBENCH_LAB_TIMEOUT:-2400}

lab/run x86-vtd -- sh -c "
	dev=\$IOMMUBENCH_DEVICE
	# wait for a progress line (the workload is running), or for a word
	waitfor() { i=0; while ! grep -q \"\$2\" \$1 2>/dev/null && [ \$i -lt 300 ]; do sleep 1; i=\$((i + 1)); done; }
	fsmounts() { grep -cE '^[^ ]+ [^ ]+ (tracefs|debugfs) ' /proc/mounts; }
	after() { # NAME: what is left
		readlink /sys/bus/pci/devices/\$dev/driver > $out/\$1.driver; true
		cat /sys/bus/pci/devices/\$dev/driver_override > $out/\$1.override
		fsmounts > $out/\$1.mounts
		iommubench restore --check > $out/\$1.check 2> /dev/null; echo \$? > $out/\$1.checkrc
	}
	# iommubench mounts tracefs itself when it is missing: take the lab's away
	umount /sys/kernel/tracing; umount /sys/kernel/debug
	fsmounts > $out/start.mounts
	# edu without a driver: every run binds it to vfio-pci and gives it back
	echo \$dev > /sys/bus/pci/drivers/vfio-pci/unbind
	echo > /sys/bus/pci/devices/\$dev/driver_override
	after start

	iommubench run --bind -q scenarios/basic.ini -o $out/normal.json 2> $out/normal.err
	echo \$? > $out/normal.rc; after normal
	iommubench run --bind -q --test-fail scenarios/basic.ini -o $out/error.json 2> $out/error.err
	echo \$? > $out/error.rc; after error
	for sig in INT TERM; do
		iommubench run --bind -q tests/data/lab/long.ini -o $out/\$sig.json 2> $out/\$sig.err & pid=\$!
		waitfor $out/\$sig.err ioctls
		fsmounts > $out/\$sig.during-mounts
		ls /run/iommubench > $out/\$sig.during-state
		# a second run on the same device is refused
		echo \$pid > $out/\$sig.pid
		iommubench run --bind -q --no-probes scenarios/basic.ini -o $out/\$sig.second.json \
			2> $out/\$sig.second.err; echo \$? > $out/\$sig.second.rc
		kill -\$sig \$pid; wait \$pid; echo \$? > $out/\$sig.rc; after \$sig
	done
	# a second SIGINT while the teardown waits
	iommubench run --bind -q --test-slow-teardown 600 tests/data/lab/long.ini -o $out/twice.json \
		2> $out/twice.err & pid=\$!
	waitfor $out/twice.err ioctls; kill -INT \$pid
	waitfor $out/twice.err 'tearing down slowly'; t0=\$(date +%s); kill -INT \$pid; wait \$pid
	echo \$? > $out/twice.rc; echo \$((\$(date +%s) - t0)) > $out/twice.secs; after twice
	# SIGKILL, then restore
	iommubench run --bind -q tests/data/lab/long.ini -o $out/kill.json 2> $out/kill.err & pid=\$!
	waitfor $out/kill.err ioctls; kill -KILL \$pid; wait \$pid; echo \$? > $out/kill.rc
	after killed
	t0=\$(date +%s)
	iommubench restore --dry-run > $out/dry.out 2> $out/dry.err; echo \$? > $out/dry.rc; after dry
	iommubench restore > $out/restore.out 2> $out/restore.err; echo \$? > $out/restore.rc
	echo \$((\$(date +%s) - t0)) > $out/restore.secs; after restored
	# SIGKILL, then the next run puts it back first
	iommubench run --bind -q tests/data/lab/long.ini -o $out/kill2.json 2> $out/kill2.err & pid=\$!
	waitfor $out/kill2.err ioctls; kill -KILL \$pid; wait \$pid
	iommubench run --bind -q --no-probes scenarios/basic.ini -o $out/next.json 2> $out/next.err
	echo \$? > $out/next.rc
	after next
	exit 0"
lab_booted $? teardown

check_eq "the lab's tracefs and debugfs unmounted first" "$(cat "$out/start.mounts")" 0
clean() { # CASE: nothing of iommubench left
	check_eq "$1: device back on no driver" "$(cat "$out/$1.driver" 2>/dev/null)" ""
	check_eq "$1: driver_override cleared" "$(cat "$out/$1.override")" "(null)"
	check_eq "$1: tracefs iommubench mounted is gone" "$(cat "$out/$1.mounts")" 0
	check_eq "$1: restore --check finds nothing" "$(cat "$out/$1.checkrc")" 0
	check_eq "$1: no BPF object, no state file listed" "$(grep -c . "$out/$1.check")" 0
}
clean start

check_eq "normal: exit status" "$(cat "$out/normal.rc")" 0
check_json "$out/normal.json" '.harness.map_calls' 64 "normal: the run ran"
clean normal

check_eq "error: exit status" "$(cat "$out/error.rc")" 1
check_json "$out/error.json" '.error | contains("--test-fail")' true "error: recorded"
clean error

for sig in INT TERM; do
	check_eq "$sig: exit status" "$(cat "$out/$sig.rc")" 130
	check_true "$out/$sig.json" '.interrupted | type == "string"' "$sig: interrupted recorded"
	check_eq "$sig: tracefs mounted by iommubench during the run" "$(cat "$out/$sig.during-mounts")" 1
	check_eq "$sig: a state file and a lock during the run" \
		"$(grep -cE '^[0-9]+\.state$|^[0-9a-f:.]+\.lock$' "$out/$sig.during-state")" 2
	check_eq "$sig: a second run on the device refused" "$(cat "$out/$sig.second.rc")" 1
	check_eq "$sig: naming the first run's pid" \
		"$(grep -c "in use by another iommubench (pid $(cat "$out/$sig.pid")" "$out/$sig.second.err")" 1
	check_eq "$sig: nothing written by the refused run" "$(test -e "$out/$sig.second.json" && echo yes || echo no)" no
	clean "$sig"
done

check_eq "twice: exit status" "$(cat "$out/twice.rc")" 130
check_eq "twice: says it hurries" "$(grep -c 'signal again' "$out/twice.err")" 1
check_eq "twice: no result written" "$(grep -c 'no result written' "$out/twice.err")" 1
# the teardown's own work (detach, close, unbind) takes seconds to a minute
# under TCG on a shared host; the wait it cut short was 600 s
check_true "$out/twice.secs" '. < 300' "twice: the second signal ended the 600 s teardown wait"
clean twice


check_eq "kill -9: exit status" "$(cat "$out/kill.rc")" 137
check_eq "kill -9: device left on vfio-pci" "$(basename "$(cat "$out/killed.driver")")" vfio-pci
check_eq "kill -9: tracefs left mounted" "$(cat "$out/killed.mounts")" 1
check_eq "kill -9: restore --check finds the state" "$(cat "$out/killed.checkrc")" 1
check_eq "kill -9: the state file listed" "$(grep -c '^state /run/iommubench/[0-9]*\.state$' "$out/killed.check")" 1
check_eq "kill -9: the kernel dropped its BPF objects" "$(grep -c '^bpf' "$out/killed.check")" 0
check_eq "dry run: exit status" "$(cat "$out/dry.rc")" 0
check_eq "dry run: would unbind" "$(grep -c 'unbind from vfio-pci' "$out/dry.out")" 1
check_eq "dry run: would unmount" "$(grep -c 'unmount /sys/kernel/tracing' "$out/dry.out")" 1
check_eq "dry run: changed nothing" \
	"$(basename "$(cat "$out/dry.driver")") $(cat "$out/dry.mounts") $(cat "$out/dry.checkrc")" \
	"vfio-pci 1 1"
check_eq "restore: exit status" "$(cat "$out/restore.rc")" 0
check_eq "restore: says what it put back" \
	"$(grep -c 'unbind from vfio-pci\|driver_override vfio-pci back to (none)\|unmount /sys/kernel/tracing' \
	"$out/restore.out")" 3
echo "restore took $(cat "$out/restore.secs") s (guest time)"
clean restored
check_eq "next run: exit status" "$(cat "$out/next.rc")" 0
check_eq "next run: put back what the killed one left" "$(grep -c 'is gone and left changes' "$out/next.err")" 1
check_json "$out/next.json" '.harness.map_calls' 64 "next run: ran"
check_json "$out/next.json" '.error' null "next run: no error"
clean next

lab_done teardown
