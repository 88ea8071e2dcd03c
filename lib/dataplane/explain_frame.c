/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * weir_explain_frame(): explain from a raw Ethernet frame, parsed and turned
 * into incoming values exactly as the data path does it.
 */
#include <string.h>

#include <rte_mbuf.h>

#include <weir/weir_explain.h>

#include "core/layers.h"
#include "dataplane/parse.h"
#include "dataplane/pipeline.h"

NTSTATUS weir_explain_frame(HANDLE engineHandle, enum weir_layer layer, const void *frame,
                            UINT32 length, UINT16 inPort, struct weir_explain *out)
{
	const struct weir_layer_desc *l = weir_layer_get(layer);
	FWPS_INCOMING_VALUE0 vals[WEIR_FIELDS_MAX];
	FWPS_INCOMING_VALUES0 in;
	struct rte_mbuf m;
	struct weir_pkt p;
	struct vstore vs;

	if (frame == NULL || out == NULL)
		return STATUS_FWP_NULL_POINTER;
	if (l == NULL)
		return STATUS_FWP_LAYER_NOT_FOUND;
	if (length == 0 || length > UINT16_MAX || l->field_count > RTE_DIM(vals))
		return STATUS_INVALID_PARAMETER;
	/* a one-segment mbuf over the caller's bytes: the parser only reads */
	memset(&m, 0, sizeof(m));
	m.buf_addr = (void *)(uintptr_t)frame;
	m.buf_len = (uint16_t)length;
	m.data_off = 0;
	m.data_len = (uint16_t)length;
	m.pkt_len = length;
	m.nb_segs = 1;
	if (weir_parse(&m, &p) != WEIR_DROP_NONE)
		return STATUS_INVALID_PARAMETER;
	p.in_port = inPort;
	p.out_port = inPort ^ 1;
	p.cond_flags = 0;
	if (!weir_pipeline_applies(l, &p))
		return STATUS_INVALID_PARAMETER;
	weir_pipeline_fill(l, &p, vals, &vs);
	in.layerId = l->fwps_id;
	in.valueCount = l->field_count;
	in.incomingValue = vals;
	return weir_explain(engineHandle, layer, &in, out);
}
