/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * inspect (after WFP's inspect sample): a terminating callout at
 * inbound-transport-v4 pends TCP packets — it absorbs them (BLOCK + ABSORB)
 * and queues them to its own thread, which decides later, out of the data
 * path: packets to the blocked port are dropped, the others re-injected on
 * their output port with weir_inject_send. (WFP's FwpsPendClassify0 /
 * FwpsCompleteClassify0 pend the classify itself; weir's equivalent is
 * absorb + inject, which never holds a worker.)
 *
 * args: "block=PORT delay_ms=N" (defaults 23 and 10). Key
 * 1a5e0c70-0001-4c70-8c70-000000000001.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include <weir/fwpmk.h>
#include <weir/fwpsk.h>
#include <weir/weir_inject.h>

DEFINE_GUID(INSPECT_KEY, 0x1a5e0c70, 0x0001, 0x4c70, 0x8c, 0x70, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x01);

/* What the decision thread needs of a pended packet. */
struct pended {
	struct rte_mbuf *m;
	UINT16 out_port;
	UINT16 dport;
	struct timespec at;
};

static UINT32 callout_id;
static UINT16 block_port = 23;
static long delay_ms = 10;
static struct rte_ring *queue; /* struct pended *, multi-producer (workers) */
static pthread_t thread;
static atomic_bool stop;
static atomic_uint_fast64_t pended, reinjected, dropped, overflow;

static void NTAPI in_classify(const FWPS_INCOMING_VALUES0 *in,
                              const FWPS_INCOMING_METADATA_VALUES0 *meta, void *layerData,
                              const void *classifyContext, const FWPS_FILTER1 *filter,
                              UINT64 flowContext, FWPS_CLASSIFY_OUT0 *out)
{
	const FWP_VALUE0 *port =
	    &in->incomingValue[FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_LOCAL_PORT].value;
	struct pended *p;

	(void)classifyContext, (void)filter, (void)flowContext;
	out->actionType = FWP_ACTION_PERMIT;
	if (!(out->rights & FWPS_RIGHT_ACTION_WRITE) || layerData == NULL)
		return;
	p = malloc(sizeof(*p));
	if (p == NULL) {
		atomic_fetch_add(&overflow, 1);
		return; /* cannot pend: let it through */
	}
	p->m = layerData;
	p->out_port = meta->weirOutPort;
	p->dport = port->type == FWP_UINT16 ? port->uint16 : 0;
	clock_gettime(CLOCK_MONOTONIC, &p->at);
	if (rte_ring_mp_enqueue(queue, p) != 0) {
		free(p);
		atomic_fetch_add(&overflow, 1);
		return;
	}
	atomic_fetch_add(&pended, 1);
	out->actionType = FWP_ACTION_BLOCK;
	out->flags |= FWPS_CLASSIFY_OUT_FLAG_ABSORB;
	out->rights &= ~FWPS_RIGHT_ACTION_WRITE;
}

static long age_ms(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t->tv_sec) * 1000 + (now.tv_nsec - t->tv_nsec) / 1000000;
}

static void complete(struct pended *p)
{
	if (p->dport == block_port || weir_inject_send(p->m, p->out_port) != STATUS_SUCCESS) {
		rte_pktmbuf_free(p->m);
		atomic_fetch_add(&dropped, 1);
	} else {
		atomic_fetch_add(&reinjected, 1);
	}
	free(p);
}

/* The out-of-band decision: FIFO, each packet after its delay. */
static void *decider(void *arg)
{
	struct pended *p = NULL;
	struct timespec nap = {0, 1000000};

	(void)arg;
	while (!atomic_load(&stop)) {
		if (p == NULL && rte_ring_sc_dequeue(queue, (void **)&p) != 0) {
			nanosleep(&nap, NULL);
			continue;
		}
		if (age_ms(&p->at) < delay_ms) {
			nanosleep(&nap, NULL);
			continue;
		}
		complete(p);
		p = NULL;
	}
	if (p)
		complete(p);
	return NULL;
}

NTSTATUS weir_callout_module_load(void *deviceObject, const char *args)
{
	const char *b = args ? strstr(args, "block=") : NULL;
	const char *d = args ? strstr(args, "delay_ms=") : NULL;
	FWPS_CALLOUT1 c;
	NTSTATUS st;

	if (b)
		block_port = (UINT16)strtoul(b + 6, NULL, 0);
	if (d)
		delay_ms = strtol(d + 9, NULL, 0);
	queue = rte_ring_create("inspect_pended", 8192, SOCKET_ID_ANY, RING_F_SC_DEQ);
	if (queue == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	atomic_store(&stop, false);
	if (pthread_create(&thread, NULL, decider, NULL) != 0) {
		rte_ring_free(queue);
		return STATUS_INSUFFICIENT_RESOURCES;
	}
	memset(&c, 0, sizeof(c));
	c.calloutKey = INSPECT_KEY;
	c.classifyFn = in_classify;
	st = FwpsCalloutRegister1(deviceObject, &c, &callout_id);
	if (st != STATUS_SUCCESS) {
		atomic_store(&stop, true);
		pthread_join(thread, NULL);
		rte_ring_free(queue);
	}
	return st;
}

void weir_callout_module_unload(void *deviceObject)
{
	struct pended *p;

	(void)deviceObject;
	/* after this no classifyFn runs: nothing more is queued */
	FwpsCalloutUnregisterById0(callout_id);
	atomic_store(&stop, true);
	pthread_join(thread, NULL);
	while (rte_ring_sc_dequeue(queue, (void **)&p) == 0)
		complete(p); /* the data path has stopped: these are freed */
	rte_ring_free(queue);
	printf("inspect: %" PRIu64 " pended, %" PRIu64 " re-injected, %" PRIu64 " dropped, %" PRIu64
	       " let through unpended\n",
	       (uint64_t)atomic_load(&pended), (uint64_t)atomic_load(&reinjected),
	       (uint64_t)atomic_load(&dropped), (uint64_t)atomic_load(&overflow));
	fflush(stdout);
}
