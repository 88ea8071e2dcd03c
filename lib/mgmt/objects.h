/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Calls on one existing store object (internal): the Get and Delete entry
 * points of providers, sublayers, callouts and filters share their session,
 * argument and look-up handling here.
 */
#ifndef WEIR_MGMT_OBJECTS_H
#define WEIR_MGMT_OBJECTS_H

#include "mgmt/engine.h"

/** How Get and Delete find one kind of object and act on it. */
struct weir_obj_ops {
	enum weir_obj_kind kind;
	const struct weir_gmap *map; /**< the kind's objects by key */
	void *(*by_id)(UINT64 id);   /**< look-up by id, for kinds that have ids */
	NTSTATUS not_found;          /**< status when no object matches */
	/** Why @p obj cannot be deleted (STATUS_SUCCESS: it can); NULL: always can. */
	NTSTATUS (*del_check)(const void *obj);
};

/** What weir_obj_call() does. */
enum weir_obj_verb {
	WEIR_OBJ_GET_BY_KEY,
	WEIR_OBJ_GET_BY_ID,
	WEIR_OBJ_DELETE_BY_KEY,
	WEIR_OBJ_DELETE_BY_ID,
};

/**
 * One Get or Delete: begin an operation on @p engineHandle (a write for
 * Delete), check @p key (by key) and @p out (Get), find the object by @p key
 * or @p id, run the kind's op on it, and end the operation.
 */
NTSTATUS weir_obj_call(HANDLE engineHandle, const struct weir_obj_ops *ops, enum weir_obj_verb verb,
                       const GUID *key, UINT64 id, void *out);

/** Delete @p obj in the session's transaction: freed at commit, relinked at abort. */
NTSTATUS weir_store_del(struct weir_session *s, enum weir_obj_kind kind, void *obj);

#endif /* WEIR_MGMT_OBJECTS_H */
