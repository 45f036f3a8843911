// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The iommufd ioctl layer: argument builders (pure, unit-tested), the
 * /dev/iommu and VFIO cdev calls, and the IOMMU_TEST_CMD mock devices.
 * Layouts: iommufd_uapi.h (Linux 7.3). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "iommufd.h"

#define PAGE_MASK_4K (IB_IOMMUFD_PAGE - 1)

static int fail(char *err, size_t errlen, int e, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Writes fmt to err and returns -e (e > 0). */
static int fail(char *err, size_t errlen, int e, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -e;
}

/* ------------------------------------------------------------- builders */

static const char *range_problem(uint64_t iova, uint64_t len)
{
	if (!len)
		return "length is 0";
	if (iova & PAGE_MASK_4K)
		return "iova is not 4 KiB aligned";
	if (len & PAGE_MASK_4K)
		return "length is not a multiple of 4 KiB";
	if (len - 1 > UINT64_MAX - iova)	/* the last byte, iova + len - 1, must fit */
		return "iova + length overflows 64 bits";
	return NULL;
}

int ib_iommufd_map_args(uint32_t ioas_id, uint64_t iova, uint64_t len, const void *vaddr,
			uint32_t flags, struct ib_iommu_ioas_map *out, char *err, size_t errlen)
{
	const uint32_t rw = IB_IOMMU_IOAS_MAP_READABLE | IB_IOMMU_IOAS_MAP_WRITEABLE;
	const char *p;

#define MAPFAIL(...) fail(err, errlen, EINVAL, "IOMMU_IOAS_MAP ioas %u iova 0x%" PRIx64 " len %" PRIu64 ": " __VA_ARGS__)
	if (!ioas_id)
		return MAPFAIL("IOAS id 0 (allocate one with IOMMU_IOAS_ALLOC; ids start at 1)", ioas_id, iova, len);
	if ((p = range_problem(iova, len)))
		return MAPFAIL("%s", ioas_id, iova, len, p);
	if (!vaddr)
		return MAPFAIL("user address is NULL", ioas_id, iova, len);
	if ((uintptr_t)vaddr & PAGE_MASK_4K)
		return MAPFAIL("user address %p is not 4 KiB aligned", ioas_id, iova, len, vaddr);
	if (len - 1 > UINT64_MAX - (uint64_t)(uintptr_t)vaddr)
		return MAPFAIL("user address %p + length overflows", ioas_id, iova, len, vaddr);
	if (flags & ~(IB_IOMMU_IOAS_MAP_FIXED_IOVA | rw))
		return MAPFAIL("unknown flags 0x%x (known: FIXED_IOVA 0x1, WRITEABLE 0x2, READABLE 0x4)",
			       ioas_id, iova, len, flags & ~(IB_IOMMU_IOAS_MAP_FIXED_IOVA | rw));
	if (!(flags & IB_IOMMU_IOAS_MAP_FIXED_IOVA))
		return MAPFAIL("flags 0x%x lack FIXED_IOVA (this layer maps at the IOVA it is given)",
			       ioas_id, iova, len, flags);
	if (!(flags & rw))
		return MAPFAIL("flags 0x%x have neither READABLE nor WRITEABLE", ioas_id, iova, len, flags);
#undef MAPFAIL
	memset(out, 0, sizeof(*out));
	out->size = sizeof(*out);
	out->flags = flags;
	out->ioas_id = ioas_id;
	out->user_va = (uint64_t)(uintptr_t)vaddr;
	out->length = len;
	out->iova = iova;
	return 0;
}

int ib_iommufd_unmap_args(uint32_t ioas_id, uint64_t iova, uint64_t len,
			  struct ib_iommu_ioas_unmap *out, char *err, size_t errlen)
{
	const char *p;

	if (!ioas_id)
		return fail(err, errlen, EINVAL,
			    "IOMMU_IOAS_UNMAP ioas %u iova 0x%" PRIx64 " len %" PRIu64 ": IOAS id 0", ioas_id, iova, len);
	if (iova == 0 && len == IB_IOMMUFD_UNMAP_ALL_LEN)
		return fail(err, errlen, EINVAL,
			    "IOMMU_IOAS_UNMAP ioas %u iova 0 len UINT64_MAX: that is the unmap-all form: use ib_iommufd_unmap_all",
			    ioas_id);
	if ((p = range_problem(iova, len)))
		return fail(err, errlen, EINVAL,
			    "IOMMU_IOAS_UNMAP ioas %u iova 0x%" PRIx64 " len %" PRIu64 ": %s", ioas_id, iova, len, p);
	memset(out, 0, sizeof(*out));
	out->size = sizeof(*out);
	out->ioas_id = ioas_id;
	out->iova = iova;
	out->length = len;
	return 0;
}

int ib_iommufd_unmap_all_args(uint32_t ioas_id, struct ib_iommu_ioas_unmap *out,
			      char *err, size_t errlen)
{
	if (!ioas_id)
		return fail(err, errlen, EINVAL, "IOMMU_IOAS_UNMAP ioas 0 (all): IOAS id 0");
	memset(out, 0, sizeof(*out));
	out->size = sizeof(*out);
	out->ioas_id = ioas_id;
	out->iova = 0;
	out->length = IB_IOMMUFD_UNMAP_ALL_LEN;
	return 0;
}

int ib_iommufd_option_args(uint32_t option_id, uint16_t op, uint32_t object_id, uint64_t val,
			   struct ib_iommu_option *out, char *err, size_t errlen)
{
	if (op != IB_IOMMU_OPTION_OP_SET && op != IB_IOMMU_OPTION_OP_GET)
		return fail(err, errlen, EINVAL, "IOMMU_OPTION %u object %u: op %u (want SET 0 or GET 1)",
			    option_id, object_id, op);
	switch (option_id) {
	case IB_IOMMU_OPTION_HUGE_PAGES:
		if (!object_id)
			return fail(err, errlen, EINVAL,
				    "IOMMU_OPTION HUGE_PAGES: object id 0 (this option is per IOAS: give its id)");
		if (op == IB_IOMMU_OPTION_OP_SET && val > 1)
			return fail(err, errlen, EINVAL,
				    "IOMMU_OPTION HUGE_PAGES ioas %u: value %" PRIu64 " (want 0 or 1)", object_id, val);
		break;
	case IB_IOMMU_OPTION_RLIMIT_MODE:
		if (object_id)
			return fail(err, errlen, EINVAL,
				    "IOMMU_OPTION RLIMIT_MODE: object id %u (this option is global: object id 0)",
				    object_id);
		if (op == IB_IOMMU_OPTION_OP_SET && val > 1)
			return fail(err, errlen, EINVAL,
				    "IOMMU_OPTION RLIMIT_MODE: value %" PRIu64 " (want 0 user or 1 process)", val);
		break;
	default:
		return fail(err, errlen, EINVAL,
			    "IOMMU_OPTION: option %u unknown (RLIMIT_MODE 0, HUGE_PAGES 1)", option_id);
	}
	memset(out, 0, sizeof(*out));
	out->size = sizeof(*out);
	out->option_id = option_id;
	out->op = op;
	out->object_id = object_id;
	out->val64 = op == IB_IOMMU_OPTION_OP_SET ? val : 0;
	return 0;
}

int ib_iommufd_hwpt_alloc_args(uint32_t dev_id, uint32_t pt_id, uint32_t flags,
			       struct ib_iommu_hwpt_alloc *out, char *err, size_t errlen)
{
	const uint32_t known = IB_IOMMU_HWPT_ALLOC_NEST_PARENT | IB_IOMMU_HWPT_ALLOC_DIRTY_TRACKING |
			       IB_IOMMU_HWPT_ALLOC_PASID;

	if (!dev_id)
		return fail(err, errlen, EINVAL,
			    "IOMMU_HWPT_ALLOC dev %u pt %u: device id 0 (bind the device first: VFIO_DEVICE_BIND_IOMMUFD or a mock device)",
			    dev_id, pt_id);
	if (!pt_id)
		return fail(err, errlen, EINVAL, "IOMMU_HWPT_ALLOC dev %u pt %u: pt id 0 (give an IOAS)",
			    dev_id, pt_id);
	if (flags & IB_IOMMU_HWPT_FAULT_ID_VALID)
		return fail(err, errlen, EINVAL,
			    "IOMMU_HWPT_ALLOC dev %u pt %u: FAULT_ID_VALID needs a fault queue, which this layer does not create",
			    dev_id, pt_id);
	if (flags & ~known)
		return fail(err, errlen, EINVAL,
			    "IOMMU_HWPT_ALLOC dev %u pt %u: unknown flags 0x%x (known: NEST_PARENT 0x1, DIRTY_TRACKING 0x2, ALLOC_PASID 0x8)",
			    dev_id, pt_id, flags & ~known);
	memset(out, 0, sizeof(*out));
	out->size = sizeof(*out);
	out->flags = flags;
	out->dev_id = dev_id;
	out->pt_id = pt_id;
	out->data_type = IB_IOMMU_HWPT_DATA_NONE;
	return 0;
}

int ib_iommufd_bind_args(int iommufd, struct ib_vfio_device_bind_iommufd *out,
			 char *err, size_t errlen)
{
	if (iommufd < 0)
		return fail(err, errlen, EBADF,
			    "VFIO_DEVICE_BIND_IOMMUFD: iommufd %d is not open (ib_iommufd_open first)", iommufd);
	memset(out, 0, sizeof(*out));
	out->argsz = sizeof(*out);
	out->iommufd = iommufd;
	return 0;
}

static const char *pasid_problem(uint32_t pasid)
{
	if (pasid > IB_IOMMUFD_PASID_MAX)
		return "PASID exceeds 20 bits (max 0xfffff)";
	return NULL;
}

int ib_iommufd_attach_args(uint32_t pt_id, uint32_t pasid,
			   struct ib_vfio_device_attach_iommufd_pt *out, char *err, size_t errlen)
{
	const char *p;

	if (!pt_id)
		return fail(err, errlen, EINVAL,
			    "VFIO_DEVICE_ATTACH_IOMMUFD_PT pt 0 pasid %u: pt id 0 (give an IOAS or HWPT id)", pasid);
	if ((p = pasid_problem(pasid)))
		return fail(err, errlen, EINVAL, "VFIO_DEVICE_ATTACH_IOMMUFD_PT pt %u pasid %u: %s", pt_id, pasid, p);
	memset(out, 0, sizeof(*out));
	out->argsz = sizeof(*out);
	out->pt_id = pt_id;
	if (pasid != IB_IOMMUFD_NO_PASID) {
		out->flags = IB_VFIO_DEVICE_ATTACH_PASID;
		out->pasid = pasid;
	}
	return 0;
}

int ib_iommufd_detach_args(uint32_t pasid, struct ib_vfio_device_detach_iommufd_pt *out,
			   char *err, size_t errlen)
{
	const char *p;

	if ((p = pasid_problem(pasid)))
		return fail(err, errlen, EINVAL, "VFIO_DEVICE_DETACH_IOMMUFD_PT pasid %u: %s", pasid, p);
	memset(out, 0, sizeof(*out));
	out->argsz = sizeof(*out);
	if (pasid != IB_IOMMUFD_NO_PASID) {
		out->flags = IB_VFIO_DEVICE_DETACH_PASID;
		out->pasid = pasid;
	}
	return 0;
}

static void test_cmd_init(struct ib_iommu_test_cmd *c, uint32_t op, uint32_t id)
{
	memset(c, 0, sizeof(*c));
	c->size = sizeof(*c);
	c->op = op;
	c->id = id;
}

int ib_iommufd_mock_domain_args(uint32_t ioas_id, uint32_t dev_flags,
				struct ib_iommu_test_cmd *out, char *err, size_t errlen)
{
	const uint32_t known = IB_MOCK_FLAGS_DEVICE_NO_DIRTY | IB_MOCK_FLAGS_DEVICE_PASID;

	if (!ioas_id)
		return fail(err, errlen, EINVAL, "IOMMU_TEST_CMD MOCK_DOMAIN ioas 0: IOAS id 0");
	if (dev_flags & ~known)
		return fail(err, errlen, EINVAL,
			    "IOMMU_TEST_CMD MOCK_DOMAIN_FLAGS ioas %u: unknown device flags 0x%x (known: NO_DIRTY 0x1, PASID 0x4)",
			    ioas_id, dev_flags & ~known);
	if (dev_flags) {
		test_cmd_init(out, IB_IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS, ioas_id);
		out->mock_domain_flags.dev_flags = dev_flags;
	} else {
		test_cmd_init(out, IB_IOMMU_TEST_OP_MOCK_DOMAIN, ioas_id);
	}
	return 0;
}

int ib_iommufd_mock_replace_args(uint32_t stdev_id, uint32_t pt_id,
				 struct ib_iommu_test_cmd *out, char *err, size_t errlen)
{
	if (!stdev_id)
		return fail(err, errlen, EINVAL,
			    "IOMMU_TEST_CMD MOCK_DOMAIN_REPLACE dev 0 pt %u: mock device id 0 (create one with MOCK_DOMAIN)",
			    pt_id);
	if (!pt_id)
		return fail(err, errlen, EINVAL, "IOMMU_TEST_CMD MOCK_DOMAIN_REPLACE dev %u pt 0: pt id 0", stdev_id);
	test_cmd_init(out, IB_IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE, stdev_id);
	out->mock_domain_replace.pt_id = pt_id;
	return 0;
}

static const char *test_op_name(uint32_t op)
{
	switch (op) {
	case IB_IOMMU_TEST_OP_MOCK_DOMAIN: return "MOCK_DOMAIN";
	case IB_IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS: return "MOCK_DOMAIN_FLAGS";
	case IB_IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE: return "MOCK_DOMAIN_REPLACE";
	case IB_IOMMU_TEST_OP_MD_CHECK_MAP: return "MD_CHECK_MAP";
	case IB_IOMMU_TEST_OP_PASID_ATTACH: return "PASID_ATTACH";
	case IB_IOMMU_TEST_OP_PASID_REPLACE: return "PASID_REPLACE";
	case IB_IOMMU_TEST_OP_PASID_DETACH: return "PASID_DETACH";
	case IB_IOMMU_TEST_OP_PASID_CHECK_HWPT: return "PASID_CHECK_HWPT";
	case 0: return "probe (op 0)";
	default: return "op ?";
	}
}

int ib_iommufd_mock_pasid_args(uint32_t op, uint32_t stdev_id, uint32_t pasid, uint32_t pt_id,
			       struct ib_iommu_test_cmd *out, char *err, size_t errlen)
{
	const char *name = test_op_name(op);

	if (op != IB_IOMMU_TEST_OP_PASID_ATTACH && op != IB_IOMMU_TEST_OP_PASID_REPLACE &&
	    op != IB_IOMMU_TEST_OP_PASID_DETACH && op != IB_IOMMU_TEST_OP_PASID_CHECK_HWPT)
		return fail(err, errlen, EINVAL,
			    "IOMMU_TEST_CMD op %u: not a PASID op (PASID_ATTACH %d, PASID_REPLACE %d, PASID_DETACH %d, PASID_CHECK_HWPT %d)",
			    op, IB_IOMMU_TEST_OP_PASID_ATTACH, IB_IOMMU_TEST_OP_PASID_REPLACE,
			    IB_IOMMU_TEST_OP_PASID_DETACH, IB_IOMMU_TEST_OP_PASID_CHECK_HWPT);
	if (!stdev_id)
		return fail(err, errlen, EINVAL,
			    "IOMMU_TEST_CMD %s dev 0 pasid %u: mock device id 0 (create one with MOCK_DOMAIN_FLAGS PASID)",
			    name, pasid);
	if (pasid == IB_IOMMUFD_NO_PASID)
		return fail(err, errlen, EINVAL,
			    "IOMMU_TEST_CMD %s dev %u pasid 0: PASID 0 is the device's RID (use MOCK_DOMAIN_REPLACE)",
			    name, stdev_id);
	if (pasid > IB_IOMMUFD_PASID_MAX)
		return fail(err, errlen, EINVAL,
			    "IOMMU_TEST_CMD %s dev %u pasid %u: PASID exceeds the mock device's 20 bits (max 0xfffff)",
			    name, stdev_id, pasid);
	if (pasid == IB_MOCK_PASID_RESERVED)
		return fail(err, errlen, EINVAL,
			    "IOMMU_TEST_CMD %s dev %u pasid %u: PASID 1024 is the selftest's fault-injection PASID (its attaches fail on purpose): use another",
			    name, stdev_id, pasid);
	if (!pt_id && (op == IB_IOMMU_TEST_OP_PASID_ATTACH || op == IB_IOMMU_TEST_OP_PASID_REPLACE))
		return fail(err, errlen, EINVAL, "IOMMU_TEST_CMD %s dev %u pasid %u: pt id 0", name, stdev_id, pasid);
	test_cmd_init(out, op, stdev_id);
	switch (op) {
	case IB_IOMMU_TEST_OP_PASID_ATTACH:
	case IB_IOMMU_TEST_OP_PASID_REPLACE:
		out->pasid_attach.pasid = pasid;
		out->pasid_attach.pt_id = pt_id;
		break;
	case IB_IOMMU_TEST_OP_PASID_DETACH:
		out->pasid_detach.pasid = pasid;
		break;
	default:
		out->pasid_check.pasid = pasid;
		out->pasid_check.hwpt_id = pt_id;
		break;
	}
	return 0;
}

int ib_iommufd_mock_check_map_args(uint32_t hwpt_id, uint64_t iova, uint64_t len,
				   const void *vaddr, struct ib_iommu_test_cmd *out,
				   char *err, size_t errlen)
{
	const char *p;

#define CKFAIL(...) fail(err, errlen, EINVAL, "IOMMU_TEST_CMD MD_CHECK_MAP hwpt %u iova 0x%" PRIx64 " len %" PRIu64 ": " __VA_ARGS__)
	if (!hwpt_id)
		return CKFAIL("HWPT id 0", hwpt_id, iova, len);
	if ((p = range_problem(iova, len)))
		return CKFAIL("%s", hwpt_id, iova, len, p);
	if (!vaddr)
		return CKFAIL("user address is NULL", hwpt_id, iova, len);
	if ((uintptr_t)vaddr & PAGE_MASK_4K)
		return CKFAIL("user address %p is not 4 KiB aligned", hwpt_id, iova, len, vaddr);
#undef CKFAIL
	test_cmd_init(out, IB_IOMMU_TEST_OP_MD_CHECK_MAP, hwpt_id);
	out->check_map.iova = iova;
	out->check_map.length = len;
	out->check_map.uptr = (uint64_t)(uintptr_t)vaddr;
	return 0;
}

/* ------------------------------------------------------------ sysfs */

/* Normalises "DDDD:BB:DD.F" or "BB:DD.F" (hex) into out as lower case
 * "dddd:bb:dd.f". */
static int norm_bdf(const char *bdf, char *out, size_t outlen)
{
	static const char pat[] = "hhhh:hh:hh.h";
	char tmp[16];
	size_t n, i;

	if (!bdf)
		return -EINVAL;
	n = strlen(bdf);
	if (n == sizeof(pat) - 1 - 5)
		snprintf(tmp, sizeof(tmp), "0000:%s", bdf);
	else if (n == sizeof(pat) - 1)
		snprintf(tmp, sizeof(tmp), "%s", bdf);
	else
		return -EINVAL;
	for (i = 0; i < sizeof(pat) - 1; i++) {
		if (pat[i] == 'h' ? !isxdigit((unsigned char)tmp[i]) : tmp[i] != pat[i])
			return -EINVAL;
		tmp[i] = (char)tolower((unsigned char)tmp[i]);
	}
	/* device 0..1f, function 0..7 */
	if (strtoul(tmp + 8, NULL, 16) > 0x1f || tmp[11] > '7')
		return -EINVAL;
	snprintf(out, outlen, "%s", tmp);
	return 0;
}

static bool is_vfio_name(const char *s)
{
	if (strncmp(s, "vfio", 4) || !s[4])
		return false;
	for (s += 4; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

int ib_iommufd_bdf_to_cdev(const char *bdf, const char *sysfs_root, char *path, size_t pathlen,
			   char *err, size_t errlen)
{
	char b[16], dir[512], found[256] = "", noiommu[256] = "";
	const char *root = sysfs_root ? sysfs_root : "/sys";
	struct dirent *de;
	struct stat st;
	int count = 0;
	DIR *d;

	if (norm_bdf(bdf, b, sizeof(b)))
		return fail(err, errlen, EINVAL, "VFIO cdev: \"%s\" is not a PCI address (want DDDD:BB:DD.F, e.g. 0000:00:02.0)",
			    bdf ? bdf : "(null)");
	snprintf(dir, sizeof(dir), "%s/bus/pci/devices/%s", root, b);
	if (stat(dir, &st) || !S_ISDIR(st.st_mode))
		return fail(err, errlen, ENODEV, "VFIO cdev of %s: no PCI device %s under %s/bus/pci/devices (check the address with lspci -D)",
			    b, b, root);
	snprintf(dir, sizeof(dir), "%s/bus/pci/devices/%s/vfio-dev", root, b);
	d = opendir(dir);
	if (!d) {
		int e = errno;

		if (e == ENOENT)
			return fail(err, errlen, ENODEV,
				    "VFIO cdev of %s: %s does not exist (bind %s to vfio-pci, on a kernel with CONFIG_VFIO_DEVICE_CDEV)",
				    b, dir, b);
		return fail(err, errlen, e, "VFIO cdev of %s: opening %s: %s", b, dir, strerror(e));
	}
	while ((de = readdir(d))) {
		if (is_vfio_name(de->d_name)) {
			if (!count++)
				snprintf(found, sizeof(found), "%s", de->d_name);
		} else if (!strncmp(de->d_name, "noiommu-vfio", 12)) {
			snprintf(noiommu, sizeof(noiommu), "%s", de->d_name);
		}
	}
	closedir(d);
	if (!count && noiommu[0])
		return fail(err, errlen, ENODEV,
			    "VFIO cdev of %s: only %s/%s: the device is in VFIO no-IOMMU mode, there is no IOMMU to measure (enable the IOMMU, drop vfio noiommu)",
			    b, dir, noiommu);
	if (!count)
		return fail(err, errlen, ENODEV,
			    "VFIO cdev of %s: %s has no vfioN entry (is %s bound to vfio-pci? CONFIG_VFIO_DEVICE_CDEV?)",
			    b, dir, b);
	if (count > 1)
		return fail(err, errlen, ENOTUNIQ, "VFIO cdev of %s: %d vfioN entries in %s, expected one",
			    b, count, dir);
	if ((size_t)snprintf(path, pathlen, "%s/%s", IB_IOMMUFD_CDEV_DIR, found) >= pathlen)
		return fail(err, errlen, ENAMETOOLONG, "VFIO cdev of %s: path buffer of %zu bytes too short", b, pathlen);
	return 0;
}

/* ------------------------------------------------------------- ioctls */

const char *ib_iommufd_ioctl_name(unsigned long req)
{
	switch (req) {
	case IB_IOMMU_DESTROY: return "IOMMU_DESTROY";
	case IB_IOMMU_IOAS_ALLOC: return "IOMMU_IOAS_ALLOC";
	case IB_IOMMU_IOAS_IOVA_RANGES: return "IOMMU_IOAS_IOVA_RANGES";
	case IB_IOMMU_IOAS_MAP: return "IOMMU_IOAS_MAP";
	case IB_IOMMU_IOAS_UNMAP: return "IOMMU_IOAS_UNMAP";
	case IB_IOMMU_OPTION: return "IOMMU_OPTION";
	case IB_IOMMU_HWPT_ALLOC: return "IOMMU_HWPT_ALLOC";
	case IB_IOMMU_TEST_CMD: return "IOMMU_TEST_CMD";
	case IB_VFIO_DEVICE_BIND_IOMMUFD: return "VFIO_DEVICE_BIND_IOMMUFD";
	case IB_VFIO_DEVICE_ATTACH_IOMMUFD_PT: return "VFIO_DEVICE_ATTACH_IOMMUFD_PT";
	case IB_VFIO_DEVICE_DETACH_IOMMUFD_PT: return "VFIO_DEVICE_DETACH_IOMMUFD_PT";
	default: return NULL;
	}
}

/* What to do about errno e from ioctl req. */
static const char *hint(unsigned long req, int e)
{
	switch (e) {
	case ENOTTY:
		if (req == IB_IOMMU_TEST_CMD)
			return "this kernel has no IOMMU_TEST_CMD: it needs CONFIG_IOMMUFD_TEST";
		if (req == IB_VFIO_DEVICE_BIND_IOMMUFD || req == IB_VFIO_DEVICE_ATTACH_IOMMUFD_PT ||
		    req == IB_VFIO_DEVICE_DETACH_IOMMUFD_PT)
			return "the fd is not a VFIO device cdev, or the kernel predates them (6.6, CONFIG_VFIO_DEVICE_CDEV)";
		if (req == IB_IOMMU_HWPT_ALLOC)
			return "the kernel's iommufd predates IOMMU_HWPT_ALLOC (6.6): attach the IOAS directly";
		return "the fd is not /dev/iommu, or the kernel does not know this ioctl";
	case EBADF:
		return "the fd is not open";
	case EPERM:
	case EACCES:
		return "run as root";
	case E2BIG:
		return "the kernel's struct is smaller and a field it does not know is set: newer uapi than the kernel";
	case EOPNOTSUPP:
		if (req == IB_IOMMU_TEST_CMD)
			return "the kernel's iommufd selftest does not know this op (the PASID ops need ~6.15), or the mock device lacks the feature";
		if (req == IB_IOMMU_HWPT_ALLOC)
			return "the IOMMU driver cannot allocate a HWPT with these flags for this device (ALLOC_PASID needs PASID support)";
		return "the kernel or driver does not support a value given";
	case ENOENT:
		if (req == IB_IOMMU_IOAS_UNMAP)
			return "no whole mapping lies in that range: unmap exactly what was mapped, or a superset";
		return "no object with that id in this iommufd";
	case ENOMEM:
		if (req == IB_IOMMU_IOAS_MAP)
			return "out of memory, or RLIMIT_MEMLOCK too low for the pinned pages: run as root or raise it";
		return "out of memory";
	case EEXIST:
		return "the IOVA range is already mapped in this IOAS: unmap it first";
	case EOVERFLOW:
		return "an address or length is too large for the kernel";
	case EFAULT:
		return "the user address is not mapped in this process";
	case EBUSY:
		if (req == IB_VFIO_DEVICE_BIND_IOMMUFD)
			return "the device's VFIO group is open (the vfio backend) or the device is in use: close it first";
		if (req == IB_IOMMU_IOAS_UNMAP)
			return "an in-kernel user has the pages locked, or another thread maps or unmaps the same range";
		return "the object is in use (still attached, or the device is resetting)";
	case ENODEV:
		return "the device is gone or has no IOMMU";
	case EINVAL:
		switch (req) {
		case IB_IOMMU_IOAS_MAP:
			return "the IOVA is reserved, outside the IOAS's ranges (IOMMU_IOAS_IOVA_RANGES) or misaligned for an attached domain";
		case IB_IOMMU_OPTION:
			return "HUGE_PAGES cannot change once a domain of the IOAS holds pages: set it before mapping";
		case IB_IOMMU_HWPT_ALLOC:
			return "the pt id is not an IOAS or HWPT, or the device cannot use it";
		case IB_VFIO_DEVICE_BIND_IOMMUFD:
			return "the device is already bound, was opened through its group, or the iommufd is not /dev/iommu";
		case IB_VFIO_DEVICE_ATTACH_IOMMUFD_PT:
		case IB_VFIO_DEVICE_DETACH_IOMMUFD_PT:
			return "the device is not bound (VFIO_DEVICE_BIND_IOMMUFD first), the pt is incompatible, or the kernel predates the PASID flag (~6.15)";
		case IB_IOMMU_TEST_CMD:
			return "a wrong id or argument, or this kernel's struct iommu_test_cmd is larger than the 72-byte Linux 7.3 layout this tool was built with";
		default:
			return "check the arguments and dmesg";
		}
	default:
		return "check dmesg";
	}
}

/* ioctl; on failure err gets "<NAME> <what>: <strerror> (<hint>)". */
static int do_ioctl(int fd, unsigned long req, void *arg, char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static int do_ioctl(int fd, unsigned long req, void *arg, char *err, size_t errlen, const char *fmt, ...)
{
	char what[256];
	va_list ap;
	int e;

	if (fd < 0) {
		e = EBADF;
	} else if (ioctl(fd, req, arg) == 0) {
		return 0;
	} else {
		e = errno;
	}
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return fail(err, errlen, e, "%s%s%s: %s (%s)", ib_iommufd_ioctl_name(req), what[0] ? " " : "",
		    what, strerror(e), hint(req, e));
}

int ib_iommufd_open(int *fd, char *err, size_t errlen)
{
	int e;

	*fd = open(IB_IOMMUFD_DEV, O_RDWR | O_CLOEXEC);
	if (*fd >= 0)
		return 0;
	e = errno;
	*fd = -1;
	switch (e) {
	case ENOENT:
	case ENODEV:
	case ENXIO:
		return fail(err, errlen, e,
			    "opening %s: %s (this kernel has no iommufd: use a kernel with CONFIG_IOMMUFD, e.g. the lab's x86-iommufd target, or the vfio backend)",
			    IB_IOMMUFD_DEV, strerror(e));
	case EACCES:
	case EPERM:
		return fail(err, errlen, e, "opening %s: %s (run as root)", IB_IOMMUFD_DEV, strerror(e));
	default:
		return fail(err, errlen, e, "opening %s: %s (check dmesg)", IB_IOMMUFD_DEV, strerror(e));
	}
}

void ib_iommufd_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

int ib_iommufd_ioas_alloc(int fd, uint32_t *ioas_id, char *err, size_t errlen)
{
	struct ib_iommu_ioas_alloc a = { .size = sizeof(a) };
	int r = do_ioctl(fd, IB_IOMMU_IOAS_ALLOC, &a, err, errlen, "%s", "");

	if (!r)
		*ioas_id = a.out_ioas_id;
	return r;
}

int ib_iommufd_destroy(int fd, uint32_t id, char *err, size_t errlen)
{
	struct ib_iommu_destroy a = { .size = sizeof(a), .id = id };

	if (!id)
		return fail(err, errlen, EINVAL, "IOMMU_DESTROY id 0: no such object (ids start at 1)");
	return do_ioctl(fd, IB_IOMMU_DESTROY, &a, err, errlen, "id %u", id);
}

int ib_iommufd_iova_ranges(int fd, uint32_t ioas_id, struct ib_iommu_iova_range *ranges,
			   uint32_t *n, uint64_t *alignment, char *err, size_t errlen)
{
	const uint32_t cap = ranges ? *n : 0;
	struct ib_iommu_ioas_iova_ranges a = {
		.size = sizeof(a), .ioas_id = ioas_id, .num_iovas = cap,
		.allowed_iovas = (uint64_t)(uintptr_t)ranges,
	};
	int r = do_ioctl(fd, IB_IOMMU_IOAS_IOVA_RANGES, &a, err, errlen, "ioas %u", ioas_id);

	if (r == -EMSGSIZE) {
		*n = a.num_iovas;
		return fail(err, errlen, EMSGSIZE,
			    "IOMMU_IOAS_IOVA_RANGES ioas %u: %u ranges, more than the %u given room for (call again with a larger array)",
			    ioas_id, a.num_iovas, cap);
	}
	if (r)
		return r;
	*n = a.num_iovas;
	if (alignment)
		*alignment = a.out_iova_alignment;
	return 0;
}

int ib_iommufd_map(int fd, uint32_t ioas_id, uint64_t iova, uint64_t len, void *vaddr,
		   uint32_t flags, char *err, size_t errlen)
{
	struct ib_iommu_ioas_map a;
	int r = ib_iommufd_map_args(ioas_id, iova, len, vaddr, flags, &a, err, errlen);

	if (r)
		return r;
	return do_ioctl(fd, IB_IOMMU_IOAS_MAP, &a, err, errlen, "ioas %u iova 0x%" PRIx64 " len %" PRIu64,
			ioas_id, iova, len);
}

int ib_iommufd_unmap(int fd, uint32_t ioas_id, uint64_t iova, uint64_t len, uint64_t *unmapped,
		     char *err, size_t errlen)
{
	struct ib_iommu_ioas_unmap a;
	int r = ib_iommufd_unmap_args(ioas_id, iova, len, &a, err, errlen);

	if (r)
		return r;
	r = do_ioctl(fd, IB_IOMMU_IOAS_UNMAP, &a, err, errlen, "ioas %u iova 0x%" PRIx64 " len %" PRIu64,
		     ioas_id, iova, len);
	if (!r && unmapped)
		*unmapped = a.length;
	return r;
}

int ib_iommufd_unmap_all(int fd, uint32_t ioas_id, uint64_t *unmapped, char *err, size_t errlen)
{
	struct ib_iommu_ioas_unmap a;
	int r = ib_iommufd_unmap_all_args(ioas_id, &a, err, errlen);

	if (r)
		return r;
	r = do_ioctl(fd, IB_IOMMU_IOAS_UNMAP, &a, err, errlen, "ioas %u all (iova 0 len UINT64_MAX)", ioas_id);
	if (!r && unmapped)
		*unmapped = a.length;
	return r;
}

int ib_iommufd_set_huge_pages(int fd, uint32_t ioas_id, bool on, char *err, size_t errlen)
{
	struct ib_iommu_option a;
	int r = ib_iommufd_option_args(IB_IOMMU_OPTION_HUGE_PAGES, IB_IOMMU_OPTION_OP_SET, ioas_id,
				       on, &a, err, errlen);

	if (r)
		return r;
	return do_ioctl(fd, IB_IOMMU_OPTION, &a, err, errlen, "HUGE_PAGES set %d ioas %u", on, ioas_id);
}

int ib_iommufd_get_huge_pages(int fd, uint32_t ioas_id, bool *on, char *err, size_t errlen)
{
	struct ib_iommu_option a;
	int r = ib_iommufd_option_args(IB_IOMMU_OPTION_HUGE_PAGES, IB_IOMMU_OPTION_OP_GET, ioas_id,
				       0, &a, err, errlen);

	if (r)
		return r;
	r = do_ioctl(fd, IB_IOMMU_OPTION, &a, err, errlen, "HUGE_PAGES get ioas %u", ioas_id);
	if (!r)
		*on = a.val64 != 0;
	return r;
}

int ib_iommufd_hwpt_alloc(int fd, uint32_t dev_id, uint32_t pt_id, uint32_t flags,
			  uint32_t *hwpt_id, char *err, size_t errlen)
{
	struct ib_iommu_hwpt_alloc a;
	int r = ib_iommufd_hwpt_alloc_args(dev_id, pt_id, flags, &a, err, errlen);

	if (r)
		return r;
	r = do_ioctl(fd, IB_IOMMU_HWPT_ALLOC, &a, err, errlen, "dev %u pt %u flags 0x%x", dev_id, pt_id, flags);
	if (!r)
		*hwpt_id = a.out_hwpt_id;
	return r;
}

/* ------------------------------------------------------------ VFIO cdev */

int ib_iommufd_cdev_open(const char *bdf, const char *sysfs_root, int *dev_fd,
			 char *err, size_t errlen)
{
	char path[128];
	int r, e;

	*dev_fd = -1;
	if ((r = ib_iommufd_bdf_to_cdev(bdf, sysfs_root, path, sizeof(path), err, errlen)))
		return r;
	*dev_fd = open(path, O_RDWR | O_CLOEXEC);
	if (*dev_fd >= 0)
		return 0;
	e = errno;
	*dev_fd = -1;
	return fail(err, errlen, e, "opening %s (VFIO cdev of %s): %s (%s)", path, bdf, strerror(e),
		    e == ENOENT ? "sysfs lists it but /dev has no node: is devtmpfs mounted on /dev?" :
		    e == EACCES || e == EPERM ? "run as root" :
		    e == EBUSY ? "another process has the device open" : "check dmesg");
}

int ib_iommufd_cdev_bind(int dev_fd, int iommufd, uint32_t *dev_id, char *err, size_t errlen)
{
	struct ib_vfio_device_bind_iommufd a;
	int r = ib_iommufd_bind_args(iommufd, &a, err, errlen);

	if (r)
		return r;
	r = do_ioctl(dev_fd, IB_VFIO_DEVICE_BIND_IOMMUFD, &a, err, errlen, "iommufd %d", iommufd);
	if (!r)
		*dev_id = a.out_devid;
	return r;
}

static int cdev_attach(int dev_fd, uint32_t pasid, uint32_t pt_id, uint32_t *out_hwpt,
		       char *err, size_t errlen)
{
	struct ib_vfio_device_attach_iommufd_pt a;
	int r = ib_iommufd_attach_args(pt_id, pasid, &a, err, errlen);

	if (r)
		return r;
	r = do_ioctl(dev_fd, IB_VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a, err, errlen, "pt %u pasid %u", pt_id, pasid);
	if (!r && out_hwpt)
		*out_hwpt = a.pt_id;
	return r;
}

int ib_iommufd_cdev_attach(int dev_fd, uint32_t pt_id, uint32_t *out_hwpt, char *err, size_t errlen)
{
	return cdev_attach(dev_fd, IB_IOMMUFD_NO_PASID, pt_id, out_hwpt, err, errlen);
}

int ib_iommufd_cdev_pasid_attach(int dev_fd, uint32_t pasid, uint32_t pt_id, uint32_t *out_hwpt,
				 char *err, size_t errlen)
{
	if (pasid == IB_IOMMUFD_NO_PASID)
		return fail(err, errlen, EINVAL,
			    "VFIO_DEVICE_ATTACH_IOMMUFD_PT pt %u pasid 0: PASID 0 is the device itself (use ib_iommufd_cdev_attach)",
			    pt_id);
	return cdev_attach(dev_fd, pasid, pt_id, out_hwpt, err, errlen);
}

static int cdev_detach(int dev_fd, uint32_t pasid, char *err, size_t errlen)
{
	struct ib_vfio_device_detach_iommufd_pt a;
	int r = ib_iommufd_detach_args(pasid, &a, err, errlen);

	if (r)
		return r;
	return do_ioctl(dev_fd, IB_VFIO_DEVICE_DETACH_IOMMUFD_PT, &a, err, errlen, "pasid %u", pasid);
}

int ib_iommufd_cdev_detach(int dev_fd, char *err, size_t errlen)
{
	return cdev_detach(dev_fd, IB_IOMMUFD_NO_PASID, err, errlen);
}

int ib_iommufd_cdev_pasid_detach(int dev_fd, uint32_t pasid, char *err, size_t errlen)
{
	if (pasid == IB_IOMMUFD_NO_PASID)
		return fail(err, errlen, EINVAL,
			    "VFIO_DEVICE_DETACH_IOMMUFD_PT pasid 0: PASID 0 is the device itself (use ib_iommufd_cdev_detach)");
	return cdev_detach(dev_fd, pasid, err, errlen);
}

/* --------------------------------------------------------- mock devices */

static int test_cmd(int fd, struct ib_iommu_test_cmd *c, char *err, size_t errlen, const char *what)
{
	return do_ioctl(fd, IB_IOMMU_TEST_CMD, c, err, errlen, "%s id %u%s%s", test_op_name(c->op), c->id,
			what[0] ? " " : "", what);
}

int ib_iommufd_test_probe(int fd, char *err, size_t errlen)
{
	struct ib_iommu_test_cmd c;
	int r;

	test_cmd_init(&c, 0, 0);
	r = test_cmd(fd, &c, err, errlen, "");
	if (r == -EOPNOTSUPP) {
		if (err && errlen)
			err[0] = '\0';
		return 0;
	}
	if (r == 0)	/* no kernel answers op 0 with success */
		return fail(err, errlen, EPROTO, "IOMMU_TEST_CMD probe (op 0): the kernel accepted op 0; its iommufd_test.h is not the one this tool knows (Linux %s)",
			    IB_UAPI_LINUX_VERSION);
	if (r == -EINVAL || r == -E2BIG)
		return fail(err, errlen, -r,
			    "IOMMU_TEST_CMD probe (op 0): %s: this kernel's struct iommu_test_cmd differs from the %zu-byte Linux %s layout this tool was built with (update iommufd_uapi.h from the kernel's drivers/iommu/iommufd/iommufd_test.h)",
			    strerror(-r), sizeof(c), IB_UAPI_LINUX_VERSION);
	return r;
}

int ib_iommufd_mock_domain(int fd, uint32_t ioas_id, uint32_t dev_flags,
			   struct ib_iommufd_mock *out, char *err, size_t errlen)
{
	struct ib_iommu_test_cmd c;
	char what[64];
	int r = ib_iommufd_mock_domain_args(ioas_id, dev_flags, &c, err, errlen);

	if (r)
		return r;
	snprintf(what, sizeof(what), "dev_flags 0x%x", dev_flags);
	if ((r = test_cmd(fd, &c, err, errlen, what)))
		return r;
	out->stdev_id = c.mock_domain.out_stdev_id;
	out->hwpt_id = c.mock_domain.out_hwpt_id;
	out->idev_id = c.mock_domain.out_idev_id;
	return 0;
}

int ib_iommufd_mock_replace(int fd, uint32_t stdev_id, uint32_t pt_id, uint32_t *out_hwpt,
			    char *err, size_t errlen)
{
	struct ib_iommu_test_cmd c;
	char what[32];
	int r = ib_iommufd_mock_replace_args(stdev_id, pt_id, &c, err, errlen);

	if (r)
		return r;
	snprintf(what, sizeof(what), "pt %u", pt_id);
	if ((r = test_cmd(fd, &c, err, errlen, what)))
		return r;
	if (out_hwpt)
		*out_hwpt = c.mock_domain_replace.pt_id;
	return 0;
}

static int mock_pasid(int fd, uint32_t op, uint32_t stdev_id, uint32_t pasid, uint32_t pt_id,
		      uint32_t *out_hwpt, char *err, size_t errlen)
{
	struct ib_iommu_test_cmd c;
	char what[48];
	int r = ib_iommufd_mock_pasid_args(op, stdev_id, pasid, pt_id, &c, err, errlen);

	if (r)
		return r;
	snprintf(what, sizeof(what), "pasid %u pt %u", pasid, pt_id);
	if ((r = test_cmd(fd, &c, err, errlen, what)))
		return r;
	if (out_hwpt)
		*out_hwpt = c.pasid_attach.pt_id;
	return 0;
}

int ib_iommufd_mock_pasid_attach(int fd, uint32_t stdev_id, uint32_t pasid, uint32_t pt_id,
				 uint32_t *out_hwpt, char *err, size_t errlen)
{
	return mock_pasid(fd, IB_IOMMU_TEST_OP_PASID_ATTACH, stdev_id, pasid, pt_id, out_hwpt, err, errlen);
}

int ib_iommufd_mock_pasid_replace(int fd, uint32_t stdev_id, uint32_t pasid, uint32_t pt_id,
				  uint32_t *out_hwpt, char *err, size_t errlen)
{
	return mock_pasid(fd, IB_IOMMU_TEST_OP_PASID_REPLACE, stdev_id, pasid, pt_id, out_hwpt, err, errlen);
}

int ib_iommufd_mock_pasid_detach(int fd, uint32_t stdev_id, uint32_t pasid,
				 char *err, size_t errlen)
{
	return mock_pasid(fd, IB_IOMMU_TEST_OP_PASID_DETACH, stdev_id, pasid, 0, NULL, err, errlen);
}

int ib_iommufd_mock_pasid_check(int fd, uint32_t stdev_id, uint32_t pasid, uint32_t hwpt_id,
				char *err, size_t errlen)
{
	int r = mock_pasid(fd, IB_IOMMU_TEST_OP_PASID_CHECK_HWPT, stdev_id, pasid, hwpt_id, NULL, err, errlen);

	if (r == -EINVAL)
		return fail(err, errlen, EINVAL,
			    "IOMMU_TEST_CMD PASID_CHECK_HWPT dev %u pasid %u: the PASID is %s", stdev_id, pasid,
			    hwpt_id ? "not attached to that HWPT" : "still attached");
	return r;
}

int ib_iommufd_mock_check_map(int fd, uint32_t hwpt_id, uint64_t iova, uint64_t len,
			      const void *vaddr, char *err, size_t errlen)
{
	struct ib_iommu_test_cmd c;
	char what[80];
	int r = ib_iommufd_mock_check_map_args(hwpt_id, iova, len, vaddr, &c, err, errlen);

	if (r)
		return r;
	snprintf(what, sizeof(what), "iova 0x%" PRIx64 " len %" PRIu64, iova, len);
	r = test_cmd(fd, &c, err, errlen, what);
	if (r == -EINVAL)
		return fail(err, errlen, EINVAL,
			    "IOMMU_TEST_CMD MD_CHECK_MAP hwpt %u iova 0x%" PRIx64 " len %" PRIu64 ": not mapped to %p's pages (or the HWPT is not a mock domain)",
			    hwpt_id, iova, len, vaddr);
	return r;
}
