// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests for the dma backend's ioctl argument (backend_dma.c) and the
 * PCI address check of pci.c. No device, no ioctl. */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "backend_dma.h"
#include "pci.h"
#include "check.h"

static struct ib_dma_params defaults(void)
{
	struct ib_dma_params p = {
		.threads = 1, .seconds = 1, .granule = 1, .dir = IB_DMA_BIDIRECTIONAL,
		.map = IB_DMA_SINGLE, .domain = IB_DMA_DOMAIN_KEEP, .dma_bits = 32,
	};
	return p;
}

static void test_layout(void)
{
	/* include/uapi/linux/map_benchmark.h (7.x): 4 u64, 7 u32, a u8, 75 bytes */
	CHECK_EQ_U64(sizeof(struct ib_map_benchmark), 136);
	CHECK_EQ_U64(offsetof(struct ib_map_benchmark, threads), 32);
	CHECK_EQ_U64(offsetof(struct ib_map_benchmark, node), 40);
	CHECK_EQ_U64(offsetof(struct ib_map_benchmark, granule), 56);
	CHECK_EQ_U64(offsetof(struct ib_map_benchmark, map_mode), 60);
	/* _IOWR('d', 1, 136 bytes) */
	CHECK_EQ_U64(IB_DMA_MAP_BENCHMARK, 0xc0886401);
	CHECK_EQ_U64(strlen(IB_DMA_COMM), 15); /* TASK_COMM_LEN - 1 */
}

static void test_args(void)
{
	struct ib_dma_params p = defaults();
	struct ib_map_benchmark b;
	char err[512];

	memset(&b, 0xff, sizeof(b));
	CHECK(ib_dma_args(&p, &b, err, sizeof(err)) == 0, "%s", err);
	CHECK_EQ_U64(b.threads, 1);
	CHECK_EQ_U64(b.seconds, 1);
	CHECK_EQ_U64(b.granule, 1);
	CHECK_EQ_U64(b.dma_bits, 32);
	CHECK_EQ_U64(b.dma_dir, 0);
	CHECK_EQ_U64(b.map_mode, 0);
	CHECK_EQ_U64(b.dma_trans_ns, 0);
	CHECK(b.node == IB_DMA_NUMA_NO_NODE, "node %d", b.node);
	CHECK_EQ_U64(b.avg_map_100ns, 0); /* outputs cleared */
	for (size_t i = 0; i < sizeof(b.expansion); i++)
		CHECK(b.expansion[i] == 0, "expansion[%zu] = %u", i, b.expansion[i]);

	p.dir = IB_DMA_FROM_DEVICE;
	p.map = IB_DMA_SG;
	p.threads = 1024;
	p.seconds = 300;
	p.granule = 1024;
	CHECK(ib_dma_args(&p, &b, err, sizeof(err)) == 0, "%s", err);
	CHECK_EQ_U64(b.dma_dir, 2); /* DMA_MAP_FROM_DEVICE */
	CHECK_EQ_U64(b.map_mode, 1); /* DMA_MAP_BENCH_SG_MODE */
	CHECK_EQ_U64(b.threads, 1024);

	/* refused before any ioctl, with the limits named */
	{
		static const struct { size_t off; uint32_t v; } bad[] = {
			{ offsetof(struct ib_dma_params, threads), 0 },
			{ offsetof(struct ib_dma_params, threads), 1025 },
			{ offsetof(struct ib_dma_params, seconds), 0 },
			{ offsetof(struct ib_dma_params, seconds), 301 },
			{ offsetof(struct ib_dma_params, granule), 0 },
			{ offsetof(struct ib_dma_params, granule), 1025 },
			{ offsetof(struct ib_dma_params, dma_bits), 11 },
			{ offsetof(struct ib_dma_params, dma_bits), 65 },
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			p = defaults();
			memcpy((char *)&p + bad[i].off, &bad[i].v, sizeof(uint32_t));
			err[0] = '\0';
			CHECK(ib_dma_args(&p, &b, err, sizeof(err)) == -EINVAL, "case %zu accepted", i);
			CHECK(strstr(err, "threads") && strstr(err, "1..1024") && strstr(err, "1..300"),
			      "case %zu: %s", i, err);
		}
	}
}

static void test_bdf(void)
{
	CHECK(ib_pci_valid_bdf("0000:00:02.0"), "plain");
	CHECK(ib_pci_valid_bdf("abcd:ff:1f.7"), "hex");
	CHECK(!ib_pci_valid_bdf("00:02.0"), "short form is the scenario parser's job");
	CHECK(!ib_pci_valid_bdf("0000:00:02.0x"), "tail");
	CHECK(!ib_pci_valid_bdf("mock"), "word");
	CHECK(!ib_pci_valid_bdf(NULL), "NULL");
}

int main(void)
{
	test_layout();
	test_args();
	test_bdf();
	return CHECK_DONE();
}
