// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* QEMU's edu device as a DMA engine.
 *
 * What QEMU 7.2 (hw/misc/edu.c; Debian bookworm's 1:7.2+dfsg, checked in
 * the source and in the disassembly of the lab's qemu-system-x86_64) does
 * with a DMA, and why ib_edu_validate is what it is:
 *
 * - Registers (BAR0): 0x80 source, 0x88 destination, 0x90 count, 0x98
 *   command, each a 64-bit value; MMIO accesses of 4 or 8 bytes are
 *   accepted at 0x80 and above (only 4 below 0x80). Writing source,
 *   destination or count while the command's RUN bit (0) is set is
 *   silently ignored, and a command write without RUN is ignored.
 * - Writing the command with RUN arms a 100 ms QEMU_CLOCK_VIRTUAL timer;
 *   the whole copy happens when it fires, then RUN is cleared (and an
 *   interrupt raised only if bit 2 was set: we never set it).
 * - Direction bit 1 clear: pci_dma_read(src & dma_mask -> buffer[dst -
 *   0x40000], count). Set: pci_dma_write(buffer[src - 0x40000] ->
 *   dst & dma_mask, count). The count is the exact number of bytes: no
 *   +1 or -1 on it (a copy of N bytes moves N bytes; a missing last byte
 *   seen once came from elsewhere, not from the count).
 * - Before the copy the buffer side is range-checked with
 *       within(a, 0x40000, 0x41000) && a + count > a
 *           && within(a + count, 0x40000, 0x41000)
 *   where within(x, s, e) is s <= x < e. Failing it calls hw_error(),
 *   which aborts QEMU. Two off-by-ones follow (fixed upstream later by
 *   "hw/misc/edu: fix 2 off-by-one errors", after 7.2): count 0 aborts,
 *   and the end of the transfer must be strictly below 0x41000, so
 *   buf_off + count <= 4095: a full 4096-byte copy aborts, and the last
 *   byte of the buffer (offset 4095) can never be transferred.
 * - The RAM side is only masked (dma_mask, 28 bits by default; QEMU
 *   prints "EDU: clamping DMA" on stdout when it changes the address),
 *   never range-checked, and the mask applies to the start only: a copy
 *   crossing 2^28 runs past it. Keep iova + count <= 2^28.
 * - DMA errors (an IOMMU fault) are ignored by edu: the copy just does
 *   not happen (reads return nothing useful, writes are dropped); edu
 *   reports nothing, so checks compare data.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "edu.h"

#define EDU_REG_ID 0x00
#define EDU_REG_DMA_SRC 0x80
#define EDU_REG_DMA_DST 0x88
#define EDU_REG_DMA_CNT 0x90
#define EDU_REG_DMA_CMD 0x98
#define EDU_REGS_END 0xa0
#define EDU_CMD_RUN 0x1
#define EDU_CMD_TO_RAM 0x2

bool ib_edu_is(const struct ib_vfio_dev *d)
{
	return d && d->vendor == IB_EDU_VENDOR && d->device == IB_EDU_DEVICE;
}

int ib_edu_validate(uint64_t iova, uint32_t len, uint32_t buf_off, char *err, size_t errlen)
{
	const uint64_t limit = 1ull << IB_EDU_ADDR_BITS;
	/* see the top of this file: the transfer must end before offset 4095 + 1 */
	const uint64_t buf_max = IB_EDU_BUF_SIZE - 1;

	if (len == 0) {
		snprintf(err, errlen, "edu DMA of 0 bytes: QEMU 7.2's edu aborts on an empty transfer (length must be 1..%" PRIu64 ")",
			 buf_max);
		return -EINVAL;
	}
	if (len >= IB_EDU_BUF_SIZE) {
		snprintf(err, errlen, "edu DMA length %" PRIu32 " too large: at most %" PRIu64
			 " bytes (QEMU 7.2's edu bounds check is off by one and aborts on a full %u-byte buffer)",
			 len, buf_max, IB_EDU_BUF_SIZE);
		return -EINVAL;
	}
	if ((uint64_t)buf_off + len > buf_max) {
		snprintf(err, errlen, "edu buffer offset %" PRIu32 " + length %" PRIu32 " = %" PRIu64
			 " overflows the buffer: offset + length must be at most %" PRIu64
			 " (QEMU 7.2's edu aborts otherwise)",
			 buf_off, len, (uint64_t)buf_off + len, buf_max);
		return -EINVAL;
	}
	if (iova >= limit || iova + len > limit) {
		snprintf(err, errlen, "edu DMA at IOVA 0x%" PRIx64 "-0x%" PRIx64
			 " is beyond edu's %d-bit DMA mask (addresses must end at or below 0x%" PRIx64
			 "; edu would alias or overrun them)",
			 iova, iova + len - 1, IB_EDU_ADDR_BITS, limit);
		return -EINVAL;
	}
	return 0;
}

static inline uint64_t rd64(const struct ib_vfio_dev *d, unsigned off)
{
	return *(volatile uint64_t *)(d->bar0 + off);
}

static inline void wr64(struct ib_vfio_dev *d, unsigned off, uint64_t v)
{
	*(volatile uint64_t *)(d->bar0 + off) = v;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Poll the command register until RUN clears; 0, -ETIMEDOUT or -EIO
 * (the register reads all ones: the device is gone or its memory space
 * is disabled). */
static int wait_idle(struct ib_vfio_dev *d, int timeout_ms, uint64_t *last)
{
	int64_t deadline = now_ms() + timeout_ms;

	for (;;) {
		uint64_t cmd = rd64(d, EDU_REG_DMA_CMD);

		*last = cmd;
		if (cmd == ~0ull)
			return -EIO;
		if (!(cmd & EDU_CMD_RUN))
			return 0;
		if (now_ms() >= deadline)
			return -ETIMEDOUT;
		usleep(1000);
	}
}

int ib_edu_dma(struct ib_vfio_dev *d, uint64_t iova, uint32_t len, uint32_t buf_off,
	       bool to_device, int timeout_ms, char *err, size_t errlen)
{
	uint64_t src, dst, cmd, last = 0;
	int e;

	if (!d || d->fd < 0) {
		snprintf(err, errlen, "edu DMA: the device is not open");
		return -EBADF;
	}
	if (!ib_edu_is(d)) {
		snprintf(err, errlen, "edu DMA: device %04x:%04x is not QEMU's edu (%04x:%04x)",
			 d->vendor, d->device, IB_EDU_VENDOR, IB_EDU_DEVICE);
		return -ENODEV;
	}
	if (!d->bar0 || d->bar0_len < EDU_REGS_END) {
		snprintf(err, errlen, "edu DMA: BAR0 is not mapped (VFIO did not offer it for mmap)");
		return -ENODEV;
	}
	if (timeout_ms <= 0) {
		snprintf(err, errlen, "edu DMA: timeout %d ms must be positive", timeout_ms);
		return -EINVAL;
	}
	if ((e = ib_edu_validate(iova, len, buf_off, err, errlen)))
		return e;

	/* registers written while a DMA runs are ignored: wait for the last one */
	e = wait_idle(d, timeout_ms, &last);
	if (e == -EIO) {
		snprintf(err, errlen, "edu DMA: the command register reads all ones (device gone or memory space disabled)");
		return e;
	}
	if (e) {
		snprintf(err, errlen, "edu DMA: a previous DMA is still running after %d ms (command 0x%" PRIx64 ")",
			 timeout_ms, last);
		return -EBUSY;
	}

	if (to_device) {
		src = iova;
		dst = IB_EDU_BUF + buf_off;
		cmd = EDU_CMD_RUN;
	} else {
		src = IB_EDU_BUF + buf_off;
		dst = iova;
		cmd = EDU_CMD_RUN | EDU_CMD_TO_RAM;
	}
	wr64(d, EDU_REG_DMA_SRC, src);
	wr64(d, EDU_REG_DMA_DST, dst);
	wr64(d, EDU_REG_DMA_CNT, len);
	if (rd64(d, EDU_REG_DMA_SRC) != src || rd64(d, EDU_REG_DMA_DST) != dst ||
	    rd64(d, EDU_REG_DMA_CNT) != len) {
		snprintf(err, errlen, "edu DMA: the device did not take the 64-bit register writes (read back src 0x%" PRIx64
			 " dst 0x%" PRIx64 " count %" PRIu64 ")",
			 rd64(d, EDU_REG_DMA_SRC), rd64(d, EDU_REG_DMA_DST), rd64(d, EDU_REG_DMA_CNT));
		return -EIO;
	}
	/* RAM written by the CPU must be visible before the device reads it */
	__sync_synchronize();
	wr64(d, EDU_REG_DMA_CMD, cmd);

	e = wait_idle(d, timeout_ms, &last);
	__sync_synchronize();
	if (e == -EIO) {
		snprintf(err, errlen, "edu DMA: the command register reads all ones (device gone or memory space disabled)");
		return e;
	}
	if (e) {
		snprintf(err, errlen, "edu DMA of %" PRIu32 " bytes %s IOVA 0x%" PRIx64
			 " did not finish within %d ms (command 0x%" PRIx64 "; edu takes ~100 ms of QEMU's virtual clock)",
			 len, to_device ? "from" : "to", iova, timeout_ms, last);
		return -ETIMEDOUT;
	}
	return 0;
}
