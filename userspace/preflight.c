// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Checks `run` makes before its first side effect (creating results/,
 * binding a device, mounting, loading BPF, allocating the plan): the
 * output path, the device, the privileges and what the kernel must have.
 * Each only reads (stat, access, capget); none changes anything.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "pci.h"
#include "preflight.h"

/* dirname() without touching its argument: "" for none, "/" for root */
static void folder_of(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(dir, len, ".");
	else if (slash == path)
		snprintf(dir, len, "/");
	else
		snprintf(dir, len, "%.*s", (int)(slash - path), path);
}

/* dir exists, is a folder, and this process may create files in it */
static int writable_folder(const char *dir)
{
	struct stat st;

	if (stat(dir, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	/* AT_EACCESS: the effective ids, the ones open() will use; EROFS too */
	if (faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS))
		return -errno;
	return 0;
}

int ib_preflight_output(const char *out, bool default_dir, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	struct stat st;
	int e;

	if (!out[0] || out[strlen(out) - 1] == '/') {
		snprintf(err, errlen, "-o '%s': not a file name; give the results file, e.g. "
			 "-o results/run.json", out);
		return -EINVAL;
	}
	/* ib_results_write() writes OUT.tmp.PID first, then links it to OUT */
	if (strlen(out) + 16 >= PATH_MAX) {
		snprintf(err, errlen, "-o %.64s...: %s (at most %d characters)", out,
			 strerror(ENAMETOOLONG), PATH_MAX - 17);
		return -ENAMETOOLONG;
	}
	if (lstat(out, &st) == 0) {
		snprintf(err, errlen, "%s exists: results are never overwritten; choose another -o", out);
		return -EEXIST;
	}
	folder_of(out, dir, sizeof(dir));
	e = writable_folder(dir);
	if (e == -ENOENT && default_dir) {
		/* results/ is made when the results are written: its parent must let us */
		folder_of(dir, dir, sizeof(dir));
		if (!(e = writable_folder(dir)))
			return 0;
		snprintf(err, errlen, "cannot create results/ in %s to write %s: %s; run from a "
			 "folder you can write, or pass -o FILE", dir, out, strerror(-e));
		return e;
	}
	if (e) {
		snprintf(err, errlen, "cannot write %s: folder %s: %s; %s", out, dir, strerror(-e),
			 e == -ENOENT ? "create it first, or choose another -o" :
			 e == -ENOTDIR ? "choose another -o" :
			 "choose a folder you can write with -o");
		return e;
	}
	return 0;
}

/* the effective capability set of this process */
static int effective_caps(unsigned long long *caps)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d))
		return -errno;
	*caps = (unsigned long long)d[0].effective | (unsigned long long)d[1].effective << 32;
	return 0;
}

static bool has_cap(unsigned long long caps, int cap)
{
	return caps & (1ull << cap);
}

int ib_preflight_probes(char *err, size_t errlen)
{
	unsigned long long caps = 0;
	int e;

	if ((e = effective_caps(&caps))) {
		snprintf(err, errlen, "reading this process's capabilities (capget): %s", strerror(-e));
		return e;
	}
	/* BPF tracing programs: CAP_BPF + CAP_PERFMON since 5.8, CAP_SYS_ADMIN
	 * before and always; mounting tracefs needs CAP_SYS_ADMIN */
	if (has_cap(caps, CAP_SYS_ADMIN) || (has_cap(caps, CAP_BPF) && has_cap(caps, CAP_PERFMON)))
		return 0;
	snprintf(err, errlen, "the probes need root (CAP_SYS_ADMIN, or CAP_BPF and CAP_PERFMON) "
		 "to load BPF programs, and uid %u has none of them: %s; run as root, or pass "
		 "--no-probes (with --no-bind and a device already on vfio-pci) for harness "
		 "timings only", (unsigned)geteuid(), strerror(EPERM));
	return -EPERM;
}

int ib_preflight_device(const char *bdf, char *err, size_t errlen)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), IB_PCI_DEVS "/%s", bdf);
	if (stat(path, &st)) {
		int e = -errno;

		snprintf(err, errlen, "device %s: %s: %s (no such PCI device; see lspci -D)",
			 bdf, path, strerror(-e));
		return e;
	}
	return 0;
}

int ib_preflight_bind(const char *bdf, const char *driver, bool bind, bool unbind_anyway,
		      char *err, size_t errlen)
{
	char path[PATH_MAX], drv[64];

	ib_pci_current_driver(bdf, drv, sizeof(drv));
	if (!strcmp(drv, driver) && !unbind_anyway)
		return 0;
	if (!bind) {
		snprintf(err, errlen, "%s is bound to '%s', not %s (set bind=1 in the scenario or pass --bind)",
			 bdf, drv[0] ? drv : "no driver", driver);
		return -EBUSY;
	}
	snprintf(path, sizeof(path), IB_PCI_DEVS "/%s/driver_override", bdf);
	if (faccessat(AT_FDCWD, path, W_OK, AT_EACCESS)) {
		int e = -errno;

		snprintf(err, errlen, "moving %s from '%s' to %s needs root: %s: %s; run as root, or "
			 "bind it to %s first and pass --no-bind", bdf, drv[0] ? drv : "no driver",
			 driver, path, strerror(-e), driver);
		return e;
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s", driver);
	if (access(path, F_OK)) {
		int e = -errno;

		snprintf(err, errlen, "%s is not loaded (%s: %s): modprobe %s, then retry",
			 driver, path, strerror(-e), driver);
		return e;
	}
	return 0;
}

int ib_preflight_node(const char *node, const char *what, const char *todo, char *err, size_t errlen)
{
	struct stat st;

	if (stat(node, &st) == 0)
		return 0;
	snprintf(err, errlen, "%s: %s: this kernel has no %s, or its module is not loaded (%s)",
		 node, strerror(errno), what, todo);
	return -ENODEV;
}
