/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Copies of store objects handed to callers (internal). Each copy is one
 * allocation, so FwpmFreeMemory0 frees it with a single free().
 */
#ifndef WEIR_MGMT_FLAT_H
#define WEIR_MGMT_FLAT_H

#include "mgmt/engine.h"

/**
 * The copy of a provider, sublayer, callout or filter (@p kind) into
 * @p out, which points to the FWPM_PROVIDER0 *, FWPM_SUBLAYER0 *, ... to set.
 */
NTSTATUS weir_flat_object(enum weir_obj_kind kind, const void *obj, void *out);
/**
 * An array of @p n pointers to copies of @p objs, of kind @p kind, all in one
 * block, into @p out.
 */
NTSTATUS weir_flat_objects(enum weir_obj_kind kind, const void *const *objs, UINT32 n, void ***out);

#endif /* WEIR_MGMT_FLAT_H */
