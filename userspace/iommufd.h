/* The iommufd ioctl layer: /dev/iommu (IOAS, map/unmap, options, HWPT),
 * the VFIO device cdev (bind, attach/replace, detach, PASID), and the
 * selftest mock devices of CONFIG_IOMMUFD_TEST (IOMMU_TEST_CMD).
 *
 * Every call returns 0 or -errno and, on failure, fills err with the
 * ioctl, its arguments, the error and what to do, e.g.
 *   "IOMMU_IOAS_MAP ioas 2 iova 0x100000 len 4096: File exists (...)".
 * The argument builders (ib_iommufd_*_args) are pure: they fill the
 * kernel struct or refuse bad input with -EINVAL before any ioctl, and are
 * what the calls use.
 *
 * Layouts are those of Linux 7.3 (iommufd_uapi.h). Version notes for the
 * engine:
 *  - iommufd and IOMMU_IOAS_*, IOMMU_OPTION: 6.2; IOMMU_HWPT_ALLOC ~6.6 (its
 *    struct grew from 24 to 40 to 48 bytes, ~6.7 and ~6.11; ours is the
 *    48-byte one, which older kernels accept because the extra fields are 0);
 *  - VFIO cdev, BIND_IOMMUFD, ATTACH/DETACH_IOMMUFD_PT: 6.6, with
 *    CONFIG_VFIO_DEVICE_CDEV; a second ATTACH on a live device replaces its
 *    HWPT;
 *  - the PASID flags of ATTACH/DETACH and IOMMU_HWPT_ALLOC_PASID: ~6.15;
 *    older kernels answer EINVAL to the flag;
 *  - the mock PASID ops of IOMMU_TEST_CMD: ~6.15 (older kernels:
 *    EOPNOTSUPP);
 *  - BIND_IOMMUFD's token_uuid_ptr (VF token): ~6.17; we always send 0.
 */
#ifndef IB_IOMMUFD_H
#define IB_IOMMUFD_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "iommufd_uapi.h"

#define IB_IOMMUFD_DEV "/dev/iommu"
#define IB_IOMMUFD_CDEV_DIR "/dev/vfio/devices"
/* Granule the builders require of IOVAs, lengths and user addresses. */
#define IB_IOMMUFD_PAGE 4096ull
/* IOMMU_NO_PASID: the device's requests without a PASID (its RID). */
#define IB_IOMMUFD_NO_PASID 0u
/* PCIe PASIDs are 20 bits. */
#define IB_IOMMUFD_PASID_MAX ((1u << 20) - 1)
/* Flags for a fixed-IOVA, read/write mapping: what the backend uses. */
#define IB_IOMMUFD_MAP_FIXED_RW (IB_IOMMU_IOAS_MAP_FIXED_IOVA | IB_IOMMU_IOAS_MAP_READABLE | \
				 IB_IOMMU_IOAS_MAP_WRITEABLE)
/* iova 0, length UINT64_MAX: IOMMU_IOAS_UNMAP removes everything */
#define IB_IOMMUFD_UNMAP_ALL_LEN UINT64_MAX

/* ------------------------------------------------------------- builders */

/* Fixed-IOVA map: flags must hold FIXED_IOVA and READABLE and/or
 * WRITEABLE, nothing else. iova, len and vaddr 4 KiB aligned, len > 0,
 * iova + len within 64 bits, vaddr not NULL, ioas_id not 0. */
int ib_iommufd_map_args(uint32_t ioas_id, uint64_t iova, uint64_t len, const void *vaddr,
			uint32_t flags, struct ib_iommu_ioas_map *out, char *err, size_t errlen);
/* A range unmap: iova and len 4 KiB aligned, len > 0, no wrap. */
int ib_iommufd_unmap_args(uint32_t ioas_id, uint64_t iova, uint64_t len,
			  struct ib_iommu_ioas_unmap *out, char *err, size_t errlen);
/* Everything in the IOAS: iova 0, length UINT64_MAX. */
int ib_iommufd_unmap_all_args(uint32_t ioas_id, struct ib_iommu_ioas_unmap *out,
			      char *err, size_t errlen);
/* IOMMU_OPTION: HUGE_PAGES needs an IOAS as object and, to set, val 0 or 1;
 * RLIMIT_MODE needs object 0. */
int ib_iommufd_option_args(uint32_t option_id, uint16_t op, uint32_t object_id, uint64_t val,
			   struct ib_iommu_option *out, char *err, size_t errlen);
/* A kernel-managed (paging) HWPT on pt_id for dev_id. flags: 0 or
 * NEST_PARENT, DIRTY_TRACKING, ALLOC_PASID; FAULT_ID_VALID is refused
 * (this layer creates no fault queue). */
int ib_iommufd_hwpt_alloc_args(uint32_t dev_id, uint32_t pt_id, uint32_t flags,
			       struct ib_iommu_hwpt_alloc *out, char *err, size_t errlen);
int ib_iommufd_bind_args(int iommufd, struct ib_vfio_device_bind_iommufd *out,
			 char *err, size_t errlen);
/* pasid IB_IOMMUFD_NO_PASID: the device itself; 1..2^20-1: that PASID. */
int ib_iommufd_attach_args(uint32_t pt_id, uint32_t pasid,
			   struct ib_vfio_device_attach_iommufd_pt *out, char *err, size_t errlen);
int ib_iommufd_detach_args(uint32_t pasid, struct ib_vfio_device_detach_iommufd_pt *out,
			   char *err, size_t errlen);

/* IOMMU_TEST_CMD: a mock device attached to ioas_id (MOCK_DOMAIN, or
 * MOCK_DOMAIN_FLAGS when dev_flags != 0: IB_MOCK_FLAGS_DEVICE_*). */
int ib_iommufd_mock_domain_args(uint32_t ioas_id, uint32_t dev_flags,
				struct ib_iommu_test_cmd *out, char *err, size_t errlen);
int ib_iommufd_mock_replace_args(uint32_t stdev_id, uint32_t pt_id,
				 struct ib_iommu_test_cmd *out, char *err, size_t errlen);
/* op: PASID_ATTACH, PASID_REPLACE (pt_id required), PASID_DETACH (pt_id
 * ignored), PASID_CHECK_HWPT (pt_id is the HWPT expected, 0 = detached).
 * pasid 1..2^20-1, never IB_MOCK_PASID_RESERVED (the selftest's
 * fault-injection PASID). */
int ib_iommufd_mock_pasid_args(uint32_t op, uint32_t stdev_id, uint32_t pasid, uint32_t pt_id,
			       struct ib_iommu_test_cmd *out, char *err, size_t errlen);
/* MD_CHECK_MAP: does mock HWPT hwpt_id map [iova, iova+len) to vaddr's pages? */
int ib_iommufd_mock_check_map_args(uint32_t hwpt_id, uint64_t iova, uint64_t len,
				   const void *vaddr, struct ib_iommu_test_cmd *out,
				   char *err, size_t errlen);

/* Finds the VFIO cdev of PCI device bdf ("DDDD:BB:DD.F", or "BB:DD.F" for
 * domain 0) from SYSFS/bus/pci/devices/BDF/vfio-dev/vfioN (sysfs_root NULL
 * means "/sys") and writes "/dev/vfio/devices/vfioN" to path. -ENODEV when
 * the device or its vfio-dev entry is missing, -ENOTUNIQ when there are
 * several, -EINVAL for a malformed bdf. */
int ib_iommufd_bdf_to_cdev(const char *bdf, const char *sysfs_root, char *path, size_t pathlen,
			   char *err, size_t errlen);

/* ------------------------------------------------------------- /dev/iommu */

/* Opens IB_IOMMUFD_DEV (O_RDWR | O_CLOEXEC) into *fd. */
int ib_iommufd_open(int *fd, char *err, size_t errlen);
/* Closes *fd if open and sets it to -1. Destroys every object in it. */
void ib_iommufd_close(int *fd);

int ib_iommufd_ioas_alloc(int fd, uint32_t *ioas_id, char *err, size_t errlen);
/* IOMMU_DESTROY: IOAS, HWPT, mock device (its stdev_id), ... */
int ib_iommufd_destroy(int fd, uint32_t id, char *err, size_t errlen);
/* IOMMU_IOAS_IOVA_RANGES: up to *n ranges into ranges (may be NULL when *n
 * is 0); *n becomes the total (-EMSGSIZE if it exceeds the array), and
 * *alignment the IOVA alignment MAP requires (may be NULL). */
int ib_iommufd_iova_ranges(int fd, uint32_t ioas_id, struct ib_iommu_iova_range *ranges,
			   uint32_t *n, uint64_t *alignment, char *err, size_t errlen);
int ib_iommufd_map(int fd, uint32_t ioas_id, uint64_t iova, uint64_t len, void *vaddr,
		   uint32_t flags, char *err, size_t errlen);
/* *unmapped (may be NULL) gets the bytes the kernel removed. */
int ib_iommufd_unmap(int fd, uint32_t ioas_id, uint64_t iova, uint64_t len, uint64_t *unmapped,
		     char *err, size_t errlen);
int ib_iommufd_unmap_all(int fd, uint32_t ioas_id, uint64_t *unmapped, char *err, size_t errlen);
/* IOMMU_OPTION HUGE_PAGES on an IOAS: 0 forces PAGE_SIZE IOMMU mappings.
 * Set it before mapping: the kernel refuses (EINVAL) once a domain holds
 * pages. */
int ib_iommufd_set_huge_pages(int fd, uint32_t ioas_id, bool on, char *err, size_t errlen);
int ib_iommufd_get_huge_pages(int fd, uint32_t ioas_id, bool *on, char *err, size_t errlen);
int ib_iommufd_hwpt_alloc(int fd, uint32_t dev_id, uint32_t pt_id, uint32_t flags,
			  uint32_t *hwpt_id, char *err, size_t errlen);

/* ------------------------------------------------------------ VFIO cdev */

/* ib_iommufd_bdf_to_cdev, then open the node O_RDWR | O_CLOEXEC. Until it
 * is bound, the fd accepts nothing but VFIO_DEVICE_BIND_IOMMUFD. */
int ib_iommufd_cdev_open(const char *bdf, const char *sysfs_root, int *dev_fd,
			 char *err, size_t errlen);
/* VFIO_DEVICE_BIND_IOMMUFD: opens the device for use; *dev_id is its
 * iommufd device id (for IOMMU_HWPT_ALLOC). Unbound when dev_fd closes. */
int ib_iommufd_cdev_bind(int dev_fd, int iommufd, uint32_t *dev_id, char *err, size_t errlen);
/* VFIO_DEVICE_ATTACH_IOMMUFD_PT: pt_id an IOAS (the kernel finds or makes a
 * HWPT) or a HWPT. On a device already attached, this is a replace.
 * *out_hwpt (may be NULL) gets the HWPT now in use. */
int ib_iommufd_cdev_attach(int dev_fd, uint32_t pt_id, uint32_t *out_hwpt, char *err, size_t errlen);
int ib_iommufd_cdev_detach(int dev_fd, char *err, size_t errlen);
/* The same on one PASID of the device (kernel ~6.15+, a PASID-capable
 * device, and HWPTs allocated with IB_IOMMU_HWPT_ALLOC_PASID). */
int ib_iommufd_cdev_pasid_attach(int dev_fd, uint32_t pasid, uint32_t pt_id, uint32_t *out_hwpt,
				 char *err, size_t errlen);
int ib_iommufd_cdev_pasid_detach(int dev_fd, uint32_t pasid, char *err, size_t errlen);

/* --------------------------------------------- mock devices (IOMMUFD_TEST)
 * Mock domains translate only IOVAs in [IB_MOCK_APERTURE_START,
 * IB_MOCK_APERTURE_LAST] = [16 MiB, 2 GiB); edu keeps 28 bits, so IOVAs in
 * [16 MiB, 256 MiB) suit both devices. */

struct ib_iommufd_mock {
	uint32_t stdev_id;   /* the selftest device object: destroy it to remove the device */
	uint32_t hwpt_id;    /* the HWPT it was attached to */
	uint32_t idev_id;    /* its iommufd device id (dev_id for IOMMU_HWPT_ALLOC) */
};

/* 0 when this kernel has IOMMU_TEST_CMD and accepts the 7.3 layout
 * (probed with op 0, which every version answers EOPNOTSUPP). */
int ib_iommufd_test_probe(int fd, char *err, size_t errlen);
/* A mock device attached to ioas_id. dev_flags IB_MOCK_FLAGS_DEVICE_PASID
 * gives it 20 PASID bits. Its first HWPT is auto-allocated without
 * ALLOC_PASID: to attach PASIDs, first replace it with a HWPT allocated
 * with IB_IOMMU_HWPT_ALLOC_PASID (the kernel requires the RID's HWPT to be
 * PASID-compatible). */
int ib_iommufd_mock_domain(int fd, uint32_t ioas_id, uint32_t dev_flags,
			   struct ib_iommufd_mock *out, char *err, size_t errlen);
int ib_iommufd_mock_replace(int fd, uint32_t stdev_id, uint32_t pt_id, uint32_t *out_hwpt,
			    char *err, size_t errlen);
int ib_iommufd_mock_pasid_attach(int fd, uint32_t stdev_id, uint32_t pasid, uint32_t pt_id,
				 uint32_t *out_hwpt, char *err, size_t errlen);
int ib_iommufd_mock_pasid_replace(int fd, uint32_t stdev_id, uint32_t pasid, uint32_t pt_id,
				  uint32_t *out_hwpt, char *err, size_t errlen);
int ib_iommufd_mock_pasid_detach(int fd, uint32_t stdev_id, uint32_t pasid,
				 char *err, size_t errlen);
/* 0 when the PASID is attached to hwpt_id (hwpt_id 0: is detached),
 * -EINVAL when it is not. */
int ib_iommufd_mock_pasid_check(int fd, uint32_t stdev_id, uint32_t pasid, uint32_t hwpt_id,
				char *err, size_t errlen);
/* 0 when mock HWPT hwpt_id translates [iova, iova+len) to vaddr's pages,
 * -EINVAL when it does not (e.g. after unmap): an isolation check for mock
 * devices, which cannot DMA. */
int ib_iommufd_mock_check_map(int fd, uint32_t hwpt_id, uint64_t iova, uint64_t len,
			      const void *vaddr, char *err, size_t errlen);

/* "IOMMU_IOAS_MAP", ... for an ioctl number of this layer, NULL otherwise. */
const char *ib_iommufd_ioctl_name(unsigned long req);

#endif
