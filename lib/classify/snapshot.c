/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Snapshot building and publication: compile the committed store into a
 * policy, pair it with the callout table, swap one pointer, wait for a grace
 * period, free what was replaced.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_rcu_qsbr.h>

#include "classify/fast.h"
#include "classify/snapshot.h"
#include "mgmt/engine.h"

static _Atomic(const struct weir_snapshot *) current;
static struct rte_rcu_qsbr *qsbr; /* engine lock held to change */
static uint64_t generation;

const struct weir_snapshot *weir_snapshot_current(void)
{
	const struct weir_snapshot *s = atomic_load_explicit(&current, memory_order_acquire);

	if (s == NULL) {
		weir_engine_init();
		s = atomic_load_explicit(&current, memory_order_acquire);
	}
	return s;
}

uint64_t weir_policy_generation(void)
{
	return weir_snapshot_current()->generation;
}

int weir_snapshot_attach_rcu(struct rte_rcu_qsbr *qs)
{
	weir_engine_init();
	pthread_mutex_lock(&weir_eng.lock);
	qsbr = qs;
	pthread_mutex_unlock(&weir_eng.lock);
	return 0;
}

static void policy_free(struct weir_policy *p)
{
	int i;

	if (p == NULL)
		return;
	for (i = 0; i < WEIR_LAYER_COUNT; i++) {
		weir_fast_free(p->layers[i].fast);
		free(p->layers[i].filters);
		free(p->layers[i].sublayers);
	}
	free(p);
}

struct sort_key {
	struct weir_order_key k;
	struct weir_filter *f;
};

static int filter_order(const void *a, const void *b)
{
	return weir_order_cmp(&((const struct sort_key *)a)->k, &((const struct sort_key *)b)->k);
}

static int build_layer(struct weir_layer_policy *lp, enum weir_layer l)
{
	struct weir_store *st = &weir_eng.store;
	struct sort_key *keys;
	struct weir_filter *f;
	uint32_t n = 0, i;

	lp->default_action = st->layer_default[l];
	if (st->layer_nfilters[l] == 0)
		return 0;
	lp->filters = malloc(st->layer_nfilters[l] * sizeof(*lp->filters));
	lp->sublayers = malloc(st->layer_nfilters[l] * sizeof(*lp->sublayers));
	if (lp->filters == NULL || lp->sublayers == NULL)
		return -ENOMEM;
	keys = malloc(st->layer_nfilters[l] * sizeof(*keys));
	if (keys == NULL)
		return -ENOMEM;
	TAILQ_FOREACH (f, &st->layer_filters[l], link)
		if (!(f->m.flags & FWPM_FILTER_FLAG_DISABLED))
			keys[n++] = (struct sort_key){weir_order_key_of(f), f};
	qsort(keys, n, sizeof(*keys), filter_order);
	for (i = 0; i < n; i++)
		lp->filters[i] = keys[i].f;
	free(keys);
	lp->n_filters = n;
	for (i = 0; i < n; i++) {
		if (i == 0 || lp->filters[i]->sublayer != lp->filters[i - 1]->sublayer) {
			struct weir_sublayer_rules *r = &lp->sublayers[lp->n_sublayers++];

			r->weight = lp->filters[i]->sublayer->weight;
			r->first = i;
			r->count = 0;
		}
		lp->sublayers[lp->n_sublayers - 1].count++;
	}
	/*
	 * A layer the fast classifier cannot build (too large, out of memory)
	 * runs on the reference path: the commit itself never fails for it.
	 */
	(void)weir_fast_build(lp, l);
	return 0;
}

/*
 * Swap in a snapshot made of @p np / @p nt (NULL: keep the current one),
 * then retire the old one. Engine lock held; released during the grace
 * period when @p unlock_wait.
 */
static int publish(struct weir_policy *np, struct weir_callout_table *nt, bool unlock_wait,
                   bool same_generation)
{
	const struct weir_snapshot *old = atomic_load_explicit(&current, memory_order_relaxed);
	struct weir_snapshot *s = calloc(1, sizeof(*s));
	const struct weir_policy *succ_policy;
	const struct weir_callout_table *succ_table;
	struct rte_rcu_qsbr *q = qsbr;

	if (s == NULL)
		return -ENOMEM;
	s->policy = np ? np : old->policy;
	s->callouts = nt ? nt : old->callouts;
	/* a recompiled classifier is the same policy: flows keep their verdicts */
	s->generation = same_generation ? old->generation : ++generation;
	if (np)
		np->generation = s->generation;
	/* remembered now: once unlocked, @p s may itself be retired by another publish */
	succ_policy = s->policy;
	succ_table = s->callouts;
	atomic_store_explicit(&current, s, memory_order_release);
	if (old == NULL)
		return 0;
	if (q) {
		if (unlock_wait)
			pthread_mutex_unlock(&weir_eng.lock);
		rte_rcu_qsbr_synchronize(q, RTE_QSBR_THRID_INVALID);
		if (unlock_wait)
			pthread_mutex_lock(&weir_eng.lock);
	}
	if (old->policy != succ_policy)
		policy_free((struct weir_policy *)old->policy);
	if (old->callouts != succ_table)
		free((void *)old->callouts);
	free((void *)old);
	return 0;
}

int weir_publish_policy(void)
{
	struct weir_policy *p = calloc(1, sizeof(*p));
	struct weir_callout_table *t = NULL;
	int i;

	if (p == NULL)
		return -ENOMEM;
	for (i = 0; i < WEIR_LAYER_COUNT; i++) {
		if (build_layer(&p->layers[i], i) != 0) {
			policy_free(p);
			return -ENOMEM;
		}
		if (p->layers[i].n_filters || p->layers[i].default_action == FWP_ACTION_BLOCK)
			p->active = true;
	}
	/* the very first snapshot needs a table too */
	if (atomic_load_explicit(&current, memory_order_relaxed) == NULL) {
		t = weir_registry_table();
		if (t == NULL) {
			policy_free(p);
			return -ENOMEM;
		}
	}
	if (publish(p, t, false, false) != 0) {
		policy_free(p);
		free(t);
		return -ENOMEM;
	}
	weir_fast_drain_locked(); /* background compiles: install done ones, queue new ones */
	return 0;
}

int weir_publish_callouts(bool unlock_wait)
{
	struct weir_callout_table *t = weir_registry_table();

	if (t == NULL)
		return -ENOMEM;
	if (publish(NULL, t, unlock_wait, false) != 0) {
		free(t);
		return -ENOMEM;
	}
	weir_fast_drain_locked();
	return 0;
}

int weir_snapshot_replace_fast(enum weir_layer layer, void *fast)
{
	const struct weir_snapshot *cur = atomic_load_explicit(&current, memory_order_relaxed);
	struct weir_policy *p;
	int i;

	if (cur == NULL)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	*p = *cur->policy;
	for (i = 0; i < WEIR_LAYER_COUNT; i++) {
		struct weir_layer_policy *lp = &p->layers[i];
		const struct weir_layer_policy *o = &cur->policy->layers[i];

		lp->filters = NULL;
		lp->sublayers = NULL;
		lp->fast = i == (int)layer ? NULL : weir_fast_ref(o->fast);
		if (o->n_filters) {
			lp->filters = malloc(o->n_filters * sizeof(*lp->filters));
			lp->sublayers = malloc(o->n_sublayers * sizeof(*lp->sublayers));
			if (lp->filters == NULL || lp->sublayers == NULL) {
				policy_free(p);
				return -ENOMEM;
			}
			memcpy(lp->filters, o->filters, o->n_filters * sizeof(*lp->filters));
			memcpy(lp->sublayers, o->sublayers,
			       o->n_sublayers * sizeof(*lp->sublayers));
		}
	}
	p->layers[layer].fast = fast;
	if (publish(p, NULL, false, true) != 0) {
		p->layers[layer].fast = NULL; /* still the caller's */
		policy_free(p);
		return -ENOMEM;
	}
	return 0;
}
