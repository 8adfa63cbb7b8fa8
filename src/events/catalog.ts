import type { StoredEvent } from '../store/repos/events.ts'

/** The event types a subscription may choose (the `type` of each CloudEvent is `vpcep.` + the name). */
export const EVENT_TYPES = [
  'connection.requested',
  'connection.accepted',
  'connection.rejected',
  'connection.deleted',
  'service.available',
  'service.failed',
  'endpoint.available',
  'endpoint.failed',
] as const
export type EventTypeName = (typeof EVENT_TYPES)[number]

export const SUBSCRIPTION_RESOURCE_TYPES = ['endpoint_service', 'endpoint'] as const
export type SubscriptionResourceType = (typeof SUBSCRIPTION_RESOURCE_TYPES)[number]

export const CLOUDEVENT_TYPE_PREFIX = 'vpcep.'

/** Whom an outbox event concerns: the service's owner and, for a connection, the endpoint's owner. */
export interface Audience {
  serviceId: string | undefined
  serviceProjectId: string | undefined
  endpointId: string | undefined
  endpointProjectId: string | undefined
}

/** One outbox event as subscribers see it: zero or more public event types, and who may receive them. */
export interface PublicEvent {
  types: EventTypeName[]
  audience: Audience
  /** The CloudEvent `data`, the same for every type the outbox event maps to. */
  data: Record<string, unknown>
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

/**
 * Maps an outbox event to the public types it stands for. An endpoint leaving `creating` is both a
 * provisioned endpoint and a connection request (an auto-approved one is also accepted at once, as AWS
 * PrivateLink sends Connect then Accept); a deleted endpoint ends its connection. Other outbox events
 * (tags, descriptions, whitelist records, …) are not published.
 */
export function publicEventOf(event: StoredEvent): PublicEvent | undefined {
  const p = event.payload
  if (event.resourceType === 'endpoint_service') {
    const types: EventTypeName[] = event.type === 'service.available' ? ['service.available'] : event.type === 'service.failed' ? ['service.failed'] : []
    if (types.length === 0) return undefined
    return {
      types,
      audience: { serviceId: event.resourceId, serviceProjectId: event.projectId, endpointId: undefined, endpointProjectId: undefined },
      data: { endpoint_service_id: event.resourceId, status: event.type === 'service.available' ? 'available' : 'failed', ...(Array.isArray(p.errors) ? { errors: p.errors } : {}) },
    }
  }
  if (event.resourceType !== 'endpoint') return undefined
  const fromCreating = p.from === 'creating'
  let types: EventTypeName[]
  let status: string
  switch (event.type) {
    case 'connection.pendingAcceptance':
      types = fromCreating ? ['connection.requested', 'endpoint.available'] : []
      status = 'pendingAcceptance'
      break
    case 'connection.accepted':
      types = fromCreating ? ['connection.requested', 'connection.accepted', 'endpoint.available'] : ['connection.accepted']
      status = 'accepted'
      break
    case 'connection.rejected':
      types = ['connection.rejected']
      status = 'rejected'
      break
    case 'connection.failed':
      types = ['endpoint.failed']
      status = 'failed'
      break
    case 'endpoint.deleted':
      types = ['connection.deleted']
      status = 'deleted'
      break
    default:
      return undefined
  }
  if (types.length === 0) return undefined
  const data: Record<string, unknown> = {
    endpoint_id: event.resourceId,
    endpoint_service_id: text(p.serviceId) ?? null,
    status,
    previous_status: text(p.from) ?? null,
    marker_id: typeof p.markerId === 'number' ? p.markerId : null,
    domain_id: text(p.domainId) ?? null,
  }
  if (Array.isArray(p.errors)) data.errors = p.errors
  if (text(p.reason)) data.reason = p.reason
  return {
    types,
    audience: { serviceId: text(p.serviceId), serviceProjectId: text(p.serviceProjectId), endpointId: event.resourceId, endpointProjectId: event.projectId },
    data,
  }
}

/** The CloudEvent id of one public type of an outbox event: stable, so a redelivery carries the same id. */
export function cloudEventId(seq: number, type: EventTypeName): string {
  return `${seq}-${type}`
}

/** A CloudEvents 1.0 event in structured JSON mode. */
export interface CloudEvent {
  specversion: '1.0'
  id: string
  source: string
  type: string
  subject: string
  time: string
  datacontenttype: 'application/json'
  data: Record<string, unknown>
}

export function toCloudEvent(region: string, event: StoredEvent, type: EventTypeName, data: Record<string, unknown>): CloudEvent {
  const serviceScoped = type.startsWith('service.')
  return {
    specversion: '1.0',
    id: cloudEventId(event.seq, type),
    source: `/vpcep/${region}`,
    type: `${CLOUDEVENT_TYPE_PREFIX}${type}`,
    subject: serviceScoped ? `vpc-endpoint-services/${event.resourceId}` : `vpc-endpoints/${event.resourceId}`,
    time: event.occurredAt,
    datacontenttype: 'application/json',
    data,
  }
}
