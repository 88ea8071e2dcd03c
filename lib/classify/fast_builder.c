/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fast classifier's background builder (control side): a DPDK control
 * thread that recompiles a layer after delta commits and republishes it.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_lcore.h>
#include <rte_log.h>

#include "classify/fast_private.h"
#include "mgmt/engine.h"

/* The background builder. */
static struct {
	pthread_mutex_t mu;
	pthread_cond_t wake, idle;
	pthread_t thr;
	bool running, stop, busy, hold;
	uint64_t pending; /* layers to recompile */
	uint64_t builds;
} bld = {.mu = PTHREAD_MUTEX_INITIALIZER,
         .wake = PTHREAD_COND_INITIALIZER,
         .idle = PTHREAD_COND_INITIALIZER};

/* Background builder: recompile layer @p l of the current policy. */
static void rebuild(enum weir_layer l)
{
	const struct weir_snapshot *s;
	const struct weir_layer_policy *lp;
	struct weir_fast_base *b = NULL;
	struct weir_fast *v;
	int rc;

	weir_engine_init(); /* before the lock: the first snapshot takes it */
	pthread_mutex_lock(&weir_eng.lock);
	s = weir_snapshot_current();
	lp = &s->policy->layers[l];
	if (lp->fast == NULL || ((struct weir_fast *)lp->fast)->identity || !weir_fast_enabled()) {
		pthread_mutex_unlock(&weir_eng.lock);
		return;
	}
	rc = fast_base_prepare(lp, &b);
	pthread_mutex_unlock(&weir_eng.lock);
	if (rc == 0)
		rc = fast_base_compile(b);
	if (rc != 0) {
		RTE_LOG(ERR, USER1, "weir: fast classifier: background compile: %s\n",
		        strerror(-rc));
		fast_base_unref(b);
		return;
	}
	pthread_mutex_lock(&weir_eng.lock);
	s = weir_snapshot_current();
	lp = &s->policy->layers[l];
	/* what was committed meanwhile is the new view's delta */
	if (weir_fast_enabled() && lp->fast != NULL && fast_view_make(b, lp, &v) == 0) {
		fast_base_unref(fast_latest[l]);
		fast_latest[l] = b;
		b = NULL;
		if (weir_snapshot_replace_fast(l, v) != 0)
			weir_fast_free(v);
	}
	pthread_mutex_unlock(&weir_eng.lock);
	fast_base_unref(b);
}

static void *builder(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&bld.mu);
	for (;;) {
		unsigned l;

		while ((bld.pending == 0 || bld.hold) && !bld.stop)
			pthread_cond_wait(&bld.wake, &bld.mu);
		if (bld.stop)
			break;
		l = (unsigned)__builtin_ctzll(bld.pending);
		bld.pending &= ~(1ull << l);
		bld.busy = true;
		pthread_mutex_unlock(&bld.mu);
		rebuild((enum weir_layer)l);
		pthread_mutex_lock(&bld.mu);
		bld.busy = false;
		bld.builds++;
		pthread_cond_broadcast(&bld.idle);
	}
	bld.busy = false;
	pthread_cond_broadcast(&bld.idle);
	pthread_mutex_unlock(&bld.mu);
	return NULL;
}

void fast_request_build(enum weir_layer l)
{
	pthread_mutex_lock(&bld.mu);
	bld.pending |= 1ull << l;
	if (!bld.running) {
		bld.stop = false;
		if (rte_ctrl_thread_create(&bld.thr, "weir-acl-build", NULL, builder, NULL) == 0)
			bld.running = true;
		else
			RTE_LOG(ERR, USER1, "weir: fast classifier: no builder thread\n");
	}
	pthread_cond_signal(&bld.wake);
	pthread_mutex_unlock(&bld.mu);
}

/* Stop the builder (not with the engine lock held: a build may wait for it). */
void fast_builder_stop(void)
{
	pthread_mutex_lock(&bld.mu);
	if (!bld.running) {
		pthread_mutex_unlock(&bld.mu);
		return;
	}
	bld.stop = true;
	pthread_cond_signal(&bld.wake);
	pthread_mutex_unlock(&bld.mu);
	pthread_join(bld.thr, NULL);
	pthread_mutex_lock(&bld.mu);
	bld.running = false;
	bld.pending = 0;
	pthread_mutex_unlock(&bld.mu);
}

int weir_fast_sync(void)
{
	pthread_mutex_lock(&bld.mu);
	while (bld.running && (bld.pending || bld.busy) && !(bld.hold && !bld.busy))
		pthread_cond_wait(&bld.idle, &bld.mu);
	pthread_mutex_unlock(&bld.mu);
	return 0;
}

void weir_fast_hold(bool on)
{
	pthread_mutex_lock(&bld.mu);
	bld.hold = on;
	pthread_cond_broadcast(&bld.wake);
	pthread_cond_broadcast(&bld.idle);
	pthread_mutex_unlock(&bld.mu);
}

uint64_t weir_fast_background_builds(void)
{
	uint64_t n;

	pthread_mutex_lock(&bld.mu);
	n = bld.builds;
	pthread_mutex_unlock(&bld.mu);
	return n;
}
