/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The filter engine's object store (internal): providers, sublayers,
 * callouts, filters and layer defaults as the management API keeps them.
 *
 * The store is control-path state guarded by the engine lock. The data path
 * never reads it: a commit compiles it into an immutable policy (see
 * classify/snapshot.h) that workers read lock-free.
 */
#ifndef WEIR_MGMT_STORE_H
#define WEIR_MGMT_STORE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include <weir/weir.h>
#include "core/gmap.h"

/** Fields every management object has. */
struct weir_obj {
	GUID key;
	wchar_t *name;
	wchar_t *description;
	UINT32 flags;
	bool has_provider;
	GUID provider_key;
	FWP_BYTE_BLOB provider_data;
	uint32_t session; /**< id of the session that added it (dynamic sessions) */
	void *sd;         /**< stored security descriptor copy, or NULL */
	size_t sd_len;
	uint32_t refs; /**< objects naming this one (filters, sublayers...) */
};

struct weir_provider {
	struct weir_obj o;
	wchar_t *service_name;
};

struct weir_sublayer {
	struct weir_obj o;
	UINT16 weight;
	uint64_t ordinal; /**< insertion order: orders sublayers of equal weight */
	bool builtin;
};

struct weir_callout {
	struct weir_obj o;
	enum weir_layer layer;
	UINT32 id; /**< run-time id, shared with FwpsCalloutRegisterN */
};

/** Per-filter hit counter slots; slot 0 is unused (see weir_hit_slot). */
#define WEIR_HIT_SLOTS 8

/**
 * This thread's hit-counter slot: 1..WEIR_HIT_SLOTS-1 when it is the only
 * thread counting there (a worker lcore sets it at start), 0 otherwise
 * (counts go to the shared atomic with a locked add). A locked add per
 * packet is a full barrier: on the fast path it costs more than the lookup.
 * initial-exec: libweir is never dlopen()ed, and the default TLS model
 * would cost a __tls_get_addr call per hit.
 */
extern __thread unsigned weir_hit_slot __attribute__((tls_model("initial-exec")));

/**
 * A filter. Immutable once added (a notifyFn may set rt.context during
 * FWPS_CALLOUT_NOTIFY_ADD_FILTER, before any snapshot can contain it).
 */
struct weir_filter {
	FWPM_FILTER0 m;  /**< deep copy of what was added; filterId and effectiveWeight set */
	FWPS_FILTER3 rt; /**< run-time view given to callouts (layout of FILTER0..3) */
	enum weir_layer layer;
	struct weir_sublayer *sublayer;
	UINT64 weight;     /**< effective weight */
	UINT32 callout_id; /**< for callout actions, else 0 */
	uint32_t session;
	void *sd;
	size_t sd_len;
	/** times it matched a packet, counted by threads without a slot (statistics) */
	atomic_uint_fast64_t hits;
	/** the same, per worker slot: written by its one worker without a locked add */
	atomic_uint_fast64_t hits_w[WEIR_HIT_SLOTS];
	TAILQ_ENTRY(weir_filter) link; /**< in its layer's list */
};

TAILQ_HEAD(weir_filter_list, weir_filter);

/** Count one match of @p f (any thread). */
static inline void weir_filter_hit(struct weir_filter *f)
{
	unsigned k = weir_hit_slot;

	if (k == 0) {
		atomic_fetch_add_explicit(&f->hits, 1, memory_order_relaxed);
		return;
	}
	/* single writer: a plain load and store, still atomic for readers */
	atomic_store_explicit(&f->hits_w[k],
	                      atomic_load_explicit(&f->hits_w[k], memory_order_relaxed) + 1,
	                      memory_order_relaxed);
}

/** Matches of @p f counted so far by every thread (approximate while counting). */
static inline uint64_t weir_filter_hits(const struct weir_filter *f)
{
	uint64_t n = atomic_load_explicit(&f->hits, memory_order_relaxed);
	unsigned k;

	for (k = 1; k < WEIR_HIT_SLOTS; k++)
		n += atomic_load_explicit(&f->hits_w[k], memory_order_relaxed);
	return n;
}

/** Everything the management API manages. */
struct weir_store {
	struct weir_gmap providers;  /**< GUID -> struct weir_provider */
	struct weir_gmap sublayers;  /**< GUID -> struct weir_sublayer */
	struct weir_gmap callouts;   /**< GUID -> struct weir_callout */
	struct weir_gmap filters;    /**< GUID -> struct weir_filter */
	struct weir_gmap filter_ids; /**< filterId -> struct weir_filter */
	struct weir_filter_list layer_filters[WEIR_LAYER_COUNT];
	uint32_t layer_nfilters[WEIR_LAYER_COUNT];
	FWP_ACTION_TYPE layer_default[WEIR_LAYER_COUNT];
	uint64_t next_filter_id;
	uint64_t next_sublayer_ordinal;
	struct weir_sublayer *default_sublayer;
};

#endif /* WEIR_MGMT_STORE_H */
