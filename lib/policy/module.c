/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Callout modules: dlopen a shared object, call its
 * weir_callout_module_load(deviceObject, args), and on unload call
 * weir_callout_module_unload(deviceObject) and dlclose it — but only once no
 * callout it registered is still registered, since the engine would
 * otherwise call code that is no longer mapped (WFP's rule: a driver cannot
 * unload while its callouts are registered).
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy/policy_private.h"

/*
 * Provided by the shim (lib/shim): true while a callout registered with
 * @p deviceObject is still registered. Declared here rather than through the
 * shim's internal header: it is the one thing the loader needs from it.
 */
bool weir_device_has_registrations(void *deviceObject);

typedef NTSTATUS (*module_load_fn)(void *deviceObject, const char *args);
typedef void (*module_unload_fn)(void *deviceObject);

/*
 * The canonical path when the file exists (so two spellings of one file are
 * one module), else the spelling dlopen is given (its error names it).
 */
static char *canonical(char *path)
{
	char *real = realpath(path, NULL);

	if (real == NULL)
		return path;
	free(path);
	return real;
}

char *weir_pol_module_resolve(const char *dir, const char *path)
{
	char *s;
	size_t n;

	if (path[0] == '/')
		return (s = strdup(path)) ? canonical(s) : NULL;
	/* the policy's directory first, then the current one */
	n = strlen(dir) + 1 + strlen(path) + 1;
	s = malloc(n);
	if (s == NULL)
		return NULL;
	snprintf(s, n, "%s/%s", dir, path);
	if (access(s, F_OK) == 0)
		return canonical(s);
	free(s);
	/* "./" keeps dlopen from searching the library path for a bare name */
	n = 2 + strlen(path) + 1;
	s = malloc(n);
	if (s)
		snprintf(s, n, "./%s", path);
	return s ? canonical(s) : NULL;
}

static void module_free(struct pol_module *m)
{
	free(m->path);
	free(m->resolved);
	free(m->args);
	free(m);
}

NTSTATUS weir_pol_module_load(const char *path, const char *resolved, const char *args,
                              struct pol_module **out, char *msg, size_t n)
{
	struct pol_module *m = calloc(1, sizeof(*m));
	const char *de;
	void *sym;
	NTSTATUS st;

	*out = NULL;
	if (m == NULL) {
		snprintf(msg, n, "out of memory");
		return STATUS_NO_MEMORY;
	}
	m->path = strdup(path);
	m->resolved = strdup(resolved);
	m->args = strdup(args);
	if (m->path == NULL || m->resolved == NULL || m->args == NULL) {
		module_free(m);
		snprintf(msg, n, "out of memory");
		return STATUS_NO_MEMORY;
	}
	dlerror();
	m->handle = dlopen(resolved, RTLD_NOW | RTLD_LOCAL);
	if (m->handle == NULL) {
		de = dlerror();
		snprintf(msg, n, "cannot load module: %s", de ? de : "unknown dlopen error");
		module_free(m);
		return STATUS_UNSUCCESSFUL;
	}
	/* a function pointer through an object pointer: what POSIX dlsym implies */
	sym = dlsym(m->handle, "weir_callout_module_load");
	memcpy(&m->load, &sym, sizeof(sym));
	sym = dlsym(m->handle, "weir_callout_module_unload");
	memcpy(&m->unload, &sym, sizeof(sym));
	if (m->load == NULL || m->unload == NULL) {
		snprintf(msg, n, "module %s does not export %s", resolved,
		         m->load == NULL ? "weir_callout_module_load"
		                         : "weir_callout_module_unload");
		dlclose(m->handle);
		module_free(m);
		return STATUS_NOT_FOUND;
	}
	/* the module struct itself is the deviceObject: unique while loaded */
	st = m->load(m, m->args);
	if (!NT_SUCCESS(st)) {
		snprintf(msg, n, "weir_callout_module_load of %s failed: %s (0x%08x)", resolved,
		         weir_status_name(st), (unsigned)st);
		/* a failed load must leave nothing registered; if it did, the code stays */
		if (weir_device_has_registrations(m)) {
			size_t used = strlen(msg);

			snprintf(msg + used, n - used,
			         "; it left callouts registered, so it stays loaded");
			return st;
		}
		dlclose(m->handle);
		module_free(m);
		return st;
	}
	*out = m;
	return STATUS_SUCCESS;
}

NTSTATUS weir_pol_module_unload(struct pol_module *m, bool call_unload, char *msg, size_t n)
{
	if (call_unload)
		m->unload(m);
	if (weir_device_has_registrations(m)) {
		snprintf(msg, n,
		         "module %s still has callouts registered after "
		         "weir_callout_module_unload; not unloaded (its code stays loaded)",
		         m->resolved);
		return STATUS_DEVICE_BUSY;
	}
	dlclose(m->handle);
	module_free(m);
	return STATUS_SUCCESS;
}
