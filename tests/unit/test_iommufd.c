/* iommufd ioctl layer: the argument builders fill the exact Linux 7.3
 * structs and refuse bad input before any ioctl; layouts and ioctl numbers
 * match the 7.3 uapi; the VFIO cdev is found from a (fake) sysfs tree; and
 * /dev/iommu on a host without iommufd fails with a message that says
 * what to do. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "check.h"
#include "iommufd.h"

static char err[512];

#define CHECK_ERR(call, want_errno, ...) do {				\
	err[0] = '\0';							\
	int _r = (call);						\
	CHECK(_r == -(want_errno), "%s = %d, expected %d", #call, _r, -(want_errno)); \
	const char *_w[] = { __VA_ARGS__ };				\
	for (size_t _i = 0; _i < sizeof(_w) / sizeof(_w[0]); _i++)	\
		CHECK(strstr(err, _w[_i]) != NULL, "message \"%s\" lacks \"%s\"", err, _w[_i]); \
} while (0)

#define CHECK_OK(call) do {						\
	err[0] = '\0';							\
	int _r = (call);						\
	CHECK(_r == 0, "%s = %d: %s", #call, _r, err);			\
} while (0)

/* ioctl numbers: _IO(';', nr) = 0x3b00 | nr, no direction, no size */
static void test_ioctl_numbers(void)
{
	CHECK_EQ_U64(IB_IOMMU_DESTROY, 0x3b80);
	CHECK_EQ_U64(IB_IOMMU_IOAS_ALLOC, 0x3b81);
	CHECK_EQ_U64(IB_IOMMU_IOAS_IOVA_RANGES, 0x3b84);
	CHECK_EQ_U64(IB_IOMMU_IOAS_MAP, 0x3b85);
	CHECK_EQ_U64(IB_IOMMU_IOAS_UNMAP, 0x3b86);
	CHECK_EQ_U64(IB_IOMMU_OPTION, 0x3b87);
	CHECK_EQ_U64(IB_IOMMU_HWPT_ALLOC, 0x3b89);
	CHECK_EQ_U64(IB_IOMMU_TEST_CMD, 0x3ba0);
	CHECK_EQ_U64(IB_IOMMU_IOAS_MAP, _IO(';', 0x85));
	CHECK_EQ_U64(IB_IOMMU_TEST_CMD, _IO(';', 0x80 + 32));
	/* VFIO_BASE 100: bind 118, attach 119, detach 120 */
	CHECK_EQ_U64(IB_VFIO_DEVICE_BIND_IOMMUFD, 0x3b76);
	CHECK_EQ_U64(IB_VFIO_DEVICE_ATTACH_IOMMUFD_PT, 0x3b77);
	CHECK_EQ_U64(IB_VFIO_DEVICE_DETACH_IOMMUFD_PT, 0x3b78);
	CHECK_EQ_U64(IB_VFIO_DEVICE_BIND_IOMMUFD, _IO(';', 118));
	CHECK_EQ_U64(_IOC_DIR(IB_IOMMU_IOAS_MAP), _IOC_NONE);
	CHECK_EQ_U64(_IOC_SIZE(IB_IOMMU_IOAS_MAP), 0);
	CHECK_STR(ib_iommufd_ioctl_name(IB_IOMMU_HWPT_ALLOC), "IOMMU_HWPT_ALLOC");
	CHECK_STR(ib_iommufd_ioctl_name(IB_VFIO_DEVICE_ATTACH_IOMMUFD_PT), "VFIO_DEVICE_ATTACH_IOMMUFD_PT");
	CHECK(ib_iommufd_ioctl_name(0x3b88) == NULL, "IOMMU_VFIO_IOAS is not one of ours");
}

/* The same numbers as the static asserts, at run time, so a failure names
 * the field (values read from the 7.3 headers). */
static void test_layouts(void)
{
	CHECK_EQ_U64(sizeof(struct ib_iommu_destroy), 8);
	CHECK_EQ_U64(sizeof(struct ib_iommu_ioas_alloc), 12);
	CHECK_EQ_U64(sizeof(struct ib_iommu_ioas_iova_ranges), 32);
	CHECK_EQ_U64(sizeof(struct ib_iommu_ioas_map), 40);
	CHECK_EQ_U64(offsetof(struct ib_iommu_ioas_map, user_va), 16);
	CHECK_EQ_U64(offsetof(struct ib_iommu_ioas_map, length), 24);
	CHECK_EQ_U64(offsetof(struct ib_iommu_ioas_map, iova), 32);
	CHECK_EQ_U64(sizeof(struct ib_iommu_ioas_unmap), 24);
	CHECK_EQ_U64(offsetof(struct ib_iommu_ioas_unmap, iova), 8);
	CHECK_EQ_U64(sizeof(struct ib_iommu_option), 24);
	CHECK_EQ_U64(offsetof(struct ib_iommu_option, op), 8);
	CHECK_EQ_U64(offsetof(struct ib_iommu_option, val64), 16);
	CHECK_EQ_U64(sizeof(struct ib_iommu_hwpt_alloc), 48);
	CHECK_EQ_U64(offsetof(struct ib_iommu_hwpt_alloc, out_hwpt_id), 16);
	CHECK_EQ_U64(offsetof(struct ib_iommu_hwpt_alloc, data_uptr), 32);
	CHECK_EQ_U64(offsetof(struct ib_iommu_hwpt_alloc, fault_id), 40);
	CHECK_EQ_U64(sizeof(struct ib_vfio_device_bind_iommufd), 24);
	CHECK_EQ_U64(offsetof(struct ib_vfio_device_bind_iommufd, out_devid), 12);
	CHECK_EQ_U64(offsetof(struct ib_vfio_device_bind_iommufd, token_uuid_ptr), 16);
	CHECK_EQ_U64(sizeof(struct ib_vfio_device_attach_iommufd_pt), 16);
	CHECK_EQ_U64(offsetof(struct ib_vfio_device_attach_iommufd_pt, pasid), 12);
	CHECK_EQ_U64(sizeof(struct ib_vfio_device_detach_iommufd_pt), 12);
	CHECK_EQ_U64(offsetof(struct ib_vfio_device_detach_iommufd_pt, pasid), 8);
	CHECK_EQ_U64(sizeof(struct ib_iommu_test_cmd), 72);
	CHECK_EQ_U64(IB_IOMMU_TEST_CMD_MIN_SIZE, 68);
	CHECK_EQ_U64(offsetof(struct ib_iommu_test_cmd, mock_domain.out_stdev_id), 16);
	CHECK_EQ_U64(offsetof(struct ib_iommu_test_cmd, mock_domain.out_idev_id), 24);
	CHECK_EQ_U64(offsetof(struct ib_iommu_test_cmd, mock_domain_flags.dev_flags), 28);
	CHECK_EQ_U64(offsetof(struct ib_iommu_test_cmd, pasid_attach.pt_id), 20);
	CHECK_EQ_U64(offsetof(struct ib_iommu_test_cmd, check_map.uptr), 32);
	CHECK_EQ_U64(offsetof(struct ib_iommu_test_cmd, last), 64);
	/* op numbers of the 7.3 enum */
	CHECK_EQ_U64(IB_IOMMU_TEST_OP_MOCK_DOMAIN, 2);
	CHECK_EQ_U64(IB_IOMMU_TEST_OP_MD_CHECK_MAP, 3);
	CHECK_EQ_U64(IB_IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE, 10);
	CHECK_EQ_U64(IB_IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS, 12);
	CHECK_EQ_U64(IB_IOMMU_TEST_OP_PASID_ATTACH, 18);
	CHECK_EQ_U64(IB_IOMMU_TEST_OP_PASID_REPLACE, 19);
	CHECK_EQ_U64(IB_IOMMU_TEST_OP_PASID_DETACH, 20);
	CHECK_EQ_U64(IB_IOMMU_TEST_OP_PASID_CHECK_HWPT, 21);
}

static void test_map_args(void)
{
	static char buf[2 * 4096] __attribute__((aligned(4096)));
	struct ib_iommu_ioas_map m;
	const uint32_t rw = IB_IOMMUFD_MAP_FIXED_RW;

	memset(&m, 0xa5, sizeof(m));
	CHECK_OK(ib_iommufd_map_args(3, 0x100000, 8192, buf, rw, &m, err, sizeof(err)));
	CHECK_EQ_U64(m.size, 40);
	CHECK_EQ_U64(m.flags, 0x7);
	CHECK_EQ_U64(m.ioas_id, 3);
	CHECK_EQ_U64(m.__reserved, 0);
	CHECK_EQ_U64(m.user_va, (uintptr_t)buf);
	CHECK_EQ_U64(m.length, 8192);
	CHECK_EQ_U64(m.iova, 0x100000);
	/* read-only mapping */
	CHECK_OK(ib_iommufd_map_args(1, 0, 4096, buf, IB_IOMMU_IOAS_MAP_FIXED_IOVA | IB_IOMMU_IOAS_MAP_READABLE,
				     &m, err, sizeof(err)));
	CHECK_EQ_U64(m.flags, 0x5);
	/* the last page below 2^64 */
	CHECK_OK(ib_iommufd_map_args(1, UINT64_MAX - 4095, 4096, buf, rw, &m, err, sizeof(err)));

	CHECK_ERR(ib_iommufd_map_args(3, 0x100800, 4096, buf, rw, &m, err, sizeof(err)), EINVAL,
		  "IOMMU_IOAS_MAP ioas 3 iova 0x100800 len 4096", "iova is not 4 KiB aligned");
	CHECK_ERR(ib_iommufd_map_args(3, 0x100000, 4097, buf, rw, &m, err, sizeof(err)), EINVAL,
		  "len 4097", "length is not a multiple of 4 KiB");
	CHECK_ERR(ib_iommufd_map_args(3, 0x100000, 0, buf, rw, &m, err, sizeof(err)), EINVAL,
		  "length is 0");
	CHECK_ERR(ib_iommufd_map_args(3, UINT64_MAX - 4095, 8192, buf, rw, &m, err, sizeof(err)), EINVAL,
		  "iova 0xfffffffffffff000", "overflows");
	CHECK_ERR(ib_iommufd_map_args(3, 0x100000, 4096, NULL, rw, &m, err, sizeof(err)), EINVAL,
		  "user address is NULL");
	CHECK_ERR(ib_iommufd_map_args(3, 0x100000, 4096, buf + 16, rw, &m, err, sizeof(err)), EINVAL,
		  "user address", "not 4 KiB aligned");
	CHECK_ERR(ib_iommufd_map_args(0, 0x100000, 4096, buf, rw, &m, err, sizeof(err)), EINVAL,
		  "IOAS id 0");
	CHECK_ERR(ib_iommufd_map_args(3, 0x100000, 4096, buf, rw | 0x8, &m, err, sizeof(err)), EINVAL,
		  "unknown flags 0x8");
	CHECK_ERR(ib_iommufd_map_args(3, 0x100000, 4096, buf, IB_IOMMU_IOAS_MAP_READABLE, &m, err, sizeof(err)),
		  EINVAL, "lack FIXED_IOVA");
	CHECK_ERR(ib_iommufd_map_args(3, 0x100000, 4096, buf, IB_IOMMU_IOAS_MAP_FIXED_IOVA, &m, err, sizeof(err)),
		  EINVAL, "neither READABLE nor WRITEABLE");
}

static void test_unmap_args(void)
{
	struct ib_iommu_ioas_unmap u;

	memset(&u, 0xa5, sizeof(u));
	CHECK_OK(ib_iommufd_unmap_args(2, 0x200000, 0x200000, &u, err, sizeof(err)));
	CHECK_EQ_U64(u.size, 24);
	CHECK_EQ_U64(u.ioas_id, 2);
	CHECK_EQ_U64(u.iova, 0x200000);
	CHECK_EQ_U64(u.length, 0x200000);

	memset(&u, 0xa5, sizeof(u));
	CHECK_OK(ib_iommufd_unmap_all_args(2, &u, err, sizeof(err)));
	CHECK_EQ_U64(u.size, 24);
	CHECK_EQ_U64(u.ioas_id, 2);
	CHECK_EQ_U64(u.iova, 0);
	CHECK_EQ_U64(u.length, UINT64_MAX);

	CHECK_ERR(ib_iommufd_unmap_args(2, 0x1000, 0, &u, err, sizeof(err)), EINVAL,
		  "IOMMU_IOAS_UNMAP ioas 2 iova 0x1000 len 0", "length is 0");
	CHECK_ERR(ib_iommufd_unmap_args(2, 0x1010, 4096, &u, err, sizeof(err)), EINVAL,
		  "iova is not 4 KiB aligned");
	CHECK_ERR(ib_iommufd_unmap_args(2, 0x1000, 100, &u, err, sizeof(err)), EINVAL,
		  "not a multiple of 4 KiB");
	CHECK_ERR(ib_iommufd_unmap_args(2, 0xfffffffffffff000ull, 0x2000, &u, err, sizeof(err)), EINVAL,
		  "overflows");
	CHECK_ERR(ib_iommufd_unmap_args(2, 0, UINT64_MAX, &u, err, sizeof(err)), EINVAL,
		  "unmap-all form", "ib_iommufd_unmap_all");
	CHECK_ERR(ib_iommufd_unmap_args(0, 0x1000, 4096, &u, err, sizeof(err)), EINVAL, "IOAS id 0");
	CHECK_ERR(ib_iommufd_unmap_all_args(0, &u, err, sizeof(err)), EINVAL, "IOAS id 0");
}

static void test_option_args(void)
{
	struct ib_iommu_option o;

	memset(&o, 0xa5, sizeof(o));
	CHECK_OK(ib_iommufd_option_args(IB_IOMMU_OPTION_HUGE_PAGES, IB_IOMMU_OPTION_OP_SET, 5, 0, &o, err, sizeof(err)));
	CHECK_EQ_U64(o.size, 24);
	CHECK_EQ_U64(o.option_id, 1);
	CHECK_EQ_U64(o.op, 0);
	CHECK_EQ_U64(o.__reserved, 0);
	CHECK_EQ_U64(o.object_id, 5);
	CHECK_EQ_U64(o.val64, 0);
	CHECK_OK(ib_iommufd_option_args(IB_IOMMU_OPTION_HUGE_PAGES, IB_IOMMU_OPTION_OP_SET, 5, 1, &o, err, sizeof(err)));
	CHECK_EQ_U64(o.val64, 1);
	CHECK_OK(ib_iommufd_option_args(IB_IOMMU_OPTION_HUGE_PAGES, IB_IOMMU_OPTION_OP_GET, 5, 77, &o, err, sizeof(err)));
	CHECK_EQ_U64(o.op, 1);
	CHECK_EQ_U64(o.val64, 0);
	CHECK_OK(ib_iommufd_option_args(IB_IOMMU_OPTION_RLIMIT_MODE, IB_IOMMU_OPTION_OP_SET, 0, 1, &o, err, sizeof(err)));
	CHECK_EQ_U64(o.option_id, 0);

	CHECK_ERR(ib_iommufd_option_args(IB_IOMMU_OPTION_HUGE_PAGES, IB_IOMMU_OPTION_OP_SET, 0, 0, &o, err, sizeof(err)),
		  EINVAL, "HUGE_PAGES", "object id 0", "per IOAS");
	CHECK_ERR(ib_iommufd_option_args(IB_IOMMU_OPTION_HUGE_PAGES, IB_IOMMU_OPTION_OP_SET, 5, 2, &o, err, sizeof(err)),
		  EINVAL, "value 2", "want 0 or 1");
	CHECK_ERR(ib_iommufd_option_args(IB_IOMMU_OPTION_RLIMIT_MODE, IB_IOMMU_OPTION_OP_SET, 5, 0, &o, err, sizeof(err)),
		  EINVAL, "RLIMIT_MODE", "global");
	CHECK_ERR(ib_iommufd_option_args(7, IB_IOMMU_OPTION_OP_GET, 5, 0, &o, err, sizeof(err)), EINVAL,
		  "option 7 unknown");
	CHECK_ERR(ib_iommufd_option_args(IB_IOMMU_OPTION_HUGE_PAGES, 2, 5, 0, &o, err, sizeof(err)), EINVAL,
		  "op 2");
}

static void test_hwpt_args(void)
{
	struct ib_iommu_hwpt_alloc h;

	memset(&h, 0xa5, sizeof(h));
	CHECK_OK(ib_iommufd_hwpt_alloc_args(4, 2, 0, &h, err, sizeof(err)));
	CHECK_EQ_U64(h.size, 48);
	CHECK_EQ_U64(h.flags, 0);
	CHECK_EQ_U64(h.dev_id, 4);
	CHECK_EQ_U64(h.pt_id, 2);
	CHECK_EQ_U64(h.out_hwpt_id, 0);
	CHECK_EQ_U64(h.__reserved, 0);
	CHECK_EQ_U64(h.data_type, 0);
	CHECK_EQ_U64(h.data_len, 0);
	CHECK_EQ_U64(h.data_uptr, 0);
	CHECK_EQ_U64(h.fault_id, 0);
	CHECK_EQ_U64(h.__reserved2, 0);
	CHECK_OK(ib_iommufd_hwpt_alloc_args(4, 2, IB_IOMMU_HWPT_ALLOC_PASID, &h, err, sizeof(err)));
	CHECK_EQ_U64(h.flags, 0x8);

	CHECK_ERR(ib_iommufd_hwpt_alloc_args(0, 2, 0, &h, err, sizeof(err)), EINVAL,
		  "IOMMU_HWPT_ALLOC dev 0 pt 2", "device id 0", "bind");
	CHECK_ERR(ib_iommufd_hwpt_alloc_args(4, 0, 0, &h, err, sizeof(err)), EINVAL, "pt id 0");
	CHECK_ERR(ib_iommufd_hwpt_alloc_args(4, 2, IB_IOMMU_HWPT_FAULT_ID_VALID, &h, err, sizeof(err)), EINVAL,
		  "FAULT_ID_VALID");
	CHECK_ERR(ib_iommufd_hwpt_alloc_args(4, 2, 0x30, &h, err, sizeof(err)), EINVAL, "unknown flags 0x30");
}

static void test_vfio_args(void)
{
	struct ib_vfio_device_bind_iommufd b;
	struct ib_vfio_device_attach_iommufd_pt a;
	struct ib_vfio_device_detach_iommufd_pt d;

	memset(&b, 0xa5, sizeof(b));
	CHECK_OK(ib_iommufd_bind_args(7, &b, err, sizeof(err)));
	CHECK_EQ_U64(b.argsz, 24);
	CHECK_EQ_U64(b.flags, 0);
	CHECK_EQ_U64(b.iommufd, 7);
	CHECK_EQ_U64(b.out_devid, 0);
	CHECK_EQ_U64(b.token_uuid_ptr, 0);
	CHECK_ERR(ib_iommufd_bind_args(-1, &b, err, sizeof(err)), EBADF, "VFIO_DEVICE_BIND_IOMMUFD", "not open");

	memset(&a, 0xa5, sizeof(a));
	CHECK_OK(ib_iommufd_attach_args(9, IB_IOMMUFD_NO_PASID, &a, err, sizeof(err)));
	CHECK_EQ_U64(a.argsz, 16);
	CHECK_EQ_U64(a.flags, 0);
	CHECK_EQ_U64(a.pt_id, 9);
	CHECK_EQ_U64(a.pasid, 0);
	CHECK_OK(ib_iommufd_attach_args(9, 5, &a, err, sizeof(err)));
	CHECK_EQ_U64(a.flags, IB_VFIO_DEVICE_ATTACH_PASID);
	CHECK_EQ_U64(a.pasid, 5);
	CHECK_OK(ib_iommufd_attach_args(9, 0xfffff, &a, err, sizeof(err)));
	CHECK_ERR(ib_iommufd_attach_args(9, 0x100000, &a, err, sizeof(err)), EINVAL,
		  "VFIO_DEVICE_ATTACH_IOMMUFD_PT pt 9 pasid 1048576", "20 bits");
	CHECK_ERR(ib_iommufd_attach_args(0, 0, &a, err, sizeof(err)), EINVAL, "pt id 0");

	memset(&d, 0xa5, sizeof(d));
	CHECK_OK(ib_iommufd_detach_args(IB_IOMMUFD_NO_PASID, &d, err, sizeof(err)));
	CHECK_EQ_U64(d.argsz, 12);
	CHECK_EQ_U64(d.flags, 0);
	CHECK_EQ_U64(d.pasid, 0);
	CHECK_OK(ib_iommufd_detach_args(33, &d, err, sizeof(err)));
	CHECK_EQ_U64(d.flags, IB_VFIO_DEVICE_DETACH_PASID);
	CHECK_EQ_U64(d.pasid, 33);
	CHECK_ERR(ib_iommufd_detach_args(1u << 20, &d, err, sizeof(err)), EINVAL,
		  "VFIO_DEVICE_DETACH_IOMMUFD_PT pasid 1048576", "20 bits");
	/* the PASID calls refuse PASID 0 before any ioctl (fd -1 never reached) */
	CHECK_ERR(ib_iommufd_cdev_pasid_attach(-1, 0, 9, NULL, err, sizeof(err)), EINVAL,
		  "PASID 0 is the device itself");
	CHECK_ERR(ib_iommufd_cdev_pasid_detach(-1, 0, err, sizeof(err)), EINVAL,
		  "PASID 0 is the device itself");
}

static void test_mock_args(void)
{
	static char buf[4096] __attribute__((aligned(4096)));
	struct ib_iommu_test_cmd c;
	const unsigned char *p = (const unsigned char *)&c;
	size_t i;
	int nz;

	memset(&c, 0xa5, sizeof(c));
	CHECK_OK(ib_iommufd_mock_domain_args(2, 0, &c, err, sizeof(err)));
	CHECK_EQ_U64(c.size, 72);
	CHECK_EQ_U64(c.op, IB_IOMMU_TEST_OP_MOCK_DOMAIN);
	CHECK_EQ_U64(c.id, 2);
	for (i = 12, nz = 0; i < sizeof(c); i++)
		nz += p[i] != 0;
	CHECK(nz == 0, "%d non-zero bytes after id in a MOCK_DOMAIN command", nz);

	CHECK_OK(ib_iommufd_mock_domain_args(2, IB_MOCK_FLAGS_DEVICE_PASID, &c, err, sizeof(err)));
	CHECK_EQ_U64(c.op, IB_IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS);
	CHECK_EQ_U64(c.mock_domain_flags.dev_flags, 4);
	CHECK_EQ_U64(c.last, 0);
	CHECK_ERR(ib_iommufd_mock_domain_args(2, 0x2, &c, err, sizeof(err)), EINVAL,
		  "MOCK_DOMAIN_FLAGS ioas 2", "unknown device flags 0x2");
	CHECK_ERR(ib_iommufd_mock_domain_args(0, 0, &c, err, sizeof(err)), EINVAL, "ioas 0");

	CHECK_OK(ib_iommufd_mock_replace_args(6, 8, &c, err, sizeof(err)));
	CHECK_EQ_U64(c.op, 10);
	CHECK_EQ_U64(c.id, 6);
	CHECK_EQ_U64(c.mock_domain_replace.pt_id, 8);
	CHECK_ERR(ib_iommufd_mock_replace_args(0, 8, &c, err, sizeof(err)), EINVAL, "mock device id 0");
	CHECK_ERR(ib_iommufd_mock_replace_args(6, 0, &c, err, sizeof(err)), EINVAL, "pt id 0");

	CHECK_OK(ib_iommufd_mock_pasid_args(IB_IOMMU_TEST_OP_PASID_ATTACH, 6, 100, 8, &c, err, sizeof(err)));
	CHECK_EQ_U64(c.op, 18);
	CHECK_EQ_U64(c.id, 6);
	CHECK_EQ_U64(c.pasid_attach.pasid, 100);
	CHECK_EQ_U64(c.pasid_attach.pt_id, 8);
	CHECK_OK(ib_iommufd_mock_pasid_args(IB_IOMMU_TEST_OP_PASID_REPLACE, 6, 100, 9, &c, err, sizeof(err)));
	CHECK_EQ_U64(c.op, 19);
	CHECK_EQ_U64(c.pasid_attach.pt_id, 9);
	CHECK_OK(ib_iommufd_mock_pasid_args(IB_IOMMU_TEST_OP_PASID_DETACH, 6, 100, 0, &c, err, sizeof(err)));
	CHECK_EQ_U64(c.op, 20);
	CHECK_EQ_U64(c.pasid_detach.pasid, 100);
	CHECK_EQ_U64(c.pasid_attach.pt_id, 0);
	CHECK_OK(ib_iommufd_mock_pasid_args(IB_IOMMU_TEST_OP_PASID_CHECK_HWPT, 6, 100, 0, &c, err, sizeof(err)));
	CHECK_EQ_U64(c.op, 21);
	CHECK_EQ_U64(c.pasid_check.hwpt_id, 0);
	CHECK_ERR(ib_iommufd_mock_pasid_args(IB_IOMMU_TEST_OP_PASID_ATTACH, 6, 0, 8, &c, err, sizeof(err)), EINVAL,
		  "PASID_ATTACH dev 6 pasid 0", "RID");
	CHECK_ERR(ib_iommufd_mock_pasid_args(IB_IOMMU_TEST_OP_PASID_ATTACH, 6, 1024, 8, &c, err, sizeof(err)), EINVAL,
		  "pasid 1024", "fault-injection");
	CHECK_ERR(ib_iommufd_mock_pasid_args(IB_IOMMU_TEST_OP_PASID_ATTACH, 6, 1u << 20, 8, &c, err, sizeof(err)),
		  EINVAL, "20 bits");
	CHECK_ERR(ib_iommufd_mock_pasid_args(IB_IOMMU_TEST_OP_PASID_REPLACE, 6, 100, 0, &c, err, sizeof(err)),
		  EINVAL, "PASID_REPLACE", "pt id 0");
	CHECK_ERR(ib_iommufd_mock_pasid_args(IB_IOMMU_TEST_OP_PASID_ATTACH, 0, 100, 8, &c, err, sizeof(err)),
		  EINVAL, "mock device id 0");
	CHECK_ERR(ib_iommufd_mock_pasid_args(IB_IOMMU_TEST_OP_MOCK_DOMAIN, 6, 100, 8, &c, err, sizeof(err)),
		  EINVAL, "op 2", "not a PASID op");

	CHECK_OK(ib_iommufd_mock_check_map_args(8, IB_MOCK_APERTURE_START, 4096, buf, &c, err, sizeof(err)));
	CHECK_EQ_U64(c.op, 3);
	CHECK_EQ_U64(c.id, 8);
	CHECK_EQ_U64(c.check_map.iova, 1u << 24);
	CHECK_EQ_U64(c.check_map.length, 4096);
	CHECK_EQ_U64(c.check_map.uptr, (uintptr_t)buf);
	CHECK_ERR(ib_iommufd_mock_check_map_args(8, 0x1000001, 4096, buf, &c, err, sizeof(err)), EINVAL,
		  "MD_CHECK_MAP hwpt 8 iova 0x1000001", "not 4 KiB aligned");
	CHECK_ERR(ib_iommufd_mock_check_map_args(8, 0x1000000, 4096, NULL, &c, err, sizeof(err)), EINVAL,
		  "NULL");
	CHECK_ERR(ib_iommufd_mock_check_map_args(0, 0x1000000, 4096, buf, &c, err, sizeof(err)), EINVAL,
		  "HWPT id 0");
}

/* ------------------------------------------------------- fake sysfs */

static char root[64];

static void mkdirs(const char *fmt, const char *a, const char *b)
{
	char path[512], *s;

	snprintf(path, sizeof(path), fmt, root, a, b);
	for (s = path + 1; *s; s++) {
		if (*s == '/') {
			*s = '\0';
			mkdir(path, 0755);
			*s = '/';
		}
	}
	mkdir(path, 0755);
}

static void rm_tree(const char *dir)
{
	char cmd[128];

	if (strncmp(dir, "/tmp/ib-iommufd-", 16) == 0) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
	}
}

static void test_bdf_to_cdev(void)
{
	char path[128];

	snprintf(root, sizeof(root), "/tmp/ib-iommufd-XXXXXX");
	if (!mkdtemp(root)) {
		CHECK(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	/* found: one vfio-dev entry next to other sysfs files */
	mkdirs("%s/bus/pci/devices/%s/vfio-dev/%s", "0000:00:03.0", "vfio0");
	mkdirs("%s/bus/pci/devices/%s/%s", "0000:00:03.0", "power");
	path[0] = '\0';
	CHECK_OK(ib_iommufd_bdf_to_cdev("0000:00:03.0", root, path, sizeof(path), err, sizeof(err)));
	CHECK_STR(path, "/dev/vfio/devices/vfio0");
	/* short and upper-case forms name the same device */
	mkdirs("%s/bus/pci/devices/%s/vfio-dev/%s", "0000:0a:1f.7", "vfio12");
	CHECK_OK(ib_iommufd_bdf_to_cdev("0A:1F.7", root, path, sizeof(path), err, sizeof(err)));
	CHECK_STR(path, "/dev/vfio/devices/vfio12");

	/* device present, no vfio-dev directory: not bound to vfio-pci */
	mkdirs("%s/bus/pci/devices/%s/%s", "0000:00:04.0", "power");
	CHECK_ERR(ib_iommufd_bdf_to_cdev("0000:00:04.0", root, path, sizeof(path), err, sizeof(err)), ENODEV,
		  "0000:00:04.0", "vfio-dev does not exist", "vfio-pci", "CONFIG_VFIO_DEVICE_CDEV");
	/* vfio-dev directory without a vfioN entry */
	mkdirs("%s/bus/pci/devices/%s/vfio-dev/%s", "0000:00:06.0", "notvfio");
	CHECK_ERR(ib_iommufd_bdf_to_cdev("0000:00:06.0", root, path, sizeof(path), err, sizeof(err)), ENODEV,
		  "no vfioN entry");
	/* two entries: ambiguous */
	mkdirs("%s/bus/pci/devices/%s/vfio-dev/%s", "0000:00:05.0", "vfio1");
	mkdirs("%s/bus/pci/devices/%s/vfio-dev/%s", "0000:00:05.0", "vfio2");
	CHECK_ERR(ib_iommufd_bdf_to_cdev("0000:00:05.0", root, path, sizeof(path), err, sizeof(err)), ENOTUNIQ,
		  "0000:00:05.0", "2 vfioN entries");
	/* no-IOMMU cdev (7.x names it noiommu-vfioN): nothing to measure */
	mkdirs("%s/bus/pci/devices/%s/vfio-dev/%s", "0000:00:07.0", "noiommu-vfio3");
	CHECK_ERR(ib_iommufd_bdf_to_cdev("0000:00:07.0", root, path, sizeof(path), err, sizeof(err)), ENODEV,
		  "noiommu-vfio3", "no-IOMMU");
	/* no such device */
	CHECK_ERR(ib_iommufd_bdf_to_cdev("0000:00:09.0", root, path, sizeof(path), err, sizeof(err)), ENODEV,
		  "no PCI device 0000:00:09.0", "lspci");
	/* malformed addresses */
	CHECK_ERR(ib_iommufd_bdf_to_cdev("00:03", root, path, sizeof(path), err, sizeof(err)), EINVAL,
		  "\"00:03\" is not a PCI address");
	CHECK_ERR(ib_iommufd_bdf_to_cdev("0000:00:03.8", root, path, sizeof(path), err, sizeof(err)), EINVAL,
		  "not a PCI address");
	CHECK_ERR(ib_iommufd_bdf_to_cdev("0000:00:20.0", root, path, sizeof(path), err, sizeof(err)), EINVAL,
		  "not a PCI address");
	CHECK_ERR(ib_iommufd_bdf_to_cdev("0000:00:03.0/../x", root, path, sizeof(path), err, sizeof(err)), EINVAL,
		  "not a PCI address");
	CHECK_ERR(ib_iommufd_bdf_to_cdev(NULL, root, path, sizeof(path), err, sizeof(err)), EINVAL, "(null)");
	/* a path buffer too small */
	CHECK_ERR(ib_iommufd_bdf_to_cdev("0000:00:03.0", root, path, 8, err, sizeof(err)), ENAMETOOLONG,
		  "too short");
	/* cdev_open goes through the same lookup */
	{
		int fd = 123;

		CHECK_ERR(ib_iommufd_cdev_open("0000:00:04.0", root, &fd, err, sizeof(err)), ENODEV, "vfio-pci");
		CHECK(fd == -1, "fd = %d after a failed open", fd);
	}
	rm_tree(root);
}

/* ------------------------------------------------------- no iommufd here */

static void test_open(void)
{
	uint32_t id = 0;
	int fd = 42;
	int r;

	err[0] = '\0';
	r = ib_iommufd_open(&fd, err, sizeof(err));
	if (access(IB_IOMMUFD_DEV, F_OK) != 0) {
		CHECK(r == -ENOENT, "ib_iommufd_open = %d, expected -ENOENT", r);
		CHECK(fd == -1, "fd = %d after a failed open", fd);
		CHECK(strstr(err, "/dev/iommu") != NULL, "message \"%s\" lacks /dev/iommu", err);
		CHECK(strstr(err, "CONFIG_IOMMUFD") != NULL, "message \"%s\" does not say what to do", err);
		CHECK(strstr(err, "x86-iommufd") != NULL, "message \"%s\" does not name the lab target", err);
	} else {
		/* a host with iommufd: open works, or needs root */
		CHECK(r == 0 || r == -EACCES || r == -EPERM, "ib_iommufd_open = %d: %s", r, err);
		if (!r)
			CHECK(fd >= 0, "fd = %d", fd);
	}
	ib_iommufd_close(&fd);
	CHECK(fd == -1, "fd = %d after close", fd);
	ib_iommufd_close(&fd);	/* twice is harmless */

	/* calls on a closed fd fail with EBADF and a message, no ioctl */
	CHECK_ERR(ib_iommufd_ioas_alloc(-1, &id, err, sizeof(err)), EBADF, "IOMMU_IOAS_ALLOC", "not open");
	CHECK_ERR(ib_iommufd_test_probe(-1, err, sizeof(err)), EBADF, "IOMMU_TEST_CMD");
	/* argument errors come before the fd is looked at */
	CHECK_ERR(ib_iommufd_map(-1, 1, 0x1001, 4096, (void *)0x10000, IB_IOMMUFD_MAP_FIXED_RW, err, sizeof(err)),
		  EINVAL, "IOMMU_IOAS_MAP", "aligned");

	/* an fd that is not /dev/iommu: ENOTTY with the ioctl named */
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		CHECK_ERR(ib_iommufd_ioas_alloc(fd, &id, err, sizeof(err)), ENOTTY, "IOMMU_IOAS_ALLOC",
			  "not /dev/iommu");
		CHECK_ERR(ib_iommufd_test_probe(fd, err, sizeof(err)), ENOTTY, "IOMMU_TEST_CMD",
			  "CONFIG_IOMMUFD_TEST");
		CHECK_ERR(ib_iommufd_mock_domain(fd, 2, 0, &(struct ib_iommufd_mock){ 0 }, err, sizeof(err)), ENOTTY,
			  "IOMMU_TEST_CMD MOCK_DOMAIN id 2", "CONFIG_IOMMUFD_TEST");
		CHECK_ERR(ib_iommufd_cdev_attach(fd, 3, NULL, err, sizeof(err)), ENOTTY,
			  "VFIO_DEVICE_ATTACH_IOMMUFD_PT pt 3", "cdev");
		close(fd);
	}
}

int main(void)
{
	test_ioctl_numbers();
	test_layouts();
	test_map_args();
	test_unmap_args();
	test_option_args();
	test_hwpt_args();
	test_vfio_args();
	test_mock_args();
	test_bdf_to_cdev();
	test_open();
	return CHECK_DONE();
}
