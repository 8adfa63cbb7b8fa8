import Type from 'typebox'
import type { Api, RouteDeps } from './context.ts'
import { COMMON_ERRORS, ProjectParams, toPage } from '../schemas/common.ts'
import {
  CreateSubscriptionBody,
  DeliveryParams,
  DeliveryResponse,
  EXTENSION_PREFIX,
  ListDeliveriesQuery,
  ListDeliveriesResponse,
  ListSubscriptionsQuery,
  ListSubscriptionsResponse,
  SubscriptionParams,
  SubscriptionResponse,
  SubscriptionWithSecret,
  UpdateSubscriptionBody,
  toWireDelivery,
  toWireSubscription,
} from '../schemas/subscriptions.ts'

/** Webhook subscriptions to connection events and their deliveries: vpcep's extension API (docs/events.md). */
export async function subscriptionRoutes(app: Api, deps: RouteDeps): Promise<void> {
  const { subscriptions } = deps
  const tags = ['events']
  const base = `${EXTENSION_PREFIX}/subscriptions`

  app.post(base, {
    schema: { operationId: 'CreateEventSubscription', tags, params: ProjectParams, body: CreateSubscriptionBody, response: { 200: SubscriptionWithSecret, ...COMMON_ERRORS } },
    handler: async (request) => {
      const b = request.body.subscription
      const created = await subscriptions.create(request.scope, {
        name: b.name,
        url: b.url,
        eventTypes: b.event_types,
        resourceType: b.resource_type,
        resourceId: b.resource_id,
        enabled: b.enabled,
        description: b.description,
      })
      return { subscription: toWireSubscription(created.subscription), secret: created.secret }
    },
  })

  app.get(base, {
    schema: { operationId: 'ListEventSubscriptions', tags, params: ProjectParams, querystring: ListSubscriptionsQuery, response: { 200: ListSubscriptionsResponse, ...COMMON_ERRORS } },
    handler: async (request) => {
      const page = await subscriptions.list(request.scope, toPage(request.query))
      return { subscriptions: page.items.map(toWireSubscription), total_count: page.totalCount }
    },
  })

  app.get(`${base}/:subscription_id`, {
    schema: { operationId: 'ShowEventSubscription', tags, params: SubscriptionParams, response: { 200: SubscriptionResponse, ...COMMON_ERRORS } },
    handler: async (request) => ({ subscription: toWireSubscription(await subscriptions.get(request.scope, request.params.subscription_id)) }),
  })

  app.put(`${base}/:subscription_id`, {
    schema: { operationId: 'UpdateEventSubscription', tags, params: SubscriptionParams, body: UpdateSubscriptionBody, response: { 200: SubscriptionResponse, ...COMMON_ERRORS } },
    handler: async (request) => {
      const b = request.body.subscription
      const updated = await subscriptions.update(request.scope, request.params.subscription_id, { name: b.name, url: b.url, eventTypes: b.event_types, enabled: b.enabled, description: b.description })
      return { subscription: toWireSubscription(updated) }
    },
  })

  app.delete(`${base}/:subscription_id`, {
    schema: { operationId: 'DeleteEventSubscription', tags, params: SubscriptionParams, response: { 204: Type.Null(), ...COMMON_ERRORS } },
    handler: async (request, reply) => {
      await subscriptions.delete(request.scope, request.params.subscription_id)
      return reply.code(204).send(null)
    },
  })

  app.post(`${base}/:subscription_id/rotate-secret`, {
    schema: { operationId: 'RotateEventSubscriptionSecret', tags, params: SubscriptionParams, response: { 200: SubscriptionWithSecret, ...COMMON_ERRORS } },
    handler: async (request) => {
      const rotated = await subscriptions.rotateSecret(request.scope, request.params.subscription_id)
      return { subscription: toWireSubscription(rotated.subscription), secret: rotated.secret }
    },
  })

  app.get(`${EXTENSION_PREFIX}/deliveries`, {
    schema: { operationId: 'ListEventDeliveries', tags, params: ProjectParams, querystring: ListDeliveriesQuery, response: { 200: ListDeliveriesResponse, ...COMMON_ERRORS } },
    handler: async (request) => {
      const q = request.query
      const page = await subscriptions.deliveries(request.scope, { subscriptionId: q.subscription_id, status: q.status }, toPage(q))
      return { deliveries: page.items.map(toWireDelivery), total_count: page.totalCount }
    },
  })

  app.get(`${EXTENSION_PREFIX}/deliveries/:delivery_id`, {
    schema: { operationId: 'ShowEventDelivery', tags, params: DeliveryParams, response: { 200: DeliveryResponse, ...COMMON_ERRORS } },
    handler: async (request) => ({ delivery: toWireDelivery(await subscriptions.delivery(request.scope, request.params.delivery_id)) }),
  })

  app.post(`${EXTENSION_PREFIX}/deliveries/:delivery_id/redeliver`, {
    schema: { operationId: 'RedeliverEvent', tags, params: DeliveryParams, response: { 200: DeliveryResponse, ...COMMON_ERRORS } },
    handler: async (request) => ({ delivery: toWireDelivery(await subscriptions.redeliver(request.scope, request.params.delivery_id)) }),
  })
}
