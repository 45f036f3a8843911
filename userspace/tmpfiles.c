// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Temporary files removed on a fatal signal (tmpfiles.h). */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include "tmpfiles.h"

#define SLOTS 8
#define PATHLEN 4224

/*
 * Fixed slots, so that the handler needs no allocation: a slot is in use
 * when its first byte is set; slots change only with the signals blocked.
 */
static char slots[SLOTS][PATHLEN];

static void block(sigset_t *old)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, SIGINT);
	sigaddset(&s, SIGTERM);
	sigaddset(&s, SIGHUP);
	sigprocmask(SIG_BLOCK, &s, old);
}

int ib_tmp_add(const char *path)
{
	size_t n = strlen(path);
	sigset_t old;
	int rc = -ENOSPC;

	if (n >= PATHLEN)
		return -ENAMETOOLONG;
	block(&old);
	for (int i = 0; i < SLOTS; i++) {
		if (!slots[i][0]) {
			memcpy(slots[i], path, n + 1);
			rc = 0;
			break;
		}
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}

void ib_tmp_del(const char *path)
{
	sigset_t old;

	block(&old);
	for (int i = 0; i < SLOTS; i++)
		if (slots[i][0] && !strcmp(slots[i], path))
			slots[i][0] = '\0';
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static void on_signal(int sig)
{
	int e = errno;

	/* files first, then their directories (rmdir needs them empty) */
	for (int pass = 0; pass < 2; pass++)
		for (int i = SLOTS - 1; i >= 0; i--)
			if (slots[i][0] && !(pass ? rmdir(slots[i]) : unlink(slots[i])))
				slots[i][0] = '\0';
	errno = e;
	signal(sig, SIG_DFL);
	raise(sig);
}

void ib_tmp_remove_on_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGINT);
	sigaddset(&sa.sa_mask, SIGTERM);
	sigaddset(&sa.sa_mask, SIGHUP);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}
