/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow contexts: FwpsFlowAssociateContext0, FwpsFlowRemoveContext0, the
 * flowDeleteFn calls, and the classifier's get_context adapter.
 *
 * Lifetime rule: a context holds one count on its registration's `contexts`
 * (taken before it is stored, dropped after its flowDeleteFn returned), so
 * FwpsCalloutUnregister* answers STATUS_DEVICE_BUSY while it exists and the
 * registration cannot be freed under it.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_lcore.h>
#include <rte_pause.h>
#include <rte_ring.h>

#include <weir/fwpsk.h>
#include <weir/weir_flow.h>

#include "classify/snapshot.h"
#include "flow/flow_impl.h"
#include "mgmt/engine.h"
#include "shim/registry.h"

/* How long another thread waits for the owning worker. */
#define WAIT_NS 1000000000ull

enum { OP_ASSOCIATE, OP_REMOVE };
enum { MSG_QUEUED, MSG_TAKEN, MSG_DONE, MSG_ABANDONED };

struct flow_msg {
	int op;
	UINT16 layerId;
	UINT32 calloutId;
	UINT64 flowId;
	UINT64 context;
	NTSTATUS st;
	atomic_int state;
};

/* The slot holding calloutId's context in @p e, or NULL. */
static struct weir_flow_ctx *find_ctx(struct weir_flow_table *t, struct weir_flow_entry *e,
                                      UINT32 calloutId)
{
	for (int i = 0; i < WEIR_FLOW_INLINE_CTX; i++)
		if (e->ctx[i].context != 0 && e->ctx[i].calloutId == calloutId)
			return &e->ctx[i];
	for (uint32_t b = e->ovf; b != 0; b = t->blk[b - 1].next)
		for (int i = 0; i < WEIR_FLOW_BLOCK_CTX; i++) {
			struct weir_flow_ctx *c = &t->blk[b - 1].ctx[i];

			if (c->context != 0 && c->calloutId == calloutId)
				return c;
		}
	return NULL;
}

/* A free slot of @p e, taking an overflow block if needed; NULL: pool empty. */
static struct weir_flow_ctx *free_ctx(struct weir_flow_table *t, struct weir_flow_entry *e)
{
	uint32_t *link = &e->ovf;

	for (int i = 0; i < WEIR_FLOW_INLINE_CTX; i++)
		if (e->ctx[i].context == 0)
			return &e->ctx[i];
	for (; *link != 0; link = &t->blk[*link - 1].next)
		for (int i = 0; i < WEIR_FLOW_BLOCK_CTX; i++)
			if (t->blk[*link - 1].ctx[i].context == 0)
				return &t->blk[*link - 1].ctx[i];
	if (t->blk_free == 0)
		return NULL;
	uint32_t b = t->blk_free;

	t->blk_free = t->blk[b - 1].next;
	memset(&t->blk[b - 1], 0, sizeof(t->blk[b - 1]));
	*link = b;
	return &t->blk[b - 1].ctx[0];
}

/* Give empty overflow blocks of @p e back to the pool. */
static void trim_blocks(struct weir_flow_table *t, struct weir_flow_entry *e)
{
	uint32_t *link = &e->ovf;

	while (*link != 0) {
		struct weir_flow_block *blk = &t->blk[*link - 1];
		bool empty = true;

		for (int i = 0; i < WEIR_FLOW_BLOCK_CTX; i++)
			empty &= blk->ctx[i].context == 0;
		if (!empty) {
			link = &blk->next;
			continue;
		}
		uint32_t b = *link;

		*link = blk->next;
		blk->next = t->blk_free;
		t->blk_free = b;
	}
}

/* Clear @p c, call its flowDeleteFn, drop the registration count. */
static void delete_ctx(struct weir_flow_table *t, struct weir_flow_ctx *c)
{
	struct weir_flow_ctx v = *c;
	/* contexts > 0 pins the registration: regs[id] cannot change under us */
	struct weir_callout_reg *r = weir_registry_get(v.calloutId);

	memset(c, 0, sizeof(*c));
	t->st.ctx_deleted++;
	if (r == NULL)
		return;
	if (r->flowDeleteFn)
		r->flowDeleteFn(v.layerId, v.calloutId, v.context);
	atomic_fetch_sub(&r->contexts, 1);
}

void weir_flow_end_contexts(struct weir_flow_table *t, struct weir_flow_entry *e)
{
	e->flags &= ~WEIR_FLOW_F_DEL_PENDING;
	for (int i = 0; i < WEIR_FLOW_INLINE_CTX; i++)
		if (e->ctx[i].context != 0)
			delete_ctx(t, &e->ctx[i]);
	for (uint32_t b = e->ovf; b != 0; b = t->blk[b - 1].next)
		for (int i = 0; i < WEIR_FLOW_BLOCK_CTX; i++)
			if (t->blk[b - 1].ctx[i].context != 0)
				delete_ctx(t, &t->blk[b - 1].ctx[i]);
	trim_blocks(t, e);
}

void weir_flow_run_deferred(struct weir_flow_table *t, struct weir_flow_entry *e)
{
	e->flags &= ~WEIR_FLOW_F_DEL_PENDING;
	for (int i = 0; i < WEIR_FLOW_INLINE_CTX; i++)
		if (e->ctx[i].context != 0 && (e->ctx[i].flags & WEIR_FLOW_CTX_REMOVE_PENDING))
			delete_ctx(t, &e->ctx[i]);
	for (uint32_t b = e->ovf; b != 0; b = t->blk[b - 1].next)
		for (int i = 0; i < WEIR_FLOW_BLOCK_CTX; i++) {
			struct weir_flow_ctx *c = &t->blk[b - 1].ctx[i];

			if (c->context != 0 && (c->flags & WEIR_FLOW_CTX_REMOVE_PENDING))
				delete_ctx(t, c);
		}
	trim_blocks(t, e);
}

bool weir_flow_get_context(void *flow, UINT32 calloutId, UINT64 *ctx)
{
	struct weir_flow_entry *e = flow;
	struct weir_flow_table *t;
	struct weir_flow_ctx *c;

	if (e == NULL)
		return false;
	t = weir_flow_tables[e->table];
	c = find_ctx(t, e, calloutId);
	if (c == NULL || (c->flags & WEIR_FLOW_CTX_REMOVE_PENDING))
		return false;
	*ctx = c->context;
	return true;
}

/* Store the context; the caller already holds the registration count. */
static NTSTATUS do_associate(UINT64 flowId, UINT16 layerId, UINT32 calloutId, UINT64 context)
{
	struct weir_flow_table *t;
	struct weir_flow_entry *e = weir_flow_from_id(flowId, &t);
	struct weir_flow_ctx *c;

	if (e == NULL)
		return STATUS_INVALID_PARAMETER;
	if (find_ctx(t, e, calloutId) != NULL)
		return STATUS_OBJECT_NAME_EXISTS;
	c = free_ctx(t, e);
	if (c == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	c->context = context;
	c->calloutId = calloutId;
	c->layerId = layerId;
	c->flags = 0;
	return STATUS_SUCCESS;
}

static NTSTATUS do_remove(UINT64 flowId, UINT32 calloutId)
{
	struct weir_flow_table *t;
	struct weir_flow_entry *e = weir_flow_from_id(flowId, &t);
	struct weir_flow_ctx *c;

	if (e == NULL)
		return STATUS_UNSUCCESSFUL;
	c = find_ctx(t, e, calloutId);
	if (c == NULL || (c->flags & WEIR_FLOW_CTX_REMOVE_PENDING))
		return STATUS_UNSUCCESSFUL;
	if (e->flags & WEIR_FLOW_F_IN_CLASSIFY) {
		/* the classifyFn may still use it: delete when the classify ends */
		c->flags |= WEIR_FLOW_CTX_REMOVE_PENDING;
		e->flags |= WEIR_FLOW_F_DEL_PENDING;
		return STATUS_PENDING;
	}
	delete_ctx(t, c);
	trim_blocks(t, e);
	return STATUS_SUCCESS;
}

void weir_flow_serve_msg(struct weir_flow_table *t, void *msg)
{
	struct flow_msg *m = msg;
	int q = MSG_QUEUED;

	(void)t;
	if (!atomic_compare_exchange_strong(&m->state, &q, MSG_TAKEN)) {
		/* the caller gave up: nothing done, the message is ours to free */
		free(m);
		return;
	}
	if (m->op == OP_ASSOCIATE)
		m->st = do_associate(m->flowId, m->layerId, m->calloutId, m->context);
	else
		m->st = do_remove(m->flowId, m->calloutId);
	atomic_store(&m->state, MSG_DONE);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Run @p m on the owning worker of @p t and wait for the answer. */
static NTSTATUS via_ring(struct weir_flow_table *t, struct flow_msg *m)
{
	uint64_t deadline = now_ns() + WAIT_NS;
	int q = MSG_QUEUED;
	NTSTATUS st;

	atomic_init(&m->state, MSG_QUEUED);
	while (rte_ring_mp_enqueue(t->ring, m) != 0) {
		if (now_ns() > deadline) {
			free(m);
			return STATUS_FWP_TIMEOUT;
		}
		rte_pause();
	}
	while (atomic_load(&m->state) != MSG_DONE) {
		if (now_ns() > deadline &&
		    atomic_compare_exchange_strong(&m->state, &q, MSG_ABANDONED))
			return STATUS_FWP_TIMEOUT; /* the worker frees it */
		q = MSG_QUEUED;
		rte_pause();
	}
	st = m->st;
	free(m);
	return st;
}

enum path { DIRECT_WORKER, DIRECT_STOPPED, RING, FOREIGN_WORKER };

static enum path path_for(struct weir_flow_table *t)
{
	unsigned lc = rte_lcore_id();

	if (!atomic_load(&t->running))
		return DIRECT_STOPPED;
	if (lc == t->index)
		return DIRECT_WORKER;
	if (lc < WEIR_FLOW_MAX_TABLES && weir_flow_tables[lc] != NULL &&
	    atomic_load(&weir_flow_tables[lc]->running))
		return FOREIGN_WORKER;
	return RING;
}

/*
 * Take a registration count for calloutId on the owning worker, where the
 * engine lock is not available. The registration comes from the current
 * snapshot (kept alive by RCU while the worker has not reported quiescence).
 * The count is published before the state is read; an unregister that
 * marks UNREGISTERING before reading the count (seq_cst) therefore sees
 * either our count (DEVICE_BUSY) or we see its state (refused here).
 */
static struct weir_callout_reg *hold_on_worker(UINT32 calloutId)
{
	const struct weir_snapshot *s = weir_snapshot_current();
	struct weir_callout_reg *r = s ? weir_snapshot_callout(s, calloutId) : NULL;

	if (r == NULL || r->flowDeleteFn == NULL)
		return NULL;
	atomic_fetch_add(&r->contexts, 1);
	atomic_thread_fence(memory_order_seq_cst);
	if (__atomic_load_n(&r->state, __ATOMIC_SEQ_CST) != WEIR_REG_ACTIVE) {
		atomic_fetch_sub(&r->contexts, 1);
		return NULL;
	}
	return r;
}

/* The same from any other thread, under the engine lock. */
static struct weir_callout_reg *hold_locked(UINT32 calloutId)
{
	struct weir_callout_reg *r;

	weir_engine_init();
	pthread_mutex_lock(&weir_eng.lock);
	r = weir_registry_get(calloutId);
	if (r != NULL && (r->state != WEIR_REG_ACTIVE || r->flowDeleteFn == NULL))
		r = NULL;
	if (r != NULL)
		atomic_fetch_add(&r->contexts, 1);
	pthread_mutex_unlock(&weir_eng.lock);
	return r;
}

NTSTATUS FwpsFlowAssociateContext0(UINT64 flowId, UINT16 layerId, UINT32 calloutId,
                                   UINT64 flowContext)
{
	struct weir_flow_table *t;
	struct weir_callout_reg *r;
	struct flow_msg *m;
	enum path p;
	NTSTATUS st;

	if (flowContext == 0 || calloutId == 0)
		return STATUS_INVALID_PARAMETER;
	t = weir_flow_tables[flowId >> 56];
	if (t == NULL)
		return STATUS_INVALID_PARAMETER;
	p = path_for(t);
	if (p == FOREIGN_WORKER)
		return STATUS_INVALID_PARAMETER;
	r = p == DIRECT_WORKER ? hold_on_worker(calloutId) : hold_locked(calloutId);
	if (r == NULL)
		return STATUS_INVALID_PARAMETER;
	if (p == RING) {
		m = calloc(1, sizeof(*m));
		if (m == NULL) {
			st = STATUS_NO_MEMORY;
		} else {
			*m = (struct flow_msg){.op = OP_ASSOCIATE,
			                       .layerId = layerId,
			                       .calloutId = calloutId,
			                       .flowId = flowId,
			                       .context = flowContext};
			st = via_ring(t, m);
		}
	} else {
		st = do_associate(flowId, layerId, calloutId, flowContext);
	}
	if (st != STATUS_SUCCESS)
		atomic_fetch_sub(&r->contexts, 1);
	return st;
}

NTSTATUS FwpsFlowRemoveContext0(UINT64 flowId, UINT16 layerId, UINT32 calloutId)
{
	struct weir_flow_table *t = weir_flow_tables[flowId >> 56];
	struct flow_msg *m;

	(void)layerId;
	if (t == NULL)
		return STATUS_UNSUCCESSFUL;
	switch (path_for(t)) {
	case FOREIGN_WORKER:
		return STATUS_INVALID_PARAMETER;
	case RING:
		m = calloc(1, sizeof(*m));
		if (m == NULL)
			return STATUS_NO_MEMORY;
		*m = (struct flow_msg){.op = OP_REMOVE, .calloutId = calloutId, .flowId = flowId};
		return via_ring(t, m);
	default:
		return do_remove(flowId, calloutId);
	}
}
