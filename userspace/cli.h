/* Verbs of the iommubench command line. */
#ifndef IB_CLI_H
#define IB_CLI_H
#include <stdbool.h>

struct ib_global {
	bool verbose;
};

int cmd_hooks(int argc, char **argv, const struct ib_global *g);
int cmd_run(int argc, char **argv, const struct ib_global *g);
int cmd_trace(int argc, char **argv, const struct ib_global *g);
int cmd_report(int argc, char **argv, const struct ib_global *g);
int cmd_restore(int argc, char **argv, const struct ib_global *g);

#endif
