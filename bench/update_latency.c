/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rule-update latency: with N filters at inbound-transport-v4, how long one
 * FwpmFilterAdd0 / FwpmFilterDeleteById0 takes until the data path sees it
 * (the call returns after the new snapshot is published), with layers
 * compiled for rte_acl as the daemon does.
 *
 * Also: how long the background compile that replaces the delta takes, and
 * how long a policy reload adding one filter to a file of N takes.
 *
 * usage: update_latency [EAL options] -- N [REPEATS]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>

#include <weir/weir.h>
#include <weir/weir_dataplane.h>
#include <weir/weir_policy.h>

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
	c[0] = (FWPM_FILTER_CONDITION0){
	    .fieldKey = FWPM_CONDITION_IP_REMOTE_ADDRESS,
	    .matchType = FWP_MATCH_EQUAL,
	    .conditionValue = {.type = FWP_V4_ADDR_MASK, .v4AddrMask = &src}};
	c[1] = (FWPM_FILTER_CONDITION0){
	    .fieldKey = FWPM_CONDITION_IP_LOCAL_ADDRESS,
	    .matchType = FWP_MATCH_EQUAL,
	    .conditionValue = {.type = FWP_V4_ADDR_MASK, .v4AddrMask = &dst}};
	c[2] = (FWPM_FILTER_CONDITION0){
	    .fieldKey = FWPM_CONDITION_IP_PROTOCOL,
	    .matchType = FWP_MATCH_EQUAL,
	    .conditionValue = {.type = FWP_UINT8, .uint8 = (r & 1) ? 6 : 17}};
	c[3] = (FWPM_FILTER_CONDITION0){
	    .fieldKey = WEIR_CONDITION_L4_DST_PORT,
	    .matchType = FWP_MATCH_RANGE,
	    .conditionValue = {.type = FWP_RANGE_TYPE, .rangeValue = &ports}};
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

/* The same filter as add() in the policy language. */
static void policy_line(FILE *f, uint32_t i, UINT64 weight)
{
	uint32_t r = i * 2654435761u, src = 0x0a000000u | (r & 0xffff00u),
	         dst = 0xac100000u | ((r >> 8) & 0xff0000u), lo = 1024 + (r % 30000);

	fprintf(f,
	        "filter b%u layer inbound-transport-v4 weight %llu action %s match "
	        "ip.src in %u.%u.%u.0/24, ip.dst in %u.%u.0.0/16, ip.proto == %u, "
	        "l4.dst-port in %u-%u\n",
	        i, (unsigned long long)weight, (r & 2) ? "permit" : "block", src >> 24,
	        (src >> 16) & 0xff, (src >> 8) & 0xff, dst >> 24, (dst >> 16) & 0xff,
	        (r & 1) ? 6 : 17, lo, lo + (r % 64));
}

static void write_policy(const char *path, uint32_t n)
{
	FILE *f = fopen(path, "w");
	uint32_t i;

	if (f == NULL) {
		perror(path);
		exit(1);
	}
	for (i = 0; i < n; i++)
		policy_line(f, i, (UINT64)n - i + 1000);
	fclose(f);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(double), cmp);
	return v[n / 2];
}

int main(int argc, char **argv)
{
	int n = rte_eal_init(argc, argv), reps;
	uint32_t filters, i;
	double t0, load, *add_ms, *del_ms, *compile_ms, *reload_ms;
	struct weir_policy_state *st = NULL;
	struct weir_policy_error err;
	FWPM_SESSION0 ses;
	char path[] = "/tmp/weir-ul-XXXXXX";
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
	/* dynamic: closing the session deletes its filters */
	memset(&ses, 0, sizeof(ses));
	ses.flags = FWPM_SESSION_FLAG_DYNAMIC;
	if (FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, &ses, &h) != STATUS_SUCCESS)
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
	compile_ms = calloc((size_t)reps, sizeof(double));
	reload_ms = calloc((size_t)reps, sizeof(double));
	for (n = 0; n < reps; n++) {
		t0 = now_ms();
		if (add(h, filters + (uint32_t)n, 1, &id) != STATUS_SUCCESS)
			return 1;
		add_ms[n] = now_ms() - t0;
		/* the background compile that replaces the delta */
		t0 = now_ms();
		weir_dataplane_compile_wait();
		compile_ms[n] = now_ms() - t0;
		t0 = now_ms();
		FwpmFilterDeleteById0(h, id);
		del_ms[n] = now_ms() - t0;
		weir_dataplane_compile_wait();
	}
	FwpmEngineClose0(h);

	/* the same policy as a file: one filter more per reload */
	n = mkstemp(path);
	if (n < 0) {
		perror("mkstemp");
		return 1;
	}
	close(n);
	write_policy(path, filters);
	if (FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h) != STATUS_SUCCESS ||
	    weir_policy_load(h, path, &st, &err) != STATUS_SUCCESS) {
		fprintf(stderr, "policy load failed: %s\n", err.msg);
		return 1;
	}
	weir_dataplane_compile_wait();
	for (n = 0; n < reps; n++) {
		FILE *f = fopen(path, "a");

		policy_line(f, filters + (uint32_t)n, 1);
		fclose(f);
		t0 = now_ms();
		if (weir_policy_reload(h, path, st, &err) != STATUS_SUCCESS) {
			fprintf(stderr, "policy reload failed: %s\n", err.msg);
			return 1;
		}
		reload_ms[n] = now_ms() - t0;
		weir_dataplane_compile_wait();
	}
	weir_policy_unload(h, st);
	unlink(path);
	printf("{\"filters\": %u, \"load_ms\": %.1f, \"add_visible_ms_median\": %.2f, "
	       "\"delete_visible_ms_median\": %.2f, \"reload_visible_ms_median\": %.2f, "
	       "\"background_compile_ms_median\": %.1f}\n",
	       filters, load, median(add_ms, reps), median(del_ms, reps), median(reload_ms, reps),
	       median(compile_ms, reps));
	FwpmEngineClose0(h);
	weir_dataplane_compile_wait();
	rte_eal_cleanup();
	return 0;
}
