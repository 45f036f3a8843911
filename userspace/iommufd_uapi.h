/* iommufd and VFIO-cdev ABI, written for iommubench from the documented
 * uapi of Linux 7.3 (Debian linux-source-7.3 7.3.4-1~bpo13+1):
 *   include/uapi/linux/iommufd.h, include/uapi/linux/vfio.h,
 *   drivers/iommu/iommufd/iommufd_test.h (IOMMU_TEST_CMD: not uapi, see below).
 *
 * Everything here carries an ib_/IB_ prefix so that it never clashes with a
 * host <linux/iommufd.h> or <linux/vfio.h>: bookworm's linux-libc-dev 6.1
 * has no <linux/iommufd.h> at all and a <linux/vfio.h> without the cdev
 * ioctls, and a newer host header must not change what we send.
 *
 * The layouts are an ABI: the _Static_asserts below pin every size and
 * offset we rely on to the 7.3 numbers. iommufd checks the `size` field
 * against the kernel's own struct (at least the minimum, any extra bytes
 * zero), and VFIO checks `argsz` against a minimum, so the 7.3 structs
 * (larger than 6.x ones) also work on older kernels when the newer fields
 * are zero; see iommufd.h for the version notes. */
#ifndef IB_IOMMUFD_UAPI_H
#define IB_IOMMUFD_UAPI_H
#include <stddef.h>
#include <linux/ioctl.h>
#include <linux/types.h>

#define IB_UAPI_LINUX_VERSION "7.3"

/* ---------------------------------------------------------- /dev/iommu */

#define IB_IOMMUFD_TYPE ';'

enum {
	IB_IOMMUFD_CMD_BASE = 0x80,
	IB_IOMMUFD_CMD_DESTROY = 0x80,
	IB_IOMMUFD_CMD_IOAS_ALLOC = 0x81,
	IB_IOMMUFD_CMD_IOAS_IOVA_RANGES = 0x84,
	IB_IOMMUFD_CMD_IOAS_MAP = 0x85,
	IB_IOMMUFD_CMD_IOAS_UNMAP = 0x86,
	IB_IOMMUFD_CMD_OPTION = 0x87,
	IB_IOMMUFD_CMD_HWPT_ALLOC = 0x89,
	/* iommufd_test.h: IOMMUFD_CMD_BASE + 32 */
	IB_IOMMUFD_CMD_TEST = 0x80 + 32,
};

/* All iommufd ioctls are _IO: the size travels in the struct's first u32. */
#define IB_IOMMU_DESTROY          _IO(IB_IOMMUFD_TYPE, IB_IOMMUFD_CMD_DESTROY)
#define IB_IOMMU_IOAS_ALLOC       _IO(IB_IOMMUFD_TYPE, IB_IOMMUFD_CMD_IOAS_ALLOC)
#define IB_IOMMU_IOAS_IOVA_RANGES _IO(IB_IOMMUFD_TYPE, IB_IOMMUFD_CMD_IOAS_IOVA_RANGES)
#define IB_IOMMU_IOAS_MAP         _IO(IB_IOMMUFD_TYPE, IB_IOMMUFD_CMD_IOAS_MAP)
#define IB_IOMMU_IOAS_UNMAP       _IO(IB_IOMMUFD_TYPE, IB_IOMMUFD_CMD_IOAS_UNMAP)
#define IB_IOMMU_OPTION           _IO(IB_IOMMUFD_TYPE, IB_IOMMUFD_CMD_OPTION)
#define IB_IOMMU_HWPT_ALLOC       _IO(IB_IOMMUFD_TYPE, IB_IOMMUFD_CMD_HWPT_ALLOC)
#define IB_IOMMU_TEST_CMD         _IO(IB_IOMMUFD_TYPE, IB_IOMMUFD_CMD_TEST)

struct ib_iommu_destroy {
	__u32 size;
	__u32 id;
};

struct ib_iommu_ioas_alloc {
	__u32 size;
	__u32 flags;          /* must be 0 */
	__u32 out_ioas_id;
};

struct ib_iommu_iova_range {
	__aligned_u64 start;
	__aligned_u64 last;   /* inclusive */
};

struct ib_iommu_ioas_iova_ranges {
	__u32 size;
	__u32 ioas_id;
	__u32 num_iovas;      /* in: array length; out: total ranges (EMSGSIZE if more) */
	__u32 __reserved;
	__aligned_u64 allowed_iovas;      /* user pointer to struct ib_iommu_iova_range[] */
	__aligned_u64 out_iova_alignment;
};

/* enum iommufd_ioas_map_flags */
#define IB_IOMMU_IOAS_MAP_FIXED_IOVA (1u << 0)
#define IB_IOMMU_IOAS_MAP_WRITEABLE  (1u << 1)
#define IB_IOMMU_IOAS_MAP_READABLE   (1u << 2)

struct ib_iommu_ioas_map {
	__u32 size;
	__u32 flags;
	__u32 ioas_id;
	__u32 __reserved;
	__aligned_u64 user_va;
	__aligned_u64 length;
	__aligned_u64 iova;   /* in with FIXED_IOVA, else out */
};

struct ib_iommu_ioas_unmap {
	__u32 size;
	__u32 ioas_id;
	__aligned_u64 iova;
	__aligned_u64 length; /* in: range; out: bytes unmapped. iova 0 + U64_MAX = everything */
};

/* enum iommufd_option, enum iommufd_option_ops */
#define IB_IOMMU_OPTION_RLIMIT_MODE 0u
#define IB_IOMMU_OPTION_HUGE_PAGES  1u
#define IB_IOMMU_OPTION_OP_SET      0u
#define IB_IOMMU_OPTION_OP_GET      1u

struct ib_iommu_option {
	__u32 size;
	__u32 option_id;
	__u16 op;
	__u16 __reserved;
	__u32 object_id;      /* the IOAS for HUGE_PAGES, 0 for RLIMIT_MODE */
	__aligned_u64 val64;
};

/* enum iommufd_hwpt_alloc_flags */
#define IB_IOMMU_HWPT_ALLOC_NEST_PARENT     (1u << 0)
#define IB_IOMMU_HWPT_ALLOC_DIRTY_TRACKING  (1u << 1)
#define IB_IOMMU_HWPT_FAULT_ID_VALID        (1u << 2)
#define IB_IOMMU_HWPT_ALLOC_PASID           (1u << 3)
#define IB_IOMMU_HWPT_DATA_NONE             0u

struct ib_iommu_hwpt_alloc {
	__u32 size;
	__u32 flags;
	__u32 dev_id;
	__u32 pt_id;          /* IOAS (kernel-managed HWPT), parent HWPT or vIOMMU */
	__u32 out_hwpt_id;
	__u32 __reserved;
	__u32 data_type;      /* IB_IOMMU_HWPT_DATA_NONE for a paging HWPT */
	__u32 data_len;
	__aligned_u64 data_uptr;
	__u32 fault_id;       /* with IB_IOMMU_HWPT_FAULT_ID_VALID */
	__u32 __reserved2;
};

/* ------------------------------------------------------- VFIO device cdev */

#define IB_VFIO_TYPE ';'
#define IB_VFIO_BASE 100

#define IB_VFIO_DEVICE_BIND_IOMMUFD      _IO(IB_VFIO_TYPE, IB_VFIO_BASE + 18)
#define IB_VFIO_DEVICE_ATTACH_IOMMUFD_PT _IO(IB_VFIO_TYPE, IB_VFIO_BASE + 19)
#define IB_VFIO_DEVICE_DETACH_IOMMUFD_PT _IO(IB_VFIO_TYPE, IB_VFIO_BASE + 20)

#define IB_VFIO_DEVICE_BIND_FLAG_TOKEN (1u << 0)
#define IB_VFIO_DEVICE_ATTACH_PASID    (1u << 0)
#define IB_VFIO_DEVICE_DETACH_PASID    (1u << 0)

struct ib_vfio_device_bind_iommufd {
	__u32 argsz;
	__u32 flags;
	__s32 iommufd;
	__u32 out_devid;
	__aligned_u64 token_uuid_ptr;  /* with IB_VFIO_DEVICE_BIND_FLAG_TOKEN (PF/VF) */
};

struct ib_vfio_device_attach_iommufd_pt {
	__u32 argsz;
	__u32 flags;
	__u32 pt_id;          /* in: IOAS or HWPT; out: the HWPT attached */
	__u32 pasid;          /* with IB_VFIO_DEVICE_ATTACH_PASID */
};

struct ib_vfio_device_detach_iommufd_pt {
	__u32 argsz;
	__u32 flags;
	__u32 pasid;          /* with IB_VFIO_DEVICE_DETACH_PASID */
};

/* --------------------------------------------------------- IOMMU_TEST_CMD
 * From drivers/iommu/iommufd/iommufd_test.h of Linux 7.3. This is NOT
 * uapi: it exists only with CONFIG_IOMMUFD_TEST and its layout changes
 * between kernel versions (the op enum has only been appended to so far,
 * the union grew). Layout recorded from 7.3: 72 bytes, the kernel accepts
 * size >= 68 (offsetofend of `last`) with any bytes beyond its own struct
 * zero. Only the union members iommubench uses are spelled out; `__union`
 * keeps the union at the 7.3 size (its largest member, `dirty`, is 48). */

enum {
	IB_IOMMU_TEST_OP_ADD_RESERVED = 1,
	IB_IOMMU_TEST_OP_MOCK_DOMAIN = 2,
	IB_IOMMU_TEST_OP_MD_CHECK_MAP = 3,
	IB_IOMMU_TEST_OP_MD_CHECK_REFS = 4,
	IB_IOMMU_TEST_OP_CREATE_ACCESS = 5,
	IB_IOMMU_TEST_OP_DESTROY_ACCESS_PAGES = 6,
	IB_IOMMU_TEST_OP_ACCESS_PAGES = 7,
	IB_IOMMU_TEST_OP_ACCESS_RW = 8,
	IB_IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT = 9,
	IB_IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE = 10,
	IB_IOMMU_TEST_OP_ACCESS_REPLACE_IOAS = 11,
	IB_IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS = 12,
	IB_IOMMU_TEST_OP_DIRTY = 13,
	IB_IOMMU_TEST_OP_MD_CHECK_IOTLB = 14,
	IB_IOMMU_TEST_OP_TRIGGER_IOPF = 15,
	IB_IOMMU_TEST_OP_DEV_CHECK_CACHE = 16,
	IB_IOMMU_TEST_OP_TRIGGER_VEVENT = 17,
	IB_IOMMU_TEST_OP_PASID_ATTACH = 18,
	IB_IOMMU_TEST_OP_PASID_REPLACE = 19,
	IB_IOMMU_TEST_OP_PASID_DETACH = 20,
	IB_IOMMU_TEST_OP_PASID_CHECK_HWPT = 21,
	IB_IOMMU_TEST_OP_DMABUF_GET = 22,
	IB_IOMMU_TEST_OP_DMABUF_REVOKE = 23,
};

/* mock device flags (MOCK_DOMAIN_FLAGS) */
#define IB_MOCK_FLAGS_DEVICE_NO_DIRTY (1u << 0)
#define IB_MOCK_FLAGS_DEVICE_PASID    (1u << 2)
/* mock IOMMU: PASID width, and the PASID the selftest uses to inject a
 * fake set_dev_pasid failure (every other attach on it fails) */
#define IB_MOCK_PASID_WIDTH 20
#define IB_MOCK_PASID_RESERVED 1024u
/* MOCK_IOMMUPT_DEFAULT domains: IOVA aperture [16 MiB, 2 GiB) */
#define IB_MOCK_APERTURE_START (1ull << 24)
#define IB_MOCK_APERTURE_LAST ((1ull << 31) - 1)

struct ib_iommu_test_cmd {
	__u32 size;
	__u32 op;
	__u32 id;             /* IOAS, HWPT or selftest device id, per op */
	__u32 __reserved;
	union {
		struct {
			__u32 out_stdev_id;
			__u32 out_hwpt_id;
			__u32 out_idev_id;   /* the iommufd device (bind) id */
		} mock_domain;
		struct {
			__u32 out_stdev_id;
			__u32 out_hwpt_id;
			__u32 out_idev_id;
			__u32 dev_flags;
		} mock_domain_flags;
		struct {
			__u32 pt_id;
		} mock_domain_replace;
		struct {
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 uptr;
		} check_map;
		struct {
			__u32 pasid;
			__u32 pt_id;
		} pasid_attach;        /* also pasid_replace */
		struct {
			__u32 pasid;
		} pasid_detach;
		struct {
			__u32 pasid;
			__u32 hwpt_id;         /* 0: check that the PASID is detached */
		} pasid_check;
		__aligned_u64 __union[6];
	};
	__u32 last;
};

/* ------------------------------------------------------- layout checks */

#define IB_ASSERT_SIZE(t, n) _Static_assert(sizeof(t) == (n), #t " is not " #n " bytes as in Linux 7.3")
#define IB_ASSERT_OFF(t, f, n) _Static_assert(offsetof(t, f) == (n), #t "." #f " is not at " #n " as in Linux 7.3")

IB_ASSERT_SIZE(struct ib_iommu_destroy, 8);
IB_ASSERT_OFF(struct ib_iommu_destroy, id, 4);
IB_ASSERT_SIZE(struct ib_iommu_ioas_alloc, 12);
IB_ASSERT_OFF(struct ib_iommu_ioas_alloc, out_ioas_id, 8);
IB_ASSERT_SIZE(struct ib_iommu_iova_range, 16);
IB_ASSERT_SIZE(struct ib_iommu_ioas_iova_ranges, 32);
IB_ASSERT_OFF(struct ib_iommu_ioas_iova_ranges, allowed_iovas, 16);
IB_ASSERT_OFF(struct ib_iommu_ioas_iova_ranges, out_iova_alignment, 24);
IB_ASSERT_SIZE(struct ib_iommu_ioas_map, 40);
IB_ASSERT_OFF(struct ib_iommu_ioas_map, ioas_id, 8);
IB_ASSERT_OFF(struct ib_iommu_ioas_map, user_va, 16);
IB_ASSERT_OFF(struct ib_iommu_ioas_map, length, 24);
IB_ASSERT_OFF(struct ib_iommu_ioas_map, iova, 32);
IB_ASSERT_SIZE(struct ib_iommu_ioas_unmap, 24);
IB_ASSERT_OFF(struct ib_iommu_ioas_unmap, iova, 8);
IB_ASSERT_OFF(struct ib_iommu_ioas_unmap, length, 16);
IB_ASSERT_SIZE(struct ib_iommu_option, 24);
IB_ASSERT_OFF(struct ib_iommu_option, op, 8);
IB_ASSERT_OFF(struct ib_iommu_option, object_id, 12);
IB_ASSERT_OFF(struct ib_iommu_option, val64, 16);
IB_ASSERT_SIZE(struct ib_iommu_hwpt_alloc, 48);
IB_ASSERT_OFF(struct ib_iommu_hwpt_alloc, out_hwpt_id, 16);
IB_ASSERT_OFF(struct ib_iommu_hwpt_alloc, data_type, 24);
IB_ASSERT_OFF(struct ib_iommu_hwpt_alloc, data_uptr, 32);
IB_ASSERT_OFF(struct ib_iommu_hwpt_alloc, fault_id, 40);
IB_ASSERT_SIZE(struct ib_vfio_device_bind_iommufd, 24);
IB_ASSERT_OFF(struct ib_vfio_device_bind_iommufd, iommufd, 8);
IB_ASSERT_OFF(struct ib_vfio_device_bind_iommufd, out_devid, 12);
IB_ASSERT_OFF(struct ib_vfio_device_bind_iommufd, token_uuid_ptr, 16);
IB_ASSERT_SIZE(struct ib_vfio_device_attach_iommufd_pt, 16);
IB_ASSERT_OFF(struct ib_vfio_device_attach_iommufd_pt, pt_id, 8);
IB_ASSERT_OFF(struct ib_vfio_device_attach_iommufd_pt, pasid, 12);
IB_ASSERT_SIZE(struct ib_vfio_device_detach_iommufd_pt, 12);
IB_ASSERT_OFF(struct ib_vfio_device_detach_iommufd_pt, pasid, 8);
IB_ASSERT_SIZE(struct ib_iommu_test_cmd, 72);
IB_ASSERT_OFF(struct ib_iommu_test_cmd, id, 8);
IB_ASSERT_OFF(struct ib_iommu_test_cmd, mock_domain.out_stdev_id, 16);
IB_ASSERT_OFF(struct ib_iommu_test_cmd, mock_domain.out_hwpt_id, 20);
IB_ASSERT_OFF(struct ib_iommu_test_cmd, mock_domain.out_idev_id, 24);
IB_ASSERT_OFF(struct ib_iommu_test_cmd, mock_domain_flags.dev_flags, 28);
IB_ASSERT_OFF(struct ib_iommu_test_cmd, mock_domain_replace.pt_id, 16);
IB_ASSERT_OFF(struct ib_iommu_test_cmd, check_map.iova, 16);
IB_ASSERT_OFF(struct ib_iommu_test_cmd, check_map.length, 24);
IB_ASSERT_OFF(struct ib_iommu_test_cmd, check_map.uptr, 32);
IB_ASSERT_OFF(struct ib_iommu_test_cmd, pasid_attach.pasid, 16);
IB_ASSERT_OFF(struct ib_iommu_test_cmd, pasid_attach.pt_id, 20);
IB_ASSERT_OFF(struct ib_iommu_test_cmd, pasid_check.hwpt_id, 20);
IB_ASSERT_OFF(struct ib_iommu_test_cmd, last, 64);

/* the kernel's minimum for IOMMU_TEST_CMD: offsetofend(struct iommu_test_cmd, last) */
#define IB_IOMMU_TEST_CMD_MIN_SIZE (offsetof(struct ib_iommu_test_cmd, last) + sizeof(__u32))

#endif
