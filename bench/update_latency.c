/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rule-update latency: with N filters at inbound-transport-v4, how long one
 * FwpmFilterAdd0 / FwpmFilterDeleteById0 takes until the data path sees it
 * (the call returns after the new snapshot is published), with layers
 * compiled for rte_acl as the daemon does.
 *
 * usage: update_latency [EAL options] -- N [REPEATS]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_eal.h>

#include <weir/weir.h>
#include <weir/weir_dataplane.h>

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* A ClassBench-like 5-tuple filter, deterministic from @p i. */
static NTSTATUS add(HANDLE h, uint32_t i, UINT64 weight, UINT64 *id)
{
	FWPM_FILTER_CONDITION0 c[4];
	FWP_V4_ADDR_AND_MASK src, dst;
	FWP_RANGE0 ports;
	FWPM_FILTER0 f;
	uint32_t r = i * 2654435761u;

	memset(&f, 0, sizeof(f));
	memset(c, 0, sizeof(c));
	src.mask = 0xffffff00u;
	src.addr = (0x0a000000u | (r & 0xffff00u)) & src.mask;
	dst.mask = 0xffff0000u;
	dst.addr = (0xac100000u | ((r >> 8) & 0xff0000u)) & dst.mask;
	ports.valueLow.type = ports.valueHigh.type = FWP_UINT16;
	ports.valueLow.uint16 = (UINT16)(1024 + (r % 30000));
	ports.valueHigh.uint16 = (UINT16)(ports.valueLow.uint16 + (r % 64));
	c[0].fieldKey = FWPM_CONDITION_IP_REMOTE_ADDRESS;
	c[0].matchType = FWP_MATCH_EQUAL;
	c[0].conditionValue.type = FWP_V4_ADDR_MASK;
	c[0].conditionValue.v4AddrMask = &src;
	c[1].fieldKey = FWPM_CONDITION_IP_LOCAL_ADDRESS;
	c[1].matchType = FWP_MATCH_EQUAL;
	c[1].conditionValue.type = FWP_V4_ADDR_MASK;
	c[1].conditionValue.v4AddrMask = &dst;
	c[2].fieldKey = FWPM_CONDITION_IP_PROTOCOL;
	c[2].matchType = FWP_MATCH_EQUAL;
	c[2].conditionValue.type = FWP_UINT8;
	c[2].conditionValue.uint8 = (r & 1) ? 6 : 17;
	c[3].fieldKey = WEIR_CONDITION_L4_DST_PORT;
	c[3].matchType = FWP_MATCH_RANGE;
	c[3].conditionValue.type = FWP_RANGE_TYPE;
	c[3].conditionValue.rangeValue = &ports;
	f.displayData.name = L"bench";
	f.layerKey = FWPM_LAYER_INBOUND_TRANSPORT_V4;
	f.action.type = (r & 2) ? FWP_ACTION_PERMIT : FWP_ACTION_BLOCK;
	f.weight.type = FWP_UINT64;
	f.weight.uint64 = &weight;
	f.numFilterConditions = 4;
	f.filterCondition = c;
	return FwpmFilterAdd0(h, &f, NULL, id);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int n = rte_eal_init(argc, argv), reps;
	uint32_t filters, i;
	double t0, load, *add_ms, *del_ms;
	HANDLE h;
	UINT64 id;

	if (n < 0 || argc - n < 2) {
		fprintf(stderr, "usage: %s [EAL options] -- N [REPEATS]\n", argv[0]);
		return 2;
	}
	filters = (uint32_t)strtoul(argv[n + 1], NULL, 10);
	reps = argc - n > 2 ? atoi(argv[n + 2]) : 5;
	if (reps < 1)
		reps = 1;
	weir_dataplane_prepare(0);
	if (FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h) != STATUS_SUCCESS)
		return 1;
	t0 = now_ms();
	FwpmTransactionBegin0(h, 0);
	for (i = 0; i < filters; i++)
		if (add(h, i, (UINT64)filters - i + 1000, &id) != STATUS_SUCCESS)
			return 1;
	FwpmTransactionCommit0(h);
	load = now_ms() - t0;
	add_ms = calloc((size_t)reps, sizeof(double));
	del_ms = calloc((size_t)reps, sizeof(double));
	for (n = 0; n < reps; n++) {
		t0 = now_ms();
		if (add(h, filters + (uint32_t)n, 1, &id) != STATUS_SUCCESS)
			return 1;
		add_ms[n] = now_ms() - t0;
		t0 = now_ms();
		FwpmFilterDeleteById0(h, id);
		del_ms[n] = now_ms() - t0;
	}
	qsort(add_ms, (size_t)reps, sizeof(double), cmp);
	qsort(del_ms, (size_t)reps, sizeof(double), cmp);
	printf("{\"filters\": %u, \"load_ms\": %.1f, \"add_visible_ms_median\": %.2f, "
	       "\"delete_visible_ms_median\": %.2f}\n",
	       filters, load, add_ms[reps / 2], del_ms[reps / 2]);
	FwpmEngineClose0(h);
	rte_eal_cleanup();
	return 0;
}
