/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fast classifier's delta views (control side): how a layer policy's
 * filters differ from a compiled base, so that a small commit needs no
 * recompile; and the views' reference counts.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "classify/fast_private.h"

void fast_view_free(struct weir_fast *v)
{
	if (v == NULL)
		return;
	fast_base_unref(v->base);
	free(v->pos);
	free(v->gone);
	free(v->sl_map);
	free(v->added);
	free(v->add_sl);
	free(v);
}

void *weir_fast_ref(void *fast)
{
	struct weir_fast *v = fast;

	if (v != NULL)
		atomic_fetch_add(&v->ref, 1);
	return fast;
}

void weir_fast_free(void *fast)
{
	struct weir_fast *v = fast;

	if (v != NULL && atomic_fetch_sub(&v->ref, 1) == 1)
		fast_view_free(v);
}

/*
 * The view of @p lp over base @p b: how the layer's filters differ from the
 * base's, by a merge of the two arbitration orders.
 * @return 0; -E2BIG: more than WEIR_FAST_DELTA_MAX added or deleted;
 *   -ENOMEM.
 */
int fast_view_make(struct weir_fast_base *b, const struct weir_layer_policy *lp,
                   struct weir_fast **out)
{
	struct weir_fast *v = calloc(1, sizeof(*v));
	uint32_t i = 0, j = 0, s, t;

	*out = NULL;
	if (v == NULL)
		return -ENOMEM;
	atomic_init(&v->ref, 1);
	v->pos = malloc(b->n_filters * sizeof(*v->pos));
	v->gone = calloc(b->n_filters ? b->n_filters : 1, 1);
	v->sl_map = malloc(b->n_sublayers * sizeof(*v->sl_map));
	v->added = malloc(WEIR_FAST_DELTA_MAX * sizeof(*v->added));
	v->add_sl = malloc(WEIR_FAST_DELTA_MAX * sizeof(*v->add_sl));
	if (!v->pos || !v->gone || !v->sl_map || !v->added || !v->add_sl) {
		fast_view_free(v);
		return -ENOMEM;
	}
	for (t = 0; i < b->n_filters || j < lp->n_filters;) {
		struct weir_order_key k = {0};
		int c;

		if (j < lp->n_filters)
			k = weir_order_key_of(lp->filters[j]);
		c = i == b->n_filters    ? 1
		    : j == lp->n_filters ? -1
		                         : weir_order_cmp(&b->keys[i], &k);
		if (c == 0) {
			v->pos[i++] = j++;
			continue;
		}
		if (c < 0) {
			/* deleted: a hit on it starts the scan at what follows it */
			v->gone[i] = 1;
			v->pos[i++] = j;
			if (++v->n_gone > WEIR_FAST_DELTA_MAX)
				goto too_big;
			continue;
		}
		if (v->n_added == WEIR_FAST_DELTA_MAX)
			goto too_big;
		while (lp->sublayers[t].first + lp->sublayers[t].count <= j)
			t++;
		v->add_sl[v->n_added] = t;
		v->added[v->n_added++] = j++;
	}
	/* sublayers are matched by identity (weight, then insertion order) */
	for (s = 0, t = 0, i = 0; s < b->n_sublayers; s++) {
		uint32_t f;
		int c = 1;

		/* sl_of ascends: the first filter of base sublayer s */
		while (i < b->n_filters && b->sl_of[i] != s)
			i++;
		f = i;
		v->sl_map[s] = NONE;
		for (; t < lp->n_sublayers; t++) {
			const struct weir_filter *x = lp->filters[lp->sublayers[t].first];

			c = x->sublayer->weight != b->keys[f].sl_weight
			        ? (b->keys[f].sl_weight > x->sublayer->weight ? -1 : 1)
			        : (b->keys[f].sl_ordinal > x->sublayer->ordinal) -
			              (b->keys[f].sl_ordinal < x->sublayer->ordinal);
			if (c <= 0)
				break;
		}
		if (t < lp->n_sublayers && c == 0)
			v->sl_map[s] = t;
	}
	v->identity = v->n_added == 0 && v->n_gone == 0 && b->n_sublayers == lp->n_sublayers;
	atomic_fetch_add(&b->ref, 1);
	v->base = b;
	*out = v;
	return 0;
too_big:
	fast_view_free(v);
	return -E2BIG;
}
