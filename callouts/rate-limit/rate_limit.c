/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rate-limit: a terminating callout at inbound-transport-v4 with one token
 * bucket per source address (DPDK's rte_meter srTCM, colour blind): packets
 * within the committed rate are permitted, the rest blocked.
 *
 * args: "cir=BYTES_PER_SECOND cbs=BYTES [ebs=BYTES]" (defaults 125000, 16384,
 * 0). Key 9a7b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d.
 *
 * classifyFn runs on worker lcores and must not lock: each lcore has its own
 * table of buckets (a flow's packets all reach one lcore, and a source's
 * flows may be spread: its rate is then enforced per lcore).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_meter.h>

#include <weir/fwpmk.h>
#include <weir/fwpsk.h>

DEFINE_GUID(RATE_LIMIT_KEY, 0x9a7b1c2d, 0x3e4f, 0x4a5b, 0x8c, 0x6d, 0x7e, 0x8f, 0x9a, 0x0b, 0x1c,
            0x2d);

#define SLOTS 4096 /* per lcore; a power of two */

struct bucket {
	UINT32 src; /* 0: free (0.0.0.0 is never a source here) */
	struct rte_meter_srtcm m;
};

struct table {
	struct bucket b[SLOTS];
	uint64_t passed, blocked, full;
} __rte_cache_aligned;

static struct table *tables; /* RTE_MAX_LCORE of them */
static struct rte_meter_srtcm_profile profile;
static UINT32 callout_id;

static struct bucket *lookup(struct table *t, UINT32 src)
{
	uint32_t h = (src * 2654435761u) & (SLOTS - 1), i;

	for (i = 0; i < 16; i++) {
		struct bucket *b = &t->b[(h + i) & (SLOTS - 1)];

		if (b->src == src)
			return b;
		if (b->src == 0) {
			b->src = src;
			rte_meter_srtcm_config(&b->m, &profile);
			return b;
		}
	}
	return NULL;
}

static void NTAPI rl_classify(const FWPS_INCOMING_VALUES0 *in,
                              const FWPS_INCOMING_METADATA_VALUES0 *meta, void *layerData,
                              const void *classifyContext, const FWPS_FILTER1 *filter,
                              UINT64 flowContext, FWPS_CLASSIFY_OUT0 *out)
{
	const FWP_VALUE0 *src =
	    &in->incomingValue[FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_REMOTE_ADDRESS].value;
	struct table *t = &tables[meta->weirLcore < RTE_MAX_LCORE ? meta->weirLcore : 0];
	struct bucket *b;

	(void)layerData, (void)classifyContext, (void)filter, (void)flowContext;
	/* a terminating callout decides only while it may */
	if (!(out->rights & FWPS_RIGHT_ACTION_WRITE))
		return;
	b = src->type == FWP_UINT32 && src->uint32 ? lookup(t, src->uint32) : NULL;
	if (b == NULL) {
		t->full++;
		out->actionType = FWP_ACTION_PERMIT; /* fail open for untracked sources */
		return;
	}
	if (rte_meter_srtcm_color_blind_check(&b->m, &profile, rte_rdtsc(), meta->frameLength) ==
	    RTE_COLOR_RED) {
		t->blocked++;
		out->actionType = FWP_ACTION_BLOCK;
		out->rights &= ~FWPS_RIGHT_ACTION_WRITE;
	} else {
		t->passed++;
		out->actionType = FWP_ACTION_PERMIT;
	}
}

static uint64_t arg(const char *args, const char *name, uint64_t def)
{
	const char *p = args ? strstr(args, name) : NULL;

	return p ? strtoull(p + strlen(name), NULL, 0) : def;
}

NTSTATUS weir_callout_module_load(void *deviceObject, const char *args)
{
	struct rte_meter_srtcm_params prm = {
	    .cir = arg(args, "cir=", 125000),
	    .cbs = arg(args, "cbs=", 16384),
	    .ebs = arg(args, "ebs=", 0),
	};
	FWPS_CALLOUT1 c;
	NTSTATUS st;

	if (prm.cir == 0 || prm.cbs == 0 || rte_meter_srtcm_profile_config(&profile, &prm) != 0)
		return STATUS_INVALID_PARAMETER;
	tables = aligned_alloc(RTE_CACHE_LINE_SIZE, sizeof(*tables) * RTE_MAX_LCORE);
	if (tables == NULL)
		return STATUS_NO_MEMORY;
	memset(tables, 0, sizeof(*tables) * RTE_MAX_LCORE);
	memset(&c, 0, sizeof(c));
	c.calloutKey = RATE_LIMIT_KEY;
	c.classifyFn = rl_classify;
	st = FwpsCalloutRegister1(deviceObject, &c, &callout_id);
	if (st != STATUS_SUCCESS) {
		free(tables);
		tables = NULL;
	}
	return st;
}

void weir_callout_module_unload(void *deviceObject)
{
	uint64_t passed = 0, blocked = 0, full = 0;
	unsigned i;

	(void)deviceObject;
	/* returns after a grace period: no classifyFn runs once it has */
	FwpsCalloutUnregisterById0(callout_id);
	for (i = 0; i < RTE_MAX_LCORE; i++) {
		passed += tables[i].passed;
		blocked += tables[i].blocked;
		full += tables[i].full;
	}
	printf("rate-limit: passed %" PRIu64 ", blocked %" PRIu64 ", untracked %" PRIu64 "\n",
	       passed, blocked, full);
	fflush(stdout);
	free(tables);
	tables = NULL;
}
