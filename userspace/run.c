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
#include "escape.h"
#include "backend_dma.h"
#include "backend_vfio.h"
#include "bdf.h"
#include "plan.h"
#include "preflight.h"
#include "cli.h"
#include "contexts.h"
#include "hooks.h"
#include "hostinfo.h"
#include "labsmmu.h"
#include "probes.h"
#include "results.h"
#include "run_dma.h"
#include "scenario.h"
#include "state.h"
#include "stats.h"
#include "summary.h"
#include "workload.h"

static const char run_usage[] =
"usage: iommubench run SCENARIO [-o FILE] [--device BDF] [--bind|--no-bind] [--set KEY=VALUE]...\n"
"                      [--attach MODE] [--dry-run] [-v]\n"
"\n"
"Drive SCENARIO (an INI job file, see scenarios/README.md) through its backend\n"
"with the BPF probes attached, write one results document (JSON) and print a\n"
"summary. The device comes from --device, else the scenario's device=, else\n"
"$IOMMUBENCH_DEVICE (set by the lab).\n"
"\n"
"  -o, --output FILE   results file (default results/NAME-UTCTIME.json); never overwritten\n"
"  -d, --device BDF    PCI device to use, as /sys/bus/pci/devices names it (0000:00:02.0;\n"
"                      10000:e1:00.0 behind VMD) or BB:DD.F for domain 0000\n"
"      --bind          bind the device to vfio-pci if needed (and give it back after)\n"
"      --no-bind       fail if the device is not bound to vfio-pci already\n"
"      --force         bind even a device that looks in use (a mounted disk below it,\n"
"                      the boot display, a network interface that is up)\n"
"      --no-probes     harness timings only (no BPF)\n"
"      --attach MODE   best attach mode to use: fentry (default), kprobe, tracepoint\n"
"      --backend B     vfio (type1 containers, switch = rebind), iommufd (IOAS + HWPT per\n"
"                      context, switch = replace, or pasid on a mock device) or dma (the\n"
"                      kernel's dma_map_benchmark driver: DMA API, its averages beside ours);\n"
"                      overrides the scenario's backend=\n"
"  -R, --repetitions R measured passes (dma: runs), overriding the scenario's loops=; each\n"
"                      keeps its own figures (repetitions in the results), the unit a\n"
"                      comparison (iommubench report) tests on: use 5 or more there\n"
"  -s, --set KEY=VALUE set a scenario key as if the file said it, after the file (repeatable;\n"
"                      once per key): checked exactly as a line of the file, errors naming\n"
"                      --set; recorded in the results as scenario.overrides\n"
"  -n, --dry-run       check the scenario, the --set overrides, the options, the plan's size\n"
"                      and the device, then print the effective scenario and plan as JSON\n"
"                      on stdout; changes nothing (no binding, no BPF, no results file)\n"
"  -q, --quiet         no summary on stdout\n"
"  -v, --verbose       libbpf messages and progress\n"
"\n"
"Before anything is changed (results/ created, a device bound, BPF loaded,\n"
"the plan allocated) run checks the scenario, the options, the plan's size\n"
"(256 MiB at most), the device address and that the device exists, that -o\n"
"can be written, the privileges (root, or CAP_SYS_ADMIN, or CAP_BPF and\n"
"CAP_PERFMON, for the probes; root to move a device) and the kernel's\n"
"interfaces (/dev/vfio/vfio, /dev/iommu, the driver to bind to).\n"
"\n"
"exit status: 0 done; 1 the run failed, or the kernel or device is not ready;\n"
"2 refused before anything was done (bad scenario or --set, option, output path,\n"
"device address, no such device, checks=1 on a device with no DMA engine,\n"
"privileges); 130 interrupted (results still written)\n"
"\n"
"Isolation checks: checks=auto (the default) runs them where iommubench has a\n"
"DMA engine it can drive (the lab's QEMU edu device 1234:11e8, the iommufd mock\n"
"device) and records them as skipped, with the reason, on any other device;\n"
"checks=1 refuses such a device before anything is changed; checks=0 never\n"
"runs them.\n"
"\n"
"examples:\n"
"  iommubench run scenarios/basic.ini\n"
"  iommubench run scenarios/basic.ini --device 0000:03:00.0 -o results/basic-nvme.json\n"
"  iommubench run scenarios/basic.ini --device 0000:03:00.0 -R 10 -o results/candidate.json\n"
"  iommubench run scenarios/aux-switch.ini --device 0000:00:05.0 --set checks=0 --set contexts=16\n"
"  iommubench run scenarios/aux-switch.ini --device 0000:00:05.0 --set contexts=16 --dry-run\n"
"  lab/run x86-vtd -- iommubench run scenarios/basic.ini\n"
"  lab/run x86-iommufd -- iommubench run scenarios/aux-switch.ini --backend iommufd\n"
"  lab/run x86-iommufd -- iommubench run scenarios/pasid-switch.ini\n"
"  lab/run x86-iommufd -- iommubench run scenarios/dma-map.ini\n";

static volatile sig_atomic_t stop_requested, hurry;

/* The first signal stops the workload; the teardown then runs as usual. A
 * repeated one skips what is left of the run's own work (reading the probe
 * maps, the result), never the detach or the give-back: only SIGKILL can
 * leave the device away from its driver, and then `iommubench restore`. */
static void on_signal(int sig)
{
	static const char msg[] = "iommubench: signal again: skipping the rest of the run's own work; "
		"still detaching the probes and giving the device back\n";

	if (!stop_requested) {
		stop_requested = sig;
		return;
	}
	if (!hurry) {
		ssize_t r = write(2, msg, sizeof(msg) - 1);

		(void)r;
	}
	hurry = 1;
}

/* One reading of the lab MMU-500 model's counters into c; a file that is
 * not there (not that lab target) turns lab.smmu off quietly, one that
 * cannot be read or parsed with a warning. */
static void smmu_read(struct ib_smmu_counters *c, bool *on)
{
	char err[512];
	int e = ib_smmu_read(NULL, c, err, sizeof(err));

	*on = !e;
	if (e && e != -ENOENT)
		fprintf(stderr, "iommubench: warning: the lab MMU-500 model's counters: %s; the results have no "
			"lab.smmu\n", ib_term(err));
}

/* --test-slow-teardown: the lab's way to land a second signal in the
 * teardown; the wait ends on it */
static void slow_teardown(unsigned seconds)
{
	for (unsigned i = 0; i < seconds * 10 && !hurry; i++)
		usleep(100 * 1000);
}

/* The clock's own cost: N back-to-back reads. */
static json_t *clock_overhead(void)
{
	enum { N = 10001 };
	static uint64_t t[N], d[N - 1];
	json_t *o = json_object();
	char cs[64];

	for (int i = 0; i < N; i++)
		t[i] = ib_now_ns();
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
	json_t *o = json_object(), *kv = json_array(), *set = json_object();

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
	json_object_set_new(o, "contexts", json_integer(sc->contexts));
	json_object_set_new(o, "resident", json_integer((json_int_t)sc->resident));
	json_object_set_new(o, "memory", json_string(ib_memory_name(sc->memory)));
	{
		json_t *mix = json_array();

		for (size_t i = 0; i < sc->nmix; i++)
			json_array_append_new(mix, json_string(ib_mix_name(sc->mix[i])));
		json_object_set_new(o, "ops", sc->mix_given ? mix : (json_decref(mix), json_null()));
	}
	json_object_set_new(o, "invalidate", json_string(ib_invalidate_name(sc->invalidate)));
	json_object_set_new(o, "switch", json_string(ib_switch_name(sc->switch_pattern)));
	json_object_set_new(o, "switches", json_integer((json_int_t)sc->switches));
	json_object_set_new(o, "burst", json_integer((json_int_t)sc->burst));
	json_object_set_new(o, "seed", json_integer((json_int_t)sc->seed));
	json_object_set_new(o, "threads", json_integer(sc->threads));
	json_object_set_new(o, "checks", json_boolean(sc->checks));
	json_object_set_new(o, "checks_mode", json_string(ib_checks_mode_name(sc->checks_mode)));
	for (size_t i = 0; i < sc->nkv; i++) {
		json_t *e = json_object();

		json_object_set_new(e, "section", json_string(sc->kv[i].section));
		json_object_set_new(e, "key", json_string(sc->kv[i].key));
		json_object_set_new(e, "value", json_string(sc->kv[i].value));
		json_object_set_new(e, "line", json_integer(sc->kv[i].line));
		json_array_append_new(kv, e);
	}
	json_object_set_new(o, "keys", kv);
	for (size_t i = 0; i < sc->nset; i++)
		json_object_set_new(set, sc->set[i].key, json_string(sc->set[i].value));
	json_object_set_new(o, "overrides", set);
	return o;
}

/* --dry-run: what the run would do, as JSON on stdout (ASCII, escaped) */
static int dry_run(const struct ib_scenario *sc, const char *device)
{
	json_t *o = json_object(), *plan = json_object();
	struct ib_plan_estimate est;
	int rc = 0;

	json_object_set_new(o, "scenario", scenario_json(sc, device));
	json_object_set_new(o, "checks_skipped", sc->checks_skipped[0] ? json_string(sc->checks_skipped) : json_null());
	if (sc->backend != IB_BACKEND_DMA) {
		ib_plan_estimate(sc, &est);
		json_object_set_new(plan, "ops", est.ops_fit ? json_integer((json_int_t)est.ops) : json_null());
		json_object_set_new(plan, "ioctls", json_real(est.ioctls));
		json_object_set_new(plan, "bytes", json_real(est.bytes));
	}
	json_object_set_new(o, "plan", plan);
	if (json_dumpf(o, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII) || fputc('\n', stdout) == EOF)
		rc = 1;
	json_decref(o);
	return rc;
}

/* results/NAME-UTCTIME.json; results/ itself is made when the run writes */
static void default_output(const struct ib_scenario *sc, char *out, size_t len)
{
	char ts[32];

	ib_utc_now(ts, sizeof(ts), true);
	snprintf(out, len, "results/%s-%s.json", sc->name, ts);
}

/* checks=auto/1 against the device's PCI IDs (read from sysfs: nothing is
 * touched): sc->checks and the reason they are skipped set; 2 with err filled
 * when checks=1 cannot run there. */
static int resolve_checks(struct ib_scenario *sc, bool mock, const char *device, char *err, size_t errlen)
{
	char path[512], v[32] = "", d[32] = "", why[1024];
	unsigned vendor = 0, dev = 0;
	int r;

	if (!mock) {
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vendor", device);
		ib_read_line(path, v, sizeof(v));
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/device", device);
		ib_read_line(path, d, sizeof(d));
		vendor = (unsigned)strtoul(v, NULL, 16);
		dev = (unsigned)strtoul(d, NULL, 16);
	}
	r = ib_checks_resolve(sc, mock, device, vendor, dev, why, sizeof(why));
	if (r < 0) {
		snprintf(err, errlen, "%s", why);
		return 2;
	}
	snprintf(sc->checks_skipped, sizeof(sc->checks_skipped), "%.255s", why);
	sc->checks = r > 0;
	return 0;
}

/*
 * Everything the user gave, checked before the first side effect (results/,
 * binding, mounts, BPF, the plan's memory), in this order: the scenario's
 * plan size, the device address, the output path, the privileges the probes
 * need, the device, the privileges and driver a bind needs, and the kernel
 * interfaces the backend opens. Each check only reads. Returns the exit
 * status (2: input refused; 1: the kernel or device is not ready) or 0.
 */
static int preflight(struct ib_scenario *sc, const char *loops_opt, char *device, size_t devlen,
		     const char *out, bool default_out, bool probes, bool mock, bool dry, char *err, size_t errlen)
{
	bool dma = sc->backend == IB_BACKEND_DMA;
	char why[256];
	int e;

	if (!dma && ib_plan_check(sc, loops_opt, err, errlen))
		return 2;
	/* dma: warm-up runs, a reference run before and after, and loops= runs */
	if (dma && (sc->warmup > IB_DMA_MAX_RUNS || sc->loops > IB_DMA_MAX_RUNS - 2 - sc->warmup)) {
		const char *key = sc->warmup > sc->loops ? "warmup" : "loops";

		if (loops_opt && key[0] == 'l') {
			snprintf(err, errlen, "%s: %s: %llu warm-up + 2 reference + %llu measured "
				 "dma_map_benchmark runs, more than the %d a run keeps; lower --repetitions",
				 sc->path, loops_opt, (unsigned long long)sc->warmup,
				 (unsigned long long)sc->loops, IB_DMA_MAX_RUNS);
		} else {
			ib_scenario_key_where(sc, key, why, sizeof(why));
			snprintf(err, errlen, "%s: key '%s': %llu warm-up + 2 reference + %llu measured "
				 "dma_map_benchmark runs, more than the %d a run keeps; lower %s",
				 why, key, (unsigned long long)sc->warmup,
				 (unsigned long long)sc->loops, IB_DMA_MAX_RUNS, key);
		}
		return 2;
	}
	if (!mock && ib_bdf_parse(device, device, devlen, why, sizeof(why))) {
		snprintf(err, errlen, "device: %s; allowed: %s", why, IB_BDF_FORMS);
		return 2;
	}
	/* --dry-run: the device must exist for its checks= to be known; nothing else */
	if (dry) {
		if (!mock && ib_preflight_device(device, err, errlen))
			return 2;
		return dma ? 0 : resolve_checks(sc, mock, device, err, errlen);
	}
	if (ib_preflight_output(out, default_out, err, errlen))
		return 2;
	if (probes && ib_preflight_probes(err, errlen))
		return 2;
	if (mock)
		return resolve_checks(sc, mock, device, err, errlen) ? 2 : ib_preflight_node("/dev/iommu", "iommufd", "CONFIG_IOMMUFD and "
					 "CONFIG_IOMMUFD_TEST for the mock device", err, errlen) ? 1 : 0;
	if (ib_preflight_device(device, err, errlen))
		return 2;
	if (!dma && resolve_checks(sc, mock, device, err, errlen))
		return 2;
	e = ib_preflight_bind(device, dma ? IB_DMA_DRIVER : "vfio-pci", sc->bind,
			      dma && sc->dma.domain != IB_DMA_DOMAIN_KEEP, err, errlen);
	if (e)
		return e == -EACCES || e == -EPERM ? 2 : 1;
	if (sc->backend == IB_BACKEND_VFIO)
		e = ib_preflight_node("/dev/vfio/vfio", "VFIO", "modprobe vfio-pci vfio_iommu_type1",
				      err, errlen);
	else if (sc->backend == IB_BACKEND_IOMMUFD)
		e = ib_preflight_node("/dev/iommu", "iommufd", "CONFIG_IOMMUFD and "
				      "CONFIG_VFIO_DEVICE_CDEV, kernel 6.6 or later", err, errlen);
	return e ? 1 : 0;
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
		{ "backend", required_argument, NULL, 'K' },
		{ "repetitions", required_argument, NULL, 'R' },
		/* test only: skip the unmaps the isolation checks expect, to show the oracle can fail */
		{ "test-skip-unmap", no_argument, NULL, 'S' },
		/* test only: fail after the probes attach (the error path of a run), or
		 * wait in the teardown after a signal until a second one */
		{ "test-fail", no_argument, NULL, 'F' },
		{ "test-slow-teardown", required_argument, NULL, 'T' },
		{ "force", no_argument, NULL, 'f' },
		{ "set", required_argument, NULL, 's' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *out_arg = NULL, *dev_arg = NULL, *device;
	bool verbose = g->verbose, quiet = false, probes_on = true;
	int bind_arg = -1, best = IB_MODE_NONE, backend = -1, c, e, rc = 1;
	static struct ib_scenario sc;
	struct ib_kernel_env env = {0};
	struct ib_hook *hooks = NULL;
	struct ib_probes probes = {0};
	struct ib_readout *ro = NULL;
	struct ib_vfio vfio = { .container_fd = -1, .group_fd = -1 };
	struct ib_plan plan = {0};
	struct ib_workload wl = {0};
	struct ib_dma dmadev = { .fd = -1 };
	struct ib_dma_runs *dmaruns = NULL;
	bool mock = false, dma = false, smmu_on = false;
	struct ib_smmu_counters smmu0 = {0}, smmu1 = {0};
	unsigned long long reps = 0;
	bool skip_unmap = false, test_fail = false, dry = false;
	const char *sets[IB_SC_MAX_SET + 1];
	size_t nsets = 0;
	unsigned slow_secs = 0;
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
	char err[1024], out[4096], started[32], finished[32], devbuf[64], loops_opt[48];
	json_t *doc = NULL, *harness, *hops, *perr, *ops;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:d:qvhA:R:s:n", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (nsets == IB_SC_MAX_SET) {
				fprintf(stderr, "iommubench: --set: more than %d; allowed: one per scenario key\n",
					IB_SC_MAX_SET);
				return 2;
			}
			sets[nsets++] = optarg;
			break;
		case 'n': dry = true; break;
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
		case 'S': skip_unmap = true; break;
		case 'F': test_fail = true; break;
		case 'T': slow_secs = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'f': ib_pci_set_force(true); break;
		case 'R': {
			char *end;

			errno = 0;
			reps = strtoull(optarg, &end, 10);
			if (errno || end == optarg || *end || reps < 1 || reps > 1000000 || optarg[0] == '-') {
				fprintf(stderr, "iommubench: --repetitions %s: want a whole number 1..1000000\n", optarg);
				return 2;
			}
			break;
		}
		case 'K':
			if ((backend = ib_backend_parse(optarg)) < 0) {
				fprintf(stderr, "iommubench: --backend %s: want vfio, iommufd or dma\n", optarg);
				return 2;
			}
			break;
		case 'h': fputs(run_usage, stdout); return 0;
		default: fputs(run_usage, stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "iommubench run: expected one SCENARIO file\n%s", run_usage);
		return 2;
	}
	if (ib_scenario_load_set(argv[optind], sets, nsets, &sc, err, sizeof(err))) {
		fprintf(stderr, "iommubench: %s\n", ib_term(err));
		return 2;
	}
	if (bind_arg >= 0)
		sc.bind = bind_arg;
	if (reps)
		sc.loops = reps;
	if (backend >= 0)
		sc.backend = (enum ib_backend_kind)backend;
	if (sc.switch_kind != IB_SWK_AUTO &&
	    !((sc.switch_kind == IB_SWK_REBIND && sc.backend == IB_BACKEND_VFIO) ||
	      (sc.switch_kind != IB_SWK_REBIND && sc.backend == IB_BACKEND_IOMMUFD))) {
		ib_scenario_key_where(&sc, "switch_kind", err, sizeof(err));
		fprintf(stderr, "iommubench: %s: key 'switch_kind': switch_kind=%s does not go with backend %s "
			"(--backend %s); allowed: rebind with vfio, replace or pasid with iommufd\n", ib_term(err),
			ib_switch_kind_name(sc.switch_kind), ib_backend_name(sc.backend), ib_backend_name(sc.backend));
		return 2;
	}
	mock = ib_switch_kind_of(&sc) == IB_SWK_PASID;
	dma = sc.backend == IB_BACKEND_DMA;
	device = dev_arg ? dev_arg : sc.device[0] ? sc.device : getenv("IOMMUBENCH_DEVICE");
	if (mock)
		device = "mock"; /* the iommufd selftest's mock devices: no PCI device is used */
	if (!device || !device[0]) {
		fprintf(stderr, "iommubench: no device: pass --device BDF, set device= in %s, or set IOMMUBENCH_DEVICE\n",
			sc.path);
		return 2;
	}
	snprintf(devbuf, sizeof(devbuf), "%s", device);
	device = devbuf;
	if (out_arg)
		snprintf(out, sizeof(out), "%s", out_arg);
	else
		default_output(&sc, out, sizeof(out));
	if (reps)
		snprintf(loops_opt, sizeof(loops_opt), "--repetitions %llu", reps);
	if ((rc = preflight(&sc, reps ? loops_opt : NULL, devbuf, sizeof(devbuf), out, !out_arg, probes_on,
			    mock, dry, err, sizeof(err)))) {
		fprintf(stderr, "iommubench: %s\n", ib_term(err));
		return rc;
	}
	if (dry)
		return dry_run(&sc, device);
	rc = 1;

	if (!dma && (e = ib_plan_build(&sc, &plan, err, sizeof(err)))) {
		fprintf(stderr, "iommubench: %s\n", ib_term(err));
		return 2;
	}

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	ib_utc_now(started, sizeof(started), false);

	hooks = calloc(ib_catalog_len, sizeof(*hooks));
	ro = calloc(1, sizeof(*ro));
	if (!hooks || !ro) {
		fprintf(stderr, "iommubench: out of memory\n");
		goto out;
	}

	/* what a killed run left changed goes back first */
	if ((e = ib_state_recover(false, stderr, err, sizeof(err))) < 0) {
		fprintf(stderr, "iommubench: a previous run left changes that cannot be put back: %s\n", ib_term(err));
		goto out;
	}
	e = 0;
	/* Bind before the probes start: driver binding is not part of the run. */
	if (dma)
		e = ib_dma_prepare(&dmadev, device, sc.bind, &sc.dma, err, sizeof(err));
	else if (!mock)
		e = ib_vfio_prepare(&vfio, device, sc.bind, err, sizeof(err));
	if (e) {
		fprintf(stderr, "iommubench: %s\n", ib_term(err));
		goto out;
	}
	/* dma: the kernel's figures without probes first, as the reference */
	if (dma && (dmaruns = calloc(1, sizeof(*dmaruns))) == NULL) {
		fprintf(stderr, "iommubench: out of memory\n");
		goto out;
	}
	if (dma && (e = ib_dma_reference(&dmadev, &sc, true, dmaruns, &stop_requested, verbose,
					  err, sizeof(err)))) {
		fprintf(stderr, "iommubench: %s\n", ib_term(err));
		goto out;
	}
	/* the lab MMU-500 model's counters (lab.smmu): read just before the
	 * probes attach, and after the teardown (dma: before the reference
	 * run without probes that follows) */
	if (ib_lab_target())
		smmu_read(&smmu0, &smmu_on);
	if (probes_on) {
		ib_probes_set_verbose(verbose);
		/* dma: the benchmark's kernel threads, not this process */
		if ((e = ib_env_probe(&env, err, sizeof(err))) ||
		    ((env.best = best), (e = ib_hooks_select(&env, hooks))) ||
		    (e = ib_probes_start(&probes, hooks, dma ? 0 : (uint32_t)getpid(), dma ? IB_DMA_COMM : NULL,
					 err, sizeof(err)))) {
			fprintf(stderr, "iommubench: probes: %s\n", e ? err : "");
			goto out;
		}
		if (verbose)
			fprintf(stderr, "iommubench: probes attached (%d load retries)\n", probes.retries);
	}

	wl.sc = &sc;
	wl.plan = &plan;
	wl.v = &vfio;
	wl.probes = probes_on ? &probes : NULL;
	wl.stop = &stop_requested;
	wl.test_skip_unmap = skip_unmap;
	wl.verbose = verbose;
	if (dma)
		e = ib_dma_measure(&dmadev, &sc, probes_on ? &probes : NULL, dmaruns, &stop_requested, verbose,
				   err, sizeof(err));
	else
		e = ib_workload_run(&wl, err, sizeof(err));
	if (!e && test_fail) {
		e = -EIO;
		snprintf(err, sizeof(err), "--test-fail: an error injected at the end of the workload");
	}
	if (e)
		fprintf(stderr, "iommubench: %s\n", ib_term(err));
	if (stop_requested && slow_secs) {
		fprintf(stderr, "iommubench: --test-slow-teardown: tearing down slowly (up to %u s, until "
			"another signal)\n", slow_secs);
		slow_teardown(slow_secs);
	}
	if (probes_on && !hurry && ib_probes_read(&probes, ro))
		fprintf(stderr, "iommubench: reading the probe maps: %s\n", strerror(errno));
	ib_probes_stop(&probes);
	if (dma && smmu_on && !hurry)
		smmu_read(&smmu1, &smmu_on);
	/* dma: and once more without probes, after */
	if (dma && !e && probes_on && !stop_requested &&
	    (e = ib_dma_reference(&dmadev, &sc, false, dmaruns, &stop_requested, verbose, err, sizeof(err))))
		fprintf(stderr, "iommubench: %s\n", ib_term(err));
	ib_workload_release(&wl);
	ib_vfio_cleanup(&vfio);
	ib_dma_release(&dmadev);
	if (!dma && smmu_on && !hurry)
		smmu_read(&smmu1, &smmu_on);
	ib_utc_now(finished, sizeof(finished), false);
	if (hurry) {
		fprintf(stderr, "iommubench: interrupted twice: the probes are detached and the device is given "
			"back; no result written\n");
		rc = 130;
		goto out;
	}

	doc = ib_doc_new(started, finished);
	if (smmu_on && json_is_object(json_object_get(doc, "lab"))) {
		char why[512];
		json_t *sm = ib_smmu_diff_json(&smmu0, &smmu1, why, sizeof(why));

		if (sm)
			json_object_set_new(json_object_get(doc, "lab"), "smmu", sm);
		else
			fprintf(stderr, "iommubench: warning: the lab MMU-500 model's counters: %s; the results "
				"have no lab.smmu\n", ib_term(why));
	}
	json_object_set_new(doc, "scenario", scenario_json(&sc, device));
	json_object_set_new(doc, "backend", json_string(ib_backend_name(sc.backend)));
	json_object_set_new(doc, "switch_kind", json_string(ib_switch_kind_name(ib_switch_kind_of(&sc))));
	json_object_set_new(doc, "probes", json_boolean(probes_on));
	json_object_set_new(doc, "hooks", probes_on ? ib_hooks_json(hooks, ro) : json_array());
	ops = probes_on ? ib_ops_json(hooks, ro) : json_object();
	if (!dma) {
		/* the kernel's switch role (replace hooks), with the harness
		 * figures of the switch kind beside it */
		json_t *sw = json_object_get(ops, "switch"), *kind = ib_switch_json(&wl, probes_on ? ro : NULL);

		if (!sw) {
			sw = json_object();
			json_object_set_new(ops, "switch", sw);
		}
		json_object_update(sw, kind);
		json_decref(kind);
	}
	if (probes_on && json_object_get(ops, "tlb_inv"))
		json_object_set_new(json_object_get(ops, "tlb_inv"), "kinds", ib_tlb_kinds_json(ro));
	json_object_set_new(doc, "ops", ops);
	if (dma) {
		/* no contexts: the benchmark's threads carry no tags */
		json_object_set_new(doc, "domains", json_null());
		json_object_set_new(doc, "contexts", json_array());
		json_object_set_new(doc, "deferred", probes_on ? ib_deferred_json(ro) : json_null());
		json_object_set_new(doc, "page_sizes", json_null());
		json_object_set_new(doc, "derived", json_null());
		json_object_set_new(doc, "checks", json_null());
		json_object_set_new(doc, "dma", ib_dma_json(&dmadev, &sc, dmaruns));
		json_object_set_new(doc, "repetitions", ib_dma_repetitions_json(dmaruns));
	} else {
		json_t *ctxs = ib_contexts_json(&wl, probes_on ? ro : NULL);

		json_object_set_new(doc, "domains", probes_on ? ib_domains_json(ro, ctxs) : json_null());
		json_object_set_new(doc, "contexts", ctxs);
		json_object_set_new(doc, "deferred", probes_on ? ib_deferred_json(ro) : json_null());
		json_object_set_new(doc, "page_sizes", probes_on ? ib_page_sizes_json(ro, &wl) : json_null());
		json_object_set_new(doc, "derived", probes_on ? ib_derived_json(&wl, ro) : json_null());
		json_object_set_new(doc, "checks", ib_checks_json(&wl));
		json_object_set_new(doc, "dma", json_null());
		json_object_set_new(doc, "pasids", ib_pasids_json(&wl));
		json_object_set_new(doc, "repetitions", ib_repetitions_json(&wl));
		if (wl.mock) {
			json_t *m = json_object();

			json_object_set_new(m, "kind", json_string("iommufd selftest mock device (IOMMUFD_TEST)"));
			json_object_set_new(m, "stdev_id", json_integer(wl.mockdev.stdev_id));
			json_object_set_new(m, "dev_id", json_integer(wl.mockdev.idev_id));
			json_object_set_new(m, "pasid_slots", json_integer(sc.pasid_slots));
			json_object_set_new(doc, "mock_device", m);
		}
	}

	harness = json_object();
	json_object_set_new(harness, "timer", clock_overhead());
	hops = json_object();
	for (int ph = IB_PH_MAP; ph <= IB_PH_REMAP; ph++) {
		json_t *o = ib_phase_samples_json(&wl.samples, -1, ph);

		if (json_integer_value(json_object_get(o, "count")) || ph == IB_PH_MAP || ph == IB_PH_UNMAP)
			json_object_set_new(hops, ib_phase_name(ph), o);
		else
			json_decref(o);
	}
	json_object_set_new(harness, "ops", hops);
	{
		uint64_t maps = 0, unmaps = 0, bytes = 0;

		for (unsigned c = 0; wl.ctx && c < sc.contexts; c++) {
			maps += wl.ctx[c].map_calls;
			unmaps += wl.ctx[c].unmap_calls;
			bytes += wl.ctx[c].bytes_unmapped;
		}
		json_object_set_new(harness, "map_calls", json_integer((json_int_t)maps));
		json_object_set_new(harness, "unmap_calls", json_integer((json_int_t)unmaps));
		json_object_set_new(harness, "bytes_unmapped", json_integer((json_int_t)bytes));
	}
	json_object_set_new(harness, "plan_ops", json_integer((json_int_t)plan.n));
	json_object_set_new(harness, "plan_ops_done", json_integer((json_int_t)(wl.plan_pos + (e || stop_requested ? 0 : 1))));
	json_object_set_new(harness, "switches", json_integer((json_int_t)plan.switches));
	json_object_set_new(harness, "switches_all_passes", json_integer((json_int_t)plan.all_switches));
	json_object_set_new(harness, "measured_passes", json_integer((json_int_t)sc.loops));
	json_object_set_new(harness, "warmup_passes", json_integer((json_int_t)sc.warmup));
	json_object_set_new(harness, "note", json_string(
		"per-ioctl wall time in user space, measured passes only; map_calls/unmap_calls count every "
		"MAP_DMA/UNMAP_DMA of the run (checks and resident sets included); the probes cover the "
		"whole run (attach, warm-up, measured passes, detach)"));
	json_object_set_new(doc, "harness", harness);

	perr = ib_drops_json(&ro->err);
	json_object_set_new(perr, "events", json_integer(0));
	json_object_set_new(doc, "drops", perr);
	json_object_set_new(doc, "error", e ? json_string(err) : json_null());
	json_object_set_new(doc, "interrupted", stop_requested ? json_string(strsignal(stop_requested)) : json_false());

	if (!out_arg && mkdir("results", 0755) && errno != EEXIST)
		fprintf(stderr, "iommubench: creating results/: %s\n", strerror(errno));
	if (ib_results_write(doc, out, err, sizeof(err))) {
		fprintf(stderr, "iommubench: %s\n", ib_term(err));
		goto out;
	}
	if (!quiet)
		ib_print_summary(stdout, doc);
	fprintf(stderr, "iommubench: wrote %s\n", out);
	rc = e ? 1 : stop_requested ? 130 : 0;
out:
	ib_probes_stop(&probes);
	ib_workload_release(&wl);
	ib_vfio_cleanup(&vfio);
	ib_dma_release(&dmadev);
	free(dmaruns);
	ib_env_free(&env);
	ib_smmu_free(&smmu0);
	ib_smmu_free(&smmu1);
	json_decref(doc);
	ib_workload_free(&wl);
	ib_plan_free(&plan);
	free(hooks);
	free(ro);
	return rc;
}
