/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What only the fast classifier's files share (not an interface: fast.h is).
 * Control side: fast_relax.c (conditions -> rule fields), fast_build.c
 * (knobs, base compile, weir_fast_build), fast_delta.c (views over a base),
 * fast_builder.c (background compile). Data side: fast_run.c.
 */
#ifndef WEIR_CLASSIFY_FAST_PRIVATE_H
#define WEIR_CLASSIFY_FAST_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_acl.h>

#include "classify/fast.h"

#define CATS_PER_CTX RTE_ACL_MAX_CATEGORIES
#define NONE UINT32_MAX

RTE_ACL_RULE_DEF(fast_rule, RTE_ACL_MAX_FIELDS);

/* fast_relax.c */

/* Choose the mapped fields and their kinds from @p lp's conditions; lay out the key. */
void fast_map_fields(struct weir_fast_base *fp, const struct weir_layer_policy *lp);

/* The ACL rule of filter @p idx of @p lp (its sublayer is category @p cat). */
void fast_make_rule(const struct weir_fast_base *fp, const struct weir_layer_policy *lp,
                    uint32_t idx, uint32_t cat, struct fast_rule *r);

/* What a hit on @p rt settles by itself: WEIR_FAST_S_*. */
uint8_t fast_settle_of(const struct weir_fast_base *fp, const FWPS_FILTER3 *rt);

/* fast_build.c */

/* The last base compiled per layer (engine lock). */
extern struct weir_fast_base *fast_latest[WEIR_LAYER_COUNT];

/* Drop a reference on a base (NULL is fine). */
void fast_base_unref(struct weir_fast_base *b);

/*
 * Everything a compile needs from @p lp, copied (engine lock held): *out
 * holds one reference. @return 0, -ENOSPC or -ENOMEM.
 */
int fast_base_prepare(const struct weir_layer_policy *lp, struct weir_fast_base **out);

/* Compile what fast_base_prepare() gathered (no lock needed). @return 0 or -errno. */
int fast_base_compile(struct weir_fast_base *fp);

/* fast_delta.c */

/* Free a view now (its base reference dropped; NULL is fine). */
void fast_view_free(struct weir_fast *v);

/*
 * The view of @p lp over base @p b (takes a reference on @p b).
 * @return 0; -E2BIG: more than WEIR_FAST_DELTA_MAX added or deleted; -ENOMEM.
 */
int fast_view_make(struct weir_fast_base *b, const struct weir_layer_policy *lp,
                   struct weir_fast **out);

/* fast_builder.c */

/* Ask the background builder to recompile layer @p l. */
void fast_request_build(enum weir_layer l);

/* Stop the builder (not with the engine lock held: a build may wait for it). */
void fast_builder_stop(void);

#endif /* WEIR_CLASSIFY_FAST_PRIVATE_H */
