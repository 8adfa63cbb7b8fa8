import Type, { type Static } from 'typebox'
import { toWireTime } from '../../domain/clock.ts'
import type { Delivery, Subscription } from '../../domain/subscriptions.ts'
import { EVENT_TYPES, SUBSCRIPTION_RESOURCE_TYPES } from '../../events/catalog.ts'
import { MAX_URL_LENGTH } from '../../events/url-safety.ts'
import { Description, Id, PageQuery, StringEnum, WireTime } from './common.ts'

/** The prefix of vpcep's own extension API, beside (not inside) the VPCEP paths. */
export const EXTENSION_PREFIX = '/vpcep-ext/v1/:project_id'

const EventType = StringEnum(EVENT_TYPES)
const EventTypes = Type.Array(EventType, { minItems: 1, maxItems: EVENT_TYPES.length * 2 })
const WebhookUrl = Type.String({ minLength: 1, maxLength: MAX_URL_LENGTH, description: 'http or https; no credentials; checked against the server\'s address policy when saved and when used' })
const Name = Type.String({ maxLength: 64, pattern: '^[^<>]*$' })

export const SubscriptionOut = Type.Object({
  id: Type.String(),
  name: Type.String(),
  url: Type.String(),
  event_types: Type.Array(Type.String()),
  resource_type: Type.String(),
  resource_id: Type.Union([Type.String(), Type.Null()], { description: 'null: every resource of the type in the project' }),
  enabled: Type.Boolean(),
  description: Type.String(),
  created_at: WireTime,
  updated_at: WireTime,
})

export const SubscriptionWithSecret = Type.Object({
  subscription: SubscriptionOut,
  secret: Type.String({ description: 'The signing secret; shown only in this answer' }),
})
export const SubscriptionResponse = Type.Object({ subscription: SubscriptionOut })
export const ListSubscriptionsResponse = Type.Object({ subscriptions: Type.Array(SubscriptionOut), total_count: Type.Integer() })

export const SubscriptionParams = Type.Object({ project_id: Id, subscription_id: Id })
export const DeliveryParams = Type.Object({ project_id: Id, delivery_id: Id })

export const CreateSubscriptionBody = Type.Object(
  {
    subscription: Type.Object(
      {
        name: Type.Optional(Name),
        url: WebhookUrl,
        event_types: EventTypes,
        resource_type: StringEnum(SUBSCRIPTION_RESOURCE_TYPES, { 'x-vpcep-error': 'EndPoint.3070' }),
        resource_id: Type.Optional(Type.Union([Id, Type.Null()])),
        enabled: Type.Optional(Type.Boolean()),
        description: Type.Optional(Description(512)),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
)

export const UpdateSubscriptionBody = Type.Object(
  {
    subscription: Type.Object(
      {
        name: Type.Optional(Name),
        url: Type.Optional(WebhookUrl),
        event_types: Type.Optional(EventTypes),
        enabled: Type.Optional(Type.Boolean()),
        description: Type.Optional(Description(512)),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
)

export const ListSubscriptionsQuery = Type.Object(PageQuery(500))

export const DELIVERY_STATUSES = ['pending', 'delivered', 'dead'] as const

export const ListDeliveriesQuery = Type.Object({
  ...PageQuery(500),
  subscription_id: Type.Optional(Id),
  status: Type.Optional(StringEnum(DELIVERY_STATUSES, { 'x-vpcep-error': 'EndPoint.0019' })),
})

export const DeliveryOut = Type.Object({
  id: Type.String(),
  subscription_id: Type.String(),
  event_id: Type.String(),
  event_type: Type.String(),
  status: StringEnum(DELIVERY_STATUSES),
  attempts: Type.Integer(),
  next_attempt_at: Type.Union([WireTime, Type.Null()]),
  last_attempt_at: Type.Union([WireTime, Type.Null()]),
  last_status_code: Type.Union([Type.Integer(), Type.Null()]),
  last_error: Type.Union([Type.String(), Type.Null()]),
  response_excerpt: Type.Union([Type.String({ description: 'At most the first 256 characters of the receiver\'s answer' }), Type.Null()]),
  created_at: WireTime,
  delivered_at: Type.Union([WireTime, Type.Null()]),
  event: Type.Record(Type.String(), Type.Unknown(), { description: 'The CloudEvent as sent' }),
})
export const DeliveryResponse = Type.Object({ delivery: DeliveryOut })
export const ListDeliveriesResponse = Type.Object({ deliveries: Type.Array(DeliveryOut), total_count: Type.Integer() })

function wireTimeOrNull(stored: string | null): string | null {
  return stored === null ? null : toWireTime(stored)
}

export function toWireSubscription(s: Subscription): Static<typeof SubscriptionOut> {
  return {
    id: s.id,
    name: s.name,
    url: s.url,
    event_types: s.eventTypes,
    resource_type: s.resourceType,
    resource_id: s.resourceId,
    enabled: s.enabled,
    description: s.description,
    created_at: toWireTime(s.createdAt),
    updated_at: toWireTime(s.updatedAt),
  }
}

export function toWireDelivery(d: Delivery): Static<typeof DeliveryOut> {
  return {
    id: d.id,
    subscription_id: d.subscriptionId,
    event_id: d.eventId,
    event_type: d.eventType,
    status: d.status,
    attempts: d.attempts,
    next_attempt_at: wireTimeOrNull(d.nextAttemptAt),
    last_attempt_at: wireTimeOrNull(d.lastAttemptAt),
    last_status_code: d.lastStatusCode,
    last_error: d.lastError,
    response_excerpt: d.responseExcerpt,
    created_at: toWireTime(d.createdAt),
    delivered_at: wireTimeOrNull(d.deliveredAt),
    event: d.event,
  }
}
