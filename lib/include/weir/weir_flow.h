/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Flow contexts (WFP's FwpsFlowAssociateContext0 / FwpsFlowRemoveContext0).
 *
 * A flow id is the value the engine passes in
 * FWPS_INCOMING_METADATA_VALUES0.flowHandle (FWPS_METADATA_FIELD_FLOW_HANDLE).
 * It names one flow of one worker's flow table; ids of ended flows are never
 * valid again (a per-slot incarnation number is part of the id).
 *
 * Both functions may be called
 * - from a classifyFn (or anything else) running on the worker that owns the
 *   flow: handled directly, without locks;
 * - from any other thread while that worker runs: the request goes through
 *   the worker's message ring and the caller waits for the answer (up to
 *   one second). The worker serves the ring between packets, never during
 *   a classify, so such a remove never answers STATUS_PENDING;
 * - from any thread while no worker runs the table (before the data path
 *   starts, after it stops): handled directly.
 * Not from another worker's classifyFn on a flow it does not own (that
 * would wait for a worker that may be waiting too): such calls get
 * STATUS_INVALID_PARAMETER. Not with the engine lock held (a notifyFn).
 *
 * Each associated context holds one reference on its callout's registration:
 * FwpsCalloutUnregister* returns STATUS_DEVICE_BUSY until every context of
 * that callout was removed or its flow ended. flowDeleteFn(layerId,
 * calloutId, context) runs exactly once per context, on the worker owning the
 * flow (or the thread destroying the table), when the flow ends (TCP close or
 * reset, idle timeout, table destroyed at shutdown) or the context is removed.
 */
#ifndef WEIR_FLOW_PUBLIC_H
#define WEIR_FLOW_PUBLIC_H

#include <weir/fwptypes.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Associate @p flowContext with flow @p flowId for callout @p calloutId.
 *
 * @param flowId the flowHandle of the flow.
 * @param layerId the FWPS layer id passed back to flowDeleteFn (any layer:
 *   the target callout may be a callout of another layer of the flow).
 * @param calloutId the run-time id of the callout that will receive the
 *   context as flowContext (and whose flowDeleteFn runs at the end).
 * @param flowContext the context; not 0.
 * @return STATUS_SUCCESS;
 *   STATUS_INVALID_PARAMETER (flowContext 0; flowId names no live flow;
 *   calloutId is not registered, is being unregistered or has no
 *   flowDeleteFn; called from another worker's lcore);
 *   STATUS_OBJECT_NAME_EXISTS (the flow already has a context for
 *   calloutId, whatever the layer);
 *   STATUS_INSUFFICIENT_RESOURCES (the table's overflow pool for flows with
 *   more than two contexts is exhausted);
 *   STATUS_FWP_TIMEOUT (the owning worker did not answer within one second;
 *   nothing was done).
 */
NTSTATUS FwpsFlowAssociateContext0(UINT64 flowId, UINT16 layerId, UINT32 calloutId,
                                   UINT64 flowContext);

/**
 * Remove the context of callout @p calloutId from flow @p flowId.
 *
 * @param flowId the flowHandle of the flow.
 * @param layerId the layer id given at association (not compared: one
 *   context per flow and callout).
 * @param calloutId the callout.
 * @return STATUS_SUCCESS (flowDeleteFn ran before the return);
 *   STATUS_PENDING (a classify of the flow is in progress on its worker:
 *   flowDeleteFn runs when that classify ends);
 *   STATUS_UNSUCCESSFUL (no such context, or no such flow);
 *   STATUS_INVALID_PARAMETER (called from another worker's lcore);
 *   STATUS_FWP_TIMEOUT (the owning worker did not answer within one second;
 *   nothing was done).
 */
NTSTATUS FwpsFlowRemoveContext0(UINT64 flowId, UINT16 layerId, UINT32 calloutId);

#ifdef __cplusplus
}
#endif

#endif /* WEIR_FLOW_PUBLIC_H */
