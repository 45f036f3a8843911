// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `iommubench restore`: put back what a killed run left changed. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "escape.h"
#include "cli.h"
#include "state.h"

static const char restore_usage[] =
"usage: iommubench restore [--dry-run] [--check]\n"
"\n"
"Put back what an iommubench that was killed (SIGKILL, a crash, a power\n"
"cut of the shell) left changed, from the state files it wrote before each\n"
"change in " IB_STATE_DIR "/: the device's driver (unbind from vfio-pci or\n"
"dma_map_benchmark, driver_override, re-probe of its own driver), its IOMMU\n"
"group's default domain type, and tracefs/debugfs it mounted. Prints each\n"
"action on stdout. A state file whose process is still running is left\n"
"alone. `run` and `trace` do the same on their own before they start.\n"
"Exit status: 0 done (or nothing to do), 1 something could not be put back.\n"
"\n"
"      --dry-run   print what would be put back, change nothing\n"
"      --check     change nothing; list what iommubench left behind: state\n"
"                  files, and BPF programs, links and maps of iommubench's\n"
"                  object (its maps hook_stats, role_stats, ... and iommuben.*;\n"
"                  the programs and links that use them); exit 1 if any.\n"
"                  BPF objects the kernel is still freeing after a run\n"
"                  exited are waited for, up to 5 s\n"
"\n"
"examples:\n"
"  iommubench restore --dry-run\n"
"  iommubench restore\n"
"  iommubench restore --check && echo clean\n";

/* the maps of bpf/iommubench.bpf.c; libbpf names the object's own data
 * sections iommuben.bss, iommuben.rodata, ... */
static const char *const our_maps[] = {
	"domain_log", "hook_stats", "role_stats", "inv_stats", "attr_stats", "pgsize_stats",
	"tp_stats", "err_stats", "proc_stats", "pt_stats", "cmd_tree", "inflight",
};

static bool our_map_name(const char *n)
{
	if (!strncmp(n, "iommuben.", 9))
		return true;
	for (size_t i = 0; i < sizeof(our_maps) / sizeof(our_maps[0]); i++)
		if (!strcmp(n, our_maps[i]))
			return true;
	return false;
}

#define MAX_IDS 256

/* Every iommubench BPF map, program and link (printed when print is set);
 * the count found, or -errno. */
static int list_bpf(bool print)
{
	__u32 id = 0, maps[MAX_IDS], progs[MAX_IDS];
	size_t nmaps = 0, nprogs = 0;
	int found = 0, fd;

	while (!bpf_map_get_next_id(id, &id)) {
		struct bpf_map_info info = {0};
		__u32 len = sizeof(info);

		if ((fd = bpf_map_get_fd_by_id(id)) < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) && our_map_name(info.name)) {
			if (print)
				printf("bpf map %u %s\n", id, info.name);
			if (nmaps < MAX_IDS)
				maps[nmaps++] = id;
			found++;
		}
		close(fd);
	}
	if (errno != ENOENT)
		return -errno;
	id = 0;
	while (!bpf_prog_get_next_id(id, &id)) {
		struct bpf_prog_info info = {0};
		__u32 len = sizeof(info), ids[64];
		bool ours = false;

		if ((fd = bpf_prog_get_fd_by_id(id)) < 0)
			continue;
		info.nr_map_ids = 64;
		info.map_ids = (__u64)(unsigned long)ids;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len)) {
			ours = !strcmp(info.name, "ib_probe");
			for (__u32 i = 0; i < info.nr_map_ids && i < 64 && !ours; i++)
				for (size_t j = 0; j < nmaps && !ours; j++)
					ours = ids[i] == maps[j];
		}
		if (ours) {
			if (print)
				printf("bpf prog %u %s\n", id, info.name);
			if (nprogs < MAX_IDS)
				progs[nprogs++] = id;
			found++;
		}
		close(fd);
	}
	if (errno != ENOENT)
		return -errno;
	id = 0;
	while (!bpf_link_get_next_id(id, &id)) {
		struct bpf_link_info info = {0};
		__u32 len = sizeof(info);

		if ((fd = bpf_link_get_fd_by_id(id)) < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len))
			for (size_t j = 0; j < nprogs; j++)
				if (info.prog_id == progs[j]) {
					if (print)
						printf("bpf link %u prog %u\n", id, info.prog_id);
					found++;
					break;
				}
		close(fd);
	}
	/* kernels before 5.8 have no link ids */
	if (errno != ENOENT && errno != EINVAL)
		return -errno;
	return found;
}

static int check(void)
{
	const char *dir = ib_state_dir();
	struct dirent *de;
	int found = 0, n;
	DIR *d;

	if ((d = opendir(dir))) {
		while ((de = readdir(d))) {
			size_t l = strlen(de->d_name);

			if (l > 6 && !strcmp(de->d_name + l - 6, ".state")) {
				printf("state %s/%s\n", dir, de->d_name);
				found++;
			}
		}
		closedir(d);
	}
	/* The kernel frees a process's BPF objects a moment after it exits
	 * (after RCU grace periods: in a TCG guest, seconds after a run):
	 * those are not left behind. Objects that stay 5 s are. */
	for (int i = 0; i < 20 && (n = list_bpf(false)) > 0; i++)
		usleep(250 * 1000);
	if (n > 0)
		n = list_bpf(true);
	if (n < 0) {
		fprintf(stderr, "iommubench: listing BPF objects: %s (are you root?)\n", strerror(-n));
		return 1;
	}
	found += n;
	fprintf(stderr, "iommubench: %d left behind\n", found);
	return found ? 1 : 0;
}

int cmd_restore(int argc, char **argv, const struct ib_global *g)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "check", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool dry_run = false, only_check = false;
	char err[1024];
	int c, n;

	(void)g;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'n': dry_run = true; break;
		case 'c': only_check = true; break;
		case 'h': fputs(restore_usage, stdout); return 0;
		default: fputs(restore_usage, stderr); return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "iommubench restore: no arguments expected\n%s", restore_usage);
		return 2;
	}
	if (only_check)
		return check();
	n = ib_state_recover(dry_run, stdout, err, sizeof(err));
	if (n < 0) {
		fprintf(stderr, "iommubench: restore: %s\n", ib_term(err));
		return 1;
	}
	fprintf(stderr, "iommubench: %d state file%s %s\n", n, n == 1 ? "" : "s",
		dry_run ? "would be put back (dry run: nothing changed)" : "put back");
	return 0;
}
