/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The filter engine (internal): sessions, the engine lock, transactions with
 * an undo log, and the commit that publishes a new snapshot.
 *
 * Locking: one mutex guards every piece of control-path state (store,
 * registry, sessions). A session's explicit transaction owns the engine:
 * other sessions' calls wait (up to their txnWaitTimeoutInMSec) until it
 * commits or aborts, so no reader ever sees half of a transaction. Writes
 * change the store in place and log their inverse; abort replays the log
 * backwards, commit publishes. Workers never take the lock.
 */
#ifndef WEIR_MGMT_ENGINE_H
#define WEIR_MGMT_ENGINE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "mgmt/store.h"

enum weir_obj_kind {
	WEIR_OBJ_PROVIDER,
	WEIR_OBJ_SUBLAYER,
	WEIR_OBJ_CALLOUT,
	WEIR_OBJ_FILTER,
	WEIR_OBJ_DEFAULT, /**< a layer default verdict */
};

/** One undoable change. */
struct weir_undo {
	bool added; /**< true: object added (undo deletes); false: deleted */
	enum weir_obj_kind kind;
	void *obj;
	enum weir_layer layer; /**< WEIR_OBJ_DEFAULT */
	FWP_ACTION_TYPE old_default;
};

struct weir_txn {
	bool active;
	bool read_only;
	bool implicit;
	struct weir_undo *log;
	size_t n, cap;
};

struct weir_session {
	uint32_t id;
	UINT32 flags;   /**< FWPM_SESSION_FLAG_* */
	UINT32 wait_ms; /**< txnWaitTimeoutInMSec */
	GUID key;
	struct weir_txn txn;
	TAILQ_ENTRY(weir_session) link;
};

/** The process's engine. */
struct weir_engine {
	pthread_mutex_t lock;
	pthread_cond_t cv;          /**< signalled when the transaction owner changes */
	struct weir_session *owner; /**< session holding the write transaction */
	struct weir_store store;
	struct weir_gmap sessions; /**< handle -> session */
	TAILQ_HEAD(, weir_session) session_list;
	uint32_t next_session_id;
	uint64_t generation;
};

extern struct weir_engine weir_eng;

/** Initialise the engine once (idempotent, thread-safe). */
void weir_engine_init(void);

/**
 * Start an API call on a session: lock, validate the handle, wait for the
 * engine if another session holds a transaction, and open an implicit
 * transaction for a write outside an explicit one.
 * On success the lock is held and *s is the session; on failure it is not.
 */
NTSTATUS weir_op_begin(HANDLE h, bool write, struct weir_session **s);

/**
 * End an API call: for an implicit transaction commit on success, abort on
 * failure; unlock. @return @p st.
 */
NTSTATUS weir_op_end(struct weir_session *s, NTSTATUS st);

/** Log a change in the session's transaction. @return 0 or -ENOMEM. */
int weir_txn_log(struct weir_session *s, const struct weir_undo *u);

/** Reserve log room before mutating, so logging cannot fail afterwards. */
int weir_txn_reserve(struct weir_session *s, size_t n);

/** Validate an engine handle (for native calls that take one). */
NTSTATUS weir_engine_check_handle(HANDLE h);

/** Destroy the enumeration handles of a closing session (lock held). */
void weir_enum_close_session(uint32_t session);

/* Object primitives (engine lock held), in mgmt/objects.c */
void weir_provider_free(struct weir_provider *p);
void weir_sublayer_free(struct weir_sublayer *sl);
void weir_callout_free(struct weir_callout *c);
void weir_filter_free(struct weir_filter *f);
void weir_store_unlink(enum weir_obj_kind kind, void *obj);
int weir_store_link(enum weir_obj_kind kind, void *obj);
/** Delete every object added by session @p sid (dynamic session close). */
void weir_store_delete_session_objects(struct weir_session *s);
void weir_store_init(struct weir_store *st);

/** Filter deleted or added in a transaction: notifications after commit/abort. */
void weir_filter_notify_delete(struct weir_filter *f);
void weir_filter_notify_post_commit(struct weir_filter *f);

/* Security descriptors, in mgmt/util.c */
/** Validate and copy a self-relative descriptor. NULL sd → *copy NULL. */
NTSTATUS weir_sd_copy(PSECURITY_DESCRIPTOR sd, void **copy, size_t *len);

/* Wide strings */
wchar_t *weir_wcsdup(const wchar_t *s);
NTSTATUS weir_blob_copy(FWP_BYTE_BLOB *dst, const FWP_BYTE_BLOB *src);

/** Generate a random (v4) GUID. */
void weir_guid_generate(GUID *g);
bool weir_guid_is_zero(const GUID *g);

/* Publication, in classify/snapshot.c */
/**
 * Compile the committed store into a new policy and publish it (engine lock
 * held). Waits for a grace period, then frees what it replaced and the
 * objects in @p garbage (deleted by the commit).
 * @return 0 or -ENOMEM (the old policy stays published).
 */
int weir_publish_policy(void);

/**
 * Publish a new callout table (engine lock held, which this may release and
 * re-take during the grace period when @p unlock_wait is set).
 * @return 0 or -ENOMEM.
 */
int weir_publish_callouts(bool unlock_wait);

#endif /* WEIR_MGMT_ENGINE_H */
