// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `iommubench run`: drive a scenario with the probes attached. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "backend_vfio.h"
#include "cli.h"
#include "hooks.h"
#include "hostinfo.h"
#include "probes.h"
#include "results.h"
#include "scenario.h"
#include "stats.h"
#include "summary.h"

static const char run_usage[] =
"usage: iommubench run SCENARIO [-o FILE] [--device BDF] [--bind|--no-bind] [--attach MODE] [-v]\n"
"\n"
"Drive SCENARIO (an INI job file, see scenarios/README.md) through its backend\n"
"with the BPF probes attached, write one results document (JSON) and print a\n"
"summary. The device comes from --device, else the scenario's device=, else\n"
"$IOMMUBENCH_DEVICE (set by the lab).\n"
"\n"
"  -o, --output FILE   results file (default results/NAME-UTCTIME.json); never overwritten\n"
"  -d, --device BDF    PCI device to use, e.g. 0000:00:02.0\n"
"      --bind          bind the device to vfio-pci if needed (and give it back after)\n"
"      --no-bind       fail if the device is not bound to vfio-pci already\n"
"      --no-probes     harness timings only (no BPF)\n"
"      --attach MODE   best attach mode to use: fentry (default), kprobe, tracepoint\n"
"  -q, --quiet         no summary on stdout\n"
"  -v, --verbose       libbpf messages and progress\n"
"\n"
"examples:\n"
"  iommubench run scenarios/basic.ini\n"
"  iommubench run scenarios/basic.ini --device 0000:03:00.0 -o results/basic-nvme.json\n"
"  lab/run x86-vtd -- iommubench run scenarios/basic.ini\n";

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	stop_requested = sig;
	/* a second Ctrl-C kills a stuck teardown; BPF links go with the fds */
	signal(sig, SIG_DFL);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The clock's own cost: N back-to-back reads. */
static json_t *clock_overhead(void)
{
	enum { N = 10001 };
	static uint64_t t[N], d[N - 1];
	json_t *o = json_object();
	char cs[64];

	for (int i = 0; i < N; i++)
		t[i] = now_ns();
	for (int i = 0; i < N - 1; i++)
		d[i] = t[i + 1] - t[i];
	ib_read_line("/sys/devices/system/clocksource/clocksource0/current_clocksource", cs, sizeof(cs));
	json_object_set_new(o, "clock", json_string("CLOCK_MONOTONIC"));
	json_object_set_new(o, "clocksource", cs[0] ? json_string(cs) : json_null());
	json_object_set_new(o, "reads", json_integer(N - 1));
	json_object_set_new(o, "min_ns", json_integer((json_int_t)ib_sample_percentile(d, N - 1, 0.0)));
	json_object_set_new(o, "p50_ns", json_integer((json_int_t)ib_sample_percentile(d, N - 1, 0.5)));
	return o;
}

static json_t *scenario_json(const struct ib_scenario *sc, const char *device)
{
	json_t *o = json_object(), *kv = json_array();

	json_object_set_new(o, "path", json_string(sc->path));
	json_object_set_new(o, "name", json_string(sc->name));
	json_object_set_new(o, "description", json_string(sc->description));
	json_object_set_new(o, "backend", json_string(ib_backend_name(sc->backend)));
	json_object_set_new(o, "device", json_string(device));
	json_object_set_new(o, "bind", json_boolean(sc->bind));
	json_object_set_new(o, "pages", json_integer((json_int_t)sc->pages));
	json_object_set_new(o, "page_size", json_integer((json_int_t)sc->page_size));
	json_object_set_new(o, "iova", json_integer((json_int_t)sc->iova_base));
	json_object_set_new(o, "loops", json_integer((json_int_t)sc->loops));
	json_object_set_new(o, "warmup", json_integer((json_int_t)sc->warmup));
	json_object_set_new(o, "order", json_string(ib_order_name(sc->order)));
	for (size_t i = 0; i < sc->nkv; i++) {
		json_t *e = json_object();

		json_object_set_new(e, "section", json_string(sc->kv[i].section));
		json_object_set_new(e, "key", json_string(sc->kv[i].key));
		json_object_set_new(e, "value", json_string(sc->kv[i].value));
		json_object_set_new(e, "line", json_integer(sc->kv[i].line));
		json_array_append_new(kv, e);
	}
	json_object_set_new(o, "keys", kv);
	return o;
}

struct harness {
	uint64_t *map_ns, *unmap_ns;
	size_t nmap, nunmap;
	uint64_t map_calls, unmap_calls, bytes_unmapped;
	uint64_t total_calls;       /* map + unmap calls the whole run will make */
	uint64_t started_ns, progress_ns;
};

/* A line on stderr every few seconds of a long run, so it is seen alive. */
static void progress(struct harness *hr, uint64_t now)
{
	uint64_t done = hr->map_calls + hr->unmap_calls;

	if (now - hr->progress_ns < 5000000000ull)
		return;
	hr->progress_ns = now;
	fprintf(stderr, "iommubench: %llu/%llu ioctls (%.0f%%) after %.0f s\n",
		(unsigned long long)done, (unsigned long long)hr->total_calls,
		hr->total_calls ? 100.0 * (double)done / (double)hr->total_calls : 0.0,
		(double)(now - hr->started_ns) / 1e9);
}

static int do_map(struct ib_vfio *v, const struct ib_scenario *sc, uint64_t i,
		  struct harness *hr, bool measured, char *err, size_t errlen)
{
	uint64_t iova = sc->iova_base + i * sc->page_size, t0, t1;
	int e;

	t0 = now_ns();
	e = ib_vfio_map(v, iova, (char *)v->mem + i * sc->page_size, sc->page_size);
	t1 = now_ns();
	hr->map_calls++;
	progress(hr, t1);
	if (e) {
		snprintf(err, errlen, "VFIO_IOMMU_MAP_DMA iova 0x%llx size %llu: %s",
			 (unsigned long long)iova, (unsigned long long)sc->page_size, strerror(-e));
		return e;
	}
	if (measured)
		hr->map_ns[hr->nmap++] = t1 - t0;
	return 0;
}

static int do_unmap(struct ib_vfio *v, const struct ib_scenario *sc, uint64_t i,
		    struct harness *hr, bool measured, char *err, size_t errlen)
{
	uint64_t iova = sc->iova_base + i * sc->page_size, t0, t1;
	int64_t n;

	t0 = now_ns();
	n = ib_vfio_unmap(v, iova, sc->page_size);
	t1 = now_ns();
	hr->unmap_calls++;
	progress(hr, t1);
	if (n < 0 || (uint64_t)n != sc->page_size) {
		snprintf(err, errlen, "VFIO_IOMMU_UNMAP_DMA iova 0x%llx size %llu: %s",
			 (unsigned long long)iova, (unsigned long long)sc->page_size,
			 n < 0 ? strerror((int)-n) : "unmapped a different size");
		return n < 0 ? (int)n : -EIO;
	}
	hr->bytes_unmapped += (uint64_t)n;
	if (measured)
		hr->unmap_ns[hr->nunmap++] = t1 - t0;
	return 0;
}

/* One pass over the pages in the scenario's order. */
static int pass(struct ib_vfio *v, const struct ib_scenario *sc, struct harness *hr,
		bool measured, char *err, size_t errlen)
{
	uint64_t mapped = 0;
	int e = 0;

	if (sc->order == IB_ORDER_MAP_UNMAP_EACH) {
		for (uint64_t i = 0; i < sc->pages && !stop_requested; i++) {
			if ((e = do_map(v, sc, i, hr, measured, err, errlen)))
				return e;
			if ((e = do_unmap(v, sc, i, hr, measured, err, errlen)))
				return e;
		}
		return 0;
	}
	for (; mapped < sc->pages && !stop_requested; mapped++)
		if ((e = do_map(v, sc, mapped, hr, measured, err, errlen)))
			break;
	/* unmap what was mapped, also after an error or a signal */
	for (uint64_t i = 0; i < mapped; i++) {
		char err2[256];
		int e2 = do_unmap(v, sc, i, hr, measured, err2, sizeof(err2));

		if (e2 && !e) {
			e = e2;
			snprintf(err, errlen, "%s", err2);
		}
	}
	return e;
}

static int default_output(const struct ib_scenario *sc, char *out, size_t len)
{
	char ts[32];

	ib_utc_now(ts, sizeof(ts), true);
	if (mkdir("results", 0755) && errno != EEXIST)
		return -errno;
	snprintf(out, len, "results/%s-%s.json", sc->name, ts);
	return 0;
}

int cmd_run(int argc, char **argv, const struct ib_global *g)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "device", required_argument, NULL, 'd' },
		{ "bind", no_argument, NULL, 'B' },
		{ "no-bind", no_argument, NULL, 'N' },
		{ "no-probes", no_argument, NULL, 'P' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "attach", required_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *out_arg = NULL, *dev_arg = NULL, *device;
	bool verbose = g->verbose, quiet = false, probes_on = true;
	int bind_arg = -1, best = IB_MODE_NONE, c, e, rc = 1;
	static struct ib_scenario sc;
	struct ib_kernel_env env = {0};
	struct ib_hook *hooks = NULL;
	struct ib_probes probes = {0};
	struct ib_readout *ro = NULL;
	struct ib_vfio vfio = { .container_fd = -1, .group_fd = -1 };
	struct harness hr = {0};
	char err[1024], out[4096], started[32], finished[32];
	const char *lab;
	json_t *doc = NULL, *harness, *hops, *perr;
	struct stat st;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:d:qvhA:", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out_arg = optarg; break;
		case 'd': dev_arg = optarg; break;
		case 'B': bind_arg = 1; break;
		case 'N': bind_arg = 0; break;
		case 'P': probes_on = false; break;
		case 'q': quiet = true; break;
		case 'v': verbose = true; break;
		case 'A':
			if ((best = ib_attach_arg(optarg)) < 0)
				return 2;
			break;
		case 'h': fputs(run_usage, stdout); return 0;
		default: fputs(run_usage, stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "iommubench run: expected one SCENARIO file\n%s", run_usage);
		return 2;
	}
	if (ib_scenario_load(argv[optind], &sc, err, sizeof(err))) {
		fprintf(stderr, "iommubench: %s\n", err);
		return 2;
	}
	device = dev_arg ? dev_arg : sc.device[0] ? sc.device : getenv("IOMMUBENCH_DEVICE");
	if (!device || !device[0]) {
		fprintf(stderr, "iommubench: no device: pass --device BDF, set device= in %s, or set IOMMUBENCH_DEVICE\n",
			sc.path);
		return 2;
	}
	if (bind_arg >= 0)
		sc.bind = bind_arg;
	if (out_arg)
		snprintf(out, sizeof(out), "%s", out_arg);
	else if ((e = default_output(&sc, out, sizeof(out)))) {
		fprintf(stderr, "iommubench: creating results/: %s\n", strerror(-e));
		return 1;
	}
	if (stat(out, &st) == 0) {
		fprintf(stderr, "iommubench: %s exists: results are never overwritten; choose another -o\n", out);
		return 2;
	}

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	ib_utc_now(started, sizeof(started), false);

	hr.map_ns = calloc(sc.pages * sc.loops, sizeof(uint64_t));
	hr.unmap_ns = calloc(sc.pages * sc.loops, sizeof(uint64_t));
	hooks = calloc(ib_catalog_len, sizeof(*hooks));
	ro = calloc(1, sizeof(*ro));
	if (!hr.map_ns || !hr.unmap_ns || !hooks || !ro) {
		fprintf(stderr, "iommubench: out of memory for %llu samples\n",
			(unsigned long long)(sc.pages * sc.loops));
		goto out;
	}

	/* Bind before the probes start: driver binding is not part of the run. */
	if ((e = ib_vfio_prepare(&vfio, device, sc.bind, err, sizeof(err)))) {
		fprintf(stderr, "iommubench: %s\n", err);
		goto out;
	}
	if (probes_on) {
		ib_probes_set_verbose(verbose);
		if ((e = ib_env_probe(&env, err, sizeof(err))) ||
		    ((env.best = best), (e = ib_hooks_select(&env, hooks))) ||
		    (e = ib_probes_start(&probes, hooks, (uint32_t)getpid(), err, sizeof(err)))) {
			fprintf(stderr, "iommubench: probes: %s\n", e ? err : "");
			goto out;
		}
		if (verbose)
			fprintf(stderr, "iommubench: probes attached (%d load retries)\n", probes.retries);
	}

	hr.total_calls = 2 * sc.pages * (sc.loops + sc.warmup);
	hr.started_ns = hr.progress_ns = now_ns();
	e = ib_vfio_attach(&vfio, err, sizeof(err));
	if (!e)
		e = ib_vfio_alloc(&vfio, sc.pages * sc.page_size, err, sizeof(err));
	for (uint64_t l = 0; !e && l < sc.warmup + sc.loops && !stop_requested; l++) {
		if (verbose)
			fprintf(stderr, "iommubench: %s pass %llu/%llu\n", l < sc.warmup ? "warm-up" : "measured",
				(unsigned long long)(l + 1), (unsigned long long)(sc.warmup + sc.loops));
		e = pass(&vfio, &sc, &hr, l >= sc.warmup, err, sizeof(err));
	}
	if (e)
		fprintf(stderr, "iommubench: %s\n", err);
	ib_vfio_detach(&vfio); /* the detach is part of what the probes see */
	if (probes_on && ib_probes_read(&probes, ro))
		fprintf(stderr, "iommubench: reading the probe maps: %s\n", strerror(errno));
	ib_probes_stop(&probes);
	ib_vfio_release(&vfio);
	ib_utc_now(finished, sizeof(finished), false);

	doc = json_object();
	json_object_set_new(doc, "schema", json_string(IB_SCHEMA));
	json_object_set_new(doc, "tool", ib_tool_json());
	json_object_set_new(doc, "started", json_string(started));
	json_object_set_new(doc, "finished", json_string(finished));
	json_object_set_new(doc, "host", ib_host_json(NULL));
	lab = getenv("IOMMUBENCH_LAB_TARGET");
	if (lab && lab[0]) {
		json_t *lj = json_object();

		json_object_set_new(lj, "target", json_string(lab));
		json_object_set_new(lj, "timings", json_string(
			"emulated: QEMU TCG; invalidations complete inside the register write. "
			"Counts are exact, times are not hardware figures"));
		json_object_set_new(doc, "lab", lj);
	} else {
		json_object_set_new(doc, "lab", json_null());
	}
	json_object_set_new(doc, "timings_emulated", json_boolean(lab && lab[0]));
	json_object_set_new(doc, "scenario", scenario_json(&sc, device));
	json_object_set_new(doc, "probes", json_boolean(probes_on));
	json_object_set_new(doc, "hooks", probes_on ? ib_hooks_json(hooks, ro) : json_array());
	json_object_set_new(doc, "ops", probes_on ? ib_ops_json(hooks, ro) : json_object());

	harness = json_object();
	json_object_set_new(harness, "timer", clock_overhead());
	hops = json_object();
	json_object_set_new(hops, "map", ib_samples_json(hr.map_ns, hr.nmap));
	json_object_set_new(hops, "unmap", ib_samples_json(hr.unmap_ns, hr.nunmap));
	json_object_set_new(harness, "ops", hops);
	json_object_set_new(harness, "map_calls", json_integer((json_int_t)hr.map_calls));
	json_object_set_new(harness, "unmap_calls", json_integer((json_int_t)hr.unmap_calls));
	json_object_set_new(harness, "bytes_unmapped", json_integer((json_int_t)hr.bytes_unmapped));
	json_object_set_new(harness, "measured_passes", json_integer((json_int_t)sc.loops));
	json_object_set_new(harness, "warmup_passes", json_integer((json_int_t)sc.warmup));
	json_object_set_new(harness, "note", json_string(
		"per-ioctl wall time in user space, measured passes only; the probes cover the whole run "
		"(attach, warm-up, measured passes, detach)"));
	json_object_set_new(doc, "harness", harness);

	perr = json_object();
	json_object_set_new(perr, "events", json_integer(0));
	json_object_set_new(perr, "stack_overflow", json_integer((json_int_t)ro->err.stack_overflow));
	json_object_set_new(perr, "unmatched_exit", json_integer((json_int_t)ro->err.unmatched_exit));
	json_object_set_new(perr, "task_map_full", json_integer((json_int_t)ro->err.task_map_full));
	json_object_set_new(doc, "drops", perr);
	json_object_set_new(doc, "error", e ? json_string(err) : json_null());
	json_object_set_new(doc, "interrupted", stop_requested ? json_string(strsignal(stop_requested)) : json_false());

	if (ib_results_write(doc, out, err, sizeof(err))) {
		fprintf(stderr, "iommubench: %s\n", err);
		goto out;
	}
	if (!quiet)
		ib_print_summary(stdout, doc);
	fprintf(stderr, "iommubench: wrote %s\n", out);
	rc = e ? 1 : stop_requested ? 130 : 0;
out:
	ib_probes_stop(&probes);
	ib_vfio_cleanup(&vfio);
	ib_env_free(&env);
	json_decref(doc);
	free(hr.map_ns);
	free(hr.unmap_ns);
	free(hooks);
	free(ro);
	return rc;
}
