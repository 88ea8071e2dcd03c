/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fast classifier's background builder (control side). The control
 * thread turns a layer that needs a recompile into an immutable job (the
 * layer's rules, copied by fast_base_prepare()) and queues it; a DPDK control
 * thread compiles it and queues the result back; the control thread drains
 * the results, republishing the layer over its new base. The builder thread
 * never takes the engine lock nor reads the engine. The flow is in fast.h.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rte_lcore.h>
#include <rte_log.h>

#include "classify/fast_private.h"
#include "mgmt/engine.h"

/* A compile handed to the builder, then its result handed back. */
struct job {
	struct job *next;
	enum weir_layer layer;
	struct weir_fast_base *b; /* prepared by the control thread, compiled by the builder */
	int rc;                   /* the compile's */
};

/* A FIFO of jobs. */
struct fifo {
	struct job *head, **tail;
};

/* The builder and its two queues; mu is theirs alone, never the engine lock. */
static struct {
	pthread_mutex_t mu;
	pthread_cond_t wake, done;
	pthread_t thr;
	bool running, stop, busy, hold;
	uint64_t want;      /* layers asked for since the last publication, no job yet */
	uint64_t aged;      /* layers asked for before it, no job yet */
	uint64_t in_flight; /* layers with a job queued, compiling, or a result not drained */
	struct fifo todo;   /* control thread -> builder */
	struct fifo out;    /* builder -> control thread */
	uint64_t builds;
} bld = {.mu = PTHREAD_MUTEX_INITIALIZER,
         .wake = PTHREAD_COND_INITIALIZER,
         .done = PTHREAD_COND_INITIALIZER,
         .todo = {NULL, &bld.todo.head},
         .out = {NULL, &bld.out.head}};

static void fifo_put(struct fifo *q, struct job *j)
{
	j->next = NULL;
	*q->tail = j;
	q->tail = &j->next;
}

static struct job *fifo_take(struct fifo *q)
{
	struct job *j = q->head;

	if (j != NULL) {
		q->head = j->next;
		if (q->head == NULL)
			q->tail = &q->head;
	}
	return j;
}

static void job_free(struct job *j)
{
	fast_base_unref(j->b);
	free(j);
}

/* The builder thread: compile the queued jobs, hand the results back. */
static void *builder(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&bld.mu);
	for (;;) {
		struct job *j;

		while ((bld.todo.head == NULL || bld.hold) && !bld.stop)
			pthread_cond_wait(&bld.wake, &bld.mu);
		if (bld.stop)
			break;
		j = fifo_take(&bld.todo);
		bld.busy = true;
		pthread_mutex_unlock(&bld.mu);
		j->rc = fast_base_compile(j->b);
		pthread_mutex_lock(&bld.mu);
		bld.busy = false;
		bld.builds++;
		fifo_put(&bld.out, j);
		pthread_cond_broadcast(&bld.done);
	}
	bld.busy = false;
	pthread_cond_broadcast(&bld.done);
	pthread_mutex_unlock(&bld.mu);
	return NULL;
}

void fast_request_build(enum weir_layer l)
{
	pthread_mutex_lock(&bld.mu);
	bld.want |= 1ull << l;
	pthread_mutex_unlock(&bld.mu);
}

/*
 * Queue a compile of layer @p l of the current policy if it still has a
 * delta view (engine lock held): the job is a copy of what the compile needs.
 */
static void queue_job(enum weir_layer l)
{
	const struct weir_layer_policy *lp = &weir_snapshot_current()->policy->layers[l];
	struct weir_fast_base *b = NULL;
	struct job *j;
	int rc;

	if (lp->fast == NULL || ((struct weir_fast *)lp->fast)->identity || !weir_fast_enabled())
		return;
	rc = fast_base_prepare(lp, &b);
	j = rc == 0 ? calloc(1, sizeof(*j)) : NULL;
	if (j == NULL) {
		RTE_LOG(ERR, USER1, "weir: fast classifier: background compile: %s\n",
		        strerror(rc ? -rc : ENOMEM));
		fast_base_unref(b);
		return;
	}
	j->layer = l;
	j->b = b;
	pthread_mutex_lock(&bld.mu);
	if (!bld.running) {
		bld.stop = false;
		if (rte_ctrl_thread_create(&bld.thr, "weir-acl-build", NULL, builder, NULL) != 0) {
			pthread_mutex_unlock(&bld.mu);
			RTE_LOG(ERR, USER1, "weir: fast classifier: no builder thread\n");
			job_free(j);
			return;
		}
		bld.running = true;
	}
	bld.in_flight |= 1ull << l;
	fifo_put(&bld.todo, j);
	pthread_cond_signal(&bld.wake);
	pthread_mutex_unlock(&bld.mu);
}

/*
 * Republish layer j->layer over the base the builder compiled, as a view of
 * the current layer: what was committed since the job was queued is the new
 * view's delta. Dropped when the fast classifier was disabled meanwhile, the
 * layer has none any more, or the change since is too big for a delta.
 * Engine lock held.
 */
static void install(struct job *j)
{
	enum weir_layer l = j->layer;
	const struct weir_layer_policy *lp;
	struct weir_fast *v;

	if (j->rc != 0) {
		RTE_LOG(ERR, USER1, "weir: fast classifier: background compile: %s\n",
		        strerror(-j->rc));
		return;
	}
	lp = &weir_snapshot_current()->policy->layers[l];
	if (weir_fast_enabled() && lp->fast != NULL && fast_view_make(j->b, lp, &v) == 0) {
		fast_base_unref(fast_latest[l]);
		fast_latest[l] = j->b;
		j->b = NULL;
		if (weir_snapshot_replace_fast(l, v) != 0)
			weir_fast_free(v);
	}
}

/* The layers a drain queues jobs for (bld.mu held). */
static uint64_t due_layers(bool published)
{
	return (bld.aged | (published ? 0 : bld.want)) & ~bld.in_flight;
}

/*
 * Install the results, then queue jobs for the layers asked for (at a
 * publication: only those asked for before it). Engine lock held.
 */
static void drain(bool published)
{
	struct fifo out = {NULL, &out.head};
	uint64_t done = 0, todo;
	struct job *j;

	pthread_mutex_lock(&bld.mu);
	out = bld.out;
	if (out.head == NULL)
		out.tail = &out.head;
	bld.out.head = NULL;
	bld.out.tail = &bld.out.head;
	pthread_mutex_unlock(&bld.mu);
	while ((j = fifo_take(&out)) != NULL) {
		install(j);
		done |= 1ull << j->layer;
		job_free(j);
	}
	pthread_mutex_lock(&bld.mu);
	bld.in_flight &= ~done;
	/* one job per layer at a time: asked for again, it waits for this result */
	todo = due_layers(published);
	bld.aged &= ~todo;
	bld.want &= ~todo;
	if (published) {
		/* the prepare copies the whole layer: not on the commit that asked */
		bld.aged |= bld.want;
		bld.want = 0;
	}
	pthread_mutex_unlock(&bld.mu);
	for (; todo != 0; todo &= todo - 1)
		queue_job((enum weir_layer)__builtin_ctzll(todo));
}

void weir_fast_drain_locked(void)
{
	pthread_mutex_lock(&bld.mu);
	if (bld.out.head == NULL && due_layers(true) == 0) {
		bld.aged |= bld.want;
		bld.want = 0;
		pthread_mutex_unlock(&bld.mu);
		return;
	}
	pthread_mutex_unlock(&bld.mu);
	drain(true);
}

int weir_fast_drain(void)
{
	bool due;

	pthread_mutex_lock(&bld.mu);
	due = bld.out.head != NULL || due_layers(false) != 0;
	pthread_mutex_unlock(&bld.mu);
	if (!due)
		return 0;
	weir_engine_init(); /* before the lock: the first snapshot takes it */
	pthread_mutex_lock(&weir_eng.lock);
	drain(false);
	pthread_mutex_unlock(&weir_eng.lock);
	return 0;
}

void fast_builder_stop(void)
{
	struct job *j;

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
	/* weir_fast_enable(false) came first: no result would be installed anyway */
	while ((j = fifo_take(&bld.todo)) != NULL)
		job_free(j);
	while ((j = fifo_take(&bld.out)) != NULL)
		job_free(j);
	bld.want = bld.aged = bld.in_flight = 0;
	pthread_mutex_unlock(&bld.mu);
}

int weir_fast_sync(void)
{
	for (;;) {
		bool wait;

		weir_fast_drain();
		pthread_mutex_lock(&bld.mu);
		if (bld.out.head != NULL || due_layers(false) != 0) {
			pthread_mutex_unlock(&bld.mu);
			continue; /* finished or asked for meanwhile */
		}
		/* work under way is waited for, held work is not */
		wait = bld.in_flight != 0 && !(bld.hold && !bld.busy);
		if (wait)
			pthread_cond_wait(&bld.done, &bld.mu);
		pthread_mutex_unlock(&bld.mu);
		if (!wait)
			return 0;
	}
}

void weir_fast_hold(bool on)
{
	pthread_mutex_lock(&bld.mu);
	bld.hold = on;
	pthread_cond_broadcast(&bld.wake);
	pthread_cond_broadcast(&bld.done);
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
