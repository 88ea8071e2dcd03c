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

#include "policy/parse_private.h"

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

const struct tok *weir_pol_peek(struct cur *c)
{
	return &c->st->toks[c->i];
}

const struct tok *weir_pol_take(struct cur *c)
{
	const struct tok *t = &c->st->toks[c->i];

	if (t->kind != TOK_END)
		c->i++;
	return t;
}

const char *weir_pol_tdesc(const struct tok *t, char buf[QMAX + 16])
{
	if (t->kind == TOK_END)
		return "end of line";
	snprintf(buf, QMAX + 16, "'%.*s'", QMAX, t->text);
	return buf;
}

NTSTATUS weir_pol_terr(struct cur *c, const struct tok *t, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return weir_pol_error(c->cx, t->line, t->col, STATUS_INVALID_PARAMETER, "%s", msg);
}

NTSTATUS weir_pol_nomem(struct cur *c, const struct tok *t)
{
	return weir_pol_error(c->cx, t->line, t->col, STATUS_NO_MEMORY, "out of memory");
}

/* Objects ----------------------------------------------------------------- */

void weir_pol_obj_free(struct pol_obj *o)
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
			weir_pol_obj_free(p->objs[k][i]);
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

size_t weir_pol_find_word(const struct tok *t, const void *table, size_t n, size_t size)
{
	size_t i;

	if (t->kind != TOK_WORD)
		return n;
	for (i = 0; i < n; i++)
		if (strcmp(t->text, *(const char *const *)((const char *)table + i * size)) == 0)
			break;
	return i;
}

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

NTSTATUS weir_pol_parse_name(struct cur *c, const char *what, const struct tok *after, char **out,
                             struct pol_pos *pos)
{
	const struct tok *t = weir_pol_take(c);
	char d[QMAX + 16];

	if (t->kind == TOK_END)
		return weir_pol_terr(c, t, "missing %s name after '%.*s'", what, QMAX, after->text);
	if (t->kind == TOK_STRING && t->text[0] == 0)
		return weir_pol_terr(c, t, "empty %s name", what);
	if (t->kind != TOK_STRING && (t->kind != TOK_WORD || !name_ok(t->text)))
		return weir_pol_terr(
		    c, t,
		    "bad %s name %s (a name is [A-Za-z_][A-Za-z0-9_.-]* or a quoted "
		    "string)",
		    what, weir_pol_tdesc(t, d));
	*out = strdup(t->text);
	if (*out == NULL)
		return weir_pol_nomem(c, t);
	if (pos) {
		pos->line = t->line;
		pos->col = t->col;
	}
	return STATUS_SUCCESS;
}

NTSTATUS weir_pol_parse_number(struct cur *c, const struct tok *after, UINT64 max, UINT64 *v)
{
	const struct tok *t = weir_pol_take(c);
	char d[QMAX + 16];
	int rc;

	if (t->kind != TOK_WORD)
		return weir_pol_terr(c, t, "'%s' needs a number, got %s", after->text,
		                     weir_pol_tdesc(t, d));
	rc = weir_pol_parse_u64(t->text, max, v);
	if (rc == -2)
		return weir_pol_terr(c, t, "number '%.*s' out of range (0..%llu)", QMAX, t->text,
		                     (unsigned long long)max);
	if (rc)
		return weir_pol_terr(c, t, "bad number '%.*s' (decimal or 0x hex)", QMAX, t->text);
	return STATUS_SUCCESS;
}

NTSTATUS weir_pol_parse_layer(struct cur *c, const struct tok *after, int *layer)
{
	const struct tok *t = weir_pol_take(c);
	char d[QMAX + 16];

	if (t->kind != TOK_WORD)
		return weir_pol_terr(c, t, "'%s' needs a layer name, got %s", after->text,
		                     weir_pol_tdesc(t, d));
	*layer = weir_layer_from_name(t->text);
	if (*layer < 0)
		return weir_pol_terr(c, t, "unknown layer '%.*s'", QMAX, t->text);
	return STATUS_SUCCESS;
}

/* module "<path>" [args "<string>"] */
static NTSTATUS parse_module(struct cur *c, const struct tok *kw)
{
	struct pol *p = c->p;
	struct pol_module_decl m = {{kw->line, kw->col}, NULL, NULL};
	struct pol_module_decl *nm;
	const struct tok *t = weir_pol_take(c), *a;
	char d[QMAX + 16];
	size_t i;

	if (t->kind != TOK_STRING && t->kind != TOK_WORD)
		return weir_pol_terr(c, t, "'module' needs a quoted path to a .so, got %s",
		                     weir_pol_tdesc(t, d));
	if (t->text[0] == 0)
		return weir_pol_terr(c, t, "empty module path");
	for (i = 0; i < p->nmods; i++)
		if (strcmp(p->mods[i].path, t->text) == 0)
			return weir_pol_terr(c, t, "module '%.*s' given twice (first at line %u)",
			                     QMAX, t->text, p->mods[i].pos.line);
	a = weir_pol_take(c);
	if (a->kind == TOK_WORD && strcmp(a->text, "args") == 0) {
		const struct tok *s = weir_pol_take(c);

		if (s->kind != TOK_STRING)
			return weir_pol_terr(c, s, "'args' needs a quoted string, got %s",
			                     weir_pol_tdesc(s, d));
		a = weir_pol_take(c);
		if (a->kind == TOK_WORD && strcmp(a->text, "args") == 0)
			return weir_pol_terr(c, a, "clause 'args' given twice");
		if (a->kind != TOK_END)
			return weir_pol_terr(c, a, "unexpected %s after the module statement",
			                     weir_pol_tdesc(a, d));
		m.args = strdup(s->text);
	} else if (a->kind != TOK_END) {
		return weir_pol_terr(c, a, "unknown clause %s in module statement (expected args)",
		                     weir_pol_tdesc(a, d));
	} else {
		m.args = strdup("");
	}
	m.path = strdup(t->text);
	if (m.path == NULL || m.args == NULL)
		goto nomem;
	nm = weir_pol_grow(p->mods, p->nmods, &p->capmods, sizeof(*nm), 4);
	if (nm == NULL)
		goto nomem;
	p->mods = nm;
	p->mods[p->nmods++] = m;
	return STATUS_SUCCESS;
nomem:
	free(m.path);
	free(m.args);
	return weir_pol_nomem(c, kw);
}

/* default <layer> permit|block */
static NTSTATUS parse_default(struct cur *c, const struct tok *kw)
{
	const struct tok *lt = weir_pol_peek(c), *t;
	char d[QMAX + 16];
	struct pol_default *def;
	int layer;
	NTSTATUS st;

	st = weir_pol_parse_layer(c, kw, &layer);
	if (st != STATUS_SUCCESS)
		return st;
	def = &c->p->defaults[layer];
	if (def->set)
		return weir_pol_terr(c, lt, "default for layer %s given twice (first at line %u)",
		                     lt->text, def->pos.line);
	t = weir_pol_take(c);
	if (t->kind == TOK_WORD && strcmp(t->text, "permit") == 0)
		def->action = FWP_ACTION_PERMIT;
	else if (t->kind == TOK_WORD && strcmp(t->text, "block") == 0)
		def->action = FWP_ACTION_BLOCK;
	else
		return weir_pol_terr(c, t, "default needs permit or block, got %s",
		                     weir_pol_tdesc(t, d));
	t = weir_pol_take(c);
	if (t->kind != TOK_END)
		return weir_pol_terr(c, t, "unexpected %s after the default statement",
		                     weir_pol_tdesc(t, d));
	def->set = true;
	def->pos.line = kw->line;
	def->pos.col = kw->col;
	return STATUS_SUCCESS;
}

static NTSTATUS parse_stmt(struct cur *c)
{
	static const char *const kinds[POL_KINDS] = {"provider", "sublayer", "callout", "filter"};
	const struct tok *kw = weir_pol_take(c);
	char d[QMAX + 16];
	unsigned k;

	if (kw->kind == TOK_WORD) {
		for (k = 0; k < POL_KINDS; k++)
			if (strcmp(kw->text, kinds[k]) == 0)
				return weir_pol_parse_object(c, (enum weir_policy_kind)k, kw);
		if (strcmp(kw->text, "module") == 0)
			return parse_module(c, kw);
		if (strcmp(kw->text, "default") == 0)
			return parse_default(c, kw);
		return weir_pol_terr(
		    c, kw,
		    "unknown statement '%.*s' (provider, sublayer, callout, module, "
		    "default, filter)",
		    QMAX, kw->text);
	}
	return weir_pol_terr(
	    c, kw,
	    "expected a statement (provider, sublayer, callout, module, default, filter), "
	    "got %s",
	    weir_pol_tdesc(kw, d));
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
