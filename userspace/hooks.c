// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Hook catalog (what to look for) and discovery (what this kernel has). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include "hooks.h"
#include "kallsyms.h"
#include "state.h"

#define NO_TP (-1)
/* functions of one name kept for attribution */
#define IB_MAX_INSTANCES 4

/*
 * Core IOMMU API (drivers/iommu/iommu.c). Versions marked (~) are
 * approximate; discovery decides from BTF and kallsyms, never from them.
 */
const struct ib_hook_def ib_catalog[] = {
	{ .name = "iommu_map", .role = IB_ROLE_MAP, .type = IB_HOOK_FUNC, .size_param = "size", .size_arg = 4,
	  .tp = IB_TP_MAP, .layer = "core",
	  .note = "all kernels; gfp_t argument since 6.3; wraps iommu_map_nosync + iommu_sync_map since ~6.16" },
	{ .name = "iommu_map_nosync", .role = IB_ROLE_MAP, .type = IB_HOOK_FUNC, .size_param = "size", .size_arg = 4,
	  .tp = NO_TP, .layer = "core",
	  .note = "~6.16+: the map without the driver's iotlb_sync_map" },
	{ .name = "iommu_map_atomic", .role = IB_ROLE_MAP, .type = IB_HOOK_FUNC, .size_param = "size", .size_arg = 4,
	  .tp = NO_TP, .layer = "core",
	  .note = "up to 6.2 (GFP_ATOMIC variant, removed when iommu_map took a gfp_t)" },
	{ .name = "iommu_map_sg", .role = IB_ROLE_MAP, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "core",
	  .note = "scatterlist map; the iommu:map tracepoint fires once per contiguous chunk" },
	{ .name = "iommu_sync_map", .role = IB_ROLE_TLB_SYNC, .type = IB_HOOK_FUNC, .size_param = "size", .size_arg = 3,
	  .tp = NO_TP, .layer = "core",
	  .note = "~6.16+: the driver's iotlb_sync_map after a map (VT-d caching mode, virtio)" },
	{ .name = "iommu_unmap", .role = IB_ROLE_UNMAP, .type = IB_HOOK_FUNC, .size_param = "size", .size_arg = 3,
	  .tp = IB_TP_UNMAP, .layer = "core",
	  .note = "all kernels; syncs the IOTLB itself before returning" },
	{ .name = "iommu_unmap_fast", .role = IB_ROLE_UNMAP, .type = IB_HOOK_FUNC, .size_param = "size", .size_arg = 3,
	  .tp = NO_TP, .layer = "core",
	  .note = "all kernels; the caller syncs the gather later (VFIO type1 batches it)" },
	{ .name = "iommu_attach_device", .domain_param = "domain", .role = IB_ROLE_ATTACH, .type = IB_HOOK_FUNC,
	  .tp = IB_TP_ATTACH, .layer = "core",
	  .note = "all kernels" },
	{ .name = "iommu_attach_group", .domain_param = "domain", .role = IB_ROLE_ATTACH, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "core",
	  .note = "all kernels; VFIO type1 attaches through it" },
	{ .name = "iommu_detach_device", .domain_param = "domain", .role = IB_ROLE_DETACH, .type = IB_HOOK_FUNC,
	  .tp = IB_TP_DETACH, .layer = "core",
	  .note = "all kernels" },
	{ .name = "iommu_detach_group", .domain_param = "domain", .role = IB_ROLE_DETACH, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "core",
	  .note = "all kernels; VFIO type1 detaches through it" },


	/*
	 * The DMA API over an IOMMU (drivers/iommu/dma-iommu.c): what kernel
	 * drivers use, never VFIO. A map allocates an IOVA and calls
	 * iommu_map; an unmap calls iommu_unmap_fast, then either syncs at
	 * once (strict) or queues the IOVA on the flush queue (lazy), whose
	 * flush invalidates the whole domain later. The page/phys entry
	 * points were renamed in ~6.17.
	 */
	{ .name = "dma_map_page_attrs", .role = IB_ROLE_MAP, .type = IB_HOOK_FUNC, .size_param = "size",
	  .size_arg = 4, .tp = NO_TP, .layer = "dma-api",
	  .note = "all kernels: dma_map_single/dma_map_page, the call dma_map_benchmark times" },
	{ .name = "dma_unmap_page_attrs", .role = IB_ROLE_UNMAP, .type = IB_HOOK_FUNC, .size_param = "size",
	  .size_arg = 3, .tp = NO_TP, .layer = "dma-api", .note = "all kernels: dma_unmap_single/dma_unmap_page" },
	{ .name = "dma_map_sg_attrs", .role = IB_ROLE_MAP, .type = IB_HOOK_FUNC, .tp = NO_TP,
	  .layer = "dma-api", .note = "all kernels: dma_map_sg" },
	{ .name = "dma_unmap_sg_attrs", .role = IB_ROLE_UNMAP, .type = IB_HOOK_FUNC, .tp = NO_TP,
	  .layer = "dma-api", .note = "all kernels: dma_unmap_sg" },
	{ .name = "iommu_dma_map_page", .role = IB_ROLE_MAP, .type = IB_HOOK_FUNC, .size_param = "size",
	  .size_arg = 4, .tp = NO_TP, .layer = "dma-iommu",
	  .note = "up to ~6.16: dma_map_page/dma_map_single on a device behind an IOMMU" },
	{ .name = "iommu_dma_unmap_page", .role = IB_ROLE_UNMAP, .type = IB_HOOK_FUNC, .size_param = "size",
	  .size_arg = 3, .tp = NO_TP, .layer = "dma-iommu", .note = "up to ~6.16" },
	{ .name = "iommu_dma_map_phys", .role = IB_ROLE_MAP, .type = IB_HOOK_FUNC, .size_param = "size",
	  .size_arg = 3, .tp = NO_TP, .layer = "dma-iommu",
	  .note = "~6.17+: replaces iommu_dma_map_page (dma_map_phys)" },
	{ .name = "iommu_dma_unmap_phys", .role = IB_ROLE_UNMAP, .type = IB_HOOK_FUNC, .size_param = "size",
	  .size_arg = 3, .tp = NO_TP, .layer = "dma-iommu", .note = "~6.17+: replaces iommu_dma_unmap_page" },
	{ .name = "iommu_dma_map_sg", .role = IB_ROLE_MAP, .type = IB_HOOK_FUNC, .tp = NO_TP,
	  .layer = "dma-iommu", .note = "dma_map_sg: one IOVA range for the whole list" },
	{ .name = "iommu_dma_unmap_sg", .role = IB_ROLE_UNMAP, .type = IB_HOOK_FUNC, .tp = NO_TP,
	  .layer = "dma-iommu", .note = "dma_unmap_sg" },
	{ .name = "alloc_iova_fast", .role = IB_ROLE_IOVA, .type = IB_HOOK_FUNC, .size_param = "size",
	  .size_arg = 2, .unit = "pages", .tp = NO_TP, .layer = "iova",
	  .note = "IOVA allocation through the per-CPU caches (size in pages)" },
	{ .name = "free_iova_fast", .role = IB_ROLE_IOVA, .type = IB_HOOK_FUNC, .size_param = "size",
	  .size_arg = 3, .unit = "pages", .tp = NO_TP, .layer = "iova",
	  .note = "IOVA freed at once (strict) or when the flush queue drains (lazy)" },
	{ .name = "queue_iova", .role = IB_ROLE_IOVA, .type = IB_HOOK_FUNC, .tp = NO_TP, .layer = "dma-iommu",
	  .note = "lazy mode: an unmapped IOVA waits on the flush queue (static; absent when inlined)" },
	{ .name = "fq_flush_iotlb", .role = IB_ROLE_TLB_INV, .type = IB_HOOK_FUNC, .tp = NO_TP,
	  .layer = "dma-iommu", .kind = IB_TLB_DOMAIN,
	  .note = "lazy mode: one flush of the whole domain for a batch of queued IOVAs "
		  "(ring full or 10 ms timer; static, absent when inlined)" },

	/*
	 * Replacing the domain of a live device (iommufd), PASID attach. The
	 * core function moved: iommu_group_replace_domain on 6.5-6.9 (~),
	 * iommu_replace_group_handle from ~6.10; iommufd_device_replace
	 * encloses either.
	 */
	{ .name = "iommufd_device_replace", .role = IB_ROLE_SWITCH, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "iommufd",
	  .note = "6.6+: VFIO_DEVICE_ATTACH_IOMMUFD_PT on an attached device (the pasid argument from ~6.15)" },
	{ .name = "iommu_group_replace_domain", .domain_param = "new_domain", .role = IB_ROLE_SWITCH,
	  .type = IB_HOOK_FUNC, .tp = NO_TP, .layer = "core",
	  .note = "6.5-~6.9: iommufd's replace of a group's domain" },
	{ .name = "iommu_replace_group_handle", .domain_param = "new_domain", .role = IB_ROLE_SWITCH,
	  .type = IB_HOOK_FUNC, .tp = NO_TP, .layer = "core",
	  .note = "~6.10+: replaces iommu_group_replace_domain, with an attach handle" },
	{ .name = "iommu_attach_group_handle", .domain_param = "domain", .role = IB_ROLE_ATTACH,
	  .type = IB_HOOK_FUNC, .tp = NO_TP, .layer = "core",
	  .note = "~6.10+: iommufd's first attach of a group" },
	{ .name = "iommu_attach_device_pasid", .domain_param = "domain", .role = IB_ROLE_ATTACH,
	  .type = IB_HOOK_FUNC, .tp = NO_TP, .layer = "pasid",
	  .note = "6.2+: a pagetable on one PASID of a device" },
	{ .name = "iommu_replace_device_pasid", .domain_param = "domain", .role = IB_ROLE_SWITCH,
	  .type = IB_HOOK_FUNC, .tp = NO_TP, .layer = "pasid",
	  .note = "~6.15+: replace the pagetable on one PASID" },
	{ .name = "iommu_detach_device_pasid", .domain_param = "domain", .role = IB_ROLE_DETACH,
	  .type = IB_HOOK_FUNC, .tp = NO_TP, .layer = "pasid",
	  .note = "6.2+: remove the pagetable from a PASID" },
	{ .name = "intel_iommu_set_dev_pasid", .role = IB_ROLE_ATTACH, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "intel", .note = "6.2+: VT-d scalable-mode PASID table entry for a domain" },

	/*
	 * Generic pagetable (drivers/iommu/generic_pt, ~6.18+): one map/unmap
	 * pair per format, static, named <format>_map_range.
	 */
	{ .name = "vtdss_map_range", .role = IB_ROLE_MAP, .type = IB_HOOK_FUNC, .size_param = "len",
	  .size_arg = 4, .tp = NO_TP, .layer = "iommupt", .note = "VT-d second-stage format" },
	{ .name = "vtdss_unmap_range", .role = IB_ROLE_UNMAP, .type = IB_HOOK_FUNC, .size_param = "len",
	  .size_arg = 3, .tp = NO_TP, .layer = "iommupt", .note = "VT-d second-stage format" },
	{ .name = "x86_64_map_range", .role = IB_ROLE_MAP, .type = IB_HOOK_FUNC, .size_param = "len",
	  .size_arg = 4, .tp = NO_TP, .layer = "iommupt", .note = "x86-64 (VT-d first stage, AMD v2) format" },
	{ .name = "x86_64_unmap_range", .role = IB_ROLE_UNMAP, .type = IB_HOOK_FUNC, .size_param = "len",
	  .size_arg = 3, .tp = NO_TP, .layer = "iommupt", .note = "x86-64 format" },
	{ .name = "amdv1_map_range", .role = IB_ROLE_MAP, .type = IB_HOOK_FUNC, .size_param = "len",
	  .size_arg = 4, .tp = NO_TP, .layer = "iommupt", .note = "AMD v1 format (and the iommufd mock domain)" },
	{ .name = "amdv1_unmap_range", .role = IB_ROLE_UNMAP, .type = IB_HOOK_FUNC, .size_param = "len",
	  .size_arg = 3, .tp = NO_TP, .layer = "iommupt", .note = "AMD v1 format" },

	/*
	 * Intel VT-d (drivers/iommu/intel/). On 6.1 an unmap's flush is
	 * intel_iommu_tlb_sync -> iommu_flush_iotlb_psi -> qi_flush_iotlb ->
	 * qi_submit_sync; 6.10 replaced the psi/flush_all pair with the
	 * cache_tag_flush_* functions.
	 */
	{ .name = "intel_iommu_map_pages", .role = IB_ROLE_MAP, .type = IB_HOOK_FUNC,
	  .size_param = NULL, .tp = NO_TP, .layer = "intel",
	  .pgsize_param = "pgsize", .pgcount_param = "pgcount",
	  .note = "driver map_pages op (5.15+); 8 arguments, so kprobe before 6.6 on x86" },
	{ .name = "intel_iommu_unmap_pages", .role = IB_ROLE_UNMAP, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "intel",
	  .note = "driver unmap_pages op (5.15+); clears PTEs, gathers the range for the sync" },
	{ .name = "intel_iommu_tlb_sync", .role = IB_ROLE_TLB_SYNC, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "intel",
	  .note = "iotlb_sync op: flushes the gathered range (VFIO calls it once per batch of unmaps)" },
	{ .name = "iommu_flush_iotlb_psi", .role = IB_ROLE_TLB_INV, .type = IB_HOOK_FUNC,
	  .size_param = "pages", .size_arg = 4, .unit = "pages", .tp = NO_TP, .layer = "intel",
	  .kind = IB_TLB_RANGE,
	  .note = "page-selective IOTLB flush of one domain on one IOMMU; up to ~6.9" },
	{ .name = "intel_flush_iotlb_all", .role = IB_ROLE_TLB_INV, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "intel", .kind = IB_TLB_DOMAIN,
	  .note = "domain-selective flush (the flush_iotlb_all op, e.g. the DMA flush queue's); "
		  "from ~6.10 through cache_tag_flush_all" },
	{ .name = "cache_tag_flush_range", .role = IB_ROLE_TLB_INV, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "intel", .kind = IB_TLB_RANGE,
	  .note = "6.10+: range flush over the domain's cache tags" },
	{ .name = "cache_tag_flush_range_np", .role = IB_ROLE_TLB_INV, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "intel", .kind = IB_TLB_RANGE,
	  .note = "6.10+: flush after mapping non-present entries (caching mode)" },
	{ .name = "cache_tag_flush_all", .role = IB_ROLE_TLB_INV, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "intel", .kind = IB_TLB_DOMAIN,
	  .note = "6.10+: every cache tag of the domain" },
	{ .name = "qi_flush_iotlb", .role = IB_ROLE_TLB_INV, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "intel", .kind = IB_TLB_RANGE, .decode = IB_KIND_VTD_IOTLB,
	  .kind_param = "type",
	  .note = "one IOTLB invalidation descriptor; granularity (global/domain/page) from its type" },
	{ .name = "qi_flush_context", .role = IB_ROLE_TLB_INV, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "intel", .kind = IB_TLB_CONFIG,
	  .note = "context-cache invalidation (device attach/detach)" },
	{ .name = "qi_flush_pasid_cache", .role = IB_ROLE_TLB_INV, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "intel", .kind = IB_TLB_CONFIG,
	  .note = "PASID-cache invalidation (scalable mode)" },
	{ .name = "qi_flush_piotlb", .role = IB_ROLE_TLB_INV, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "intel", .kind = IB_TLB_RANGE,
	  .note = "PASID-based IOTLB invalidation (scalable mode, first-stage tables)" },
	{ .name = "qi_flush_dev_iotlb", .role = IB_ROLE_TLB_INV, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "intel", .kind = IB_TLB_RANGE,
	  .note = "device-TLB (ATS) invalidation; never for devices without ATS, like edu" },
	{ .name = "qi_submit_sync", .role = IB_ROLE_TLB_INV, .type = IB_HOOK_FUNC,
	  .size_param = "count", .size_arg = 3, .unit = "descriptors", .descs = true,
	  .tp = NO_TP, .layer = "intel", .kind = IB_TLB_OTHER,
	  .note = "queued-invalidation submission and wait; its count is the descriptors, "
		  "charged to the invalidation that encloses it (kind other when none does)" },

	/*
	 * AMD-Vi (drivers/iommu/amd/iommu.c). On 6.1 an unmap's flush is
	 * amd_iommu_iotlb_sync -> domain_flush_pages (INVALIDATE_IOMMU_PAGES
	 * per IOMMU) -> amd_iommu_domain_flush_complete -> iommu_completion_wait
	 * (COMPLETION_WAIT and the wait; amd_iommu_domain_flush_complete itself is
 * inlined into its callers there, so only the wait is hooked). The
 * whole-domain flushes of attach/detach (amd_iommu_domain_flush_tlb_pde from
 * do_detach and attach_device) are inlined too in Debian's 6.1: only their
 * completion waits are seen. The driver's attach_dev is left out: the core's
 * attach functions count the operation. With NpCache (set by an emulated
	 * IOMMU, QEMU's amd-iommu included) every map is flushed too, through
	 * amd_iommu_iotlb_sync_map. The compiler keeps domain_flush_pages and
	 * iommu_completion_wait only as .constprop/.isra clones in Debian's 6.1:
	 * they are attached there by kprobe, arguments unread.
	 */
	{ .name = "amd_iommu_map_pages", .role = IB_ROLE_MAP, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "amd", .pgsize_param = "pgsize", .pgcount_param = "pgcount",
	  .note = "driver map_pages op (5.19+ (~); map before); 8 arguments, so kprobe before 6.6 on x86" },
	{ .name = "amd_iommu_unmap_pages", .role = IB_ROLE_UNMAP, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "amd",
	  .note = "driver unmap_pages op; clears PTEs and gathers the range for the sync" },
	{ .name = "amd_iommu_iotlb_sync_map", .role = IB_ROLE_TLB_SYNC, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "amd",
	  .note = "iotlb_sync_map op after each map: flushes the new range and waits when the "
		  "IOMMU caches non-present entries (NpCache: emulated IOMMUs); 5.x-7.x" },
	{ .name = "amd_iommu_iotlb_sync", .role = IB_ROLE_TLB_SYNC, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "amd",
	  .note = "iotlb_sync op: flushes the gathered range, then a completion wait (VFIO: once per batch)" },
	{ .name = "amd_iommu_flush_iotlb_all", .role = IB_ROLE_TLB_INV, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "amd", .kind = IB_TLB_DOMAIN,
	  .note = "flush_iotlb_all op: every page of the domain, then a completion wait" },
	{ .name = "domain_flush_pages", .role = IB_ROLE_TLB_INV, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "amd", .kind = IB_TLB_RANGE, .clone_ok = true,
	  .note = "up to ~6.7 (renamed amd_iommu_domain_flush_pages): INVALIDATE_IOMMU_PAGES on each "
		  "IOMMU of the domain; with NpCache one call per naturally aligned chunk" },
	{ .name = "amd_iommu_domain_flush_pages", .role = IB_ROLE_TLB_INV, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "amd", .kind = IB_TLB_RANGE,
	  .note = "~6.7+: the range flush of a domain (domain_flush_pages before)" },
	{ .name = "amd_iommu_domain_flush_tlb_pde", .role = IB_ROLE_TLB_INV, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "amd", .kind = IB_TLB_DOMAIN,
	  .note = "up to ~6.7: every page of the domain, page-directory entries included (attach, flush_iotlb_all)" },
	{ .name = "amd_iommu_domain_flush_all", .role = IB_ROLE_TLB_INV, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "amd", .kind = IB_TLB_DOMAIN,
	  .note = "~6.7+: every page of the domain (amd_iommu_domain_flush_tlb_pde before)" },
	{ .name = "iommu_completion_wait", .role = IB_ROLE_TLB_SYNC, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "amd", .clone_ok = true,
	  .note = "one COMPLETION_WAIT command and the wait for it, on one IOMMU" },

	/*
	 * virtio-iommu (drivers/iommu/virtio-iommu.c, a module from 6.12 in
	 * Debian: its prototypes come from the module's BTF, fentry). Each map and unmap adds a MAP or UNMAP request to the
	 * request virtqueue; the sync ops kick the queue and wait. The device
	 * drops its translations when it completes an UNMAP: there is no
	 * separate invalidation, so the UNMAP request (viommu_unmap_pages) is
	 * counted as the range invalidation. ATTACH/DETACH/PROBE requests go
	 * through viommu_send_req_sync (config).
	 */
	{ .name = "viommu_map_pages", .role = IB_ROLE_MAP, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "virtio-iommu", .pgsize_param = "pgsize", .pgcount_param = "pgcount",
	  .note = "map_pages op (map before ~6.0): records the mapping and sends a MAP request; "
		  "up to ~6.6 it waits for it (viommu_send_req_sync), later it only queues it" },
	{ .name = "viommu_unmap_pages", .role = IB_ROLE_TLB_INV, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "virtio-iommu", .kind = IB_TLB_RANGE,
	  .note = "unmap_pages op (unmap before ~6.0): adds an UNMAP request, which is the "
		  "invalidation (the device drops the range); completed by the next sync" },
	{ .name = "viommu_iotlb_sync", .role = IB_ROLE_TLB_SYNC, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "virtio-iommu",
	  .note = "iotlb_sync op: kicks the request queue and waits for every request in flight" },
	{ .name = "viommu_iotlb_sync_map", .role = IB_ROLE_TLB_SYNC, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "virtio-iommu",
	  .note = "iotlb_sync_map op, ~6.7+ (not in 6.1, where each MAP is sent synchronously): "
		  "the same kick and wait after a map" },
	{ .name = "viommu_flush_iotlb_all", .role = IB_ROLE_TLB_SYNC, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "virtio-iommu",
	  .note = "flush_iotlb_all op, ~6.7+: only kicks and waits (no invalidation request exists)" },
	{ .name = "viommu_send_req_sync", .role = IB_ROLE_TLB_INV, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "virtio-iommu", .kind = IB_TLB_CONFIG,
	  .note = "one request sent and waited for: ATTACH, DETACH, PROBE, MAP when replaying a "
		  "domain's mappings; the device changes the endpoint's translation. Up to ~6.6 "
		  "every MAP went this way too: there each map also counts here" },

	/*
	 * arm-smmu-v3 (drivers/iommu/arm/arm-smmu-v3/). Its static iommu_ops
	 * callbacks share their names with arm-smmu v2's (arm_smmu_attach_dev,
	 * arm_smmu_map_pages, arm_smmu_unmap_pages, arm_smmu_iotlb_sync,
	 * arm_smmu_flush_iotlb_all): with both drivers built in (Debian arm64)
	 * kallsyms has two functions of each name. These are per_driver
	 * entries, one per driver: discovery finds the instance whose address
	 * lies in this driver's text (ib_driver_of) and attaches it by address
	 * (kprobe), never by name (a kprobe by name fails with EADDRNOTAVAIL,
	 * fentry by name takes whichever the kernel finds first).
	 * Up to ~6.12 an unmap's sync is arm_smmu_iotlb_sync ->
	 * arm_smmu_tlb_inv_range_domain (inlined in Debian's 6.1) ->
	 * __arm_smmu_tlb_inv_range -> arm_smmu_cmdq_issue_cmdlist (TLBI + CMD_SYNC);
	 * 7.x builds a per-domain invalidation array: arm_smmu_domain_inv_range.
	 * arm_smmu_atc_inv_domain is left out: it runs after every range flush
	 * and returns at once for devices without ATS; ATC commands, when there
	 * are any, are counted by arm_smmu_cmdq_issue_cmdlist.
	 */
	{ .name = "arm_smmu_attach_dev", .role = IB_ROLE_ATTACH, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "arm-smmu-v3", .per_driver = true, .layer_only = true,
	  .note = "attach_dev op: writes the STE (and CD) of a device for a domain; also runs for the "
		  "blocking/default domain inside detach and DMA-ownership changes (up to ~6.6; later "
		  "those have their own ops), so it counts under its name only; no domain logged (the "
		  "core hooks log each attach)" },
	{ .name = "arm_smmu_map_pages", .role = IB_ROLE_MAP, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "arm-smmu-v3", .per_driver = true,
	  .note = "map_pages op (5.15+): hands the pages to io-pgtable-arm; page sizes are read "
		  "there (arm_lpae_map_pages), not here, so they are counted once" },
	{ .name = "arm_smmu_unmap_pages", .role = IB_ROLE_UNMAP, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "arm-smmu-v3", .per_driver = true,
	  .note = "unmap_pages op (5.15+): io-pgtable-arm clears the PTEs; leaf invalidations are gathered" },
	{ .name = "arm_smmu_iotlb_sync", .role = IB_ROLE_TLB_SYNC, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "arm-smmu-v3", .per_driver = true,
	  .note = "iotlb_sync op: TLBI over the gathered range and a CMD_SYNC (nothing when the "
		  "gather is empty); VFIO calls it once per batch of unmaps" },
	{ .name = "arm_smmu_flush_iotlb_all", .role = IB_ROLE_TLB_INV, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "arm-smmu-v3", .per_driver = true, .kind = IB_TLB_DOMAIN,
	  .note = "flush_iotlb_all op (the DMA flush queue's): arm_smmu_tlb_inv_context, TLBI by ASID" },
	{ .name = "arm_smmu_tlb_inv_range_domain", .role = IB_ROLE_TLB_INV, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "arm-smmu-v3", .kind = IB_TLB_RANGE,
	  .note = "5.12-~6.14: TLBI by VA over the range (and ATC), from iotlb_sync; inlined in some builds" },
	{ .name = "__arm_smmu_tlb_inv_range", .role = IB_ROLE_TLB_INV, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "arm-smmu-v3", .kind = IB_TLB_RANGE,
	  .note = "5.12-~6.14: builds the TLBI VA/range commands for one ASID and submits them with a sync" },
	{ .name = "arm_smmu_domain_inv_range", .role = IB_ROLE_TLB_INV, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "arm-smmu-v3", .kind = IB_TLB_RANGE,
	  .note = "~7.0+: range invalidation through the domain's invalidation array (TLBI and ATC)" },
	{ .name = "arm_smmu_tlb_inv_context", .role = IB_ROLE_TLB_INV, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "arm-smmu-v3", .kind = IB_TLB_DOMAIN,
	  .note = "io-pgtable tlb_flush_all and flush_iotlb_all: TLBI by ASID (VMID for stage 2) and a sync" },
	{ .name = "arm_smmu_sync_ste_for_sid", .role = IB_ROLE_TLB_INV, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "arm-smmu-v3", .kind = IB_TLB_CONFIG,
	  .note = "up to ~6.8: CFGI_STE for one stream and a sync (STE written at attach/detach)" },
	{ .name = "arm_smmu_sync_cd", .role = IB_ROLE_TLB_INV, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "arm-smmu-v3", .kind = IB_TLB_CONFIG,
	  .note = "CFGI_CD for a context descriptor and a sync (CD written at attach, PASID/SSID change)" },
	{ .name = "arm_smmu_cmdq_issue_cmdlist", .role = IB_ROLE_TLB_INV, .type = IB_HOOK_FUNC,
	  .size_param = "n", .size_arg = 3, .unit = "commands", .descs = true,
	  .tp = NO_TP, .layer = "arm-smmu-v3", .kind = IB_TLB_OTHER,
	  .note = "every submission to the command queue; its count is the commands (a CMD_SYNC "
		  "added when asked is not included), charged to the enclosing invalidation; "
		  "gains a cmdq argument ~6.12" },

	/*
	 * arm-smmu v2 / MMU-500 (drivers/iommu/arm/arm-smmu/arm-smmu.c) and the
	 * Qualcomm implementation. Reached through io-pgtable's flush ops;
	 * names with _s1 are stage-1 contexts (Adreno's is one).
	 */
	{ .name = "arm_smmu_attach_dev", .role = IB_ROLE_ATTACH, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "arm-smmu", .per_driver = true, .layer_only = true,
	  .note = "attach_dev op: context bank and stream mapping for a domain (arm_smmu_write_context_bank "
		  "writes TTBR0 with the ASID); counted under its name only, as arm-smmu-v3's" },
	{ .name = "arm_smmu_map_pages", .role = IB_ROLE_MAP, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "arm-smmu", .per_driver = true,
	  .note = "map_pages op (5.15+): io-pgtable-arm under the domain's lock, with runtime PM" },
	{ .name = "arm_smmu_unmap_pages", .role = IB_ROLE_UNMAP, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "arm-smmu", .per_driver = true,
	  .note = "unmap_pages op (5.15+): clears PTEs; tlb_add_page_s1 invalidates each leaf, unsynced" },
	{ .name = "arm_smmu_iotlb_sync", .role = IB_ROLE_TLB_SYNC, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "arm-smmu", .per_driver = true,
	  .note = "iotlb_sync op: the TLB sync after the unsynced invalidations (tlb_sync_context)" },
	{ .name = "arm_smmu_flush_iotlb_all", .role = IB_ROLE_TLB_INV, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "arm-smmu", .per_driver = true, .kind = IB_TLB_DOMAIN,
	  .note = "flush_iotlb_all op: the io-pgtable tlb_flush_all (TLBIASID + sync on stage 1)" },
	{ .name = "arm_smmu_tlb_inv_range_s1", .role = IB_ROLE_TLB_INV, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "arm-smmu", .kind = IB_TLB_RANGE,
	  .note = "5.8+: TLBIVA/TLBIVAL per granule of the range, no sync (the caller syncs)" },
	{ .name = "arm_smmu_tlb_inv_walk_s1", .role = IB_ROLE_TLB_INV, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "arm-smmu", .kind = IB_TLB_RANGE,
	  .note = "io-pgtable tlb_flush_walk: a table was freed; range TLBI and a context sync "
		  "(a full ASID flush on qcom since ~6.5)" },
	{ .name = "arm_smmu_tlb_add_page_s1", .role = IB_ROLE_TLB_INV, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "arm-smmu", .kind = IB_TLB_RANGE,
	  .note = "io-pgtable tlb_add_page: one leaf page invalidated, sync deferred to iotlb_sync" },
	{ .name = "arm_smmu_tlb_inv_context_s1", .role = IB_ROLE_TLB_INV, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "arm-smmu", .kind = IB_TLB_DOMAIN,
	  .note = "TLBIASID of the context's ASID and a context sync (io-pgtable tlb_flush_all; "
		  "every msm per-process unmap ends here)" },
	{ .name = "arm_smmu_tlb_inv_context_s2", .role = IB_ROLE_TLB_INV, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "arm-smmu", .kind = IB_TLB_DOMAIN,
	  .note = "TLBIVMID and a global sync (stage-2 contexts)" },
	{ .name = "arm_smmu_tlb_sync_context", .role = IB_ROLE_TLB_SYNC, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "arm-smmu", .note = "TLBSYNC on one context bank and the poll for it" },
	{ .name = "qcom_adreno_smmu_set_ttbr0_cfg", .role = IB_ROLE_SWITCH, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "arm-smmu-qcom",
	  .note = "5.11+: installs or removes the TTBR0 pagetable of the GPU's context bank; an "
		  "install/remove event, not a per-switch one (the GPU switches TTBR0 itself)" },

	/*
	 * drm/msm per-process pagetables (drivers/gpu/drm/msm/msm_iommu.c, in
	 * the msm module, 5.11+; prototypes from the module's BTF): one
	 * io-pgtable per GPU process, all sharing the context bank's ASID.
	 */
	{ .name = "msm_iommu_pagetable_create", .role = IB_ROLE_ATTACH, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "msm",
	  .note = "5.11+: a new per-process pagetable (a GPU context); a kernel_managed argument since ~6.17" },
	{ .name = "msm_iommu_pagetable_map", .role = IB_ROLE_MAP, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "msm",
	  .note = "5.11+: maps a buffer into a process's pagetable through io-pgtable" },
	{ .name = "msm_iommu_pagetable_unmap", .role = IB_ROLE_UNMAP, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "msm",
	  .note = "5.11+: unmaps, then flushes the whole shared ASID: every context's entries go" },

	/* io-pgtable-arm (drivers/iommu/io-pgtable-arm.c): the LPAE tables of
	 * arm-smmu v2, v3 and msm. */
	{ .name = "arm_lpae_map_pages", .role = IB_ROLE_MAP, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "io-pgtable-arm", .pgsize_param = "pgsize", .pgcount_param = "pgcount",
	  .note = "5.15+: writes the PTEs of one map_pages call" },
	{ .name = "arm_lpae_unmap_pages", .role = IB_ROLE_UNMAP, .type = IB_HOOK_FUNC,
	  .tp = NO_TP, .layer = "io-pgtable-arm",
	  .note = "5.15+: clears PTEs; leaf invalidations go to the gather (tlb_add_page)" },

	{ .name = "iommu:map", .role = IB_ROLE_MAP, .type = IB_HOOK_TP,
	  .tp = IB_TP_MAP, .layer = "tracepoint",
	  .note = "one per successful map (per chunk for map_sg); no duration" },
	{ .name = "iommu:unmap", .role = IB_ROLE_UNMAP, .type = IB_HOOK_TP,
	  .tp = IB_TP_UNMAP, .layer = "tracepoint",
	  .note = "one per unmap call; no duration" },
	{ .name = "iommu:attach_device_to_domain", .role = IB_ROLE_ATTACH, .type = IB_HOOK_TP,
	  .tp = IB_TP_ATTACH, .layer = "tracepoint",
	  .note = "one per device attached to a domain" },
	{ .name = "iommu:detach_device_from_domain", .role = IB_ROLE_DETACH, .type = IB_HOOK_TP,
	  .tp = IB_TP_DETACH, .layer = "tracepoint",
	  .note = "removed in ~6.3 with the drivers' detach_dev callbacks" },
	{ .name = "iommu:io_page_fault", .role = IB_ROLE_FAULT, .type = IB_HOOK_TP,
	  .tp = IB_TP_FAULT, .layer = "tracepoint",
	  .note = "fires where a driver calls report_iommu_fault (arm-smmu v2); VT-d and SMMUv3 only log" },
	{ .name = "iommu:add_device_to_group", .role = IB_ROLE_GROUP, .type = IB_HOOK_TP,
	  .tp = IB_TP_ADD_GROUP, .layer = "tracepoint",
	  .note = "device joins an IOMMU group" },
	{ .name = "iommu:remove_device_from_group", .role = IB_ROLE_GROUP, .type = IB_HOOK_TP,
	  .tp = IB_TP_REMOVE_GROUP, .layer = "tracepoint",
	  .note = "device leaves an IOMMU group" },
};
const size_t ib_catalog_len = sizeof(ib_catalog) / sizeof(ib_catalog[0]);

static const char *const role_names[IB_NR_ROLES] = {
	[IB_ROLE_MAP] = "map", [IB_ROLE_UNMAP] = "unmap",
	[IB_ROLE_ATTACH] = "attach", [IB_ROLE_DETACH] = "detach",
	[IB_ROLE_SWITCH] = "switch", [IB_ROLE_TLB_INV] = "tlb_inv",
	[IB_ROLE_TLB_SYNC] = "tlb_sync", [IB_ROLE_FAULT] = "fault",
	[IB_ROLE_GROUP] = "group", [IB_ROLE_IOVA] = "iova",
};

static const char *const tp_names[IB_NR_TPS] = {
	[IB_TP_MAP] = "iommu:map", [IB_TP_UNMAP] = "iommu:unmap",
	[IB_TP_ATTACH] = "iommu:attach_device_to_domain",
	[IB_TP_DETACH] = "iommu:detach_device_from_domain",
	[IB_TP_FAULT] = "iommu:io_page_fault",
	[IB_TP_ADD_GROUP] = "iommu:add_device_to_group",
	[IB_TP_REMOVE_GROUP] = "iommu:remove_device_from_group",
};

const char *ib_hook_id(const struct ib_hook_def *d, char *buf, size_t len)
{
	if (!d->per_driver)
		return d->name;
	snprintf(buf, len, "%s@%s", d->name, d->layer);
	return buf;
}

const char *ib_role_name(enum ib_role r)
{
	return r < IB_NR_ROLES ? role_names[r] : "?";
}

const char *ib_inv_kind_name(int kind)
{
	static const char *const n[IB_NR_TLB_KINDS] = {
		[IB_TLB_RANGE] = "range", [IB_TLB_DOMAIN] = "domain", [IB_TLB_ALL] = "all",
		[IB_TLB_CONFIG] = "config", [IB_TLB_OTHER] = "other",
	};

	return kind >= 0 && kind < IB_NR_TLB_KINDS ? n[kind] : "?";
}

const char *ib_phase_name(int phase)
{
	static const char *const n[IB_NR_PHASES] = {
		[IB_PH_NONE] = "none", [IB_PH_SETUP] = "setup", [IB_PH_MAP] = "map",
		[IB_PH_UNMAP] = "unmap", [IB_PH_UNMAP_RANGE] = "unmap_range",
		[IB_PH_UNMAP_ALL] = "unmap_all", [IB_PH_REMAP] = "remap", [IB_PH_TOUCH] = "touch",
		[IB_PH_SW_CLOSE_DEVICE] = "close_device", [IB_PH_SW_LEAVE] = "leave_container",
		[IB_PH_SW_JOIN] = "join_container", [IB_PH_SW_SET_IOMMU] = "set_iommu",
		[IB_PH_SW_REMAP] = "remap_resident", [IB_PH_SW_OPEN_DEVICE] = "open_device",
		[IB_PH_SW_BUS_MASTER] = "bus_master", [IB_PH_SW_REPLACE] = "replace",
		[IB_PH_SW_PASID] = "pasid",
		[IB_PH_TEARDOWN] = "teardown",
	};

	return phase >= 0 && phase < IB_NR_PHASES ? n[phase] : "?";
}

const char *ib_tp_name(int tp)
{
	return tp >= 0 && tp < IB_NR_TPS ? tp_names[tp] : NULL;
}

const char *ib_mode_name(enum ib_mode m)
{
	switch (m) {
	case IB_MODE_FENTRY: return "fentry";
	case IB_MODE_KPROBE: return "kprobe";
	case IB_MODE_TRACEPOINT: return "tracepoint";
	default: return "none";
	}
}

/* fentry/fexit argument limits, by arch and version:
 * x86-64: 6 until 6.6 (commit "bpf, x86: allow function arguments up to 12"),
 * arm64: no BPF trampoline before ~6.4 ("bpf, arm64: Implement
 * bpf_arch_text_poke() for arm64" landed the trampoline in 6.0, but Debian
 * arm64 kernels refuse fentry until ~6.4: docs/coverage.md shows it), 8 after. */
int ib_fentry_max_args(const struct ib_kernel_env *env)
{
	bool ge = false;

	if (!strcmp(env->arch, "x86_64")) {
		ge = env->ver_major > 6 || (env->ver_major == 6 && env->ver_minor >= 6);
		return ge ? 12 : 6;
	}
	if (!strcmp(env->arch, "aarch64") || !strcmp(env->arch, "arm64")) {
		ge = env->ver_major > 6 || (env->ver_major == 6 && env->ver_minor >= 4);
		return ge ? 8 : 0;
	}
	return 6;
}

int ib_mode_parse(const char *s)
{
	for (int m = IB_MODE_FENTRY; m <= IB_MODE_TRACEPOINT; m++)
		if (!strcmp(s, ib_mode_name(m)))
			return m;
	return -1;
}

int ib_attach_arg(const char *arg)
{
	int m = ib_mode_parse(arg);

	if (m < 0)
		fprintf(stderr, "iommubench: --attach %s: want fentry, kprobe or tracepoint\n", arg);
	return m;
}

struct sym_count {
	int exact;          /* text symbols named exactly so */
	char variant[256];   /* e.g. "iommu_map.cold" or "iommu_map.isra.0" */
	int clones;         /* whole-function clones: name.constprop.N, name.isra.N */
	char clone[128];    /* the first of them */
	struct { unsigned long long addr; char mod[64]; } inst[IB_MAX_INSTANCES];
	int ninst;          /* exact matches recorded in inst[] */
};

/* "constprop.0" or "isra.12": a clone holding the whole function body */
static bool whole_clone(const char *suffix)
{
	const char *d;

	if (!strncmp(suffix, "constprop.", 10))
		d = suffix + 10;
	else if (!strncmp(suffix, "isra.", 5))
		d = suffix + 5;
	else
		return false;
	if (!*d)
		return false;
	for (; *d; d++)
		if (*d < '0' || *d > '9')
			return false;
	return true;
}

/* Catalog function indices sorted by name, for the kallsyms scan. */
static size_t *by_name_index(size_t *n)
{
	size_t *ix = malloc(ib_catalog_len * sizeof(*ix)), k = 0;

	if (!ix)
		return NULL;
	for (size_t i = 0; i < ib_catalog_len; i++)
		if (ib_catalog[i].type == IB_HOOK_FUNC)
			ix[k++] = i;
	/* insertion sort: a hundred names */
	for (size_t i = 1; i < k; i++) {
		size_t v = ix[i], j = i;

		for (; j > 0 && strcmp(ib_catalog[ix[j - 1]].name, ib_catalog[v].name) > 0; j--)
			ix[j] = ix[j - 1];
		ix[j] = v;
	}
	*n = k;
	return ix;
}

/* strcmp of the first len bytes of a (no NUL there) against the string b */
static int cmp_len(const char *a, size_t len, const char *b)
{
	int c = strncmp(a, b, len);

	return c ? c : (b[len] ? -1 : 0);
}

/*
 * One pass over kallsyms for every catalog function: a text symbol counts
 * for a function when it is named so exactly, or so plus a '.' suffix (a
 * compiler clone or a cold part). The part before the first '.' is looked
 * up in the sorted catalog: ~100 000 lines, so no scan of the catalog each.
 */
static int scan_kallsyms(const char *path, struct sym_count *counts)
{
	char line[512];
	struct ib_ksym k;
	size_t n, *ix;
	FILE *f;

	ix = by_name_index(&n);
	if (!ix)
		return -ENOMEM;
	f = fopen(path, "re");
	if (!f) {
		int e = -errno;

		free(ix);
		return e;
	}
	while (ib_kallsyms_next(f, line, sizeof(line), &k)) {
		const char *dot;
		size_t base, lo = 0, hi = n;

		if (!ib_ksym_is_text(&k))
			continue;
		dot = memchr(k.name, '.', k.namelen);
		base = dot ? (size_t)(dot - k.name) : k.namelen;
		while (lo < hi) {	/* the first catalog name >= the base */
			size_t mid = lo + (hi - lo) / 2;

			if (cmp_len(k.name, base, ib_catalog[ix[mid]].name) > 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < n && !cmp_len(k.name, base, ib_catalog[ix[lo]].name); lo++) {
			struct sym_count *c = &counts[ix[lo]];

			if (!dot) {
				if (c->ninst < IB_MAX_INSTANCES) {
					c->inst[c->ninst].addr = k.addr;
					if (k.mod && k.modlen < sizeof(c->inst[0].mod))
						snprintf(c->inst[c->ninst].mod, sizeof(c->inst[0].mod), "%.*s",
							 (int)k.modlen, k.mod);
					c->ninst++;
				}
				c->exact++;
			} else {
				if (!c->variant[0])
					snprintf(c->variant, sizeof(c->variant), "%s", k.name);
				if (whole_clone(dot + 1) && c->clones++ == 0)
					snprintf(c->clone, sizeof(c->clone), "%.127s", k.name);
			}
		}
	}
	fclose(f);
	free(ix);
	return 0;
}

static bool tp_exists(const char *tracefs, const char *tpname)
{
	char path[512], sys[64];
	const char *colon = strchr(tpname, ':');
	struct stat st;

	if (!tracefs || !colon || (size_t)(colon - tpname) >= sizeof(sys))
		return false;
	snprintf(sys, sizeof(sys), "%.*s", (int)(colon - tpname), tpname);
	snprintf(path, sizeof(path), "%s/events/%s/%s", tracefs, sys, colon + 1);
	return stat(path, &st) == 0;
}

/* What a BTF type is, for messages: "int (8 bytes)", "pointer", "struct" ... */
static void type_class(const struct btf *btf, __u32 type_id, char *buf, size_t len)
{
	const struct btf_type *t = btf__type_by_id(btf, btf__resolve_type(btf, type_id));

	if (!t)
		snprintf(buf, len, "an unknown type");
	else if (btf_is_int(t))
		snprintf(buf, len, "an integer of %u bytes", t->size);
	else if (btf_is_ptr(t))
		snprintf(buf, len, "a pointer");
	else if (btf_is_enum(t) || btf_is_enum64(t))
		snprintf(buf, len, "an enum");
	else if (btf_is_struct(t) || btf_is_union(t))
		snprintf(buf, len, "a struct or union");
	else
		snprintf(buf, len, "of BTF kind %u", btf_kind(t));
}

/*
 * The prototype check: the parameter named pname must be in func's BTF
 * prototype and be an integer of 4 or 8 bytes (want_ptr false: sizes,
 * counts, kinds) or a pointer (want_ptr true: the domain). Returns its
 * 1-based position, 0 when pname is NULL, or -1 with why filled.
 */
static int btf_param(const struct btf *btf, const struct btf_type *proto, const char *pname,
		     bool want_ptr, char *why, size_t len)
{
	const struct btf_param *p = btf_params(proto);
	int n = btf_vlen(proto);
	size_t used;

	if (!pname)
		return 0;
	for (int i = 0; i < n; i++) {
		const char *nm = btf__name_by_offset(btf, p[i].name_off);
		const struct btf_type *t;
		char cls[48];

		if (!nm || strcmp(nm, pname))
			continue;
		t = btf__type_by_id(btf, btf__resolve_type(btf, p[i].type));
		if (t && (want_ptr ? btf_is_ptr(t) : btf_is_int(t) && (t->size == 8 || t->size == 4)))
			return i + 1;
		type_class(btf, p[i].type, cls, sizeof(cls));
		snprintf(why, len, "BTF's parameter %d '%s' is %s, not %s", i + 1, pname, cls,
			 want_ptr ? "a pointer" : "an integer of 4 or 8 bytes");
		return -1;
	}
	used = (size_t)snprintf(why, len, "BTF has no parameter '%s' (", pname);
	for (int i = 0; i < n && used < len; i++) {
		const char *nm = btf__name_by_offset(btf, p[i].name_off);

		used += (size_t)snprintf(why + used, len - used, "%s%s", i ? ", " : "", nm && *nm ? nm : "?");
	}
	if (used < len)
		snprintf(why + used, len - used, ")");
	return -1;
}

/* Fill the argument positions of h from its BTF prototype. false, with
 * the reason in h->reason, when a parameter the catalog names is missing
 * or of another type class: then the program would read a wrong argument. */
static bool btf_args(const struct btf *btf, int func_id, struct ib_hook *h)
{
	const struct ib_hook_def *d = h->def;
	const struct btf_type *fn = btf__type_by_id(btf, func_id);
	const struct btf_type *proto = fn ? btf__type_by_id(btf, fn->type) : NULL;
	char why[160];
	int *slots[] = { &h->size_arg, &h->kind_arg, &h->pgsize_arg, &h->pgcount_arg, &h->domain_arg };
	const char *names[] = { d->size_param, d->kind_param, d->pgsize_param, d->pgcount_param, d->domain_param };

	if (!proto || !btf_is_func_proto(proto)) {
		snprintf(h->reason, sizeof(h->reason), "BTF entry of %s has no prototype", d->name);
		return false;
	}
	h->nargs = btf_vlen(proto);
	for (size_t k = 0; k < 5; k++) {
		int pos = btf_param(btf, proto, names[k], k == 4, why, sizeof(why));

		if (pos < 0) {
			snprintf(h->reason, sizeof(h->reason), "prototype mismatch, not attached: %.150s", why);
			return false;
		}
		*slots[k] = pos;
	}
	return true;
}

static const struct btf *module_btf(const struct ib_kernel_env *env, const char *mod)
{
	for (int i = 0; mod[0] && i < env->nmods; i++)
		if (!strcmp(env->mods[i].name, mod))
			return env->mods[i].btf;
	return NULL;
}

const struct btf *ib_hook_btf(const struct ib_kernel_env *env, const struct ib_hook *h)
{
	return h->mod_btf ? module_btf(env, h->module) : env->btf;
}

/* A per_driver entry: the instance of d->name in d->layer's text. Fills
 * h->addr/driver, or leaves the hook without a mode and says why. */
static void pick_instance(const struct sym_count *c, struct ib_anchors *anchors, int anchors_err,
			  struct ib_hook *h)
{
	const struct ib_hook_def *d = h->def;
	int mine = -1, nmine = 0, drv = ib_driver_index(d->layer);
	char why[128] = "", others[96] = "";

	for (int k = 0; k < c->ninst; k++) {
		int got;

		if (!anchors) {
			snprintf(h->reason, sizeof(h->reason), "%d functions named %s; reading kallsyms "
				 "for their drivers failed: %s", c->exact, d->name, strerror(-anchors_err));
			return;
		}
		got = ib_anchors_driver(anchors, c->inst[k].addr, c->inst[k].mod, why, sizeof(why));
		if (got < 0) {
			snprintf(h->reason, sizeof(h->reason),
				 "%d functions named %s; the one at 0x%llx is of no known driver (%s): "
				 "not attached", c->exact, d->name, c->inst[k].addr, why);
			return;
		}
		if (got == drv) {
			mine = k;
			nmine++;
		} else if (!strstr(others, ib_drivers[got].layer)) {
			size_t u = strlen(others);

			snprintf(others + u, sizeof(others) - u, "%s%s", u ? ", " : "", ib_drivers[got].layer);
		}
	}
	if (c->exact > c->ninst) {
		snprintf(h->reason, sizeof(h->reason), "%d functions named %s (more than %d): not attached",
			 c->exact, d->name, IB_MAX_INSTANCES);
		return;
	}
	if (nmine == 0) {
		h->exists = false;
		snprintf(h->reason, sizeof(h->reason), "not in this kernel (%s of %s only)", d->name, others);
		return;
	}
	if (nmine > 1) {
		snprintf(h->reason, sizeof(h->reason), "%d functions named %s in %s's text: ambiguous, "
			 "not attached", nmine, d->name, d->layer);
		return;
	}
	h->addr = c->inst[mine].addr;
	snprintf(h->driver, sizeof(h->driver), "%s", d->layer);
	snprintf(h->module, sizeof(h->module), "%s", c->inst[mine].mod);
}

int ib_hooks_select(const struct ib_kernel_env *env, struct ib_hook *hooks)
{
	/* the scan ib_env_probe made, or one of our own (tests build env) */
	struct sym_count *own = env->symcounts ? NULL : calloc(ib_catalog_len, sizeof(*own));
	const struct sym_count *counts = env->symcounts ? env->symcounts : own;
	int max_args = ib_fentry_max_args(env), slot = 0, err = 0, anchors_err = 0;
	bool have_syms, fentry_ok, kprobe_ok;
	struct ib_anchors *anchors = NULL;
	const char *no_fentry;

	if (!counts)
		return -ENOMEM;
	have_syms = env->symcounts || (env->kallsyms && scan_kallsyms(env->kallsyms, own) == 0);
	for (size_t i = 0; have_syms && i < ib_catalog_len && !anchors && !anchors_err; i++)
		if (ib_catalog[i].per_driver && counts[i].exact)
			anchors = ib_anchors_load(env->kallsyms, &anchors_err);
	/* --attach kprobe or tracepoint rules out the better modes */
	fentry_ok = env->fentry_ok && (env->best == IB_MODE_NONE || env->best == IB_MODE_FENTRY);
	kprobe_ok = env->kprobe_ok && env->best != IB_MODE_TRACEPOINT;
	no_fentry = env->fentry_ok ? "not wanted (--attach)" :
		    env->fentry_err ? strerror(env->fentry_err) : "no BTF";

	for (size_t i = 0; i < ib_catalog_len; i++) {
		const struct ib_hook_def *d = &ib_catalog[i];
		struct ib_hook *h = &hooks[i];
		const char *fb = ib_tp_name(d->tp);
		const struct btf *btf = NULL;
		bool in_btf = false, fb_ok, by_addr, no_addr;
		int id = -1;

		memset(h, 0, sizeof(*h));
		h->def = d;
		h->slot = -1;
		h->nargs = -1;
		if (d->type == IB_HOOK_TP) {
			h->exists = tp_exists(env->tracefs, d->name);
			h->mode = h->exists ? IB_MODE_TRACEPOINT : IB_MODE_NONE;
			snprintf(h->reason, sizeof(h->reason), "%s",
				 h->exists ? "tracepoint" :
				 env->tracefs ? "no such tracepoint on this kernel" :
				 "tracefs not mounted");
			if (h->exists && d->tp == IB_TP_FAULT && env->smmu_v2_bound) {
				/* arm_smmu_context_fault() calls report_iommu_fault()
				 * with no device, and the tracepoint reads the
				 * device's name: a NULL dereference on the first
				 * context fault (seen on Debian's arm64 7.3.4 in the
				 * arm64-smmuv2 lab, lab/qemu/README.md) */
				h->mode = IB_MODE_NONE;
				snprintf(h->reason, sizeof(h->reason),
					 "not attached: arm-smmu v2 reports context faults with no "
					 "device, which this tracepoint dereferences (kernel crash)");
			}
			continue;
		}

		if (counts[i].ninst)
			snprintf(h->module, sizeof(h->module), "%s", counts[i].inst[0].mod);
		if (env->btf) {
			id = btf__find_by_name_kind(env->btf, d->name, BTF_KIND_FUNC);
			in_btf = id > 0;
			btf = env->btf;
		}
		if (!in_btf && (btf = module_btf(env, h->module))) {
			/* a module's function: its split BTF (5.11+) */
			id = btf__find_by_name_kind(btf, d->name, BTF_KIND_FUNC);
			in_btf = h->mod_btf = id > 0;
		}
		h->nsyms = counts[i].exact;
		h->exists = in_btf || h->nsyms > 0;
		if (in_btf) {
			if (!btf_args(btf, id, h)) {
				/* the prototype is not what the program reads */
				h->size_arg = h->kind_arg = h->pgsize_arg = h->pgcount_arg = h->domain_arg = 0;
				continue;
			}
		} else if (d->size_param) {
			h->size_arg = d->size_arg; /* no BTF: trust the catalog */
		}

		/* in BTF but not in kallsyms: the kernel cannot resolve the name
		 * to an address, so fentry would be refused at load (ENOENT: the
		 * whole BPF object loaded again without it) and a kprobe by name
		 * would fail too; only a compiler clone can be probed */
		no_addr = in_btf && have_syms && !h->nsyms;
		if ((!h->exists || no_addr) && d->clone_ok && counts[i].clones == 1) {
			/* only a compiler clone: count calls, read no argument */
			h->exists = true;
			h->nsyms = 1;
			h->size_arg = h->kind_arg = h->pgsize_arg = h->pgcount_arg = h->domain_arg = 0;
			snprintf(h->sym, sizeof(h->sym), "%s", counts[i].clone);
			if (slot >= IB_MAX_SLOTS) {
				snprintf(h->reason, sizeof(h->reason), "no free BPF slot (IB_MAX_SLOTS=%d)",
					 IB_MAX_SLOTS);
			} else if (kprobe_ok) {
				h->mode = IB_MODE_KPROBE;
				h->slot = slot++;
				snprintf(h->reason, sizeof(h->reason),
					 "kprobe/kretprobe on the compiler clone %.100s (arguments not read)", h->sym);
			} else {
				snprintf(h->reason, sizeof(h->reason),
					 "only the compiler clone %.100s, which needs a kprobe (kprobes: %s)", h->sym,
					 !env->kprobe_ok ? "not supported" : "not wanted (--attach)");
			}
			continue;
		}
		if (no_addr && !d->per_driver) {
			if (counts[i].variant[0])
				snprintf(h->reason, sizeof(h->reason),
					 "in BTF, but only %s in kallsyms: no address to attach to", counts[i].variant);
			else
				snprintf(h->reason, sizeof(h->reason),
					 "in BTF but not in kallsyms: no address to attach to");
			continue;
		}
		if (!h->exists || (d->per_driver && !h->nsyms)) {
			h->exists = false;
			if (counts[i].variant[0])
				snprintf(h->reason, sizeof(h->reason),
					 "inlined: only %s in kallsyms", counts[i].variant);
			else
				snprintf(h->reason, sizeof(h->reason), "not in this kernel%s",
					 have_syms || env->btf ? "" : " (no BTF and no kallsyms to tell)");
			continue;
		}
		if (d->per_driver) {
			pick_instance(&counts[i], anchors, anchors_err, h);
			if (!h->addr)
				continue;
		} else if (h->nsyms > 1) {
			/* static functions of the same name in two drivers */
			snprintf(h->reason, sizeof(h->reason),
				 "%d functions named %s and no per-driver catalog entry: not attached",
				 h->nsyms, d->name);
			continue;
		}
		if (slot >= IB_MAX_SLOTS) {
			snprintf(h->reason, sizeof(h->reason), "no free BPF slot (IB_MAX_SLOTS=%d)",
				 IB_MAX_SLOTS);
			continue;
		}
		/* fentry resolves a name: never for a name two functions share */
		by_addr = h->nsyms > 1;
		if (fentry_ok && in_btf && h->nargs <= max_args && !by_addr) {
			h->mode = IB_MODE_FENTRY;
			h->slot = slot++;
			snprintf(h->reason, sizeof(h->reason), "fentry/fexit (%d args%s)", h->nargs,
				 h->mod_btf ? "; module BTF" : "");
			continue;
		}
		if (kprobe_ok && (!by_addr || env->kprobe_addr_ok)) {
			h->mode = IB_MODE_KPROBE;
			h->slot = slot++;
			if (by_addr)
				snprintf(h->reason, sizeof(h->reason),
					 "kprobe/kretprobe at 0x%llx (%d functions named so; this one in %s's text)",
					 h->addr, h->nsyms, h->driver);
			else if (!fentry_ok)
				snprintf(h->reason, sizeof(h->reason),
					 "kprobe/kretprobe (fentry %s)", no_fentry);
			else if (!in_btf)
				snprintf(h->reason, sizeof(h->reason), "kprobe/kretprobe (not in BTF%s)",
					 h->module[0] ? " nor in its module's BTF" : "");
			else
				snprintf(h->reason, sizeof(h->reason),
					 "kprobe/kretprobe (%d args > fentry limit %d on this kernel)",
					 h->nargs, max_args);
			continue;
		}
		if (by_addr) {
			snprintf(h->reason, sizeof(h->reason), "needs a kprobe at 0x%llx (kprobes: %s)", h->addr,
				 !env->kprobe_ok ? "not supported" : !kprobe_ok ? "not wanted (--attach)" :
				 "no kprobe PMU for an address");
			continue;
		}
		fb_ok = fb && tp_exists(env->tracefs, fb);
		if (fb_ok) {
			h->mode = IB_MODE_TRACEPOINT;
			snprintf(h->reason, sizeof(h->reason),
				 "counted via %s, no duration (fentry: %s; kprobes: %s)", fb, no_fentry,
				 !env->kprobe_ok ? "not supported" : !kprobe_ok ? "not wanted (--attach)" :
				 h->nsyms ? "ok" : "no symbol");
			continue;
		}
		snprintf(h->reason, sizeof(h->reason), "cannot attach (fentry: %s; kprobes: %s)",
			 no_fentry,
			 !env->kprobe_ok ? "not supported" : !kprobe_ok ? "not wanted (--attach)" :
			 h->nsyms ? "ok" : "no symbol");
	}
	ib_anchors_free(anchors);
	free(own);
	return err;
}

static const char *find_tracefs(void)
{
	static const char *const cands[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char p[128];
	struct stat st;

	for (size_t i = 0; i < 2; i++) {
		snprintf(p, sizeof(p), "%s/events", cands[i]);
		if (stat(p, &st) == 0)
			return cands[i];
	}
	/* tracefs exists but is not mounted (a fresh initramfs, or a host
	 * that never mounted it): libbpf needs it for tracepoint ids */
	if (ib_state_note_mount(cands[0], "tracefs", p, sizeof(p))) {
		fprintf(stderr, "iommubench: %s: tracefs left unmounted\n", p);
		return NULL;
	}
	if (mount("nodev", cands[0], "tracefs", 0, NULL) == 0)
		return cands[0]; /* unmounted when iommubench exits (state.h) */
	ib_state_forget_mount(cands[0]);
	return NULL;
}

/* Load a do-nothing fentry program on target and attach it: the only
 * reliable answer to "does fentry work here" (some kernels refuse it with
 * EPERM under lockdown or a security module, or lack a trampoline). */
static int probe_fentry(const struct btf *btf, const char *target)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_FENTRY);
	int id, fd, lfd, err;

	id = btf__find_by_name_kind(btf, target, BTF_KIND_FUNC);
	if (id <= 0)
		return -ENOENT;
	opts.attach_btf_id = id;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "ib_probe", "GPL", insns, 2, &opts);
	if (fd < 0)
		return -errno;
	lfd = bpf_raw_tracepoint_open(NULL, fd);
	err = lfd < 0 ? -errno : 0;
	if (lfd >= 0)
		close(lfd);
	close(fd);
	return err;
}

/* The split BTF of every module that holds a catalog function (kallsyms
 * tags it [module]): /sys/kernel/btf/<module>, 5.11+. A module without BTF
 * is skipped; its functions attach by kprobe as before. */
static void load_module_btfs(struct ib_kernel_env *env)
{
	const struct sym_count *counts = env->symcounts;

	if (!counts)
		return;
	for (size_t i = 0; i < ib_catalog_len; i++) {
		const char *mod = counts[i].ninst ? counts[i].inst[0].mod : "";
		struct ib_mod_btf *m;
		struct btf *b;

		if (!mod[0] || module_btf(env, mod))
			continue;
		b = btf__load_module_btf(mod, env->btf);
		if (!b)
			continue;
		m = realloc(env->mods, (size_t)(env->nmods + 1) * sizeof(*m));
		if (!m) {
			btf__free(b);
			break;
		}
		env->mods = m;
		snprintf(m[env->nmods].name, sizeof(m[0].name), "%s", mod);
		m[env->nmods++].btf = b;
	}
}

bool ib_platform_driver_bound(const char *drvdir)
{
	DIR *d = opendir(drvdir);
	struct dirent *de;
	bool bound = false;

	if (!d)
		return false;
	/* bind, unbind, uevent are files, module a link to the module; each
	 * bound device is a link named by its device name */
	while (!bound && (de = readdir(d)) != NULL)
		bound = de->d_type == DT_LNK && strcmp(de->d_name, "module") != 0;
	closedir(d);
	return bound;
}

int ib_env_probe(struct ib_kernel_env *env, char *err, size_t errlen)
{
	struct utsname u;
	struct stat st;
	int e;

	memset(env, 0, sizeof(*env));
	if (uname(&u)) {
		e = -errno;
		snprintf(err, errlen, "uname: %s", strerror(-e));
		return e;
	}
	snprintf(env->release, sizeof(env->release), "%s", u.release);
	snprintf(env->arch, sizeof(env->arch), "%s", u.machine);
	sscanf(u.release, "%d.%d", &env->ver_major, &env->ver_minor);
	env->kallsyms = "/proc/kallsyms";
	env->tracefs = find_tracefs();
	env->btf = btf__load_vmlinux_btf();
	if (!env->btf)
		env->btf = NULL; /* kernel without BTF: kprobes by name still work */
	env->kprobe_addr_ok = stat("/sys/bus/event_source/devices/kprobe/type", &st) == 0;
	env->kprobe_ok = env->kprobe_addr_ok ||
			 (env->tracefs && ({
				char p[256];
				snprintf(p, sizeof(p), "%s/kprobe_events", env->tracefs);
				stat(p, &st) == 0;
			 }));
	env->fentry_err = ENOENT;
	env->smmu_v2_bound = ib_platform_driver_bound("/sys/bus/platform/drivers/arm-smmu");
	/* one scan of kallsyms (seconds in a TCG guest) for the module BTFs
	 * and ib_hooks_select; without it select scans by itself */
	env->symcounts = calloc(ib_catalog_len, sizeof(*env->symcounts));
	if (env->symcounts && scan_kallsyms(env->kallsyms, env->symcounts)) {
		free(env->symcounts);
		env->symcounts = NULL;
	}
	if (env->btf)
		load_module_btfs(env);
	if (env->btf) {
		/* probe on the first catalog function this kernel has */
		for (size_t i = 0; i < ib_catalog_len; i++) {
			if (ib_catalog[i].type != IB_HOOK_FUNC)
				continue;
			e = probe_fentry(env->btf, ib_catalog[i].name);
			if (e == -ENOENT)
				continue;
			env->fentry_ok = e == 0;
			env->fentry_err = -e;
			break;
		}
	}
	return 0;
}

void ib_env_free(struct ib_kernel_env *env)
{
	free(env->symcounts);
	env->symcounts = NULL;
	for (int i = 0; i < env->nmods; i++)
		btf__free(env->mods[i].btf);
	free(env->mods);
	env->mods = NULL;
	env->nmods = 0;
	btf__free(env->btf);
	env->btf = NULL;
}
