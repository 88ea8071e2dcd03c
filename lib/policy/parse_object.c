/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The policy parser's object statements: provider, sublayer, callout and
 * filter, their clauses, and the checks that need the whole statement.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/parse_private.h"

/* Object statements --------------------------------------------------------- */

enum clause {
	CL_KEY,
	CL_DESC,
	CL_WEIGHT,
	CL_PROVIDER,
	CL_LAYER,
	CL_SUBLAYER,
	CL_ACTION,
	CL_FLAGS,
	CL_CONTEXT,
	CL_MATCH,
	CL_COUNT
};

static const char *const clause_name[CL_COUNT] = {
    "key",      "description", "weight", "provider", "layer",
    "sublayer", "action",      "flags",  "context",  "match",
};

#define B(x) (1u << (x))
static const unsigned clause_allowed[POL_KINDS] = {
    [WEIR_POLICY_PROVIDER] = B(CL_KEY) | B(CL_DESC),
    [WEIR_POLICY_SUBLAYER] = B(CL_KEY) | B(CL_DESC) | B(CL_WEIGHT) | B(CL_PROVIDER),
    [WEIR_POLICY_CALLOUT] = B(CL_KEY) | B(CL_DESC) | B(CL_LAYER) | B(CL_PROVIDER),
    [WEIR_POLICY_FILTER] = B(CL_KEY) | B(CL_DESC) | B(CL_LAYER) | B(CL_SUBLAYER) | B(CL_WEIGHT) |
                           B(CL_ACTION) | B(CL_FLAGS) | B(CL_CONTEXT) | B(CL_MATCH),
};
static const unsigned clause_required[POL_KINDS] = {
    [WEIR_POLICY_PROVIDER] = 0,
    [WEIR_POLICY_SUBLAYER] = B(CL_WEIGHT),
    [WEIR_POLICY_CALLOUT] = B(CL_LAYER),
    [WEIR_POLICY_FILTER] = B(CL_LAYER) | B(CL_ACTION),
};

static const struct {
	const char *name;
	FWP_ACTION_TYPE type;
	bool callout;
} actions[] = {
    {"permit", FWP_ACTION_PERMIT, false},
    {"block", FWP_ACTION_BLOCK, false},
    {"callout-terminating", FWP_ACTION_CALLOUT_TERMINATING, true},
    {"callout-inspection", FWP_ACTION_CALLOUT_INSPECTION, true},
    {"callout-unknown", FWP_ACTION_CALLOUT_UNKNOWN, true},
};

static const struct {
	const char *name;
	UINT32 flag;
} filter_flags[] = {
    {"clear-action-right", FWPM_FILTER_FLAG_CLEAR_ACTION_RIGHT},
    {"permit-if-callout-unregistered", FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED},
};

/* The raw tokens of one condition, converted once the layer is known. */
struct raw_cond {
	const struct tok *field, *op, *val;
};

static void clause_list(unsigned allowed, char *buf, size_t n)
{
	size_t used = 0;
	int k;

	buf[0] = 0;
	for (k = 0; k < CL_COUNT; k++) {
		if (!(allowed & B(k)))
			continue;
		used += (size_t)snprintf(buf + used, n - used, "%s%s", used ? ", " : "",
		                         clause_name[k]);
		if (used >= n)
			break;
	}
}

static NTSTATUS parse_action(struct cur *c, const struct tok *kw, struct pol_obj *o)
{
	const struct tok *t = weir_pol_take(c);
	size_t n = sizeof(actions) / sizeof(actions[0]);
	size_t i = weir_pol_find_word(t, actions, n, sizeof(actions[0]));
	char d[QMAX + 16];

	if (i == n)
		return weir_pol_terr(c, t,
		                     "unknown action %s (permit, block, callout-terminating, "
		                     "callout-inspection, callout-unknown)",
		                     weir_pol_tdesc(t, d));
	o->action = actions[i].type;
	if (actions[i].callout)
		return weir_pol_parse_name(c, "callout", t, &o->callout.name, &o->callout.pos);
	(void)kw;
	return STATUS_SUCCESS;
}

static NTSTATUS parse_weight(struct cur *c, const struct tok *kw, struct pol_obj *o)
{
	const struct tok *t;
	char d[QMAX + 16];
	UINT64 v;
	int rc;

	if (o->kind == WEIR_POLICY_SUBLAYER) {
		NTSTATUS st = weir_pol_parse_number(c, kw, UINT16_MAX, &v);

		o->sl_weight = (UINT16)v;
		return st;
	}
	t = weir_pol_peek(c);
	if (t->kind == TOK_WORD && strcmp(t->text, "auto") == 0) {
		weir_pol_take(c);
		o->wkind = WEIGHT_AUTO;
		return STATUS_SUCCESS;
	}
	if (t->kind == TOK_WORD && strcmp(t->text, "range") == 0) {
		weir_pol_take(c);
		o->wkind = WEIGHT_RANGE;
		return weir_pol_parse_number(c, t, 15, &o->weight);
	}
	weir_pol_take(c);
	if (t->kind != TOK_WORD)
		return weir_pol_terr(c, t, "'weight' needs a number, auto or range 0..15, got %s",
		                     weir_pol_tdesc(t, d));
	rc = weir_pol_parse_u64(t->text, UINT64_MAX, &v);
	if (rc == -2)
		return weir_pol_terr(c, t, "number '%.*s' out of range (0..%llu)", QMAX, t->text,
		                     (unsigned long long)UINT64_MAX);
	if (rc)
		return weir_pol_terr(c, t, "bad weight '%.*s' (a number, auto or range 0..15)",
		                     QMAX, t->text);
	o->wkind = WEIGHT_EXACT;
	o->weight = v;
	return STATUS_SUCCESS;
}

static NTSTATUS parse_flags(struct cur *c, struct pol_obj *o, struct pol_pos *piu)
{
	const size_t n = sizeof(filter_flags) / sizeof(filter_flags[0]);
	const struct tok *t;
	char d[QMAX + 16];
	size_t i;

	for (;;) {
		t = weir_pol_take(c);
		i = weir_pol_find_word(t, filter_flags, n, sizeof(filter_flags[0]));
		if (i == n)
			return weir_pol_terr(c, t,
			                     "unknown flag %s (clear-action-right, "
			                     "permit-if-callout-unregistered)",
			                     weir_pol_tdesc(t, d));
		if (o->flags & filter_flags[i].flag)
			return weir_pol_terr(c, t, "flag '%s' given twice", t->text);
		o->flags |= filter_flags[i].flag;
		if (filter_flags[i].flag == FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED) {
			piu->line = t->line;
			piu->col = t->col;
		}
		if (weir_pol_peek(c)->kind != TOK_COMMA)
			return STATUS_SUCCESS;
		weir_pol_take(c);
	}
}

static NTSTATUS parse_match(struct cur *c, const struct tok *kw, struct raw_cond **rc, size_t *n,
                            size_t *cap)
{
	const struct tok *after = kw, *f, *op, *v;
	struct raw_cond *nr;
	char d[QMAX + 16];

	for (;;) {
		f = weir_pol_take(c);
		if (f->kind != TOK_WORD)
			return weir_pol_terr(
			    c, f, "expected a condition (field op value) after '%s', got %s",
			    after->text, weir_pol_tdesc(f, d));
		op = weir_pol_take(c);
		if (op->kind != TOK_OP && op->kind != TOK_WORD)
			return weir_pol_terr(c, op, "missing operator after '%.*s'", QMAX, f->text);
		if (!weir_pol_op_known(op->text))
			return weir_pol_terr(
			    c, op,
			    "unknown operator '%.*s' (== != < <= > >= in flags-all "
			    "flags-any flags-none)",
			    QMAX, op->text);
		v = weir_pol_take(c);
		if (v->kind == TOK_END)
			return weir_pol_terr(c, v, "missing value after '%.*s'", QMAX, op->text);
		if (v->kind != TOK_WORD)
			return weir_pol_terr(c, v, "bad value %s", weir_pol_tdesc(v, d));
		nr = weir_pol_grow(*rc, *n, cap, sizeof(*nr), 4);
		if (nr == NULL)
			return weir_pol_nomem(c, f);
		*rc = nr;
		(*rc)[*n].field = f;
		(*rc)[*n].op = op;
		(*rc)[*n].val = v;
		(*n)++;
		if (weir_pol_peek(c)->kind != TOK_COMMA)
			return STATUS_SUCCESS;
		after = weir_pol_take(c);
	}
}

static NTSTATUS add_obj(struct cur *c, struct pol_obj *o)
{
	struct pol *p = c->p;
	unsigned k = o->kind;
	struct pol_obj **na;

	na = weir_pol_grow(p->objs[k], p->nobjs[k], &p->capobjs[k], sizeof(*na), 16);
	if (na == NULL)
		return STATUS_NO_MEMORY;
	p->objs[k] = na;
	na = weir_pol_grow(c->all, c->nall, &c->capall, sizeof(*na), 64);
	if (na == NULL)
		return STATUS_NO_MEMORY;
	c->all = na;
	p->objs[k][p->nobjs[k]++] = o;
	c->all[c->nall++] = o;
	return STATUS_SUCCESS;
}

/* Record the object under its name and key, refusing duplicates. */
static NTSTATUS register_obj(struct cur *c, struct pol_obj *o, const struct pol_pos *name_pos,
                             const struct pol_pos *key_pos)
{
	struct pol *p = c->p;
	unsigned k = o->kind;
	struct pol_obj *other;
	GUID nk;
	char g[37];

	weir_pol_name_key(o->kind, o->name, &nk);
	other = weir_gmap_get(&p->names[k], &nk);
	if (other)
		return weir_pol_error(c->cx, name_pos->line, name_pos->col,
		                      STATUS_INVALID_PARAMETER,
		                      "duplicate %s name '%.*s' (first defined at line %u)",
		                      weir_pol_kind_name[k], QMAX, o->name, other->pos.line);
	if (!o->key_given)
		o->key = nk;
	other = weir_gmap_get(&p->keys[k], &o->key);
	if (other) {
		const struct pol_pos *at = o->key_given ? key_pos : name_pos;

		return weir_pol_error(c->cx, at->line, at->col, STATUS_INVALID_PARAMETER,
		                      "%s key %s is already the key of %s '%.*s' (line %u)",
		                      weir_pol_kind_name[k], weir_guid_to_string(&o->key, g),
		                      weir_pol_kind_name[k], QMAX, other->name, other->pos.line);
	}
	if (weir_gmap_put(&p->names[k], &nk, o) != 0 || weir_gmap_put(&p->keys[k], &o->key, o) != 0)
		return weir_pol_error(c->cx, name_pos->line, name_pos->col, STATUS_NO_MEMORY,
		                      "out of memory");
	return STATUS_SUCCESS;
}

NTSTATUS weir_pol_parse_object(struct cur *c, enum weir_policy_kind kind, const struct tok *kw)
{
	struct pol_obj *o = calloc(1, sizeof(*o));
	struct raw_cond *raw = NULL;
	size_t nraw = 0, capraw = 0, i;
	unsigned seen = 0;
	struct pol_pos name_pos = {0}, key_pos = {0}, piu = {0};
	const struct tok *t;
	char d[QMAX + 16], list[160];
	NTSTATUS st;
	int cl;

	if (o == NULL)
		return weir_pol_nomem(c, kw);
	o->kind = kind;
	o->pos.line = kw->line;
	o->pos.col = kw->col;
	o->layer = -1;
	st = weir_pol_parse_name(c, weir_pol_kind_name[kind], kw, &o->name, &name_pos);
	while (st == STATUS_SUCCESS) {
		t = weir_pol_take(c);
		if (t->kind == TOK_END)
			break;
		cl = (int)weir_pol_find_word(t, clause_name, CL_COUNT, sizeof(clause_name[0]));
		if (cl == CL_COUNT || !(clause_allowed[kind] & B(cl))) {
			clause_list(clause_allowed[kind], list, sizeof(list));
			if (cl == CL_COUNT)
				st = weir_pol_terr(
				    c, t, "unknown clause %s in %s statement (expected %s)",
				    weir_pol_tdesc(t, d), weir_pol_kind_name[kind], list);
			else
				st = weir_pol_terr(c, t,
				                   "clause '%s' is not valid in a %s statement "
				                   "(expected %s)",
				                   t->text, weir_pol_kind_name[kind], list);
			break;
		}
		if (seen & B(cl)) {
			st = weir_pol_terr(c, t, "clause '%s' given twice", t->text);
			break;
		}
		seen |= B(cl);
		switch (cl) {
		case CL_KEY: {
			const struct tok *g = weir_pol_take(c);

			key_pos.line = g->line;
			key_pos.col = g->col;
			if (g->kind != TOK_WORD || weir_guid_from_string(g->text, &o->key) != 0)
				st = weir_pol_terr(c, g,
				                   "bad GUID %s (expected "
				                   "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)",
				                   weir_pol_tdesc(g, d));
			else if (o->key.Data1 == 0 && o->key.Data2 == 0 && o->key.Data3 == 0 &&
			         memcmp(o->key.Data4, "\0\0\0\0\0\0\0\0", 8) == 0)
				st = weir_pol_terr(c, g, "key must not be the zero GUID");
			o->key_given = true;
			break;
		}
		case CL_DESC: {
			const struct tok *s = weir_pol_take(c);

			if (s->kind != TOK_STRING) {
				st = weir_pol_terr(c, s,
				                   "'description' needs a quoted string, got %s",
				                   weir_pol_tdesc(s, d));
			} else {
				o->desc = strdup(s->text);
				if (o->desc == NULL)
					st = weir_pol_nomem(c, s);
			}
			break;
		}
		case CL_WEIGHT:
			st = parse_weight(c, t, o);
			break;
		case CL_PROVIDER:
			st = weir_pol_parse_name(c, "provider", t, &o->provider.name,
			                         &o->provider.pos);
			break;
		case CL_LAYER:
			st = weir_pol_parse_layer(c, t, &o->layer);
			break;
		case CL_SUBLAYER:
			st = weir_pol_parse_name(c, "sublayer", t, &o->sublayer.name,
			                         &o->sublayer.pos);
			break;
		case CL_ACTION:
			st = parse_action(c, t, o);
			break;
		case CL_FLAGS:
			st = parse_flags(c, o, &piu);
			break;
		case CL_CONTEXT:
			st = weir_pol_parse_number(c, t, UINT64_MAX, &o->context);
			break;
		case CL_MATCH:
			st = parse_match(c, t, &raw, &nraw, &capraw);
			break;
		}
	}
	if (st == STATUS_SUCCESS && (clause_required[kind] & ~seen)) {
		for (cl = 0; cl < CL_COUNT; cl++)
			if (clause_required[kind] & ~seen & B(cl))
				break;
		st = weir_pol_error(c->cx, kw->line, kw->col, STATUS_INVALID_PARAMETER,
		                    "%s '%.*s': missing required clause '%s'",
		                    weir_pol_kind_name[kind], QMAX, o->name, clause_name[cl]);
	}
	if (st == STATUS_SUCCESS && (o->flags & FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED) &&
	    o->action != FWP_ACTION_CALLOUT_TERMINATING && o->action != FWP_ACTION_CALLOUT_UNKNOWN)
		st = weir_pol_error(c->cx, piu.line, piu.col, STATUS_INVALID_PARAMETER,
		                    "flag 'permit-if-callout-unregistered' needs action "
		                    "callout-terminating or callout-unknown");
	if (st == STATUS_SUCCESS && nraw) {
		o->conds = calloc(nraw, sizeof(*o->conds));
		if (o->conds == NULL)
			st = weir_pol_nomem(c, kw);
		for (i = 0; st == STATUS_SUCCESS && i < nraw; i++)
			st = weir_pol_cond_parse(c->cx, o->layer, raw[i].field, raw[i].op,
			                         raw[i].val, &o->conds[i]);
		o->nconds = nraw;
	}
	free(raw);
	if (st == STATUS_SUCCESS)
		st = register_obj(c, o, &name_pos, &key_pos);
	if (st == STATUS_SUCCESS && add_obj(c, o) != STATUS_SUCCESS) {
		/* register_obj put it in the maps; weir_pol_free only frees listed objects */
		GUID nk;

		weir_pol_name_key(kind, o->name, &nk);
		weir_gmap_del(&c->p->names[kind], &nk);
		weir_gmap_del(&c->p->keys[kind], &o->key);
		st = weir_pol_nomem(c, kw);
	}
	if (st != STATUS_SUCCESS)
		weir_pol_obj_free(o);
	return st;
}
