/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Providers, sublayers and callouts (FwpmProvider*, FwpmSubLayer*,
 * FwpmCallout*), and the store's link/unlink primitives the transaction log
 * replays.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/layers.h"
#include "mgmt/engine.h"
#include "mgmt/flat.h"
#include "mgmt/objects.h"
#include "shim/registry.h"

/** Most sublayers a weir engine holds (WFP has a limit too). */
#define WEIR_MAX_SUBLAYERS 1024

void weir_store_init(struct weir_store *st)
{
	static const wchar_t default_name[] = L"weir default sublayer";
	int i;

	memset(st, 0, sizeof(*st));
	weir_gmap_init(&st->providers);
	weir_gmap_init(&st->sublayers);
	weir_gmap_init(&st->callouts);
	weir_gmap_init(&st->filters);
	weir_gmap_init(&st->filter_ids);
	for (i = 0; i < WEIR_LAYER_COUNT; i++) {
		TAILQ_INIT(&st->layer_filters[i]);
		st->layer_default[i] = FWP_ACTION_PERMIT;
	}
	st->next_filter_id = 1;
	/* filters with a zero subLayerKey land here, as in WFP */
	st->default_sublayer = calloc(1, sizeof(*st->default_sublayer));
	if (st->default_sublayer == NULL)
		abort();
	st->default_sublayer->o.key = FWPM_SUBLAYER_UNIVERSAL;
	st->default_sublayer->o.name = weir_wcsdup(default_name);
	st->default_sublayer->weight = 0;
	st->default_sublayer->builtin = true;
	st->default_sublayer->ordinal = st->next_sublayer_ordinal++;
	if (weir_gmap_put(&st->sublayers, &st->default_sublayer->o.key, st->default_sublayer))
		abort();
}

static void obj_free(struct weir_obj *o)
{
	free(o->name);
	free(o->description);
	free(o->provider_data.data);
	free(o->sd);
}

void weir_provider_free(struct weir_provider *p)
{
	if (p == NULL)
		return;
	obj_free(&p->o);
	free(p->service_name);
	free(p);
}

void weir_sublayer_free(struct weir_sublayer *sl)
{
	if (sl == NULL)
		return;
	obj_free(&sl->o);
	free(sl);
}

void weir_callout_free(struct weir_callout *c)
{
	if (c == NULL)
		return;
	obj_free(&c->o);
	free(c);
}

static struct weir_obj *provider_ref(const struct weir_obj *o)
{
	struct weir_provider *p;

	if (!o->has_provider)
		return NULL;
	p = weir_gmap_get(&weir_eng.store.providers, &o->provider_key);
	return p ? &p->o : NULL;
}

/* Map slots for an object's key (and id) are reserved by the caller. */
int weir_store_link(enum weir_obj_kind kind, void *obj)
{
	struct weir_store *st = &weir_eng.store;
	struct weir_obj *prov = NULL;
	int rc = 0;

	switch (kind) {
	case WEIR_OBJ_PROVIDER:
		rc = weir_gmap_put(&st->providers, &((struct weir_provider *)obj)->o.key, obj);
		break;
	case WEIR_OBJ_SUBLAYER: {
		struct weir_sublayer *sl = obj;

		rc = weir_gmap_put(&st->sublayers, &sl->o.key, obj);
		prov = provider_ref(&sl->o);
		break;
	}
	case WEIR_OBJ_CALLOUT: {
		struct weir_callout *c = obj;

		rc = weir_gmap_put(&st->callouts, &c->o.key, obj);
		prov = provider_ref(&c->o);
		break;
	}
	case WEIR_OBJ_FILTER: {
		struct weir_filter *f = obj;
		GUID idk = weir_gmap_idkey(f->m.filterId);

		rc = weir_gmap_put(&st->filters, &f->m.filterKey, obj);
		if (rc == 0)
			rc = weir_gmap_put(&st->filter_ids, &idk, obj);
		if (rc != 0) {
			weir_gmap_del(&st->filters, &f->m.filterKey);
			break;
		}
		TAILQ_INSERT_TAIL(&st->layer_filters[f->layer], f, link);
		st->layer_nfilters[f->layer]++;
		f->sublayer->o.refs++;
		if (f->callout_id) {
			struct weir_callout *c =
			    weir_gmap_get(&st->callouts, &f->m.action.calloutKey);

			if (c)
				c->o.refs++;
		}
		if (f->m.providerKey) {
			struct weir_provider *p = weir_gmap_get(&st->providers, f->m.providerKey);

			if (p)
				p->o.refs++;
		}
		break;
	}
	default:
		break;
	}
	if (rc == 0 && prov)
		prov->refs++;
	return rc;
}

void weir_store_unlink(enum weir_obj_kind kind, void *obj)
{
	struct weir_store *st = &weir_eng.store;
	struct weir_obj *prov = NULL;

	switch (kind) {
	case WEIR_OBJ_PROVIDER:
		weir_gmap_del(&st->providers, &((struct weir_provider *)obj)->o.key);
		break;
	case WEIR_OBJ_SUBLAYER: {
		struct weir_sublayer *sl = obj;

		weir_gmap_del(&st->sublayers, &sl->o.key);
		prov = provider_ref(&sl->o);
		break;
	}
	case WEIR_OBJ_CALLOUT: {
		struct weir_callout *c = obj;

		weir_gmap_del(&st->callouts, &c->o.key);
		prov = provider_ref(&c->o);
		break;
	}
	case WEIR_OBJ_FILTER: {
		struct weir_filter *f = obj;
		GUID idk = weir_gmap_idkey(f->m.filterId);

		weir_gmap_del(&st->filters, &f->m.filterKey);
		weir_gmap_del(&st->filter_ids, &idk);
		TAILQ_REMOVE(&st->layer_filters[f->layer], f, link);
		st->layer_nfilters[f->layer]--;
		f->sublayer->o.refs--;
		if (f->callout_id) {
			struct weir_callout *c =
			    weir_gmap_get(&st->callouts, &f->m.action.calloutKey);

			if (c)
				c->o.refs--;
		}
		if (f->m.providerKey) {
			struct weir_provider *p = weir_gmap_get(&st->providers, f->m.providerKey);

			if (p)
				p->o.refs--;
		}
		break;
	}
	default:
		break;
	}
	if (prov)
		prov->refs--;
}

/* Add @p obj in the session's transaction (lock held). */
static NTSTATUS store_add(struct weir_session *s, enum weir_obj_kind kind, void *obj)
{
	struct weir_undo u = {.added = true, .kind = kind, .obj = obj};

	if (weir_txn_reserve(s, 1) != 0)
		return STATUS_NO_MEMORY;
	if (weir_store_link(kind, obj) != 0)
		return STATUS_NO_MEMORY;
	weir_txn_log(s, &u);
	return STATUS_SUCCESS;
}

NTSTATUS weir_store_del(struct weir_session *s, enum weir_obj_kind kind, void *obj)
{
	struct weir_undo u = {.added = false, .kind = kind, .obj = obj};

	if (weir_txn_reserve(s, 1) != 0)
		return STATUS_NO_MEMORY;
	weir_store_unlink(kind, obj);
	weir_txn_log(s, &u);
	return STATUS_SUCCESS;
}

NTSTATUS weir_obj_call(HANDLE engineHandle, const struct weir_obj_ops *ops, enum weir_obj_verb verb,
                       const GUID *key, UINT64 id, void *out)
{
	bool del = verb == WEIR_OBJ_DELETE_BY_KEY || verb == WEIR_OBJ_DELETE_BY_ID;
	bool by_id = verb == WEIR_OBJ_GET_BY_ID || verb == WEIR_OBJ_DELETE_BY_ID;
	struct weir_session *s;
	void *obj;
	NTSTATUS st;

	st = weir_op_begin(engineHandle, del, &s);
	if (st != STATUS_SUCCESS)
		return st;
	if ((!by_id && key == NULL) || (!del && out == NULL))
		st = STATUS_FWP_NULL_POINTER;
	else if ((obj = by_id ? ops->by_id(id) : weir_gmap_get(ops->map, key)) == NULL)
		st = ops->not_found;
	else if (!del)
		st = weir_flat_object(ops->kind, obj, out);
	else if ((st = ops->del_check ? ops->del_check(obj) : STATUS_SUCCESS) == STATUS_SUCCESS)
		st = weir_store_del(s, ops->kind, obj);
	return weir_op_end(s, st);
}

/* Fill the common fields; the caller frees @p o's members on failure. */
static NTSTATUS obj_init(struct weir_obj *o, struct weir_session *s, const GUID *key,
                         const FWPM_DISPLAY_DATA0 *dd, UINT32 flags, const GUID *providerKey,
                         const FWP_BYTE_BLOB *pdata, PSECURITY_DESCRIPTOR sd)
{
	NTSTATUS st;

	o->key = *key;
	o->flags = flags;
	o->session = s->id;
	if (dd->name == NULL)
		return STATUS_FWP_NULL_DISPLAY_NAME;
	o->name = weir_wcsdup(dd->name);
	if (o->name == NULL)
		return STATUS_NO_MEMORY;
	if (dd->description) {
		o->description = weir_wcsdup(dd->description);
		if (o->description == NULL)
			return STATUS_NO_MEMORY;
	}
	if (providerKey) {
		if (weir_gmap_get(&weir_eng.store.providers, providerKey) == NULL)
			return STATUS_FWP_PROVIDER_NOT_FOUND;
		o->has_provider = true;
		o->provider_key = *providerKey;
	}
	st = weir_blob_copy(&o->provider_data, pdata);
	if (st != STATUS_SUCCESS)
		return st;
	return weir_sd_copy(sd, &o->sd, &o->sd_len);
}

/*
 * Start an Add: begin a write, then check the object (@p in_key is NULL when
 * it is NULL) and its key. A zero key is refused, or replaced by a fresh one
 * when @p generate. On success *key is the key to use and the lock is held;
 * on failure the operation has ended.
 */
static NTSTATUS add_begin(HANDLE engineHandle, const GUID *in_key, bool generate,
                          const struct weir_gmap *map, struct weir_session **s, GUID *key)
{
	NTSTATUS st = weir_op_begin(engineHandle, true, s);

	if (st != STATUS_SUCCESS)
		return st;
	if (in_key == NULL)
		st = STATUS_FWP_NULL_POINTER;
	else if (!weir_guid_is_zero(in_key))
		st = weir_gmap_get(map, in_key) ? STATUS_FWP_ALREADY_EXISTS : STATUS_SUCCESS;
	else if (!generate)
		st = STATUS_INVALID_PARAMETER;
	if (st != STATUS_SUCCESS)
		return weir_op_end(*s, st);
	*key = *in_key;
	if (weir_guid_is_zero(key)) {
		do
			weir_guid_generate(key);
		while (weir_gmap_get(map, key));
	}
	return STATUS_SUCCESS;
}

/* Providers ------------------------------------------------------------------ */

NTSTATUS FwpmProviderAdd0(HANDLE engineHandle, const FWPM_PROVIDER0 *provider,
                          PSECURITY_DESCRIPTOR sd)
{
	struct weir_session *s;
	struct weir_provider *p = NULL;
	GUID key;
	NTSTATUS st;

	st = add_begin(engineHandle, provider ? &provider->providerKey : NULL, false,
	               &weir_eng.store.providers, &s, &key);
	if (st != STATUS_SUCCESS)
		return st;
	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		st = STATUS_NO_MEMORY;
		goto out;
	}
	st = obj_init(&p->o, s, &key, &provider->displayData, provider->flags, NULL,
	              &provider->providerData, sd);
	if (st == STATUS_SUCCESS && provider->serviceName) {
		p->service_name = weir_wcsdup(provider->serviceName);
		if (p->service_name == NULL)
			st = STATUS_NO_MEMORY;
	}
	if (st == STATUS_SUCCESS)
		st = store_add(s, WEIR_OBJ_PROVIDER, p);
	if (st != STATUS_SUCCESS)
		weir_provider_free(p);
out:
	return weir_op_end(s, st);
}

static NTSTATUS provider_del_check(const void *obj)
{
	return ((const struct weir_provider *)obj)->o.refs ? STATUS_FWP_IN_USE : STATUS_SUCCESS;
}

static const struct weir_obj_ops provider_ops = {.kind = WEIR_OBJ_PROVIDER,
                                                 .map = &weir_eng.store.providers,
                                                 .not_found = STATUS_FWP_PROVIDER_NOT_FOUND,
                                                 .del_check = provider_del_check};

NTSTATUS FwpmProviderDeleteByKey0(HANDLE engineHandle, const GUID *key)
{
	return weir_obj_call(engineHandle, &provider_ops, WEIR_OBJ_DELETE_BY_KEY, key, 0, NULL);
}

NTSTATUS FwpmProviderGetByKey0(HANDLE engineHandle, const GUID *key, FWPM_PROVIDER0 **provider)
{
	return weir_obj_call(engineHandle, &provider_ops, WEIR_OBJ_GET_BY_KEY, key, 0, provider);
}

/* Sublayers ------------------------------------------------------------------ */

NTSTATUS FwpmSubLayerAdd0(HANDLE engineHandle, const FWPM_SUBLAYER0 *subLayer,
                          PSECURITY_DESCRIPTOR sd)
{
	struct weir_session *s;
	struct weir_sublayer *sl = NULL;
	GUID key;
	NTSTATUS st;

	st = add_begin(engineHandle, subLayer ? &subLayer->subLayerKey : NULL, false,
	               &weir_eng.store.sublayers, &s, &key);
	if (st != STATUS_SUCCESS)
		return st;
	if (weir_eng.store.sublayers.count >= WEIR_MAX_SUBLAYERS) {
		st = STATUS_FWP_TOO_MANY_SUBLAYERS;
		goto out;
	}
	sl = calloc(1, sizeof(*sl));
	if (sl == NULL) {
		st = STATUS_NO_MEMORY;
		goto out;
	}
	st = obj_init(&sl->o, s, &key, &subLayer->displayData, subLayer->flags,
	              subLayer->providerKey, &subLayer->providerData, sd);
	sl->weight = subLayer->weight;
	sl->ordinal = weir_eng.store.next_sublayer_ordinal++;
	if (st == STATUS_SUCCESS)
		st = store_add(s, WEIR_OBJ_SUBLAYER, sl);
	if (st != STATUS_SUCCESS)
		weir_sublayer_free(sl);
out:
	return weir_op_end(s, st);
}

static NTSTATUS sublayer_del_check(const void *obj)
{
	const struct weir_sublayer *sl = obj;

	if (sl->builtin)
		return STATUS_FWP_BUILTIN_OBJECT;
	return sl->o.refs ? STATUS_FWP_IN_USE : STATUS_SUCCESS;
}

static const struct weir_obj_ops sublayer_ops = {.kind = WEIR_OBJ_SUBLAYER,
                                                 .map = &weir_eng.store.sublayers,
                                                 .not_found = STATUS_FWP_SUBLAYER_NOT_FOUND,
                                                 .del_check = sublayer_del_check};

NTSTATUS FwpmSubLayerDeleteByKey0(HANDLE engineHandle, const GUID *key)
{
	return weir_obj_call(engineHandle, &sublayer_ops, WEIR_OBJ_DELETE_BY_KEY, key, 0, NULL);
}

NTSTATUS FwpmSubLayerGetByKey0(HANDLE engineHandle, const GUID *key, FWPM_SUBLAYER0 **subLayer)
{
	return weir_obj_call(engineHandle, &sublayer_ops, WEIR_OBJ_GET_BY_KEY, key, 0, subLayer);
}

/* Callouts ------------------------------------------------------------------- */

#define WEIR_FWPM_CALLOUT_FLAGS                                                                    \
	(FWPM_CALLOUT_FLAG_PERSISTENT | FWPM_CALLOUT_FLAG_USES_PROVIDER_CONTEXT |                  \
	 FWPM_CALLOUT_FLAG_REGISTERED)

NTSTATUS FwpmCalloutAdd0(HANDLE engineHandle, const FWPM_CALLOUT0 *callout, PSECURITY_DESCRIPTOR sd,
                         UINT32 *id)
{
	struct weir_session *s;
	struct weir_callout *c = NULL;
	const struct weir_layer_desc *ld;
	GUID key;
	NTSTATUS st;

	st = add_begin(engineHandle, callout ? &callout->calloutKey : NULL, true,
	               &weir_eng.store.callouts, &s, &key);
	if (st != STATUS_SUCCESS)
		return st;
	if (callout->displayData.name == NULL) {
		st = STATUS_FWP_NULL_DISPLAY_NAME;
		goto out;
	}
	/* REGISTERED is an output flag: accepted and ignored on input */
	if (callout->flags & ~(UINT32)WEIR_FWPM_CALLOUT_FLAGS) {
		st = STATUS_FWP_INVALID_FLAGS;
		goto out;
	}
	ld = weir_layer_by_key(&callout->applicableLayer);
	if (ld == NULL) {
		st = STATUS_FWP_LAYER_NOT_FOUND;
		goto out;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		st = STATUS_NO_MEMORY;
		goto out;
	}
	st = obj_init(&c->o, s, &key, &callout->displayData,
	              callout->flags & ~(UINT32)FWPM_CALLOUT_FLAG_REGISTERED, callout->providerKey,
	              &callout->providerData, sd);
	c->layer = ld->id;
	if (st == STATUS_SUCCESS)
		st = weir_callout_id_for_key(&key, &c->id);
	if (st == STATUS_SUCCESS)
		st = store_add(s, WEIR_OBJ_CALLOUT, c);
	if (st != STATUS_SUCCESS) {
		weir_callout_free(c);
		goto out;
	}
	if (id)
		*id = c->id;
out:
	return weir_op_end(s, st);
}

static void *callout_by_id(UINT64 id64)
{
	UINT32 id = (UINT32)id64;
	struct weir_callout_reg *r;
	size_t it = 0;
	void *v;

	/* the registry knows the key of every id, registered or not */
	r = weir_registry_get(id);
	if (r)
		return weir_gmap_get(&weir_eng.store.callouts, &r->key);
	while (weir_gmap_next(&weir_eng.store.callouts, &it, NULL, &v))
		if (((struct weir_callout *)v)->id == id)
			return v;
	return NULL;
}

static NTSTATUS callout_del_check(const void *obj)
{
	return ((const struct weir_callout *)obj)->o.refs ? STATUS_FWP_IN_USE : STATUS_SUCCESS;
}

static const struct weir_obj_ops callout_ops = {.kind = WEIR_OBJ_CALLOUT,
                                                .map = &weir_eng.store.callouts,
                                                .by_id = callout_by_id,
                                                .not_found = STATUS_FWP_CALLOUT_NOT_FOUND,
                                                .del_check = callout_del_check};

NTSTATUS FwpmCalloutDeleteById0(HANDLE engineHandle, UINT32 id)
{
	return weir_obj_call(engineHandle, &callout_ops, WEIR_OBJ_DELETE_BY_ID, NULL, id, NULL);
}

NTSTATUS FwpmCalloutDeleteByKey0(HANDLE engineHandle, const GUID *key)
{
	return weir_obj_call(engineHandle, &callout_ops, WEIR_OBJ_DELETE_BY_KEY, key, 0, NULL);
}

NTSTATUS FwpmCalloutGetById0(HANDLE engineHandle, UINT32 id, FWPM_CALLOUT0 **callout)
{
	return weir_obj_call(engineHandle, &callout_ops, WEIR_OBJ_GET_BY_ID, NULL, id, callout);
}

NTSTATUS FwpmCalloutGetByKey0(HANDLE engineHandle, const GUID *key, FWPM_CALLOUT0 **callout)
{
	return weir_obj_call(engineHandle, &callout_ops, WEIR_OBJ_GET_BY_KEY, key, 0, callout);
}

/* Dynamic sessions ------------------------------------------------------------ */

static void delete_matching(struct weir_session *s, struct weir_gmap *m, enum weir_obj_kind kind,
                            size_t off_obj)
{
	size_t it = 0, n = 0, i;
	void *v, **victims;

	victims = malloc((m->count + 1) * sizeof(*victims));
	if (victims == NULL)
		return;
	while (weir_gmap_next(m, &it, NULL, &v)) {
		struct weir_obj *o = (struct weir_obj *)((char *)v + off_obj);

		if (o->session == s->id)
			victims[n++] = v;
	}
	for (i = 0; i < n; i++) {
		struct weir_obj *o = (struct weir_obj *)((char *)victims[i] + off_obj);

		/* an object another session still uses stays (fail safe) */
		if (o->refs == 0)
			weir_store_del(s, kind, victims[i]);
	}
	free(victims);
}

void weir_store_delete_session_objects(struct weir_session *s)
{
	struct weir_store *st = &weir_eng.store;
	size_t it = 0, n = 0, i;
	void *v, **victims;

	victims = malloc((st->filters.count + 1) * sizeof(*victims));
	if (victims) {
		while (weir_gmap_next(&st->filters, &it, NULL, &v))
			if (((struct weir_filter *)v)->session == s->id)
				victims[n++] = v;
		for (i = 0; i < n; i++)
			weir_store_del(s, WEIR_OBJ_FILTER, victims[i]);
		free(victims);
	}
	delete_matching(s, &st->callouts, WEIR_OBJ_CALLOUT, offsetof(struct weir_callout, o));
	delete_matching(s, &st->sublayers, WEIR_OBJ_SUBLAYER, offsetof(struct weir_sublayer, o));
	delete_matching(s, &st->providers, WEIR_OBJ_PROVIDER, offsetof(struct weir_provider, o));
}
