/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The policy parser's internals shared by parse.c (statements, names,
 * resolution, files) and parse_object.c (object statements).
 */
#ifndef WEIR_POLICY_PARSE_PRIVATE_H
#define WEIR_POLICY_PARSE_PRIVATE_H

#include "policy/policy_private.h"

/* Messages quote at most this much of a token. */
#define QMAX 64

/* A parse in progress: the statement being read and the policy being built. */
struct cur {
	struct pctx *cx;
	struct stmt *st;
	size_t i;
	struct pol *p;
	struct pol_obj **all; /* every object in file order, for resolution */
	size_t nall, capall;
};

/* The statement's next token, without or with consuming it (END stays). */
const struct tok *weir_pol_peek(struct cur *c);
const struct tok *weir_pol_take(struct cur *c);

/* "'text'" or "end of line", for messages. */
const char *weir_pol_tdesc(const struct tok *t, char buf[QMAX + 16]);

/* Record an STATUS_INVALID_PARAMETER error at @p t; or out of memory. */
NTSTATUS weir_pol_terr(struct cur *c, const struct tok *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
NTSTATUS weir_pol_nomem(struct cur *c, const struct tok *t);

/* Free one object that is not (yet) in the policy's lists. */
void weir_pol_obj_free(struct pol_obj *o);

/*
 * The index of word token @p t in a table of @p n entries of @p size bytes
 * whose first member is the entry's name; @p n if @p t is no word or absent.
 */
size_t weir_pol_find_word(const struct tok *t, const void *table, size_t n, size_t size);

/* A name: a bare word of the name syntax or a non-empty quoted string. */
NTSTATUS weir_pol_parse_name(struct cur *c, const char *what, const struct tok *after, char **out,
                             struct pol_pos *pos);
/* A number up to @p max after keyword @p after. */
NTSTATUS weir_pol_parse_number(struct cur *c, const struct tok *after, UINT64 max, UINT64 *v);
/* A layer name after keyword @p after. */
NTSTATUS weir_pol_parse_layer(struct cur *c, const struct tok *after, int *layer);

/* A provider, sublayer, callout or filter statement after its keyword @p kw. */
NTSTATUS weir_pol_parse_object(struct cur *c, enum weir_policy_kind kind, const struct tok *kw);

#endif /* WEIR_POLICY_PARSE_PRIVATE_H */
