// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* One run per device (flock), and putting back what dead runs left. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include "hostinfo.h"
#include "state.h"

int ib_state_lock_device(const char *bdf, int *fd, char *err, size_t errlen)
{
	char path[PATH_MAX], pid[32] = "";
	int e;

	*fd = -1;
	if ((e = ib_state_mkdir(err, errlen)))
		return e;
	snprintf(path, sizeof(path), "%s/%s.lock", ib_state_dir(), bdf);
	if ((*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0) {
		e = -errno;
		snprintf(err, errlen, "%s: %s (nothing was changed)", path, strerror(-e));
		return e;
	}
	if (flock(*fd, LOCK_EX | LOCK_NB)) {
		e = -errno;
		ib_read_line(path, pid, sizeof(pid));
		close(*fd);
		*fd = -1;
		if (e == -EWOULDBLOCK) {
			snprintf(err, errlen, "%s is in use by another iommubench (pid %s, lock %s): wait for it "
				 "to finish or stop it; nothing was changed", bdf, pid[0] ? pid : "unknown", path);
			return -EBUSY;
		}
		snprintf(err, errlen, "locking %s: %s (nothing was changed)", path, strerror(-e));
		return e;
	}
	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (ftruncate(*fd, 0) == 0 && pwrite(*fd, pid, strlen(pid), 0) < 0)
		fprintf(stderr, "iommubench: writing the pid into %s: %s\n", path, strerror(errno));
	return 0;
}

void ib_state_unlock_device(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

int ib_state_recover(bool dry_run, FILE *log, char *err, size_t errlen)
{
	struct dirent *de;
	int n = 0, e = 0;
	DIR *dir;

	if (!(dir = opendir(ib_state_dir()))) {
		if (errno == ENOENT)
			return 0;
		e = -errno;
		snprintf(err, errlen, "%s: %s (are you root?)", ib_state_dir(), strerror(-e));
		return e;
	}
	while (!e && (de = readdir(dir))) {
		size_t l = strlen(de->d_name);
		char path[PATH_MAX];
		struct ib_state s;
		int lockfd = -1;

		if (l < 7 || strcmp(de->d_name + l - 6, ".state"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", ib_state_dir(), de->d_name);
		if ((e = ib_state_read(path, &s, err, errlen)))
			break;
		if (s.pid == getpid())
			continue;
		if (ib_state_owner_alive(&s)) {
			if (log)
				fprintf(log, "%s: pid %d (iommubench %s) is still running: left to it\n", path,
					(int)s.pid, s.verb);
			continue;
		}
		if (log)
			fprintf(log, "%s: pid %d (iommubench %s) is gone and left changes; %s:\n", path,
				(int)s.pid, s.verb, dry_run ? "would put back" : "putting back");
		if (s.dev.active && !dry_run && (e = ib_state_lock_device(s.dev.bdf, &lockfd, err, errlen)))
			break;
		e = ib_state_restore(&s, dry_run, log, err, errlen);
		ib_state_unlock_device(&lockfd);
		if (!e && !dry_run && unlink(path)) {
			e = -errno;
			snprintf(err, errlen, "removing %s: %s", path, strerror(-e));
		}
		n += !e;
	}
	closedir(dir);
	return e ? e : n;
}
