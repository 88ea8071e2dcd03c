/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Load, reload and unload a policy: the parsed file (parse.c) applied through
 * the management API in one transaction, plus its modules (module.c).
 *
 * A first load is a reload from an empty policy, so both take one path:
 * decide which objects stay, begin the transaction, delete what goes, add
 * what comes, set the defaults, load new modules, commit. Any failure aborts
 * the transaction and unloads the modules this attempt loaded, so the engine
 * and the state are as they were.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy_private.h"

/* Messages quote at most this much of a name. */
#define QMAX 64

struct weir_policy_state {
	struct pol *pol;          /* the policy in force (empty before the first load) */
	struct pol_module **mods; /* its modules, in file order */
	size_t nmods;
	struct pol_module **stale; /* dropped modules that refused to unload */
	size_t nstale;
};

static const enum weir_policy_kind add_order[POL_KINDS] = {
    WEIR_POLICY_PROVIDER, WEIR_POLICY_SUBLAYER, WEIR_POLICY_CALLOUT, WEIR_POLICY_FILTER};
static const enum weir_policy_kind del_order[POL_KINDS] = {
    WEIR_POLICY_FILTER, WEIR_POLICY_CALLOUT, WEIR_POLICY_SUBLAYER, WEIR_POLICY_PROVIDER};

static void ctx_init(struct pctx *cx, const char *file, struct weir_policy_error *err,
                     struct weir_policy_error *local)
{
	cx->file = file;
	cx->err = err ? err : local;
	memset(cx->err, 0, sizeof(*cx->err));
}

void weir_policy_format_error(const struct weir_policy_error *e, char *buf, size_t n)
{
	if (buf == NULL || n == 0)
		return;
	if (e == NULL)
		snprintf(buf, n, "(no error)");
	else if (e->line == 0 && e->file[0] == 0)
		snprintf(buf, n, "%s", e->msg);
	else if (e->line == 0)
		snprintf(buf, n, "%s: %s", e->file, e->msg);
	else
		snprintf(buf, n, "%s:%u:%u: %s", e->file, e->line, e->col, e->msg);
}

/* Comparing definitions ------------------------------------------------------ */

static bool str_equal(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static bool guid_equal(const GUID *a, const GUID *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

static bool ref_equal(const struct pol_ref *a, const struct pol_ref *b)
{
	if (a->obj == NULL || b->obj == NULL)
		return a->obj == b->obj;
	return guid_equal(&a->obj->key, &b->obj->key);
}

/* Same kind, key and everything the engine was given. */
static bool obj_equal(const struct pol_obj *a, const struct pol_obj *b)
{
	size_t i;

	if (a->kind != b->kind || !guid_equal(&a->key, &b->key) || !str_equal(a->name, b->name) ||
	    !str_equal(a->desc, b->desc) || !ref_equal(&a->provider, &b->provider) ||
	    a->sl_weight != b->sl_weight || a->layer != b->layer ||
	    !ref_equal(&a->sublayer, &b->sublayer) || a->wkind != b->wkind ||
	    a->weight != b->weight || a->action != b->action ||
	    !ref_equal(&a->callout, &b->callout) || a->flags != b->flags ||
	    a->context != b->context || a->nconds != b->nconds)
		return false;
	for (i = 0; i < a->nconds; i++)
		if (!weir_pol_cond_equal(&a->conds[i], &b->conds[i]))
			return false;
	return true;
}

static bool ref_kept(const struct pol_ref *r)
{
	return r->obj == NULL || r->obj->keep;
}

/*
 * Mark the new objects that stay as they are: same definition as an old
 * object of the same kind and key, and naming only objects that stay (a
 * filter in a re-added sublayer must be re-added too: the engine refuses to
 * delete a sublayer in use).
 */
static void plan(struct pol *old, struct pol *np)
{
	struct pol_obj *o, *prev;
	size_t i;
	unsigned k;

	for (k = 0; k < POL_KINDS; k++)
		for (i = 0; i < old->nobjs[k]; i++)
			old->objs[k][i]->kept_old = false;
	for (k = 0; k < POL_KINDS; k++) {
		enum weir_policy_kind kind = add_order[k];

		for (i = 0; i < np->nobjs[kind]; i++) {
			o = np->objs[kind][i];
			prev = weir_gmap_get(&old->keys[kind], &o->key);
			o->keep = prev && obj_equal(prev, o) && ref_kept(&o->provider) &&
			          ref_kept(&o->sublayer) && ref_kept(&o->callout);
			if (o->keep) {
				prev->kept_old = true;
				o->filter_id = prev->filter_id;
			}
		}
	}
}

/* Apply ---------------------------------------------------------------------- */

static NTSTATUS push_mod(struct pol_module ***arr, size_t *n, struct pol_module *m)
{
	struct pol_module **na = realloc(*arr, (*n + 1) * sizeof(*na));

	if (na == NULL)
		return STATUS_NO_MEMORY;
	na[(*n)++] = m;
	*arr = na;
	return STATUS_SUCCESS;
}

/* Unload modules, newest first; those that refuse go to the stale list. */
static NTSTATUS unload_mods(struct weir_policy_state *s, struct pol_module **mods, size_t n,
                            struct pctx *cx)
{
	NTSTATUS first = STATUS_SUCCESS, st;
	char msg[1024];

	while (n--) {
		st = weir_pol_module_unload(mods[n], true, msg, sizeof(msg));
		if (st == STATUS_SUCCESS)
			continue;
		if (first == STATUS_SUCCESS)
			first = st;
		if (cx)
			weir_pol_error(cx, 0, 0, st, "%s", msg);
		if (push_mod(&s->stale, &s->nstale, mods[n]) != STATUS_SUCCESS)
			continue; /* cannot track it: it stays loaded, unreachable */
	}
	return first;
}

/* Retry stale modules (only the registration check: their unload already ran). */
static void retry_stale(struct weir_policy_state *s)
{
	char msg[1024];
	size_t i, j = 0;

	for (i = 0; i < s->nstale; i++)
		if (weir_pol_module_unload(s->stale[i], false, msg, sizeof(msg)) != STATUS_SUCCESS)
			s->stale[j++] = s->stale[i];
	s->nstale = j;
}

static void free_strings(char **v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Record "<kind> '<name>': <call> failed: <status>" at the object's statement. */
static NTSTATUS obj_error(struct pctx *cx, const struct pol_obj *o, const char *call, NTSTATUS st)
{
	return weir_pol_error(cx, o->pos.line, o->pos.col, st, "%s '%.*s': %s failed: %s",
	                      weir_pol_kind_name[o->kind], QMAX, o->name, call,
	                      weir_status_name(st));
}

/*
 * Make the engine match @p np, in one transaction. Takes @p np: installs it
 * in @p s on success, frees it on failure.
 */
static NTSTATUS apply(HANDLE h, struct weir_policy_state *s, struct pol *np, struct pctx *cx)
{
	struct pol *old = s->pol;
	struct pol_module **newmods = NULL, **loaded = NULL, **dropped = NULL;
	size_t nnew = 0, nloaded = 0, ndropped = 0, i, j;
	char **resolved = NULL;
	bool *claimed = NULL;
	NTSTATUS st;
	unsigned k;
	int l;

	plan(old, np);
	if (s->nmods) {
		claimed = calloc(s->nmods, sizeof(*claimed));
		if (claimed == NULL) {
			weir_pol_free(np);
			return weir_pol_error(cx, 0, 0, STATUS_NO_MEMORY, "out of memory");
		}
	}
	st = FwpmTransactionBegin0(h, 0);
	if (st != STATUS_SUCCESS) {
		weir_pol_error(cx, 0, 0, st, "FwpmTransactionBegin0 failed: %s",
		               weir_status_name(st));
		free(claimed);
		weir_pol_free(np);
		return st;
	}

	/* objects kept but deleted behind our back are added again */
	for (k = 0; k < POL_KINDS; k++) {
		for (i = 0; i < np->nobjs[k]; i++) {
			struct pol_obj *o = np->objs[k][i];

			if (!o->keep)
				continue;
			st = weir_pol_obj_probe(h, o);
			if (st == weir_pol_not_found(o->kind)) {
				o->keep = false;
				st = STATUS_SUCCESS;
			}
			if (st != STATUS_SUCCESS) {
				obj_error(cx, o, weir_pol_get_fn[k], st);
				goto fail;
			}
		}
	}

	for (k = 0; k < POL_KINDS; k++) {
		enum weir_policy_kind kind = del_order[k];

		for (i = old->nobjs[kind]; i-- > 0;) {
			struct pol_obj *o = old->objs[kind][i], *now;

			if (o->kept_old)
				continue;
			st = weir_pol_obj_delete(h, kind, &o->key);
			if (st == weir_pol_not_found(kind)) {
				st = STATUS_SUCCESS;
				continue;
			}
			if (st == STATUS_SUCCESS)
				continue;
			now = weir_gmap_get(&np->keys[kind], &o->key);
			if (now)
				weir_pol_error(
				    cx, now->pos.line, now->pos.col, st,
				    "%s '%.*s' changed, but %s of the old one failed: %s",
				    weir_pol_kind_name[kind], QMAX, now->name,
				    weir_pol_del_fn[kind], weir_status_name(st));
			else
				weir_pol_error(
				    cx, 0, 0, st,
				    "%s '%.*s' was removed from the policy, but %s failed: %s",
				    weir_pol_kind_name[kind], QMAX, o->name, weir_pol_del_fn[kind],
				    weir_status_name(st));
			goto fail;
		}
	}

	for (k = 0; k < POL_KINDS; k++) {
		enum weir_policy_kind kind = add_order[k];

		for (i = 0; i < np->nobjs[kind]; i++) {
			struct pol_obj *o = np->objs[kind][i];

			if (o->keep)
				continue;
			st = weir_pol_obj_add(h, o);
			if (st != STATUS_SUCCESS) {
				obj_error(cx, o, weir_pol_add_fn[kind], st);
				goto fail;
			}
		}
	}

	for (l = 0; l < WEIR_LAYER_COUNT; l++) {
		const struct pol_default *d = &np->defaults[l];
		/* a default the file no longer sets goes back to weir's own: permit */
		FWP_ACTION_TYPE want = d->set ? d->action : FWP_ACTION_PERMIT, cur;

		if (!d->set && !old->defaults[l].set)
			continue;
		/* written only when it differs, so an unchanged reload publishes nothing */
		st = weir_layer_get_default(h, (enum weir_layer)l, &cur);
		if (st == STATUS_SUCCESS && cur != want)
			st = weir_layer_set_default(h, (enum weir_layer)l, want);
		if (st != STATUS_SUCCESS) {
			weir_pol_error(cx, d->set ? d->pos.line : 0, d->set ? d->pos.col : 0, st,
			               "default %s: setting it failed: %s",
			               weir_layer_name((enum weir_layer)l), weir_status_name(st));
			goto fail;
		}
	}

	/* modules: same resolved path and args stay; others are loaded now */
	if (np->nmods) {
		resolved = calloc(np->nmods, sizeof(*resolved));
		if (resolved == NULL) {
			st = weir_pol_error(cx, 0, 0, STATUS_NO_MEMORY, "out of memory");
			goto fail;
		}
	}
	for (i = 0; i < np->nmods; i++) {
		const struct pol_module_decl *d = &np->mods[i];
		struct pol_module *m = NULL;
		char msg[1024];

		resolved[i] = weir_pol_module_resolve(np->dir, d->path);
		if (resolved[i] == NULL) {
			st = weir_pol_error(cx, d->pos.line, d->pos.col, STATUS_NO_MEMORY,
			                    "out of memory");
			goto fail;
		}
		for (j = 0; j < i; j++) {
			if (strcmp(resolved[j], resolved[i]) == 0 &&
			    strcmp(np->mods[j].args, d->args) == 0) {
				st = weir_pol_error(
				    cx, d->pos.line, d->pos.col, STATUS_INVALID_PARAMETER,
				    "module '%.*s' is the same file with the same args as "
				    "the module at line %u",
				    QMAX, d->path, np->mods[j].pos.line);
				goto fail;
			}
		}
		for (j = 0; j < s->nmods; j++) {
			if (!claimed[j] && strcmp(s->mods[j]->resolved, resolved[i]) == 0 &&
			    strcmp(s->mods[j]->args, d->args) == 0) {
				claimed[j] = true;
				m = s->mods[j];
				break;
			}
		}
		if (m == NULL) {
			st = weir_pol_module_load(d->path, resolved[i], d->args, &m, msg,
			                          sizeof(msg));
			if (st == STATUS_SUCCESS &&
			    push_mod(&loaded, &nloaded, m) != STATUS_SUCCESS) {
				unload_mods(s, &m, 1, NULL);
				snprintf(msg, sizeof(msg), "out of memory");
				st = STATUS_NO_MEMORY;
			}
			if (st != STATUS_SUCCESS) {
				weir_pol_error(cx, d->pos.line, d->pos.col, st, "module '%.*s': %s",
				               QMAX, d->path, msg);
				goto fail;
			}
		}
		st = push_mod(&newmods, &nnew, m);
		if (st != STATUS_SUCCESS) {
			weir_pol_error(cx, d->pos.line, d->pos.col, st, "out of memory");
			goto fail;
		}
	}
	for (j = 0; j < s->nmods; j++) {
		if (!claimed[j] && push_mod(&dropped, &ndropped, s->mods[j]) != STATUS_SUCCESS) {
			st = weir_pol_error(cx, 0, 0, STATUS_NO_MEMORY, "out of memory");
			goto fail;
		}
	}

	st = FwpmTransactionCommit0(h);
	if (st != STATUS_SUCCESS) {
		weir_pol_error(cx, 0, 0, st, "FwpmTransactionCommit0 failed: %s",
		               weir_status_name(st));
		goto fail; /* the engine aborted it; another abort is harmless */
	}

	/* committed: the new policy is in force; now drop what it no longer names */
	free(s->mods);
	s->mods = newmods;
	s->nmods = nnew;
	s->pol = np;
	weir_pol_free(old);
	retry_stale(s);
	unload_mods(s, dropped, ndropped, cx);
	free(dropped);
	free(loaded);
	free(claimed);
	free_strings(resolved, np->nmods);
	return STATUS_SUCCESS;

fail:
	FwpmTransactionAbort0(h);
	unload_mods(s, loaded, nloaded, NULL);
	free(loaded);
	free(newmods);
	free(dropped);
	free(claimed);
	free_strings(resolved, np->nmods);
	weir_pol_free(np);
	return st;
}

/* Public API --------------------------------------------------------------------- */

NTSTATUS weir_policy_check(const char *path, struct weir_policy_error *err)
{
	struct weir_policy_error local;
	struct pctx cx;
	struct pol *p;
	NTSTATUS st;

	ctx_init(&cx, path, err, &local);
	if (path == NULL)
		return weir_pol_error(&cx, 0, 0, STATUS_FWP_NULL_POINTER, "no policy file given");
	st = weir_pol_parse_file(path, &cx, &p);
	weir_pol_free(p);
	return st;
}

/* Parse @p path and make the engine match it, over the policy of @p s. */
static NTSTATUS parse_apply(HANDLE engine, const char *path, struct weir_policy_state *s,
                            struct pctx *cx)
{
	struct pol *np;
	NTSTATUS st = weir_pol_parse_file(path, cx, &np);

	return st == STATUS_SUCCESS ? apply(engine, s, np, cx) : st;
}

NTSTATUS weir_policy_load(HANDLE engine, const char *path, struct weir_policy_state **state,
                          struct weir_policy_error *err)
{
	struct weir_policy_error local;
	struct weir_policy_state *s;
	struct pctx cx;
	NTSTATUS st;

	ctx_init(&cx, path, err, &local);
	if (state)
		*state = NULL;
	if (path == NULL || state == NULL)
		return weir_pol_error(&cx, 0, 0, STATUS_FWP_NULL_POINTER,
		                      "weir_policy_load: NULL argument");
	/* a first load is a reload from an empty policy */
	s = calloc(1, sizeof(*s));
	if (s == NULL || (s->pol = weir_pol_new(path)) == NULL) {
		free(s);
		return weir_pol_error(&cx, 0, 0, STATUS_NO_MEMORY, "out of memory");
	}
	st = parse_apply(engine, path, s, &cx);
	if (st != STATUS_SUCCESS) {
		weir_pol_free(s->pol);
		free(s->stale); /* a module that refused to unload stays loaded */
		free(s);
		return st;
	}
	*state = s;
	return STATUS_SUCCESS;
}

NTSTATUS weir_policy_reload(HANDLE engine, const char *path, struct weir_policy_state *state,
                            struct weir_policy_error *err)
{
	struct weir_policy_error local;
	struct pctx cx;

	ctx_init(&cx, path, err, &local);
	if (path == NULL || state == NULL)
		return weir_pol_error(&cx, 0, 0, STATUS_FWP_NULL_POINTER,
		                      "weir_policy_reload: NULL argument");
	return parse_apply(engine, path, state, &cx);
}

NTSTATUS weir_policy_unload(HANDLE engine, struct weir_policy_state *state)
{
	NTSTATUS first = STATUS_SUCCESS, st;
	struct pol *p;
	bool began;
	size_t i;
	unsigned k;
	int l;

	if (state == NULL)
		return STATUS_SUCCESS;
	p = state->pol;
	st = FwpmTransactionBegin0(engine, 0);
	began = st == STATUS_SUCCESS;
	if (!began)
		first = st;
	for (k = 0; k < POL_KINDS; k++) {
		enum weir_policy_kind kind = del_order[k];

		for (i = p->nobjs[kind]; i-- > 0;) {
			st = weir_pol_obj_delete(engine, kind, &p->objs[kind][i]->key);
			if (st != STATUS_SUCCESS && st != weir_pol_not_found(kind) &&
			    first == STATUS_SUCCESS)
				first = st;
		}
	}
	for (l = 0; l < WEIR_LAYER_COUNT; l++) {
		if (!p->defaults[l].set)
			continue;
		st = weir_layer_set_default(engine, (enum weir_layer)l, FWP_ACTION_PERMIT);
		if (st != STATUS_SUCCESS && first == STATUS_SUCCESS)
			first = st;
	}
	if (began) {
		st = FwpmTransactionCommit0(engine);
		if (st != STATUS_SUCCESS) {
			FwpmTransactionAbort0(engine);
			if (first == STATUS_SUCCESS)
				first = st;
		}
	}
	/* objects are gone: now the modules' callouts may go too */
	st = unload_mods(state, state->mods, state->nmods, NULL);
	if (st != STATUS_SUCCESS && first == STATUS_SUCCESS)
		first = st;
	retry_stale(state);
	if (state->nstale && first == STATUS_SUCCESS)
		first = STATUS_DEVICE_BUSY;
	/* what still refuses stays loaded for the life of the process */
	free(state->stale);
	free(state->mods);
	weir_pol_free(state->pol);
	free(state);
	return first;
}

NTSTATUS weir_policy_filter_id(const struct weir_policy_state *state, const char *name,
                               UINT64 *filterId)
{
	const struct pol_obj *o;
	GUID nk;

	if (state == NULL || name == NULL || filterId == NULL)
		return STATUS_FWP_NULL_POINTER;
	weir_pol_name_key(WEIR_POLICY_FILTER, name, &nk);
	o = weir_gmap_get(&state->pol->names[WEIR_POLICY_FILTER], &nk);
	if (o == NULL)
		return STATUS_FWP_FILTER_NOT_FOUND;
	*filterId = o->filter_id;
	return STATUS_SUCCESS;
}
