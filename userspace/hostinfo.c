// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* What the results need to know about the machine they came from. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include "hostinfo.h"

/* First line of a sysfs/procfs file, trailing newline removed; "" if unreadable. */
int ib_read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	int e = 0;

	buf[0] = '\0';
	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		e = ferror(f) ? -EIO : 0;
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return e;
}

static json_t *str_or_null(const char *s)
{
	return s && s[0] ? json_string(s) : json_null();
}

/* The word in [brackets] of a sysfs choice file such as THP's "enabled". */
static void bracketed(const char *in, char *out, size_t len)
{
	const char *a = strchr(in, '['), *b = a ? strchr(a, ']') : NULL;

	if (a && b)
		snprintf(out, len, "%.*s", (int)(b - a - 1), a + 1);
	else
		snprintf(out, len, "%.*s", (int)(len ? len - 1 : 0), in);
}

static json_t *iommu_groups(const char *root)
{
	json_t *arr = json_array();
	struct dirent **ents = NULL;
	char path[512], buf[256];
	int n = scandir(root, &ents, NULL, versionsort);

	for (int i = 0; i < n; i++) {
		struct dirent **devs = NULL;
		json_t *g, *jd;
		int nd;

		if (ents[i]->d_name[0] == '.')
			goto next;
		g = json_object();
		json_object_set_new(g, "id", json_integer(atoi(ents[i]->d_name)));
		snprintf(path, sizeof(path), "%s/%s/type", root, ents[i]->d_name);
		ib_read_line(path, buf, sizeof(buf));
		json_object_set_new(g, "type", str_or_null(buf));
		snprintf(path, sizeof(path), "%s/%s/devices", root, ents[i]->d_name);
		jd = json_array();
		nd = scandir(path, &devs, NULL, versionsort);
		for (int k = 0; k < nd; k++) {
			if (devs[k]->d_name[0] != '.')
				json_array_append_new(jd, json_string(devs[k]->d_name));
			free(devs[k]);
		}
		free(devs);
		json_object_set_new(g, "devices", jd);
		json_array_append_new(arr, g);
next:
		free(ents[i]);
	}
	free(ents);
	return arr;
}

static json_t *iommu_units(void)
{
	json_t *arr = json_array();
	struct dirent **ents = NULL;
	int n = scandir("/sys/class/iommu", &ents, NULL, versionsort);

	for (int i = 0; i < n; i++) {
		if (ents[i]->d_name[0] != '.')
			json_array_append_new(arr, json_string(ents[i]->d_name));
		free(ents[i]);
	}
	free(ents);
	return arr;
}

json_t *ib_host_json(const char *sysfs_iommu_groups)
{
	json_t *h = json_object();
	struct utsname u;
	char buf[4096], word[64];

	if (uname(&u) == 0) {
		json_object_set_new(h, "kernel", json_string(u.release));
		json_object_set_new(h, "kernel_version", json_string(u.version));
		json_object_set_new(h, "arch", json_string(u.machine));
		json_object_set_new(h, "hostname", json_string(u.nodename));
	}
	ib_read_line("/proc/cmdline", buf, sizeof(buf));
	json_object_set_new(h, "cmdline", json_string(buf));
	ib_read_line("/sys/devices/system/clocksource/clocksource0/current_clocksource", buf, sizeof(buf));
	json_object_set_new(h, "clocksource", str_or_null(buf));
	ib_read_line("/sys/kernel/mm/transparent_hugepage/enabled", buf, sizeof(buf));
	bracketed(buf, word, sizeof(word));
	json_object_set_new(h, "thp", str_or_null(word));
	ib_read_line("/sys/class/dmi/id/sys_vendor", buf, sizeof(buf));
	json_object_set_new(h, "sys_vendor", str_or_null(buf));
	json_object_set_new(h, "iommu_units", iommu_units());
	json_object_set_new(h, "iommu_groups",
			    iommu_groups(sysfs_iommu_groups ? sysfs_iommu_groups : "/sys/kernel/iommu_groups"));
	return h;
}

void ib_utc_now(char *buf, size_t len, bool compact)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, len, compact ? "%Y%m%dT%H%M%SZ" : "%Y-%m-%dT%H:%M:%SZ", &tm);
}
