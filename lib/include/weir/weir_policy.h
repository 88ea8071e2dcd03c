/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Policy files: load, reload and unload a weir policy (the language of the
 * design document policy-language.md) through the management API, and the
 * callout modules it names.
 *
 * A policy file says what a WFP management client says with
 * FwpmProviderAdd0 / FwpmSubLayerAdd0 / FwpmCalloutAdd0 / FwpmFilterAdd0 and
 * weir_layer_set_default. The whole file is read and checked before anything
 * is applied; applying it is one transaction of the caller's session, so the
 * engine sees all of it or none of it. Errors name the offending token as
 * `FILE:LINE:COL: message` (lines and columns from 1, columns in bytes, a tab
 * is one column).
 *
 * Details the language leaves open, as this loader decides them:
 * - A name may be used before the statement defining it.
 * - Strings know two escapes, \" and \\; they end on their line. A `\` that
 *   continues a line must be its last character (blanks aside); a `#`
 *   comment ends the statement.
 * - Operators need no blanks around them (`ip.proto==6`).
 * - Prefixes: `==`, `!=` and `in` take them; host bits are cleared
 *   (10.1.2.3/8 is 10.0.0.0/8). Ranges (`in low-high`) work for every field,
 *   addresses and MACs included; low must not exceed high.
 * - Numbers are checked against the field's width; vlan.id is 0..4095 and
 *   ip.dscp 0..63.
 * - provider, sublayer, callout and filter all take `description "<text>"`.
 * - Objects are added providers first, then sublayers, callouts, filters,
 *   whatever the order of the file.
 *
 * Object keys: an object without `key` gets a name-based GUID, a UUID version
 * 5 (RFC 4122 section 4.3: SHA-1, version and variant bits set) of the name
 * `<kind>:<name>` (kind: provider, sublayer, callout, filter; name in UTF-8)
 * in the namespace WEIR_POLICY_NAMESPACE. The same name always gives the
 * same key, which is how a reload recognises an object it already added, and
 * how a tool finds a policy object in the engine (weir_policy_object_key()).
 *
 * Modules (`module "<path>" [args "<string>"]`) are shared objects exporting
 * the callout module ABI:
 * @code
 * NTSTATUS weir_callout_module_load(void *deviceObject, const char *args);
 * void weir_callout_module_unload(void *deviceObject);
 * @endcode
 * deviceObject is a token the loader allocates per module statement; the
 * module passes it to FwpsCalloutRegisterN. args is "" when the statement has
 * none. A relative path is looked up in the policy file's directory first,
 * then in the current directory; an existing file is known by its real path,
 * so two spellings of one file are one module. One file named twice with
 * different args is mapped once and loaded twice, each time with its own
 * deviceObject: a module keeps its state per deviceObject.
 *
 * A module's load function runs while the loader's transaction is open: it
 * should only register callouts (FwpsCalloutRegisterN is immediate and
 * outside transactions); an Fwpm write from another session would wait for
 * that transaction. On reload a new module is loaded before the commit and a
 * dropped one unloaded after it, so replacing a module by one that registers
 * the same callout GUID (e.g. the same file with other args) fails with
 * STATUS_FWP_ALREADY_EXISTS: drop it in one reload, add it in the next.
 *
 * Threading: every function here runs on a control thread; the functions
 * taking an engine handle must not run concurrently on one state.
 */
#ifndef WEIR_WEIR_POLICY_H
#define WEIR_WEIR_POLICY_H

#include <stddef.h>
#include <weir/fwptypes.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Namespace of name-based policy keys: 10304fb4-a209-4cd7-9c1c-f72f84c3ef86. */
DEFINE_GUID(WEIR_POLICY_NAMESPACE, 0x10304fb4, 0xa209, 0x4cd7, 0x9c, 0x1c, 0xf7, 0x2f, 0x84, 0xc3,
            0xef, 0x86);

/**
 * Where and why a policy operation failed. line 0: the error has no position
 * in the file (it cannot be read, or an object no longer in it cannot be
 * deleted). status is the result of the operation.
 */
struct weir_policy_error {
	char file[1024]; /**< the policy file's path as given (truncated to fit) */
	unsigned line;   /**< 1-based line, 0 if none */
	unsigned col;    /**< 1-based byte column, 0 if none */
	char msg[1024];  /**< what is wrong, without the position (paths included) */
	NTSTATUS status; /**< the status the operation returned */
};

/**
 * What a loaded policy created: the keys of its objects, the layer defaults it
 * set and the modules it loaded. Reload updates it; unload frees it.
 */
struct weir_policy_state;

/** Object kinds of the policy language, for weir_policy_object_key(). */
enum weir_policy_kind {
	WEIR_POLICY_PROVIDER = 0,
	WEIR_POLICY_SUBLAYER,
	WEIR_POLICY_CALLOUT,
	WEIR_POLICY_FILTER,
};

/**
 * Read, check and apply a policy file in one transaction of @p engine, then
 * load its modules; the transaction commits only when every object was added
 * and every module loaded. On failure nothing stays: the transaction is
 * aborted and the modules this call loaded are unloaded.
 *
 * Order: FwpmTransactionBegin0; providers, sublayers, callouts, filters (each
 * kind in file order), layer defaults; modules in file order; commit.
 *
 * @param engine an open session without a transaction in progress.
 * @param path the policy file.
 * @param state receives the new state on success, NULL on failure.
 * @param err optional; filled on failure (position, message, status).
 * @return STATUS_SUCCESS;
 *   STATUS_FWP_NULL_POINTER (@p path or @p state NULL);
 *   STATUS_NOT_FOUND (the file does not exist);
 *   STATUS_ACCESS_DENIED (it cannot be read);
 *   STATUS_UNSUCCESSFUL (another error opening or reading it, e.g. a
 *   directory);
 *   STATUS_INVALID_PARAMETER (a syntax or validation error in the file, or
 *   two module statements naming one file with the same args);
 *   STATUS_NO_MEMORY;
 *   STATUS_UNSUCCESSFUL (a module could not be dlopen()ed: dlerror() text in
 *   the message);
 *   STATUS_NOT_FOUND (a module lacks weir_callout_module_load or
 *   weir_callout_module_unload);
 *   a module's own failure status from weir_callout_module_load;
 *   any status of FwpmTransactionBegin0 / FwpmProviderAdd0 /
 *   FwpmSubLayerAdd0 / FwpmCalloutAdd0 / FwpmFilterAdd0 /
 *   weir_layer_set_default / FwpmTransactionCommit0 (e.g.
 *   STATUS_INVALID_HANDLE, STATUS_FWP_TXN_IN_PROGRESS,
 *   STATUS_FWP_ALREADY_EXISTS), reported at the statement that caused it with
 *   its weir_status_name().
 */
NTSTATUS weir_policy_load(HANDLE engine, const char *path, struct weir_policy_state **state,
                          struct weir_policy_error *err);

/**
 * Re-read a policy file and make the engine match it, in one transaction
 * (SIGHUP). Objects whose kind, key and definition are unchanged are left
 * alone (their filter ids, hit counters and callout notifications do not
 * churn); an object whose definition changed, or that names an object being
 * re-added (its sublayer, callout or provider), is deleted and added again;
 * objects no longer in the file are deleted; an unchanged object that was
 * deleted from the engine meanwhile is added again. Modules are matched by real
 * resolved path and args: new ones are loaded before the commit, removed ones
 * unloaded after it.
 *
 * A failed reload changes nothing: the transaction is aborted, modules it
 * loaded are unloaded, and @p state still describes the policy in force.
 *
 * @param engine the session the policy was loaded with.
 * @param path the policy file (usually the one loaded before).
 * @param state the state of the policy in force; updated on success.
 * @param err optional; filled on failure. On STATUS_SUCCESS it is cleared,
 *   except when a module removed by the reload refused to unload: then it
 *   holds that warning (status STATUS_DEVICE_BUSY), the policy is in force
 *   and the module stays loaded (retried by the next reload or unload).
 * @return as weir_policy_load(), plus
 *   STATUS_FWP_NULL_POINTER (@p state NULL);
 *   any status of FwpmFilterDeleteByKey0 / FwpmCalloutDeleteByKey0 /
 *   FwpmSubLayerDeleteByKey0 / FwpmProviderDeleteByKey0 other than the
 *   object's *_NOT_FOUND (e.g. STATUS_FWP_IN_USE when another session's
 *   filter still names a sublayer the file dropped), and of the
 *   Fwpm*GetByKey0 call that checks an unchanged object is still there.
 */
NTSTATUS weir_policy_reload(HANDLE engine, const char *path, struct weir_policy_state *state,
                            struct weir_policy_error *err);

/**
 * Shutdown: delete every object the policy added and reset the layer defaults
 * it set to FWP_ACTION_PERMIT (one transaction, objects already gone are
 * skipped), then unload its modules in reverse file order: each gets
 * weir_callout_module_unload(deviceObject); a module that still has a callout
 * registered with its deviceObject afterwards is not dlclose()d (its code may
 * still be called) and stays loaded for the life of the process. Frees
 * @p state in every case.
 *
 * @param engine the session the policy was loaded with.
 * @param state the state; NULL is allowed (nothing to do).
 * @return STATUS_SUCCESS; STATUS_DEVICE_BUSY (a module kept registrations and
 *   was left loaded); the first failing status of the transaction calls
 *   (e.g. STATUS_INVALID_HANDLE, STATUS_FWP_IN_USE): the other objects and
 *   the modules are still processed.
 */
NTSTATUS weir_policy_unload(HANDLE engine, struct weir_policy_state *state);

/**
 * Read and check a policy file without an engine (for weirctl): syntax,
 * names, references, layers, fields, values. Modules are not opened.
 *
 * @param path the policy file.
 * @param err optional; filled on failure.
 * @return STATUS_SUCCESS; STATUS_FWP_NULL_POINTER (@p path NULL);
 *   STATUS_NOT_FOUND (no such file); STATUS_ACCESS_DENIED (unreadable);
 *   STATUS_UNSUCCESSFUL (another open or read error);
 *   STATUS_INVALID_PARAMETER (an error in the file); STATUS_NO_MEMORY.
 */
NTSTATUS weir_policy_check(const char *path, struct weir_policy_error *err);

/**
 * Format an error as `FILE:LINE:COL: message` (`FILE: message` when it has
 * no position), always NUL-terminated when @p n > 0.
 *
 * @param e the error; NULL formats as "(no error)".
 * @param buf the output buffer.
 * @param n its size in bytes.
 */
void weir_policy_format_error(const struct weir_policy_error *e, char *buf, size_t n);

/**
 * The key a policy gives an object named @p name of kind @p kind when the
 * file gives it no `key` (see the file comment).
 *
 * @param kind the object kind.
 * @param name the object's name (UTF-8, as written without quotes).
 * @param key receives the key.
 * @return STATUS_SUCCESS; STATUS_FWP_NULL_POINTER (@p name or @p key NULL);
 *   STATUS_INVALID_PARAMETER (@p kind out of range).
 */
NTSTATUS weir_policy_object_key(enum weir_policy_kind kind, const char *name, GUID *key);

/**
 * The id FwpmFilterAdd0 gave the policy's filter @p name (unchanged across
 * reloads while its definition is).
 *
 * @param state the loaded policy.
 * @param name the filter's name.
 * @param filterId receives the id.
 * @return STATUS_SUCCESS; STATUS_FWP_NULL_POINTER; STATUS_FWP_FILTER_NOT_FOUND
 *   (no filter of that name in the policy).
 */
NTSTATUS weir_policy_filter_id(const struct weir_policy_state *state, const char *name,
                               UINT64 *filterId);

#ifdef __cplusplus
}
#endif

#endif /* WEIR_WEIR_POLICY_H */
