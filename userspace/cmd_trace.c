// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `iommubench trace`: the probes around any workload, figures per process
 * and per pagetable. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <bpf/btf.h>
#include "escape.h"
#include "cli.h"
#include "contexts.h"
#include "hooks.h"
#include "hostinfo.h"
#include "preflight.h"
#include "probes.h"
#include "results.h"
#include "state.h"
#include "stats.h"
#include "trace.h"
#include "warnings.h"

static const char trace_usage[] =
"usage: iommubench trace [-o FILE] [-d SEC] [-p PID] [--attach MODE] [-q] [-v] [-- COMMAND [ARG...]]\n"
"\n"
"Attach the probes to the whole system (no workload of our own) and keep the\n"
"figures per process and per pagetable: maps, unmaps, attaches, invalidations\n"
"by kind with their queue descriptors or commands, and syncs. With a COMMAND,\n"
"trace while it runs (it and its descendants are marked from_command); without\n"
"one, trace for -d seconds or until Ctrl-C. Write one results document (JSON)\n"
"and print a table.\n"
"\n"
"A pagetable is the first argument of the outermost map or unmap call: the\n"
"iommu_domain for the IOMMU core, the msm_mmu of a GPU process's pagetable on\n"
"drm/msm, the device for the DMA API. Invalidations are charged to the\n"
"pagetable of the map or unmap they run inside; work done in interrupts\n"
"(lazy flush timers, GPU retire paths in softirq) is listed under (softirq),\n"
"(hardirq), not under the process it interrupted.\n"
"\n"
"  -o, --output FILE   results file (default results/trace-UTCTIME.json); never overwritten\n"
"  -d, --duration SEC  stop after SEC seconds (without a COMMAND); default: until Ctrl-C\n"
"  -p, --pid PID       only this process, until it exits (work it hands to kernel\n"
"                      threads and workers is then not seen)\n"
"      --attach MODE   best attach mode to use: fentry (default), kprobe, tracepoint\n"
"  -q, --quiet         no table on stdout, no progress lines\n"
"  -v, --verbose       libbpf messages\n"
"\n"
"Ctrl-C (or SIGTERM) stops tracing and still writes the results; a SIGTERM\n"
"is passed on to the COMMAND. A second one stops waiting for the COMMAND to\n"
"finish; the probes are detached and tracefs unmounted (if iommubench\n"
"mounted it) on every exit but SIGKILL (then: iommubench restore).\n"
"\n"
"examples:\n"
"  iommubench trace -- glmark2-es2-drm --off-screen\n"
"  iommubench trace -d 30 -o results/gpu-idle.json\n"
"  iommubench trace -p $(pidof kmscube) -d 10\n"
"  lab/run x86-vtd -- iommubench trace -- iommubench run scenarios/basic.ini -q\n";

static volatile sig_atomic_t stop_sig, forward_sig, hurry;

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (stop_sig)
		hurry = 1; /* a repeated signal: stop waiting for the command */
	stop_sig = sig;
	/* Ctrl-C from the terminal reaches the command by itself; a signal
	 * sent to us alone (kill, a CI timeout) is passed on */
	if (!si || si->si_code != SI_KERNEL)
		forward_sig = sig;
}

static void catch_signals(void)
{
	struct sigaction sa = { .sa_sigaction = on_signal, .sa_flags = SA_SIGINFO };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Fork the command stopped before exec, so the probes know its pid before it
 * runs a single instruction of its own. Returns the pid, or -errno. */
static pid_t spawn(char **cmd, int *go_fd, int *exec_fd)
{
	int go[2], ex[2];
	pid_t pid;

	if (pipe2(go, O_CLOEXEC))
		return -errno;
	if (pipe2(ex, O_CLOEXEC)) {
		int e = -errno;

		close(go[0]);
		close(go[1]);
		return e;
	}
	pid = fork();
	if (pid < 0) {
		int e = -errno;

		close(go[0]); close(go[1]); close(ex[0]); close(ex[1]);
		return e;
	}
	if (pid == 0) {
		char c;
		int e;

		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		close(go[1]);
		close(ex[0]);
		if (read(go[0], &c, 1) != 1)
			_exit(127); /* the tracer gave up before starting us */
		execvp(cmd[0], cmd);
		e = errno;
		if (write(ex[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(go[0]);
	close(ex[1]);
	*go_fd = go[1];
	*exec_fd = ex[0];
	return pid;
}

/* Let the command run; returns 0 once it is executing, else its exec errno. */
static int release(int go_fd, int exec_fd)
{
	int e = 0;
	ssize_t n;

	if (write(go_fd, "g", 1) != 1)
		e = errno ? errno : EPIPE;
	close(go_fd);
	do
		n = read(exec_fd, &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(exec_fd);
	return n == (ssize_t)sizeof(e) ? e : 0;
}

static void progress(struct ib_probes *p, double elapsed)
{
	uint64_t c[IB_NR_ROLES] = {0};

	if (ib_probes_role_counts(p, c))
		return;
	fprintf(stderr, "iommubench: trace %.0f s: %llu maps, %llu unmaps, %llu invalidations, %llu syncs, "
		"%llu attaches\n", elapsed, (unsigned long long)c[IB_ROLE_MAP],
		(unsigned long long)c[IB_ROLE_UNMAP], (unsigned long long)c[IB_ROLE_TLB_INV],
		(unsigned long long)c[IB_ROLE_TLB_SYNC], (unsigned long long)c[IB_ROLE_ATTACH]);
}

/* results/trace-UTCTIME.json; results/ itself is made when the trace writes */
static void default_output(char *out, size_t len)
{
	char ts[32];

	ib_utc_now(ts, sizeof(ts), true);
	snprintf(out, len, "results/trace-%s.json", ts);
}

static int parse_seconds(const char *s, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	return errno || end == s || *end || !(*v > 0) || *v > 1e7 ? -1 : 0;
}

int cmd_trace(int argc, char **argv, const struct ib_global *g)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "duration", required_argument, NULL, 'd' },
		{ "pid", required_argument, NULL, 'p' },
		{ "attach", required_argument, NULL, 'A' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *out_arg = NULL;
	bool quiet = false, verbose = g->verbose;
	int best = IB_MODE_NONE, c, e, rc = 1, go_fd = -1, exec_fd = -1, status = 0;
	double duration = 0, t0 = now_s(), next_progress;
	long filter_pid = 0;
	char **cmd = NULL;
	pid_t child = 0;
	bool child_done = false;
	struct ib_kernel_env env = {0};
	struct ib_hook *hooks = NULL;
	struct ib_probes probes = {0};
	struct ib_readout *ro = NULL;
	struct ib_trace_readout tr = {0};
	struct ib_trace_info info = {0};
	char err[1024], out[4096], started[32] = "", finished[32];
	json_t *doc = NULL;

	optind = 1;
	/* '+': stop at the first word that is not an option, the COMMAND */
	while ((c = getopt_long(argc, argv, "+o:d:p:qvhA:", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out_arg = optarg; break;
		case 'd':
			if (parse_seconds(optarg, &duration)) {
				fprintf(stderr, "iommubench: --duration %s: want seconds > 0, e.g. 30 or 0.5\n", optarg);
				return 2;
			}
			break;
		case 'p': {
			char *end;

			errno = 0;
			filter_pid = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || filter_pid < 1 || filter_pid > 0x3fffffff) {
				fprintf(stderr, "iommubench: --pid %s: want a process id\n", optarg);
				return 2;
			}
			if (kill((pid_t)filter_pid, 0) && errno == ESRCH) {
				fprintf(stderr, "iommubench: --pid %ld: no such process\n", filter_pid);
				return 2;
			}
			break;
		}
		case 'q': quiet = true; break;
		case 'v': verbose = true; break;
		case 'A':
			if ((best = ib_attach_arg(optarg)) < 0)
				return 2;
			break;
		case 'h': fputs(trace_usage, stdout); return 0;
		default: fputs(trace_usage, stderr); return 2;
		}
	}
	if (optind < argc)
		cmd = argv + optind;
	if (cmd && duration > 0) {
		fprintf(stderr, "iommubench trace: give either -d SEC or a COMMAND, not both (a COMMAND is "
			"traced until it exits)\n");
		return 2;
	}
	if (cmd && filter_pid) {
		fprintf(stderr, "iommubench trace: give either -p PID or a COMMAND, not both\n");
		return 2;
	}
	if (out_arg)
		snprintf(out, sizeof(out), "%s", out_arg);
	else
		default_output(out, sizeof(out));
	/* before anything changes (results/, tracefs, BPF): the output path and
	 * the privileges the probes need */
	if (ib_preflight_output(out, !out_arg, err, sizeof(err)) || ib_preflight_probes(err, sizeof(err))) {
		fprintf(stderr, "iommubench: %s\n", ib_term(err));
		return 2;
	}

	catch_signals();
	/* what a killed run left changed goes back first */
	if ((e = ib_state_recover(false, stderr, err, sizeof(err))) < 0) {
		fprintf(stderr, "iommubench: a previous run left changes that cannot be put back: %s\n", ib_term(err));
		goto out;
	}
	e = 0;
	hooks = calloc(ib_catalog_len, sizeof(*hooks));
	ro = calloc(1, sizeof(*ro));
	if (!hooks || !ro) {
		fprintf(stderr, "iommubench: out of memory\n");
		goto out;
	}
	ib_probes_set_verbose(verbose);
	if ((e = ib_env_probe(&env, err, sizeof(err))) ||
	    ((env.best = best), (e = ib_hooks_select(&env, hooks))) ||
	    (ib_trace_mark_pagetables(hooks, &env), (e = ib_probes_start_trace(&probes, hooks, (uint32_t)filter_pid, err, sizeof(err))))) {
		fprintf(stderr, "iommubench: probes: %s\n", e ? err : "");
		goto out;
	}
	if (verbose)
		fprintf(stderr, "iommubench: probes loaded and attached in %.1f s (%d load retries)\n",
			now_s() - t0, probes.retries);
	for (size_t i = 0; i < ib_catalog_len; i++)
		info.attached += hooks[i].attached;
	if (!info.attached) {
		fprintf(stderr, "iommubench: no hook attached on this kernel (see iommubench hooks): nothing to trace\n");
		goto out;
	}
	if (stop_sig)
		goto read;

	ib_utc_now(started, sizeof(started), false);
	t0 = now_s();
	if (cmd) {
		child = spawn(cmd, &go_fd, &exec_fd);
		if (child < 0) {
			fprintf(stderr, "iommubench: fork for %s: %s (errno %d)\n", cmd[0], strerror((int)-child),
				(int)-child);
			child = 0;
			goto out;
		}
		e = ib_probes_set_command(&probes, (uint32_t)child);
		if (e) {
			/* the command never ran: closing the pipe ends it */
			fprintf(stderr, "iommubench: marking %s (pid %d) for the probes: %s (errno %d)\n",
				cmd[0], (int)child, strerror(-e), -e);
			close(go_fd);
			close(exec_fd);
			waitpid(child, NULL, 0);
			child = 0;
			goto out;
		}
		e = release(go_fd, exec_fd); /* closes both */
		if (e) {
			fprintf(stderr, "iommubench: cannot run %s: %s (errno %d); check the name and PATH\n",
				cmd[0], strerror(e), e);
			waitpid(child, NULL, 0);
			child = 0;
			rc = 127;
			goto out;
		}
	} else if (!quiet) {
		fprintf(stderr, "iommubench: tracing %s with %d hooks%s\n",
			filter_pid ? "one process" : "every process", info.attached,
			duration > 0 ? "" : "; Ctrl-C to stop and write the results");
	}
	next_progress = t0 + 10;
	for (;;) {
		double t = now_s();

		if (child && !child_done) {
			pid_t w = waitpid(child, &status, WNOHANG);

			if (w == child)
				child_done = true;
			else if (w < 0 && errno != EINTR)
				child_done = true, status = -1;
		}
		if (child_done || stop_sig || (duration > 0 && t - t0 >= duration))
			break;
		if (filter_pid && kill((pid_t)filter_pid, 0) && errno == ESRCH) {
			if (!quiet)
				fprintf(stderr, "iommubench: process %ld exited; trace ends\n", filter_pid);
			info.target_exited = true;
			break;
		}
		if (!quiet && t >= next_progress) {
			progress(&probes, t - t0);
			next_progress += 10;
		}
		usleep(50 * 1000);
	}
	if (stop_sig && child && !child_done) {
		/* give the command a moment to finish on the signal */
		if (forward_sig)
			kill(child, forward_sig);
		for (int i = 0; i < 100 && !child_done && !hurry; i++) {
			if (waitpid(child, &status, WNOHANG) == child)
				child_done = true;
			else
				usleep(50 * 1000);
		}
		if (!child_done)
			fprintf(stderr, "iommubench: %s (pid %d) is still running; results cover it up to now\n",
				cmd[0], (int)child);
	}
	info.seconds = now_s() - t0;
read:
	if (!started[0])
		ib_utc_now(started, sizeof(started), false);
	if ((e = ib_probes_read(&probes, ro)) || (e = ib_probes_read_trace(&probes, &tr)))
		fprintf(stderr, "iommubench: reading the probe maps: %s (errno %d)\n", strerror(-e), -e);
	ib_probes_stop(&probes);
	ib_utc_now(finished, sizeof(finished), false);

	info.cmd = cmd;
	info.pid = child;
	info.cmd_done = child_done;
	info.status = status;
	info.filter_pid = (uint32_t)filter_pid;
	info.duration = duration;
	info.signal = stop_sig;
	doc = ib_doc_new(started, finished);
	json_object_set_new(doc, "scenario", json_null());
	json_object_set_new(doc, "probes", json_true());
	json_object_set_new(doc, "trace", ib_trace_info_json(&info));
	json_object_set_new(doc, "hooks", ib_hooks_json(hooks, ro));
	{
		json_t *ops = ib_ops_json(hooks, ro);

		if (json_object_get(ops, "tlb_inv"))
			json_object_set_new(json_object_get(ops, "tlb_inv"), "kinds", ib_tlb_kinds_json(ro));
		json_object_set_new(doc, "ops", ops);
	}
	json_object_set_new(doc, "processes", ib_trace_processes_json(&tr, hooks));
	json_object_set_new(doc, "drops", ib_drops_json(&ro->err));
	json_object_set_new(doc, "error", json_null());
	json_object_set_new(doc, "interrupted", stop_sig ? json_string(strsignal(stop_sig)) : json_false());

	if (!out_arg && mkdir("results", 0755) && errno != EEXIST)
		fprintf(stderr, "iommubench: creating results/: %s\n", strerror(errno));
	if (ib_results_write(doc, out, err, sizeof(err))) {
		fprintf(stderr, "iommubench: %s\n", ib_term(err));
		goto out;
	}
	if (!quiet) {
		ib_trace_print(stdout, doc);
		ib_doc_warnings_print(stdout, doc, IB_WARN_TEXT); /* non-zero drop counters */
	}
	fprintf(stderr, "iommubench: wrote %s\n", out);
	/* the command's own exit status, so `trace -- make test` can gate */
	if (cmd && child_done && status >= 0)
		rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	else
		rc = stop_sig ? 130 : 0;
out:
	ib_probes_stop(&probes);
	ib_trace_readout_free(&tr);
	ib_env_free(&env);
	json_decref(doc);
	free(hooks);
	free(ro);
	return rc;
}
