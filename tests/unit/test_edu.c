/* edu: transfer validation at its exact boundaries (QEMU 7.2 aborts on a
 * DMA outside them), device identification, and ib_edu_dma refusing to
 * touch a device it cannot drive. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <string.h>
#include "check.h"
#include "edu.h"

static char err[512];

static int val(uint64_t iova, uint32_t len, uint32_t off)
{
	err[0] = '\0';
	return ib_edu_validate(iova, len, off, err, sizeof(err));
}

#define ACCEPT(iova, len, off) do {					\
	int _r = val(iova, len, off);					\
	CHECK(_r == 0, "validate(0x%llx, %u, %u) = %d: %s",		\
	      (unsigned long long)(iova), (unsigned)(len), (unsigned)(off), _r, err); \
} while (0)

#define REJECT(iova, len, off, word) do {				\
	int _r = val(iova, len, off);					\
	CHECK(_r == -EINVAL, "validate(0x%llx, %u, %u) = %d, expected -EINVAL", \
	      (unsigned long long)(iova), (unsigned)(len), (unsigned)(off), _r); \
	CHECK(strstr(err, word) != NULL, "message \"%s\" does not mention \"%s\"", err, word); \
} while (0)

static void test_validate(void)
{
	const uint64_t lim = 1ull << IB_EDU_ADDR_BITS;

	/* ordinary transfers */
	ACCEPT(0x100000, 256, 0);
	ACCEPT(0, 1, 0);
	ACCEPT(0x100000, 1024, 1024);

	/* length: 1..4095 */
	REJECT(0x100000, 0, 0, "0 bytes");
	ACCEPT(0x100000, IB_EDU_BUF_SIZE - 1, 0);
	REJECT(0x100000, IB_EDU_BUF_SIZE, 0, "length 4096");
	REJECT(0x100000, IB_EDU_BUF_SIZE + 1, 0, "too large");
	REJECT(0x100000, 0xffffffffu, 0, "too large");

	/* buffer window: offset + length <= 4095 */
	ACCEPT(0x100000, 1, IB_EDU_BUF_SIZE - 2);
	REJECT(0x100000, 1, IB_EDU_BUF_SIZE - 1, "overflows the buffer");
	ACCEPT(0x100000, 2047, 2048);
	REJECT(0x100000, 2048, 2048, "overflows the buffer");
	REJECT(0x100000, 16, IB_EDU_BUF_SIZE, "offset 4096");
	REJECT(0x100000, 16, 0xfffffff8u, "overflows the buffer");  /* no 32-bit wrap */

	/* 28-bit DMA mask: iova + len <= 2^28 */
	ACCEPT(lim - 4096, 4095, 0);
	ACCEPT(lim - 1, 1, 0);
	ACCEPT(lim - 256, 256, 0);
	REJECT(lim - 255, 256, 0, "28-bit");
	REJECT(lim, 1, 0, "28-bit");
	REJECT(lim + 0x100000, 256, 0, "DMA mask");
	REJECT(~0ull - 10, 256, 0, "28-bit");                        /* no 64-bit wrap */
	REJECT(~0ull, 1, 0, "28-bit");

	/* the first problem found is named, even when several apply */
	REJECT(lim, 0, 0, "0 bytes");

	/* a tiny err buffer is never overrun */
	{
		char small[8];

		memset(small, 'x', sizeof(small));
		CHECK(ib_edu_validate(0, 0, 0, small, sizeof(small)) == -EINVAL, "tiny buffer");
		CHECK(memchr(small, '\0', sizeof(small)) != NULL, "message not terminated in a tiny buffer");
	}
}

static void test_is(void)
{
	struct ib_vfio_dev d = { .fd = -1, .vendor = IB_EDU_VENDOR, .device = IB_EDU_DEVICE };

	CHECK(ib_edu_is(&d), "1234:11e8 is edu");
	d.device = 0x11e9;
	CHECK(!ib_edu_is(&d), "1234:11e9 is not edu");
	d.vendor = 0x8086;
	d.device = IB_EDU_DEVICE;
	CHECK(!ib_edu_is(&d), "8086:11e8 is not edu");
	d.vendor = 0xffff;
	d.device = 0xffff;
	CHECK(!ib_edu_is(&d), "ffff:ffff is not edu");
	memset(&d, 0, sizeof(d));
	CHECK(!ib_edu_is(&d), "a zeroed device is not edu");
	CHECK(!ib_edu_is(NULL), "NULL is not edu");
}

static void test_dma_refuses(void)
{
	struct ib_vfio_dev d = { .fd = -1, .vendor = IB_EDU_VENDOR, .device = IB_EDU_DEVICE };
	int r;

	err[0] = '\0';
	r = ib_edu_dma(&d, 0x100000, 256, 0, true, 1000, err, sizeof(err));
	CHECK(r == -EBADF && strstr(err, "not open"), "closed device: %d %s", r, err);

	/* an open fd but no BAR0 mapping: refused before any access */
	d.fd = 0;
	err[0] = '\0';
	r = ib_edu_dma(&d, 0x100000, 256, 0, true, 1000, err, sizeof(err));
	CHECK(r == -ENODEV && strstr(err, "BAR0"), "no BAR0: %d %s", r, err);

	d.vendor = 0x8086;
	err[0] = '\0';
	r = ib_edu_dma(&d, 0x100000, 256, 0, true, 1000, err, sizeof(err));
	CHECK(r == -ENODEV && strstr(err, "not QEMU's edu"), "not edu: %d %s", r, err);

	CHECK(ib_edu_dma(NULL, 0x100000, 256, 0, true, 1000, err, sizeof(err)) == -EBADF, "NULL device");
}

/* vfio_device without VFIO: errors name the ioctl and the device, and a
 * closed device can be closed again. */
static void test_vfio_dev(void)
{
	struct ib_vfio_dev d;
	int fd, r;

	memset(&d, 0x5a, sizeof(d));
	err[0] = '\0';
	r = ib_vfio_dev_open(&d, -1, "0000:00:02.0", err, sizeof(err));
	CHECK(r < 0 && d.fd == -1 && d.bar0 == NULL, "open on no group: %d fd %d", r, d.fd);
	CHECK(strstr(err, "VFIO_GROUP_GET_DEVICE_FD 0000:00:02.0") != NULL, "message: %s", err);

	fd = open("/dev/null", O_RDWR);
	CHECK(fd >= 0, "open /dev/null");
	err[0] = '\0';
	r = ib_vfio_dev_open(&d, fd, "0000:00:02.0", err, sizeof(err));
	CHECK(r == -ENOTTY && d.fd == -1, "open on /dev/null: %d", r);
	CHECK(strstr(err, "VFIO_GROUP_GET_DEVICE_FD 0000:00:02.0: ") != NULL &&
	      strstr(err, "not a VFIO group") != NULL, "message: %s", err);
	close(fd);

	err[0] = '\0';
	r = ib_vfio_dev_open(&d, 0, "", err, sizeof(err));
	CHECK(r == -EINVAL && d.fd == -1, "empty address: %d", r);

	err[0] = '\0';
	r = ib_vfio_dev_bus_master(&d, true, err, sizeof(err));
	CHECK(r == -EBADF && strstr(err, "not open"), "bus master on a closed device: %d %s", r, err);

	ib_vfio_dev_close(&d);
	ib_vfio_dev_close(&d);
	CHECK(d.fd == -1 && d.bar0 == NULL && d.bar0_len == 0, "closed twice");
}

int main(void)
{
	test_vfio_dev();
	test_validate();
	test_is();
	test_dma_refuses();
	return CHECK_DONE();
}
