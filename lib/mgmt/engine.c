/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sessions, the engine lock and transactions (FwpmEngine*, FwpmTransaction*).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mgmt/engine.h"
#include "shim/registry.h"

__thread unsigned weir_hit_slot __attribute__((tls_model("initial-exec")));

struct weir_engine weir_eng = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
};

static pthread_once_t engine_once = PTHREAD_ONCE_INIT;

static void engine_init_once(void)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&weir_eng.cv, &ca);
	pthread_condattr_destroy(&ca);
	weir_store_init(&weir_eng.store);
	weir_gmap_init(&weir_eng.sessions);
	TAILQ_INIT(&weir_eng.session_list);
	weir_eng.next_session_id = 1;
	/* the initial (empty) policy, so the data path always has a snapshot */
	pthread_mutex_lock(&weir_eng.lock);
	if (weir_publish_policy() != 0)
		abort();
	pthread_mutex_unlock(&weir_eng.lock);
}

void weir_engine_init(void)
{
	pthread_once(&engine_once, engine_init_once);
}

static GUID handle_key(HANDLE h)
{
	return weir_gmap_idkey((uint64_t)(uintptr_t)h);
}

static struct weir_session *session_of(HANDLE h)
{
	GUID k;

	if (h == NULL)
		return NULL;
	k = handle_key(h);
	return weir_gmap_get(&weir_eng.sessions, &k);
}

NTSTATUS weir_engine_check_handle(HANDLE h)
{
	struct weir_session *s;

	weir_engine_init();
	pthread_mutex_lock(&weir_eng.lock);
	s = session_of(h);
	pthread_mutex_unlock(&weir_eng.lock);
	return s ? STATUS_SUCCESS : STATUS_INVALID_HANDLE;
}

/* Wait (lock held) until no other session owns the engine. */
static NTSTATUS wait_for_engine(struct weir_session *s)
{
	struct timespec deadline;

	if (weir_eng.owner == NULL || weir_eng.owner == s)
		return STATUS_SUCCESS;
	if (s->wait_ms == 0)
		return STATUS_FWP_TIMEOUT;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += s->wait_ms / 1000;
	deadline.tv_nsec += (long)(s->wait_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	while (weir_eng.owner != NULL && weir_eng.owner != s) {
		int rc;

		if (s->wait_ms == INFINITE) {
			pthread_cond_wait(&weir_eng.cv, &weir_eng.lock);
			continue;
		}
		rc = pthread_cond_timedwait(&weir_eng.cv, &weir_eng.lock, &deadline);
		if (rc == ETIMEDOUT && weir_eng.owner != NULL && weir_eng.owner != s)
			return STATUS_FWP_TIMEOUT;
	}
	/* the session may have been closed by another thread while we waited */
	return STATUS_SUCCESS;
}

static void txn_start(struct weir_session *s, bool read_only, bool implicit)
{
	s->txn.active = true;
	s->txn.read_only = read_only;
	s->txn.implicit = implicit;
	s->txn.n = 0;
	weir_eng.owner = s;
}

static NTSTATUS txn_commit(struct weir_session *s);
static void txn_abort(struct weir_session *s);

/*
 * Dynamic sessions closed while another session held the engine: their
 * objects are deleted as soon as the engine is free, so closing never waits.
 */
static TAILQ_HEAD(, weir_session) zombies = TAILQ_HEAD_INITIALIZER(zombies);

static void reap_zombie(struct weir_session *z)
{
	txn_start(z, false, true);
	weir_store_delete_session_objects(z);
	if (txn_commit(z) != STATUS_SUCCESS)
		txn_abort(z);
	free(z->txn.log);
	free(z);
}

static void txn_release(struct weir_session *s)
{
	s->txn.active = false;
	s->txn.n = 0;
	if (weir_eng.owner == s) {
		weir_eng.owner = NULL;
		pthread_cond_broadcast(&weir_eng.cv);
		while (weir_eng.owner == NULL && !TAILQ_EMPTY(&zombies)) {
			struct weir_session *z = TAILQ_FIRST(&zombies);

			TAILQ_REMOVE(&zombies, z, link);
			reap_zombie(z);
		}
	}
}

int weir_txn_reserve(struct weir_session *s, size_t n)
{
	size_t need = s->txn.n + n, cap;
	struct weir_undo *nl;

	if (need <= s->txn.cap)
		return 0;
	cap = s->txn.cap ? s->txn.cap : 16;
	while (cap < need)
		cap *= 2;
	nl = realloc(s->txn.log, cap * sizeof(*nl));
	if (nl == NULL)
		return -ENOMEM;
	s->txn.log = nl;
	s->txn.cap = cap;
	return 0;
}

int weir_txn_log(struct weir_session *s, const struct weir_undo *u)
{
	if (weir_txn_reserve(s, 1) != 0)
		return -ENOMEM;
	s->txn.log[s->txn.n++] = *u;
	return 0;
}

/* Free an object leaving the store for good; a filter's callout hears of it. */
static void obj_destroy(struct weir_undo *u)
{
	switch (u->kind) {
	case WEIR_OBJ_PROVIDER:
		weir_provider_free(u->obj);
		break;
	case WEIR_OBJ_SUBLAYER:
		weir_sublayer_free(u->obj);
		break;
	case WEIR_OBJ_CALLOUT:
		weir_callout_free(u->obj);
		break;
	case WEIR_OBJ_FILTER:
		weir_filter_notify_delete(u->obj);
		weir_filter_free(u->obj);
		break;
	default: /* layer defaults own nothing */
		break;
	}
}

/* Roll the session's transaction back (lock held). */
static void txn_abort(struct weir_session *s)
{
	size_t i;

	for (i = s->txn.n; i-- > 0;) {
		struct weir_undo *u = &s->txn.log[i];

		if (u->kind == WEIR_OBJ_DEFAULT) {
			weir_eng.store.layer_default[u->layer] = u->old_default;
			continue;
		}
		if (u->added) {
			weir_store_unlink(u->kind, u->obj);
			/* a filter got ADD_FILTER; it was never published */
			obj_destroy(u);
		} else {
			/* relinking cannot fail: the maps only shrank since */
			(void)weir_store_link(u->kind, u->obj);
		}
	}
	txn_release(s);
}

/* Publish the transaction's result and free what it deleted (lock held). */
static NTSTATUS txn_commit(struct weir_session *s)
{
	size_t i;

	if (s->txn.n > 0 && weir_publish_policy() != 0) {
		txn_abort(s);
		return STATUS_NO_MEMORY;
	}
	/* after the grace period inside publish: no worker can see them now */
	for (i = 0; i < s->txn.n; i++) {
		struct weir_undo *u = &s->txn.log[i];

		if (u->kind == WEIR_OBJ_FILTER && u->added)
			weir_filter_notify_post_commit(u->obj);
		if (!u->added)
			obj_destroy(u);
	}
	txn_release(s);
	return STATUS_SUCCESS;
}

NTSTATUS weir_op_begin(HANDLE h, bool write, struct weir_session **out)
{
	struct weir_session *s;
	NTSTATUS st;

	weir_engine_init();
	pthread_mutex_lock(&weir_eng.lock);
	s = session_of(h);
	if (s == NULL) {
		pthread_mutex_unlock(&weir_eng.lock);
		return STATUS_INVALID_HANDLE;
	}
	if (s->txn.active) {
		if (write && s->txn.read_only) {
			pthread_mutex_unlock(&weir_eng.lock);
			return STATUS_FWP_INCOMPATIBLE_TXN;
		}
		*out = s;
		return STATUS_SUCCESS;
	}
	st = wait_for_engine(s);
	if (st == STATUS_SUCCESS && session_of(h) != s)
		st = STATUS_INVALID_HANDLE;
	if (st != STATUS_SUCCESS) {
		pthread_mutex_unlock(&weir_eng.lock);
		return st;
	}
	if (write)
		txn_start(s, false, true);
	*out = s;
	return STATUS_SUCCESS;
}

NTSTATUS weir_op_end(struct weir_session *s, NTSTATUS st)
{
	if (s->txn.active && s->txn.implicit) {
		if (NT_SUCCESS(st)) {
			NTSTATUS cst = txn_commit(s);

			if (!NT_SUCCESS(cst))
				st = cst;
		} else {
			txn_abort(s);
		}
	}
	pthread_mutex_unlock(&weir_eng.lock);
	return st;
}

NTSTATUS FwpmEngineOpen0(const wchar_t *serverName, UINT32 authnService,
                         SEC_WINNT_AUTH_IDENTITY_W *authIdentity, const FWPM_SESSION0 *session,
                         HANDLE *engineHandle)
{
	struct weir_session *s;
	GUID k;

	(void)authIdentity;
	weir_engine_init();
	if (engineHandle == NULL)
		return STATUS_FWP_NULL_POINTER;
	*engineHandle = NULL;
	if (serverName != NULL && serverName[0] != L'\0')
		return STATUS_INVALID_PARAMETER;
	if (authnService != RPC_C_AUTHN_WINNT && authnService != (UINT32)RPC_C_AUTHN_DEFAULT)
		return STATUS_INVALID_PARAMETER;
	if (session &&
	    (session->flags & ~(UINT32)(FWPM_SESSION_FLAG_DYNAMIC | FWPM_SESSION_FLAG_RESERVED)))
		return STATUS_INVALID_PARAMETER;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return STATUS_NO_MEMORY;
	if (session) {
		s->flags = session->flags;
		s->wait_ms = session->txnWaitTimeoutInMSec;
		s->key = session->sessionKey;
	}
	if (weir_guid_is_zero(&s->key))
		weir_guid_generate(&s->key);
	pthread_mutex_lock(&weir_eng.lock);
	s->id = weir_eng.next_session_id++;
	k = handle_key(s);
	if (weir_gmap_put(&weir_eng.sessions, &k, s) != 0) {
		pthread_mutex_unlock(&weir_eng.lock);
		free(s);
		return STATUS_NO_MEMORY;
	}
	TAILQ_INSERT_TAIL(&weir_eng.session_list, s, link);
	pthread_mutex_unlock(&weir_eng.lock);
	*engineHandle = s;
	return STATUS_SUCCESS;
}

NTSTATUS FwpmEngineClose0(HANDLE engineHandle)
{
	struct weir_session *s;
	GUID k;

	weir_engine_init();
	pthread_mutex_lock(&weir_eng.lock);
	s = session_of(engineHandle);
	if (s == NULL) {
		pthread_mutex_unlock(&weir_eng.lock);
		return STATUS_INVALID_HANDLE;
	}
	k = handle_key(engineHandle);
	/* unpublish the handle first: concurrent calls now fail cleanly */
	weir_gmap_del(&weir_eng.sessions, &k);
	TAILQ_REMOVE(&weir_eng.session_list, s, link);
	weir_enum_close_session(s->id);
	if (s->txn.active)
		txn_abort(s);
	if (s->flags & FWPM_SESSION_FLAG_DYNAMIC) {
		if (weir_eng.owner != NULL && weir_eng.owner != s) {
			TAILQ_INSERT_TAIL(&zombies, s, link);
			pthread_mutex_unlock(&weir_eng.lock);
			return STATUS_SUCCESS;
		}
		reap_zombie(s);
		pthread_mutex_unlock(&weir_eng.lock);
		return STATUS_SUCCESS;
	}
	pthread_mutex_unlock(&weir_eng.lock);
	free(s->txn.log);
	free(s);
	return STATUS_SUCCESS;
}

NTSTATUS FwpmTransactionBegin0(HANDLE engineHandle, UINT32 flags)
{
	struct weir_session *s;
	NTSTATUS st;

	weir_engine_init();
	if (flags & ~(UINT32)FWPM_TXN_READ_ONLY) {
		if (weir_engine_check_handle(engineHandle) != STATUS_SUCCESS)
			return STATUS_INVALID_HANDLE;
		return STATUS_INVALID_PARAMETER;
	}
	pthread_mutex_lock(&weir_eng.lock);
	s = session_of(engineHandle);
	if (s == NULL) {
		st = STATUS_INVALID_HANDLE;
	} else if (s->txn.active) {
		st = STATUS_FWP_TXN_IN_PROGRESS;
	} else {
		st = wait_for_engine(s);
		if (st == STATUS_SUCCESS && session_of(engineHandle) != s)
			st = STATUS_INVALID_HANDLE;
		if (st == STATUS_SUCCESS)
			txn_start(s, flags & FWPM_TXN_READ_ONLY, false);
	}
	pthread_mutex_unlock(&weir_eng.lock);
	return st;
}

NTSTATUS FwpmTransactionCommit0(HANDLE engineHandle)
{
	struct weir_session *s;
	NTSTATUS st;

	weir_engine_init();
	pthread_mutex_lock(&weir_eng.lock);
	s = session_of(engineHandle);
	if (s == NULL)
		st = STATUS_INVALID_HANDLE;
	else if (!s->txn.active || s->txn.implicit)
		st = STATUS_FWP_NO_TXN_IN_PROGRESS;
	else
		st = txn_commit(s);
	pthread_mutex_unlock(&weir_eng.lock);
	return st;
}

NTSTATUS FwpmTransactionAbort0(HANDLE engineHandle)
{
	struct weir_session *s;
	NTSTATUS st = STATUS_SUCCESS;

	weir_engine_init();
	pthread_mutex_lock(&weir_eng.lock);
	s = session_of(engineHandle);
	if (s == NULL)
		st = STATUS_INVALID_HANDLE;
	else if (!s->txn.active || s->txn.implicit)
		st = STATUS_FWP_NO_TXN_IN_PROGRESS;
	else
		txn_abort(s);
	pthread_mutex_unlock(&weir_eng.lock);
	return st;
}

void FwpmFreeMemory0(void **p)
{
	if (p == NULL)
		return;
	free(*p);
	*p = NULL;
}

NTSTATUS weir_layer_set_default(HANDLE engineHandle, enum weir_layer layer, FWP_ACTION_TYPE action)
{
	struct weir_session *s;
	struct weir_undo u = {0};
	NTSTATUS st;

	st = weir_op_begin(engineHandle, true, &s);
	if (st != STATUS_SUCCESS)
		return st;
	if ((unsigned)layer >= WEIR_LAYER_COUNT) {
		st = STATUS_FWP_LAYER_NOT_FOUND;
	} else if (action != FWP_ACTION_PERMIT && action != FWP_ACTION_BLOCK) {
		st = STATUS_FWP_INVALID_ACTION_TYPE;
	} else {
		u.kind = WEIR_OBJ_DEFAULT;
		u.layer = layer;
		u.old_default = weir_eng.store.layer_default[layer];
		if (weir_txn_log(s, &u) != 0) {
			st = STATUS_NO_MEMORY;
		} else {
			weir_eng.store.layer_default[layer] = action;
		}
	}
	return weir_op_end(s, st);
}

NTSTATUS weir_layer_get_default(HANDLE engineHandle, enum weir_layer layer, FWP_ACTION_TYPE *action)
{
	struct weir_session *s;
	NTSTATUS st;

	st = weir_op_begin(engineHandle, false, &s);
	if (st != STATUS_SUCCESS)
		return st;
	if ((unsigned)layer >= WEIR_LAYER_COUNT)
		st = STATUS_FWP_LAYER_NOT_FOUND;
	else if (action == NULL)
		st = STATUS_FWP_NULL_POINTER;
	else
		*action = weir_eng.store.layer_default[layer];
	return weir_op_end(s, st);
}
