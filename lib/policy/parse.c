/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The policy parser: statements to a checked, resolved struct pol.
 *
 * Everything that can be known without an engine is checked here, so a file
 * that parses applies unless the engine itself refuses (a key another session
 * uses, a callout's notifyFn saying no...). Names may be used before the
 * statement defining them: references are resolved once the whole file has
 * been read.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy_private.h"

/* Messages quote at most this much of a token. */
#define QMAX 64

NTSTATUS weir_pol_error(struct pctx *cx, unsigned line, unsigned col, NTSTATUS st, const char *fmt,
                        ...)
{
	struct weir_policy_error *e = cx->err;
	va_list ap;

	/* the first error is the one the user must fix; later ones are fallout */
	if (e->msg[0] != 0)
		return st;
	snprintf(e->file, sizeof(e->file), "%s", cx->file ? cx->file : "");
	e->line = line;
	e->col = col;
	e->status = st;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return st;
}

/* Statement cursor ------------------------------------------------------- */

struct cur {
	struct pctx *cx;
	struct stmt *st;
	size_t i;
	struct pol *p;
	struct pol_obj **all; /* every object in file order, for resolution */
	size_t nall, capall;
};

static const struct tok *peek(struct cur *c)
{
	return &c->st->toks[c->i];
}

static const struct tok *take(struct cur *c)
{
	const struct tok *t = &c->st->toks[c->i];

	if (t->kind != TOK_END)
		c->i++;
	return t;
}

/* "'text'" or "end of line", for messages. */
static const char *tdesc(const struct tok *t, char buf[QMAX + 16])
{
	if (t->kind == TOK_END)
		return "end of line";
	snprintf(buf, QMAX + 16, "'%.*s'", QMAX, t->text);
	return buf;
}

static NTSTATUS terr(struct cur *c, const struct tok *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static NTSTATUS terr(struct cur *c, const struct tok *t, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return weir_pol_error(c->cx, t->line, t->col, STATUS_INVALID_PARAMETER, "%s", msg);
}

static NTSTATUS nomem(struct cur *c, const struct tok *t)
{
	return weir_pol_error(c->cx, t->line, t->col, STATUS_NO_MEMORY, "out of memory");
}

/* Objects ----------------------------------------------------------------- */

static void obj_free(struct pol_obj *o)
{
	if (o == NULL)
		return;
	free(o->name);
	free(o->desc);
	free(o->provider.name);
	free(o->sublayer.name);
	free(o->callout.name);
	free(o->conds);
	free(o);
}

struct pol *weir_pol_new(const char *file)
{
	struct pol *p = calloc(1, sizeof(*p));
	const char *slash;
	unsigned k;

	if (p == NULL)
		return NULL;
	p->file = strdup(file ? file : "");
	slash = file ? strrchr(file, '/') : NULL;
	if (slash == NULL)
		p->dir = strdup(".");
	else if (slash == file)
		p->dir = strdup("/");
	else
		p->dir = strndup(file, (size_t)(slash - file));
	if (p->file == NULL || p->dir == NULL) {
		weir_pol_free(p);
		return NULL;
	}
	for (k = 0; k < POL_KINDS; k++) {
		weir_gmap_init(&p->names[k]);
		weir_gmap_init(&p->keys[k]);
	}
	return p;
}

void weir_pol_free(struct pol *p)
{
	size_t i;
	unsigned k;

	if (p == NULL)
		return;
	for (k = 0; k < POL_KINDS; k++) {
		for (i = 0; i < p->nobjs[k]; i++)
			obj_free(p->objs[k][i]);
		free(p->objs[k]);
		weir_gmap_free(&p->names[k]);
		weir_gmap_free(&p->keys[k]);
	}
	for (i = 0; i < p->nmods; i++) {
		free(p->mods[i].path);
		free(p->mods[i].args);
	}
	free(p->mods);
	free(p->file);
	free(p->dir);
	free(p);
}

/* Names ------------------------------------------------------------------- */

static bool name_ok(const char *s)
{
	const char *p;

	if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
		return false;
	for (p = s + 1; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '.' || *p == '-'))
			return false;
	return true;
}

/* A name: a bare word of the name syntax or a non-empty quoted string. */
static NTSTATUS parse_name(struct cur *c, const char *what, const struct tok *after, char **out,
                           struct pol_pos *pos)
{
	const struct tok *t = take(c);
	char d[QMAX + 16];

	if (t->kind == TOK_END)
		return terr(c, t, "missing %s name after '%.*s'", what, QMAX, after->text);
	if (t->kind == TOK_STRING && t->text[0] == 0)
		return terr(c, t, "empty %s name", what);
	if (t->kind != TOK_STRING && (t->kind != TOK_WORD || !name_ok(t->text)))
		return terr(c, t,
		            "bad %s name %s (a name is [A-Za-z_][A-Za-z0-9_.-]* or a quoted "
		            "string)",
		            what, tdesc(t, d));
	*out = strdup(t->text);
	if (*out == NULL)
		return nomem(c, t);
	if (pos) {
		pos->line = t->line;
		pos->col = t->col;
	}
	return STATUS_SUCCESS;
}

static NTSTATUS parse_number(struct cur *c, const struct tok *after, UINT64 max, UINT64 *v)
{
	const struct tok *t = take(c);
	char d[QMAX + 16];
	int rc;

	if (t->kind != TOK_WORD)
		return terr(c, t, "'%s' needs a number, got %s", after->text, tdesc(t, d));
	rc = weir_pol_parse_u64(t->text, max, v);
	if (rc == -2)
		return terr(c, t, "number '%.*s' out of range (0..%llu)", QMAX, t->text,
		            (unsigned long long)max);
	if (rc)
		return terr(c, t, "bad number '%.*s' (decimal or 0x hex)", QMAX, t->text);
	return STATUS_SUCCESS;
}

static NTSTATUS parse_layer(struct cur *c, const struct tok *after, int *layer)
{
	const struct tok *t = take(c);
	char d[QMAX + 16];

	if (t->kind != TOK_WORD)
		return terr(c, t, "'%s' needs a layer name, got %s", after->text, tdesc(t, d));
	*layer = weir_layer_from_name(t->text);
	if (*layer < 0)
		return terr(c, t, "unknown layer '%.*s'", QMAX, t->text);
	return STATUS_SUCCESS;
}

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
	const struct tok *t = take(c);
	char d[QMAX + 16];
	size_t i = 0;

	if (t->kind == TOK_WORD)
		for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
			if (strcmp(t->text, actions[i].name) == 0)
				break;
	if (t->kind != TOK_WORD || i == sizeof(actions) / sizeof(actions[0]))
		return terr(c, t,
		            "unknown action %s (permit, block, callout-terminating, "
		            "callout-inspection, callout-unknown)",
		            tdesc(t, d));
	o->action = actions[i].type;
	if (actions[i].callout)
		return parse_name(c, "callout", t, &o->callout.name, &o->callout.pos);
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
		NTSTATUS st = parse_number(c, kw, UINT16_MAX, &v);

		o->sl_weight = (UINT16)v;
		return st;
	}
	t = peek(c);
	if (t->kind == TOK_WORD && strcmp(t->text, "auto") == 0) {
		take(c);
		o->wkind = WEIGHT_AUTO;
		return STATUS_SUCCESS;
	}
	if (t->kind == TOK_WORD && strcmp(t->text, "range") == 0) {
		take(c);
		o->wkind = WEIGHT_RANGE;
		return parse_number(c, t, 15, &o->weight);
	}
	take(c);
	if (t->kind != TOK_WORD)
		return terr(c, t, "'weight' needs a number, auto or range 0..15, got %s",
		            tdesc(t, d));
	rc = weir_pol_parse_u64(t->text, UINT64_MAX, &v);
	if (rc == -2)
		return terr(c, t, "number '%.*s' out of range (0..%llu)", QMAX, t->text,
		            (unsigned long long)UINT64_MAX);
	if (rc)
		return terr(c, t, "bad weight '%.*s' (a number, auto or range 0..15)", QMAX,
		            t->text);
	o->wkind = WEIGHT_EXACT;
	o->weight = v;
	return STATUS_SUCCESS;
}

static NTSTATUS parse_flags(struct cur *c, struct pol_obj *o, struct pol_pos *piu)
{
	const struct tok *t;
	char d[QMAX + 16];
	size_t i = 0;

	for (;;) {
		t = take(c);
		if (t->kind == TOK_WORD)
			for (i = 0; i < sizeof(filter_flags) / sizeof(filter_flags[0]); i++)
				if (strcmp(t->text, filter_flags[i].name) == 0)
					break;
		if (t->kind != TOK_WORD || i == sizeof(filter_flags) / sizeof(filter_flags[0]))
			return terr(c, t,
			            "unknown flag %s (clear-action-right, "
			            "permit-if-callout-unregistered)",
			            tdesc(t, d));
		if (o->flags & filter_flags[i].flag)
			return terr(c, t, "flag '%s' given twice", t->text);
		o->flags |= filter_flags[i].flag;
		if (filter_flags[i].flag == FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED) {
			piu->line = t->line;
			piu->col = t->col;
		}
		if (peek(c)->kind != TOK_COMMA)
			return STATUS_SUCCESS;
		take(c);
	}
}

static NTSTATUS parse_match(struct cur *c, const struct tok *kw, struct raw_cond **rc, size_t *n,
                            size_t *cap)
{
	const struct tok *after = kw, *f, *op, *v;
	char d[QMAX + 16];

	for (;;) {
		f = take(c);
		if (f->kind != TOK_WORD)
			return terr(c, f,
			            "expected a condition (field op value) after '%s', got %s",
			            after->text, tdesc(f, d));
		op = take(c);
		if (op->kind != TOK_OP && op->kind != TOK_WORD)
			return terr(c, op, "missing operator after '%.*s'", QMAX, f->text);
		if (!weir_pol_op_known(op->text))
			return terr(c, op,
			            "unknown operator '%.*s' (== != < <= > >= in flags-all "
			            "flags-any flags-none)",
			            QMAX, op->text);
		v = take(c);
		if (v->kind == TOK_END)
			return terr(c, v, "missing value after '%.*s'", QMAX, op->text);
		if (v->kind != TOK_WORD)
			return terr(c, v, "bad value %s", tdesc(v, d));
		if (*n == *cap) {
			size_t ncap = *cap ? *cap * 2 : 4;
			struct raw_cond *nr = realloc(*rc, ncap * sizeof(**rc));

			if (nr == NULL)
				return nomem(c, f);
			*rc = nr;
			*cap = ncap;
		}
		(*rc)[*n].field = f;
		(*rc)[*n].op = op;
		(*rc)[*n].val = v;
		(*n)++;
		if (peek(c)->kind != TOK_COMMA)
			return STATUS_SUCCESS;
		after = take(c);
	}
}

static NTSTATUS add_obj(struct cur *c, struct pol_obj *o)
{
	struct pol *p = c->p;
	unsigned k = o->kind;

	if (p->nobjs[k] == p->capobjs[k]) {
		size_t ncap = p->capobjs[k] ? p->capobjs[k] * 2 : 16;
		struct pol_obj **na = realloc(p->objs[k], ncap * sizeof(*na));

		if (na == NULL)
			return STATUS_NO_MEMORY;
		p->objs[k] = na;
		p->capobjs[k] = ncap;
	}
	if (c->nall == c->capall) {
		size_t ncap = c->capall ? c->capall * 2 : 64;
		struct pol_obj **na = realloc(c->all, ncap * sizeof(*na));

		if (na == NULL)
			return STATUS_NO_MEMORY;
		c->all = na;
		c->capall = ncap;
	}
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

static NTSTATUS parse_object(struct cur *c, enum weir_policy_kind kind, const struct tok *kw)
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
		return nomem(c, kw);
	o->kind = kind;
	o->pos.line = kw->line;
	o->pos.col = kw->col;
	o->layer = -1;
	st = parse_name(c, weir_pol_kind_name[kind], kw, &o->name, &name_pos);
	while (st == STATUS_SUCCESS) {
		t = take(c);
		if (t->kind == TOK_END)
			break;
		cl = CL_COUNT;
		if (t->kind == TOK_WORD)
			for (cl = 0; cl < CL_COUNT; cl++)
				if (strcmp(t->text, clause_name[cl]) == 0)
					break;
		if (cl == CL_COUNT || !(clause_allowed[kind] & B(cl))) {
			clause_list(clause_allowed[kind], list, sizeof(list));
			if (cl == CL_COUNT)
				st = terr(c, t, "unknown clause %s in %s statement (expected %s)",
				          tdesc(t, d), weir_pol_kind_name[kind], list);
			else
				st = terr(c, t,
				          "clause '%s' is not valid in a %s statement "
				          "(expected %s)",
				          t->text, weir_pol_kind_name[kind], list);
			break;
		}
		if (seen & B(cl)) {
			st = terr(c, t, "clause '%s' given twice", t->text);
			break;
		}
		seen |= B(cl);
		switch (cl) {
		case CL_KEY: {
			const struct tok *g = take(c);

			key_pos.line = g->line;
			key_pos.col = g->col;
			if (g->kind != TOK_WORD || weir_guid_from_string(g->text, &o->key) != 0)
				st = terr(c, g,
				          "bad GUID %s (expected "
				          "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)",
				          tdesc(g, d));
			else if (o->key.Data1 == 0 && o->key.Data2 == 0 && o->key.Data3 == 0 &&
			         memcmp(o->key.Data4, "\0\0\0\0\0\0\0\0", 8) == 0)
				st = terr(c, g, "key must not be the zero GUID");
			o->key_given = true;
			break;
		}
		case CL_DESC: {
			const struct tok *s = take(c);

			if (s->kind != TOK_STRING) {
				st = terr(c, s, "'description' needs a quoted string, got %s",
				          tdesc(s, d));
			} else {
				o->desc = strdup(s->text);
				if (o->desc == NULL)
					st = nomem(c, s);
			}
			break;
		}
		case CL_WEIGHT:
			st = parse_weight(c, t, o);
			break;
		case CL_PROVIDER:
			st = parse_name(c, "provider", t, &o->provider.name, &o->provider.pos);
			break;
		case CL_LAYER:
			st = parse_layer(c, t, &o->layer);
			break;
		case CL_SUBLAYER:
			st = parse_name(c, "sublayer", t, &o->sublayer.name, &o->sublayer.pos);
			break;
		case CL_ACTION:
			st = parse_action(c, t, o);
			break;
		case CL_FLAGS:
			st = parse_flags(c, o, &piu);
			break;
		case CL_CONTEXT:
			st = parse_number(c, t, UINT64_MAX, &o->context);
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
			st = nomem(c, kw);
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
		st = nomem(c, kw);
	}
	if (st != STATUS_SUCCESS)
		obj_free(o);
	return st;
}

/* module "<path>" [args "<string>"] */
static NTSTATUS parse_module(struct cur *c, const struct tok *kw)
{
	struct pol *p = c->p;
	struct pol_module_decl m = {{kw->line, kw->col}, NULL, NULL};
	const struct tok *t = take(c), *a;
	char d[QMAX + 16];
	size_t i;

	if (t->kind != TOK_STRING && t->kind != TOK_WORD)
		return terr(c, t, "'module' needs a quoted path to a .so, got %s", tdesc(t, d));
	if (t->text[0] == 0)
		return terr(c, t, "empty module path");
	for (i = 0; i < p->nmods; i++)
		if (strcmp(p->mods[i].path, t->text) == 0)
			return terr(c, t, "module '%.*s' given twice (first at line %u)", QMAX,
			            t->text, p->mods[i].pos.line);
	a = take(c);
	if (a->kind == TOK_WORD && strcmp(a->text, "args") == 0) {
		const struct tok *s = take(c);

		if (s->kind != TOK_STRING)
			return terr(c, s, "'args' needs a quoted string, got %s", tdesc(s, d));
		a = take(c);
		if (a->kind == TOK_WORD && strcmp(a->text, "args") == 0)
			return terr(c, a, "clause 'args' given twice");
		if (a->kind != TOK_END)
			return terr(c, a, "unexpected %s after the module statement", tdesc(a, d));
		m.args = strdup(s->text);
	} else if (a->kind != TOK_END) {
		return terr(c, a, "unknown clause %s in module statement (expected args)",
		            tdesc(a, d));
	} else {
		m.args = strdup("");
	}
	m.path = strdup(t->text);
	if (m.path == NULL || m.args == NULL)
		goto nomem;
	if (p->nmods == p->capmods) {
		size_t ncap = p->capmods ? p->capmods * 2 : 4;
		struct pol_module_decl *nm = realloc(p->mods, ncap * sizeof(*nm));

		if (nm == NULL)
			goto nomem;
		p->mods = nm;
		p->capmods = ncap;
	}
	p->mods[p->nmods++] = m;
	return STATUS_SUCCESS;
nomem:
	free(m.path);
	free(m.args);
	return nomem(c, kw);
}

/* default <layer> permit|block */
static NTSTATUS parse_default(struct cur *c, const struct tok *kw)
{
	const struct tok *lt = peek(c), *t;
	char d[QMAX + 16];
	struct pol_default *def;
	int layer;
	NTSTATUS st;

	st = parse_layer(c, kw, &layer);
	if (st != STATUS_SUCCESS)
		return st;
	def = &c->p->defaults[layer];
	if (def->set)
		return terr(c, lt, "default for layer %s given twice (first at line %u)", lt->text,
		            def->pos.line);
	t = take(c);
	if (t->kind == TOK_WORD && strcmp(t->text, "permit") == 0)
		def->action = FWP_ACTION_PERMIT;
	else if (t->kind == TOK_WORD && strcmp(t->text, "block") == 0)
		def->action = FWP_ACTION_BLOCK;
	else
		return terr(c, t, "default needs permit or block, got %s", tdesc(t, d));
	t = take(c);
	if (t->kind != TOK_END)
		return terr(c, t, "unexpected %s after the default statement", tdesc(t, d));
	def->set = true;
	def->pos.line = kw->line;
	def->pos.col = kw->col;
	return STATUS_SUCCESS;
}

static NTSTATUS parse_stmt(struct cur *c)
{
	static const char *const kinds[POL_KINDS] = {"provider", "sublayer", "callout", "filter"};
	const struct tok *kw = take(c);
	char d[QMAX + 16];
	unsigned k;

	if (kw->kind == TOK_WORD) {
		for (k = 0; k < POL_KINDS; k++)
			if (strcmp(kw->text, kinds[k]) == 0)
				return parse_object(c, (enum weir_policy_kind)k, kw);
		if (strcmp(kw->text, "module") == 0)
			return parse_module(c, kw);
		if (strcmp(kw->text, "default") == 0)
			return parse_default(c, kw);
		return terr(c, kw,
		            "unknown statement '%.*s' (provider, sublayer, callout, module, "
		            "default, filter)",
		            QMAX, kw->text);
	}
	return terr(c, kw,
	            "expected a statement (provider, sublayer, callout, module, default, filter), "
	            "got %s",
	            tdesc(kw, d));
}

/* Resolution --------------------------------------------------------------- */

static NTSTATUS resolve_ref(struct cur *c, struct pol_ref *r, enum weir_policy_kind kind)
{
	GUID nk;

	if (r->name == NULL)
		return STATUS_SUCCESS;
	weir_pol_name_key(kind, r->name, &nk);
	r->obj = weir_gmap_get(&c->p->names[kind], &nk);
	if (r->obj == NULL)
		return weir_pol_error(c->cx, r->pos.line, r->pos.col, STATUS_INVALID_PARAMETER,
		                      "unknown %s '%.*s'", weir_pol_kind_name[kind], QMAX, r->name);
	return STATUS_SUCCESS;
}

static NTSTATUS resolve(struct cur *c)
{
	NTSTATUS st = STATUS_SUCCESS;
	size_t i;

	for (i = 0; st == STATUS_SUCCESS && i < c->nall; i++) {
		struct pol_obj *o = c->all[i];

		st = resolve_ref(c, &o->provider, WEIR_POLICY_PROVIDER);
		if (st == STATUS_SUCCESS)
			st = resolve_ref(c, &o->sublayer, WEIR_POLICY_SUBLAYER);
		if (st == STATUS_SUCCESS)
			st = resolve_ref(c, &o->callout, WEIR_POLICY_CALLOUT);
		if (st == STATUS_SUCCESS && o->callout.obj && o->callout.obj->layer != o->layer)
			st = weir_pol_error(
			    c->cx, o->callout.pos.line, o->callout.pos.col,
			    STATUS_INVALID_PARAMETER,
			    "callout '%.*s' applies to layer %s, not to the filter's "
			    "layer %s",
			    QMAX, o->callout.name,
			    weir_layer_name((enum weir_layer)o->callout.obj->layer),
			    weir_layer_name((enum weir_layer)o->layer));
	}
	return st;
}

/* Files --------------------------------------------------------------------- */

NTSTATUS weir_pol_parse_buffer(const char *file, const char *buf, size_t len, struct pctx *cx,
                               struct pol **out)
{
	struct cur c = {.cx = cx};
	struct stmt st = {0};
	struct lexer lx;
	NTSTATUS rc = STATUS_SUCCESS;
	int r;

	*out = NULL;
	c.p = weir_pol_new(file);
	if (c.p == NULL)
		return weir_pol_error(cx, 0, 0, STATUS_NO_MEMORY, "out of memory");
	c.st = &st;
	weir_pol_lex_init(&lx, buf, len);
	while (rc == STATUS_SUCCESS) {
		r = weir_pol_lex_stmt(&lx, cx, &st);
		if (r == 0)
			break;
		if (r < 0) {
			rc = cx->err->status;
			break;
		}
		c.i = 0;
		rc = parse_stmt(&c);
	}
	weir_pol_stmt_free(&st);
	if (rc == STATUS_SUCCESS)
		rc = resolve(&c);
	free(c.all);
	if (rc != STATUS_SUCCESS) {
		weir_pol_free(c.p);
		return rc;
	}
	*out = c.p;
	return STATUS_SUCCESS;
}

NTSTATUS weir_pol_parse_file(const char *path, struct pctx *cx, struct pol **out)
{
	FILE *f;
	char *buf = NULL;
	size_t len = 0, cap = 0, got;
	NTSTATUS st;
	int e;

	*out = NULL;
	f = fopen(path, "rb");
	if (f == NULL) {
		e = errno;
		st = e == ENOENT || e == ENOTDIR ? STATUS_NOT_FOUND
		     : e == EACCES || e == EPERM ? STATUS_ACCESS_DENIED
		     : e == ENOMEM               ? STATUS_NO_MEMORY
		                                 : STATUS_UNSUCCESSFUL;
		return weir_pol_error(cx, 0, 0, st, "cannot open: %s", strerror(e));
	}
	for (;;) {
		if (cap - len < 4096) {
			size_t ncap = cap ? cap * 2 : 65536;
			char *nb = realloc(buf, ncap);

			if (nb == NULL) {
				free(buf);
				fclose(f);
				return weir_pol_error(cx, 0, 0, STATUS_NO_MEMORY, "out of memory");
			}
			buf = nb;
			cap = ncap;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		e = errno;
		free(buf);
		fclose(f);
		return weir_pol_error(cx, 0, 0, STATUS_UNSUCCESSFUL, "cannot read: %s",
		                      strerror(e));
	}
	fclose(f);
	st = weir_pol_parse_buffer(path, buf, len, cx, out);
	free(buf);
	return st;
}
