/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Copies of store objects handed to callers (internal). Each copy is one
 * allocation, so FwpmFreeMemory0 frees it with a single free().
 */
#ifndef WEIR_MGMT_FLAT_H
#define WEIR_MGMT_FLAT_H

#include "mgmt/store.h"

NTSTATUS weir_flat_provider(const struct weir_provider *p, FWPM_PROVIDER0 **out);
NTSTATUS weir_flat_sublayer(const struct weir_sublayer *sl, FWPM_SUBLAYER0 **out);
NTSTATUS weir_flat_callout(const struct weir_callout *c, FWPM_CALLOUT0 **out);
NTSTATUS weir_flat_filter(const struct weir_filter *f, FWPM_FILTER0 **out);
/** An array of @p n pointers to callout copies, all in one block. */
NTSTATUS weir_flat_callouts(const struct weir_callout *const *c, UINT32 n, FWPM_CALLOUT0 ***out);
/** An array of @p n pointers to filter copies, all in one block. */
NTSTATUS weir_flat_filters(const struct weir_filter *const *f, UINT32 n, FWPM_FILTER0 ***out);

#endif /* WEIR_MGMT_FLAT_H */
