/* QEMU's edu PCI device (1234:11e8) as a DMA engine for isolation checks. */
#ifndef IB_EDU_H
#define IB_EDU_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vfio_device.h"

#define IB_EDU_VENDOR 0x1234
#define IB_EDU_DEVICE 0x11e8
#define IB_EDU_BUF 0x40000ull        /* device address of its 4 KiB buffer */
#define IB_EDU_BUF_SIZE 4096u
#define IB_EDU_ADDR_BITS 28          /* edu masks DMA addresses to 28 bits */

bool ib_edu_is(const struct ib_vfio_dev *d);

/* Check a transfer before starting it (QEMU 7.2 aborts on an edu DMA
 * outside its buffer window): iova + len within 28 bits, len at least 1
 * and strictly below the buffer size (the bounds check is off by one),
 * buf_off + len inside the buffer. 0 or -EINVAL with err filled. */
int ib_edu_validate(uint64_t iova, uint32_t len, uint32_t buf_off, char *err, size_t errlen);

/* One DMA, waited for (edu finishes on a 100 ms virtual-clock timer):
 * to_device: RAM at iova -> edu buffer at buf_off; else buffer -> RAM.
 * Bus mastering must be on. timeout_ms bounds the wait (-ETIMEDOUT). */
int ib_edu_dma(struct ib_vfio_dev *d, uint64_t iova, uint32_t len, uint32_t buf_off,
	       bool to_device, int timeout_ms, char *err, size_t errlen);

#endif
