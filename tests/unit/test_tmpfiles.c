// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tmpfiles.h: what is registered is removed when a signal ends the process,
 * what was forgotten is not, and the process still dies of the signal. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "check.h"
#include "tmpfiles.h"

static void touch(const char *p)
{
	int fd = open(p, O_WRONLY | O_CREAT, 0644);

	if (fd >= 0)
		close(fd);
}

static void die_of(int sig)
{
	char dir[] = "/tmp/ib-test-tmpfiles-XXXXXX", sub[64], a[96], b[96], keep[64];
	struct stat st;
	pid_t pid;
	int ws = 0;

	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(sub, sizeof(sub), "%s/plot", dir);
	snprintf(a, sizeof(a), "%s/a", sub);
	snprintf(b, sizeof(b), "%s/b", sub);
	snprintf(keep, sizeof(keep), "%s/keep", dir);
	pid = fork();
	if (pid == 0) {
		/* the directory registered before its files, as report does */
		mkdir(sub, 0700);
		ib_tmp_add(sub);
		ib_tmp_add(a);
		touch(a);
		ib_tmp_add(b);
		touch(b);
		ib_tmp_add(keep);
		touch(keep);
		ib_tmp_del(keep);
		ib_tmp_remove_on_signals();
		raise(sig);
		_exit(0);
	}
	CHECK(pid > 0 && waitpid(pid, &ws, 0) == pid, "fork/wait");
	CHECK(WIFSIGNALED(ws) && WTERMSIG(ws) == sig, "died of signal %d (status %#x)", sig, ws);
	CHECK(stat(sub, &st) && errno == ENOENT, "signal %d: registered directory and its files removed", sig);
	CHECK(!stat(keep, &st), "signal %d: a forgotten file is left alone", sig);
	unlink(keep);
	rmdir(dir);
}

int main(void)
{
	die_of(SIGTERM);
	die_of(SIGINT);
	die_of(SIGHUP);
	return CHECK_DONE();
}
