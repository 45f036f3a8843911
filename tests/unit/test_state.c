/* The binder's checks, lock, state file and restore, against a fake sysfs
 * tree: a stand-in for the kernel's side of each sysfs write (unbind,
 * drivers_probe, driver_override, group type) records every write, so a
 * refusal is checked to have written nothing at all. */
/* test paths are short; gcc cannot know (clang, the sanitizer build, has
 * no such warning) */
#ifndef __clang__
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check.h"
#include "hostinfo.h"
#include "pci.h"
#include "state.h"

#define DEV "0000:00:02.0"
#define PEER "0000:00:02.1"
#define BRIDGE "0000:00:1c.0"

static char root[PATH_MAX], sdir[PATH_MAX + 16], err[1024];
static char writes[64][256];
static int nwrites;

static void mk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void mk(const char *fmt, ...)
{
	char p[PATH_MAX], cmd[PATH_MAX + 32];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p, sizeof(p), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s%s'", root, p);
	if (system(cmd))
		perror(cmd);
}

static void put(const char *rel, const char *val)
{
	char p[PATH_MAX];
	FILE *f;

	snprintf(p, sizeof(p), "%s%s", root, rel);
	if ((f = fopen(p, "w"))) {
		fputs(val, f);
		fclose(f);
	}
}

static void ln(const char *target_rel, const char *link_rel)
{
	char t[PATH_MAX], l[PATH_MAX];

	snprintf(t, sizeof(t), "%s%s", root, target_rel);
	snprintf(l, sizeof(l), "%s%s", root, link_rel);
	unlink(l);
	if (symlink(t, l))
		perror(l);
}

static void get(const char *rel, char *out, size_t len)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s%s", root, rel);
	ib_read_line(p, out, len);
}

static void bind_fake(const char *bdf, const char *drv)
{
	char d[128], l[128];

	snprintf(d, sizeof(d), "/sys/bus/pci/drivers/%s", drv);
	snprintf(l, sizeof(l), "/sys/bus/pci/devices/%s/driver", bdf);
	mk("%s", d);
	put("/sys/bus/pci/drivers/x", "");
	ln(d, l);
}

static void add_device(const char *bdf, const char *native, int group)
{
	char d[128], l[128], g[128];

	snprintf(d, sizeof(d), "/sys/devices/pci0000:00/%s", bdf);
	mk("%s", d);
	snprintf(l, sizeof(l), "/sys/bus/pci/devices/%s", bdf);
	ln(d, l);
	snprintf(g, sizeof(g), "%s/driver_override", d);
	put(g, "(null)\n");
	snprintf(g, sizeof(g), "%s/class", d);
	put(g, "0x010802\n");
	snprintf(g, sizeof(g), "%s/native", d);      /* the fake kernel's default driver */
	put(g, native);
	if (native[0])
		bind_fake(bdf, native);
	if (group >= 0) {
		snprintf(g, sizeof(g), "/sys/kernel/iommu_groups/%d/devices", group);
		mk("%s", g);
		snprintf(g, sizeof(g), "/sys/kernel/iommu_groups/%d/devices/%s", group, bdf);
		ln(d, g);
		snprintf(g, sizeof(g), "/sys/kernel/iommu_groups/%d", group);
		snprintf(l, sizeof(l), "%s/iommu_group", d);
		ln(g, l);
	}
}

/* the kernel's side */
static int fake_write(const char *path, const char *s)
{
	char rel[PATH_MAX], p[PATH_MAX], v[64], bdf[32];
	size_t rl = strlen(root);

	if (strncmp(path, root, rl))
		return -EXDEV; /* outside the fake tree: never on a test */
	snprintf(rel, sizeof(rel), "%s", path + rl);
	snprintf(v, sizeof(v), "%s", s);
	v[strcspn(v, "\n")] = '\0';
	if (nwrites < 64)
		snprintf(writes[nwrites++], sizeof(writes[0]), "%s<-%s", rel, v);
	if (strstr(rel, "/driver/unbind")) {
		snprintf(p, sizeof(p), "%s/sys/bus/pci/devices/%s/driver", root, v);
		return unlink(p) ? -ENODEV : 0;
	}
	if (!strcmp(rel, "/sys/bus/pci/drivers_probe")) {
		char o[64], n[64];

		snprintf(bdf, sizeof(bdf), "%s", v);
		snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/driver_override", bdf);
		get(p, o, sizeof(o));
		snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/native", bdf);
		get(p, n, sizeof(n));
		if (strcmp(o, "(null)") && o[0])
			snprintf(n, sizeof(n), "%s", o);
		if (n[0])
			bind_fake(bdf, n);
		/* arm64: the group appears when a driver binds */
		snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/group_on_bind", bdf);
		o[0] = '\0';
		get(p, o, sizeof(o));
		if (o[0]) {
			add_device(bdf, "", atoi(o));
			bind_fake(bdf, n);
		}
		return 0;
	}
	if (strstr(rel, "/driver_override")) {
		put(rel, v[0] ? v : "(null)");
		return 0;
	}
	if (strstr(rel, "/type")) {
		/* the kernel refuses while a device of the group has a driver */
		char cmd[PATH_MAX * 2];

		snprintf(cmd, sizeof(cmd), "ls '%s%.*s'/devices/*/driver >/dev/null 2>&1",
			 root, (int)(strlen(rel) - 5), rel);
		if (system(cmd) == 0)
			return -EBUSY;
		put(rel, v);
		return 0;
	}
	return -EINVAL;
}

static void fresh_tree(void)
{
	char cmd[PATH_MAX + 16];

	if (root[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
		if (system(cmd))
			perror(cmd);
	}
	snprintf(root, sizeof(root), "/tmp/ib-state-test-XXXXXX");
	if (!mkdtemp(root))
		perror("mkdtemp");
	snprintf(sdir, sizeof(sdir), "%s/run", root);
	ib_sys_set_root(root);
	ib_state_set_dir(sdir);
	mk("/sys/bus/pci/devices");
	mk("/sys/kernel/iommu_groups");
	mk("/sys/class/block");
	mk("/sys/class/net");
	mk("/proc/self");
	put("/sys/bus/pci/drivers_probe", "");
	put("/proc/self/mountinfo", "22 1 0:21 / /sys rw - sysfs sysfs rw\n");
	put("/proc/swaps", "Filename Type Size Used Priority\n");
	nwrites = 0;
}

static void drv_of(const char *bdf, char *out, size_t len)
{
	ib_pci_current_driver(bdf, out, len);
}

static void test_parse(void)
{
	struct ib_state s = { .pid = 42, .pid_start = 7, .verb = "run" }, t;
	char buf[2048];

	s.dev.active = true;
	snprintf(s.dev.bdf, sizeof(s.dev.bdf), DEV);
	snprintf(s.dev.driver, sizeof(s.dev.driver), "vfio-pci");
	snprintf(s.dev.orig_driver, sizeof(s.dev.orig_driver), "nvme");
	s.dev.group_id = 12;
	snprintf(s.dev.orig_type, sizeof(s.dev.orig_type), "DMA-FQ");
	s.nmounts = 1;
	snprintf(s.mounts[0].path, sizeof(s.mounts[0].path), "/sys/kernel/tracing");
	snprintf(s.mounts[0].fstype, sizeof(s.mounts[0].fstype), "tracefs");
	CHECK(ib_state_format(&s, buf, sizeof(buf)) == 0, "format");
	CHECK(ib_state_parse(buf, &t, err, sizeof(err)) == 0, "parse: %s", err);
	CHECK_EQ_U64(t.pid, 42);
	CHECK_EQ_U64(t.pid_start, 7);
	CHECK(t.dev.active, "device kept");
	CHECK_STR(t.dev.bdf, DEV);
	CHECK_STR(t.dev.driver, "vfio-pci");
	CHECK_STR(t.dev.orig_driver, "nvme");
	CHECK_STR(t.dev.orig_override, "");
	CHECK_EQ_U64(t.dev.group_id, 12);
	CHECK_STR(t.dev.orig_type, "DMA-FQ");
	CHECK_EQ_U64(t.nmounts, 1);
	CHECK_STR(t.mounts[0].path, "/sys/kernel/tracing");

	/* what restore must never act on */
	static const char *const bad[] = {
		"version=1\npid=5\nmount=ext4 /\n",
		"version=1\npid=5\nmount=tracefs /etc\n",
		"version=1\npid=5\ndevice=../../x\ndriver=vfio-pci\n",
		"version=1\npid=5\ndevice=" DEV "\ndriver=../vfio\n",
		"version=1\npid=5\ndevice=" DEV "\n",
		"version=1\npid=5\nshell=rm -rf /\n",
		"version=2\npid=5\n",
		"version=1\n",
		"version=1\npid=5\ndevice=" DEV "\ndriver=vfio-pci\norig_type=DMA FQ\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		CHECK(ib_state_parse(bad[i], &t, err, sizeof(err)) == -EINVAL, "accepted: %s", bad[i]);
		CHECK(err[0], "no reason for %s", bad[i]);
	}
}

/* the README's example on a host where the address is a disk and there is no IOMMU */
static void test_no_group_refused_before_unbind(void)
{
	struct ib_pci_bind b;

	fresh_tree();
	add_device(DEV, "nvme", -1);
	CHECK(ib_pci_bind(&b, DEV, "vfio-pci", true, NULL, NULL, err, sizeof(err)) == -ENODEV, "bound");
	CHECK(strstr(err, "no IOMMU group while bound to nvme") && strstr(err, "nothing was changed"),
	      "message: %s", err);
	CHECK_EQ_U64(nwrites, 0);
	char d[64];
	drv_of(DEV, d, sizeof(d));
	CHECK_STR(d, "nvme");

	/* no driver, no group, no IOMMU groups on the host at all */
	fresh_tree();
	add_device(DEV, "", -1);
	CHECK(ib_pci_bind(&b, DEV, "vfio-pci", true, NULL, NULL, err, sizeof(err)) == -ENODEV, "bound");
	CHECK(strstr(err, "this host has none") != NULL, "message: %s", err);
	CHECK_EQ_U64(nwrites, 0);

	/* arm64: no driver and no group yet, but the host has groups: the
	 * group appears on binding */
	fresh_tree();
	add_device("0000:00:03.0", "ahci", 1);
	add_device(DEV, "", -1);
	put("/sys/devices/pci0000:00/" DEV "/group_on_bind", "4");
	CHECK(ib_pci_bind(&b, DEV, "vfio-pci", true, NULL, NULL, err, sizeof(err)) == 0, "%s", err);
	CHECK_EQ_U64(b.group_id, 4);
	drv_of(DEV, d, sizeof(d));
	CHECK_STR(d, "vfio-pci");
	CHECK(ib_pci_release(&b) == 0, "release");
	drv_of(DEV, d, sizeof(d));
	CHECK_STR(d, "");
}

static void test_group_members(void)
{
	struct ib_pci_bind b;
	char d[64];

	fresh_tree();
	add_device(DEV, "nvme", 7);
	add_device(PEER, "e1000e", 7);
	CHECK(ib_pci_bind(&b, DEV, "vfio-pci", true, NULL, NULL, err, sizeof(err)) == -EBUSY, "bound");
	CHECK(strstr(err, PEER ", bound to e1000e") != NULL, "names the member: %s", err);
	CHECK_EQ_U64(nwrites, 0);

	/* a bridge on pcieport and a member on vfio-pci already go along */
	fresh_tree();
	add_device(DEV, "nvme", 7);
	add_device(PEER, "vfio-pci", 7);
	add_device(BRIDGE, "pcieport", 7);
	put("/sys/devices/pci0000:00/" BRIDGE "/class", "0x060400\n");
	CHECK(ib_pci_bind(&b, DEV, "vfio-pci", true, NULL, NULL, err, sizeof(err)) == 0, "%s", err);
	CHECK_EQ_U64(b.group_id, 7);
	drv_of(DEV, d, sizeof(d));
	CHECK_STR(d, "vfio-pci");
	ib_pci_release(&b);
	drv_of(DEV, d, sizeof(d));
	CHECK_STR(d, "nvme");

	/* a type change needs every member without a driver, the bridge too */
	nwrites = 0;
	CHECK(ib_pci_bind(&b, DEV, "dma_map_benchmark", true, "DMA", NULL, err, sizeof(err)) == -EBUSY, "bound");
	CHECK(strstr(err, "domain type") != NULL, "message: %s", err);
	CHECK_EQ_U64(nwrites, 0);
}

static void test_in_use(void)
{
	const char *ns = "/sys/devices/pci0000:00/" DEV "/nvme/nvme0/nvme0n1";
	struct ib_pci_bind b;

	fresh_tree();
	add_device(DEV, "nvme", 3);
	mk("%s/holders", ns);
	put("/sys/devices/pci0000:00/" DEV "/nvme/nvme0/nvme0n1/dev", "259:0\n");
	ln(ns, "/sys/class/block/nvme0n1");
	put("/proc/self/mountinfo", "22 1 0:21 / /sys rw - sysfs sysfs rw\n"
	    "30 1 259:0 / /home rw,relatime - ext4 /dev/nvme0n1 rw\n");
	CHECK(ib_pci_bind(&b, DEV, "vfio-pci", true, NULL, NULL, err, sizeof(err)) == -EBUSY, "bound");
	CHECK(strstr(err, "nvme0n1, mounted on /home") && strstr(err, "--force"), "message: %s", err);
	CHECK_EQ_U64(nwrites, 0);

	/* swap, and a dm device on top */
	put("/proc/self/mountinfo", "");
	put("/proc/swaps", "Filename Type Size Used Priority\n/dev/nvme0n1 partition 1 0 -2\n");
	CHECK(ib_pci_bind(&b, DEV, "vfio-pci", true, NULL, NULL, err, sizeof(err)) == -EBUSY, "bound");
	CHECK(strstr(err, "used as swap") != NULL, "message: %s", err);
	put("/proc/swaps", "");
	mk("%s/holders/dm-0", ns);
	CHECK(ib_pci_bind(&b, DEV, "vfio-pci", true, NULL, NULL, err, sizeof(err)) == -EBUSY, "bound");
	CHECK(strstr(err, "held by another block device") != NULL, "message: %s", err);
	CHECK_EQ_U64(nwrites, 0);

	/* --force takes it anyway */
	ib_pci_set_force(true);
	CHECK(ib_pci_bind(&b, DEV, "vfio-pci", true, NULL, NULL, err, sizeof(err)) == 0, "%s", err);
	ib_pci_release(&b);
	ib_pci_set_force(false);

	/* the boot display, an interface that is up (and one that is down) */
	fresh_tree();
	add_device(DEV, "i915", 3);
	put("/sys/devices/pci0000:00/" DEV "/boot_vga", "1\n");
	CHECK(ib_pci_bind(&b, DEV, "vfio-pci", true, NULL, NULL, err, sizeof(err)) == -EBUSY, "bound");
	CHECK(strstr(err, "boot display") != NULL, "message: %s", err);
	fresh_tree();
	add_device(DEV, "e1000e", 3);
	mk("/sys/devices/pci0000:00/" DEV "/net/eth0");
	ln("/sys/devices/pci0000:00/" DEV "/net/eth0", "/sys/class/net/eth0");
	put("/sys/devices/pci0000:00/" DEV "/net/eth0/flags", "0x1003\n");
	CHECK(ib_pci_bind(&b, DEV, "vfio-pci", true, NULL, NULL, err, sizeof(err)) == -EBUSY, "bound");
	CHECK(strstr(err, "eth0, which is up") != NULL, "message: %s", err);
	CHECK_EQ_U64(nwrites, 0);
	put("/sys/devices/pci0000:00/" DEV "/net/eth0/flags", "0x1002\n");
	CHECK(ib_pci_bind(&b, DEV, "vfio-pci", true, NULL, NULL, err, sizeof(err)) == 0, "%s", err);
	ib_pci_release(&b);
}

static void test_lock(void)
{
	struct ib_pci_bind b;
	char want[64];
	int fd;

	fresh_tree();
	add_device(DEV, "nvme", 3);
	CHECK(ib_state_lock_device(DEV, &fd, err, sizeof(err)) == 0, "%s", err);
	CHECK(ib_pci_bind(&b, DEV, "vfio-pci", true, NULL, NULL, err, sizeof(err)) == -EBUSY, "bound");
	snprintf(want, sizeof(want), "pid %d", (int)getpid());
	CHECK(strstr(err, "in use by another iommubench") && strstr(err, want), "message: %s", err);
	CHECK_EQ_U64(nwrites, 0);
	ib_state_unlock_device(&fd);
	/* refused without bind: the lock is let go */
	CHECK(ib_pci_bind(&b, DEV, "vfio-pci", false, NULL, NULL, err, sizeof(err)) == -EBUSY, "bound");
	CHECK(strstr(err, "not vfio-pci") != NULL, "message: %s", err);
	CHECK(ib_state_lock_device(DEV, &fd, err, sizeof(err)) == 0, "%s", err);
	ib_state_unlock_device(&fd);
	/* held for as long as the device is bound */
	CHECK(ib_pci_bind(&b, DEV, "vfio-pci", true, NULL, NULL, err, sizeof(err)) == 0, "%s", err);
	CHECK(ib_state_lock_device(DEV, &fd, err, sizeof(err)) == -EBUSY, "locked twice");
	ib_pci_release(&b);
	CHECK(ib_state_lock_device(DEV, &fd, err, sizeof(err)) == 0, "%s", err);
	ib_state_unlock_device(&fd);
}

static bool exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0;
}

static pid_t dead_pid(void)
{
	pid_t p = fork();

	if (p == 0)
		_exit(0);
	waitpid(p, NULL, 0);
	return p;
}

/* dma backend: nvme -> dma_map_benchmark with the group strict, then back */
static void test_bind_release_and_crash_restore(void)
{
	char self[PATH_MAX + 64], stale[PATH_MAX + 64], d[64], v[64], buf[4096];
	struct ib_pci_bind b;
	struct ib_state s;
	size_t loglen;
	char *log;
	FILE *lf;

	fresh_tree();
	add_device(DEV, "nvme", 9);
	put("/sys/kernel/iommu_groups/9/type", "DMA-FQ\n");
	snprintf(self, sizeof(self), "%s/%d.state", sdir, (int)getpid());
	CHECK(ib_pci_bind(&b, DEV, "dma_map_benchmark", true, "DMA", NULL, err, sizeof(err)) == 0, "%s", err);
	/* the type was written while no driver held the device */
	CHECK(nwrites == 4 && strstr(writes[0], "driver_override<-dma_map_benchmark") &&
	      strstr(writes[1], "driver/unbind<-" DEV) && strstr(writes[2], "/type<-DMA") &&
	      strstr(writes[3], "drivers_probe<-" DEV), "order: %d writes, first %s", nwrites, writes[0]);
	CHECK(ib_state_read(self, &s, err, sizeof(err)) == 0, "%s", err);
	CHECK_STR(s.dev.orig_driver, "nvme");
	CHECK_STR(s.dev.orig_type, "DMA-FQ");
	CHECK_STR(s.dev.driver, "dma_map_benchmark");
	get("/sys/kernel/iommu_groups/9/type", v, sizeof(v));
	CHECK_STR(v, "DMA");

	/* a clean give-back */
	CHECK(ib_pci_release(&b) == 0, "release");
	drv_of(DEV, d, sizeof(d));
	CHECK_STR(d, "nvme");
	get("/sys/kernel/iommu_groups/9/type", v, sizeof(v));
	CHECK_STR(v, "DMA-FQ");
	get("/sys/bus/pci/devices/" DEV "/driver_override", v, sizeof(v));
	CHECK_STR(v, "(null)");
	CHECK(!exists(self), "state file removed after a clean give-back");

	/* kill -9 mid-run: the process is gone, its state file stays */
	CHECK(ib_pci_bind(&b, DEV, "dma_map_benchmark", true, "DMA", NULL, err, sizeof(err)) == 0, "%s", err);
	CHECK(ib_state_read(self, &s, err, sizeof(err)) == 0, "%s", err);
	s.pid = dead_pid();
	snprintf(stale, sizeof(stale), "%s/%d.state", sdir, (int)s.pid);
	CHECK(ib_state_write(&s, stale, err, sizeof(err)) == 0, "%s", err);
	CHECK(!exists(strcat(strcpy(buf, stale), ".tmp")), "no temporary file left");
	ib_state_device_done(); /* forget it here without giving it back */
	ib_state_unlock_device(&b.lock_fd);
	drv_of(DEV, d, sizeof(d));
	CHECK_STR(d, "dma_map_benchmark");

	/* dry run: says what, writes nothing, keeps the file */
	nwrites = 0;
	lf = open_memstream(&log, &loglen);
	CHECK(ib_state_recover(true, lf, err, sizeof(err)) == 1, "%s", err);
	fclose(lf);
	CHECK_EQ_U64(nwrites, 0);
	CHECK(exists(stale), "dry run keeps the state file");
	CHECK(strstr(log, "unbind from dma_map_benchmark") && strstr(log, "type DMA back to DMA-FQ") &&
	      strstr(log, "probe: back to nvme"), "dry-run log: %s", log);
	free(log);

	lf = open_memstream(&log, &loglen);
	CHECK(ib_state_recover(false, lf, err, sizeof(err)) == 1, "%s", err);
	fclose(lf);
	drv_of(DEV, d, sizeof(d));
	CHECK_STR(d, "nvme");
	get("/sys/kernel/iommu_groups/9/type", v, sizeof(v));
	CHECK_STR(v, "DMA-FQ");
	get("/sys/bus/pci/devices/" DEV "/driver_override", v, sizeof(v));
	CHECK_STR(v, "(null)");
	CHECK(!exists(stale), "state file removed after restore");
	free(log);

	/* again: nothing stale, nothing written */
	nwrites = 0;
	CHECK(ib_state_recover(false, NULL, err, sizeof(err)) == 0, "%s", err);
	CHECK_EQ_U64(nwrites, 0);

	/* killed after the state was written, before any change: restore
	 * touches nothing */
	s.pid = dead_pid();
	CHECK(ib_state_write(&s, stale, err, sizeof(err)) == 0, "%s", err);
	CHECK(ib_state_recover(false, NULL, err, sizeof(err)) == 1, "%s", err);
	CHECK_EQ_U64(nwrites, 0);

	/* a live owner's state is left alone */
	s.pid = getppid();
	s.pid_start = 0;
	CHECK(ib_state_write(&s, stale, err, sizeof(err)) == 0, "%s", err);
	CHECK(ib_state_recover(false, NULL, err, sizeof(err)) == 0, "%s", err);
	CHECK(exists(stale), "live owner's file kept");
	unlink(stale);

	/* a driver that does not take the device back: the error says how */
	s.pid = dead_pid();
	snprintf(s.dev.orig_driver, sizeof(s.dev.orig_driver), "nouveau");
	bind_fake(DEV, "dma_map_benchmark");
	CHECK(ib_state_write(&s, stale, err, sizeof(err)) == 0, "%s", err);
	CHECK(ib_state_recover(false, NULL, err, sizeof(err)) < 0, "recovered");
	CHECK(strstr(err, "drivers/nouveau/bind") != NULL, "message: %s", err);
	CHECK(exists(stale), "failed restore keeps the state file");

	/* already on dma_map_benchmark: unbound for the type change, the type
	 * put back without a driver, then bound again */
	fresh_tree();
	add_device(DEV, "dma_map_benchmark", 9);
	put("/sys/kernel/iommu_groups/9/type", "DMA-FQ\n");
	CHECK(ib_pci_bind(&b, DEV, "dma_map_benchmark", true, "DMA", NULL, err, sizeof(err)) == 0, "%s", err);
	get("/sys/kernel/iommu_groups/9/type", v, sizeof(v));
	CHECK_STR(v, "DMA");
	CHECK(ib_pci_release(&b) == 0, "release");
	get("/sys/kernel/iommu_groups/9/type", v, sizeof(v));
	CHECK_STR(v, "DMA-FQ");
	drv_of(DEV, d, sizeof(d));
	CHECK_STR(d, "dma_map_benchmark");
	CHECK(!exists(self), "state file removed");
}

int main(void)
{
	ib_sysfs_set_writer(fake_write);
	test_parse();
	test_no_group_refused_before_unbind();
	test_group_members();
	test_in_use();
	test_lock();
	test_bind_release_and_crash_restore();
	if (root[0] && !getenv("IB_KEEP")) {
		char cmd[PATH_MAX + 16];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
		if (system(cmd))
			perror(cmd);
	}
	return CHECK_DONE();
}
