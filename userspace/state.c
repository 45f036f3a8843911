// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The state file: what a run changed, and putting it back. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include "escape.h"
#include "hostinfo.h"
#include "pci.h"
#include "state.h"

static const char *sys_root = "";
static const char *state_dir = IB_STATE_DIR;
static int (*sysfs_writer)(const char *path, const char *s);

void ib_sys_set_root(const char *root) { sys_root = root ? root : ""; }
void ib_state_set_dir(const char *dir) { state_dir = dir ? dir : IB_STATE_DIR; }
void ib_sysfs_set_writer(int (*fn)(const char *path, const char *s)) { sysfs_writer = fn; }
const char *ib_state_dir(void) { return state_dir; }

void ib_sys_path(char *out, size_t len, const char *fmt, ...)
{
	size_t n = (size_t)snprintf(out, len, "%s", sys_root);
	va_list ap;

	if (n >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(out + n, len - n, fmt, ap);
	va_end(ap);
}

int ib_sysfs_write(const char *path, const char *s)
{
	ssize_t n;
	int fd, e;

	if (sysfs_writer)
		return sysfs_writer(path, s);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	e = n < 0 ? -errno : 0;
	close(fd);
	return e;
}

/* a driver, type or fstype name: what sysfs would show, nothing else */
static bool plain_name(const char *s)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_-.:", *s))
			return false;
	return true;
}

static const char *const known_mounts[][2] = {
	{ "/sys/kernel/tracing", "tracefs" },
	{ "/sys/kernel/debug", "debugfs" },
};

static bool known_mount(const char *path, const char *fstype)
{
	for (size_t i = 0; i < sizeof(known_mounts) / sizeof(known_mounts[0]); i++)
		if (!strcmp(path, known_mounts[i][0]) && !strcmp(fstype, known_mounts[i][1]))
			return true;
	return false;
}

int ib_state_format(const struct ib_state *s, char *buf, size_t len)
{
	const struct ib_state_dev *d = &s->dev;
	size_t n;

	n = (size_t)snprintf(buf, len,
		"# iommubench: what this process changed and how to put it back (iommubench restore)\n"
		"version=%d\npid=%d\npid_start=%llu\nverb=%s\n",
		IB_STATE_VERSION, (int)s->pid, s->pid_start, s->verb);
	if (d->active && n < len)
		n += (size_t)snprintf(buf + n, len - n,
			"device=%s\ndriver=%s\norig_driver=%s\norig_override=%s\ngroup=%d\norig_type=%s\n",
			d->bdf, d->driver, d->orig_driver, d->orig_override, d->group_id, d->orig_type);
	for (int i = 0; i < s->nmounts && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "mount=%s %s\n", s->mounts[i].fstype, s->mounts[i].path);
	return n < len ? 0 : -ENOSPC;
}

#define COPY(dst, v) do {							\
	if (strlen(v) >= sizeof(dst) || !plain_name(v))				\
		goto bad;							\
	snprintf(dst, sizeof(dst), "%s", v);					\
} while (0)

int ib_state_parse(const char *text, struct ib_state *s, char *err, size_t errlen)
{
	char line[256], *k, *v, *end;
	const char *p = text;
	int lineno = 0, version = 0;
	long long num;

	memset(s, 0, sizeof(*s));
	s->dev.group_id = -1;
	while (*p) {
		size_t l = strcspn(p, "\n");

		lineno++;
		if (l >= sizeof(line)) {
			snprintf(err, errlen, "line %d: longer than %zu bytes", lineno, sizeof(line) - 1);
			return -EINVAL;
		}
		memcpy(line, p, l);
		line[l] = '\0';
		p += l + (p[l] == '\n');
		if (!line[0] || line[0] == '#')
			continue;
		if (!(v = strchr(line, '='))) {
			snprintf(err, errlen, "line %d: no '=' in '%s'", lineno, line);
			return -EINVAL;
		}
		*v++ = '\0';
		k = line;
		if (!strcmp(k, "version") || !strcmp(k, "pid") || !strcmp(k, "pid_start") || !strcmp(k, "group")) {
			errno = 0;
			num = strtoll(v, &end, 10);
			if (errno || end == v || *end || num < -1)
				goto bad;
			if (!strcmp(k, "version"))
				version = (int)num;
			else if (!strcmp(k, "pid"))
				s->pid = (pid_t)num;
			else if (!strcmp(k, "pid_start"))
				s->pid_start = (unsigned long long)num;
			else
				s->dev.group_id = (int)num;
		} else if (!strcmp(k, "verb")) {
			COPY(s->verb, v);
		} else if (!strcmp(k, "device")) {
			if (!ib_pci_valid_bdf(v))
				goto bad;
			snprintf(s->dev.bdf, sizeof(s->dev.bdf), "%s", v);
			s->dev.active = true;
		} else if (!strcmp(k, "driver")) {
			COPY(s->dev.driver, v);
		} else if (!strcmp(k, "orig_driver")) {
			COPY(s->dev.orig_driver, v);
		} else if (!strcmp(k, "orig_override")) {
			COPY(s->dev.orig_override, v);
		} else if (!strcmp(k, "orig_type")) {
			COPY(s->dev.orig_type, v);
		} else if (!strcmp(k, "mount")) {
			struct ib_state_mount *m;
			char *sp = strchr(v, ' ');

			if (!sp || s->nmounts >= IB_STATE_MAX_MOUNTS)
				goto bad;
			*sp = '\0';
			if (!known_mount(sp + 1, v)) {
				snprintf(err, errlen, "line %d: mount of %s on %s: only tracefs on /sys/kernel/tracing "
					 "and debugfs on /sys/kernel/debug are undone", lineno, v, sp + 1);
				return -EINVAL;
			}
			m = &s->mounts[s->nmounts++];
			snprintf(m->fstype, sizeof(m->fstype), "%s", v);
			snprintf(m->path, sizeof(m->path), "%s", sp + 1);
		} else {
			snprintf(err, errlen, "line %d: unknown key '%s'", lineno, k);
			return -EINVAL;
		}
		continue;
bad:
		snprintf(err, errlen, "line %d: bad value for %s: '%s'", lineno, k, v);
		return -EINVAL;
	}
	if (version != IB_STATE_VERSION) {
		snprintf(err, errlen, "version %d, expected %d (written by another iommubench?)", version,
			 IB_STATE_VERSION);
		return -EINVAL;
	}
	if (s->pid <= 0) {
		snprintf(err, errlen, "no pid");
		return -EINVAL;
	}
	if (s->dev.active && !s->dev.driver[0]) {
		snprintf(err, errlen, "device %s without the driver it was bound to", s->dev.bdf);
		return -EINVAL;
	}
	return 0;
}

int ib_state_read(const char *path, struct ib_state *s, char *err, size_t errlen)
{
	char buf[4096], why[256];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC), e;

	if (fd < 0) {
		e = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-e));
		return e;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	e = n < 0 ? -errno : 0;
	close(fd);
	if (e) {
		snprintf(err, errlen, "reading %s: %s", path, strerror(-e));
		return e;
	}
	buf[n] = '\0';
	if ((e = ib_state_parse(buf, s, why, sizeof(why))))
		snprintf(err, errlen, "%s: %s (look at it, put back by hand what it names, then remove it)",
			 path, why);
	return e;
}

int ib_state_mkdir(char *err, size_t errlen)
{
	char parent[PATH_MAX], *slash;
	int e = 0;

	/* /run itself may be missing (an initramfs) */
	snprintf(parent, sizeof(parent), "%s", state_dir);
	if ((slash = strrchr(parent, '/')) && slash != parent) {
		*slash = '\0';
		if (mkdir(parent, 0755) && errno != EEXIST)
			e = -errno;
	}
	if (!e && mkdir(state_dir, 0700) && errno != EEXIST)
		e = -errno;
	if (e)
		snprintf(err, errlen, "creating %s: %s (iommubench records there what it changes; "
			 "is /run writable, are you root?)", state_dir, strerror(-e));
	return e;
}

int ib_state_write(const struct ib_state *s, const char *path, char *err, size_t errlen)
{
	char buf[4096], tmp[PATH_MAX];
	size_t len;
	int fd, e = 0;

	if ((e = ib_state_format(s, buf, sizeof(buf)))) {
		snprintf(err, errlen, "state for %s does not fit in %zu bytes", path, sizeof(buf));
		return e;
	}
	if ((e = ib_state_mkdir(err, errlen)))
		return e;
	len = strlen(buf);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, buf, len) != (ssize_t)len || fsync(fd) || close(fd)) {
		e = errno ? -errno : -EIO;
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		snprintf(err, errlen, "writing %s: %s (nothing was changed; free space in /run?)", tmp, strerror(-e));
		return e;
	}
	if (rename(tmp, path)) {
		e = -errno;
		unlink(tmp);
		snprintf(err, errlen, "renaming %s to %s: %s (nothing was changed)", tmp, path, strerror(-e));
		return e;
	}
	return 0;
}

/* field 22 of /proc/PID/stat, 0 when the process is gone */
static unsigned long long start_time(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long v = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if (!(p = strrchr(buf, ')')))
		return 0;
	/* after ") ": state is field 3; starttime is field 22 */
	p++;
	for (int f = 3; f <= 22 && p; f++) {
		p = strchr(p, ' ');
		if (p)
			p++;
		if (f == 22 && p)
			v = strtoull(p, NULL, 10);
	}
	return v;
}

bool ib_state_owner_alive(const struct ib_state *s)
{
	unsigned long long st = start_time(s->pid);

	return st && (!s->pid_start || st == s->pid_start);
}

/* this process */
static struct ib_state self;
static bool self_written;

static void self_path(char *path, size_t len)
{
	snprintf(path, len, "%s/%d.state", state_dir, (int)getpid());
}

static int self_save(char *err, size_t errlen)
{
	char path[PATH_MAX];
	int e;

	self.pid = getpid();
	self.pid_start = start_time(self.pid);
	self_path(path, sizeof(path));
	if (!self.dev.active && !self.nmounts) {
		if (self_written)
			unlink(path);
		self_written = false;
		return 0;
	}
	if ((e = ib_state_write(&self, path, err, errlen)))
		return e;
	self_written = true;
	return 0;
}

void ib_state_set_verb(const char *verb)
{
	snprintf(self.verb, sizeof(self.verb), "%s", verb && plain_name(verb) ? verb : "");
}

int ib_state_note_device(const struct ib_state_dev *d, char *err, size_t errlen)
{
	self.dev = *d;
	self.dev.active = true;
	return self_save(err, errlen);
}

void ib_state_device_done(void)
{
	char err[256];

	memset(&self.dev, 0, sizeof(self.dev));
	self.dev.group_id = -1;
	if (self_save(err, sizeof(err)))
		fprintf(stderr, "iommubench: %s\n", ib_term(err));
}

int ib_state_note_mount(const char *path, const char *fstype, char *err, size_t errlen)
{
	struct ib_state_mount *m;

	if (self.nmounts >= IB_STATE_MAX_MOUNTS || !known_mount(path, fstype)) {
		snprintf(err, errlen, "cannot record a mount of %s on %s", fstype, path);
		return -EINVAL;
	}
	m = &self.mounts[self.nmounts++];
	snprintf(m->path, sizeof(m->path), "%s", path);
	snprintf(m->fstype, sizeof(m->fstype), "%s", fstype);
	if (self_save(err, errlen)) {
		self.nmounts--;
		return -EIO;
	}
	return 0;
}

void ib_state_forget_mount(const char *path)
{
	char err[256];

	for (int i = 0; i < self.nmounts; i++)
		if (!strcmp(self.mounts[i].path, path)) {
			memmove(&self.mounts[i], &self.mounts[i + 1],
				(size_t)(self.nmounts - i - 1) * sizeof(self.mounts[0]));
			self.nmounts--;
			break;
		}
	if (self_save(err, sizeof(err)))
		fprintf(stderr, "iommubench: %s\n", ib_term(err));
}

/* Is path a mount point of fstype now (/proc/self/mountinfo)? */
static bool mounted(const char *path, const char *fstype)
{
	char mi[PATH_MAX], line[1024];
	bool found = false;
	FILE *f;

	ib_sys_path(mi, sizeof(mi), "/proc/self/mountinfo");
	if (!(f = fopen(mi, "re")))
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char mp[512], *dash = strstr(line, " - "), fs[64];

		if (sscanf(line, "%*s %*s %*s %*s %511s", mp) == 1 && dash &&
		    sscanf(dash + 3, "%63s", fs) == 1 && !strcmp(mp, path) && !strcmp(fs, fstype))
			found = true;
	}
	fclose(f);
	return found;
}

static int restore_mounts(const struct ib_state *s, bool dry_run, FILE *log, char *err, size_t errlen)
{
	int rc = 0;

	for (int i = s->nmounts - 1; i >= 0; i--) {
		const struct ib_state_mount *m = &s->mounts[i];
		char path[PATH_MAX];

		ib_sys_path(path, sizeof(path), "%s", m->path);
		if (!mounted(m->path, m->fstype))
			continue;
		if (log)
			fprintf(log, "unmount %s (%s, mounted by iommubench)\n", m->path, m->fstype);
		if (dry_run || sys_root[0])
			continue; /* never unmount through a fake root */
		if (umount2(path, 0) && (errno != EBUSY || umount2(path, MNT_DETACH))) {
			rc = -errno;
			snprintf(err, errlen, "unmounting %s: %s (umount %s by hand)", m->path, strerror(-rc), m->path);
		}
	}
	return rc;
}

static void read_attr(const char *bdf, const char *attr, char *out, size_t len)
{
	char path[PATH_MAX];

	ib_sys_path(path, sizeof(path), IB_PCI_DEVS "/%s/%s", bdf, attr);
	ib_read_line(path, out, len);
	if (!strcmp(out, "(null)"))
		out[0] = '\0';
}

#define SAY(...) do { if (log) { fprintf(log, "%s: ", d->bdf); fprintf(log, __VA_ARGS__); fputc('\n', log); } } while (0)

int ib_state_restore_dev(const struct ib_state_dev *d, bool dry_run, FILE *log, char *err, size_t errlen)
{
	char path[PATH_MAX], cur[64], val[64], type[64] = "";
	struct stat st;
	bool acted = false, need_type;
	int e;

	ib_sys_path(path, sizeof(path), IB_PCI_DEVS "/%s", d->bdf);
	if (stat(path, &st)) {
		SAY("no longer present: nothing to put back");
		return 0;
	}
	ib_pci_current_driver(d->bdf, cur, sizeof(cur));
	if (d->orig_type[0] && d->group_id >= 0) {
		ib_sys_path(path, sizeof(path), "/sys/kernel/iommu_groups/%d/type", d->group_id);
		ib_read_line(path, type, sizeof(type));
	}
	need_type = type[0] && strcmp(type, d->orig_type);
	/* our driver goes; so does the device's own when the type must
	 * change under it (it probes again below) */
	if (cur[0] && !strcmp(cur, d->driver) && (strcmp(cur, d->orig_driver) || need_type)) {
		SAY("unbind from %s", cur);
		ib_sys_path(path, sizeof(path), IB_PCI_DEVS "/%s/driver/unbind", d->bdf);
		if (!dry_run && (e = ib_sysfs_write(path, d->bdf))) {
			snprintf(err, errlen, "unbinding %s from %s: %s (stop what uses it, e.g. a process holding "
				 "/dev/vfio, then iommubench restore)", d->bdf, cur, strerror(-e));
			return e;
		}
		cur[0] = '\0';
		acted = true;
	}
	if (need_type) {
		ib_sys_path(path, sizeof(path), "/sys/kernel/iommu_groups/%d/type", d->group_id);
		SAY("IOMMU group %d: type %s back to %s", d->group_id, type, d->orig_type);
		if (!dry_run && (e = ib_sysfs_write(path, d->orig_type))) {
			snprintf(err, errlen, "writing '%s' to %s: %s (every device of group %d must have no "
				 "driver: unbind them, then iommubench restore)", d->orig_type, path,
				 strerror(-e), d->group_id);
			return e;
		}
		acted = true;
	}
	read_attr(d->bdf, "driver_override", val, sizeof(val));
	if (strcmp(val, d->orig_override)) {
		SAY("driver_override %s back to %s", val[0] ? val : "(none)",
		    d->orig_override[0] ? d->orig_override : "(none)");
		ib_sys_path(path, sizeof(path), IB_PCI_DEVS "/%s/driver_override", d->bdf);
		if (!dry_run && (e = ib_sysfs_write(path, d->orig_override[0] ? d->orig_override : "\n"))) {
			snprintf(err, errlen, "writing %s: %s (are you root?)", path, strerror(-e));
			return e;
		}
		acted = true;
	}
	if (d->orig_driver[0] && !cur[0]) {
		SAY("probe: back to %s", d->orig_driver);
		ib_sys_path(path, sizeof(path), "/sys/bus/pci/drivers_probe");
		if (!dry_run) {
			e = ib_sysfs_write(path, d->bdf);
			ib_pci_current_driver(d->bdf, cur, sizeof(cur));
			if (e || strcmp(cur, d->orig_driver)) {
				snprintf(err, errlen, "re-probing %s: %s (now %s; bind it by hand: echo %s > "
					 "/sys/bus/pci/drivers/%s/bind)", d->bdf, e ? strerror(-e) :
					 "its driver did not claim it", cur[0] ? cur : "no driver", d->bdf,
					 d->orig_driver);
				return e ? e : -ENODEV;
			}
		}
		acted = true;
	}
	if (!acted)
		SAY("already as it was (%s)", cur[0] ? cur : "no driver");
	return 0;
}

int ib_state_restore(const struct ib_state *s, bool dry_run, FILE *log, char *err, size_t errlen)
{
	char merr[256];
	int e = 0, e2;

	if (s->dev.active)
		e = ib_state_restore_dev(&s->dev, dry_run, log, err, errlen);
	e2 = restore_mounts(s, dry_run, log, merr, sizeof(merr));
	if (e2 && !e)
		snprintf(err, errlen, "%s", merr);
	return e ? e : e2;
}

void ib_state_cleanup(void)
{
	char err[256];

	if (restore_mounts(&self, false, NULL, err, sizeof(err)))
		fprintf(stderr, "iommubench: %s\n", ib_term(err));
	self.nmounts = 0;
	if (self.dev.active) {
		char path[PATH_MAX];

		self_path(path, sizeof(path));
		fprintf(stderr, "iommubench: %s was not given back; what to undo is in %s: run "
			"`iommubench restore`\n", self.dev.bdf, path);
		self_save(err, sizeof(err));
		return;
	}
	self_save(err, sizeof(err));
}
