/*
 * Temporary files and directories a verb is writing, removed when a signal
 * ends it: `report` registers the atomic writer's temporary file and
 * gnuplot's directory, so that Ctrl-C, SIGTERM or SIGHUP leave nothing
 * behind (SIGKILL cannot be caught: a named temporary, never a partial
 * output, may then remain).
 */
#ifndef IB_TMPFILES_H
#define IB_TMPFILES_H

/* remember path (a file, or an empty directory removed after its files); -ENOSPC when full */
int ib_tmp_add(const char *path);
/* forget path (it was renamed, linked or removed) */
void ib_tmp_del(const char *path);
/* SIGINT, SIGTERM, SIGHUP: remove what is registered, then die of the signal */
void ib_tmp_remove_on_signals(void);

#endif
