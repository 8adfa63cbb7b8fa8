import { findOwnServiceRow } from '../store/repos/services.ts'
import { findOwnEndpointRow } from '../store/repos/endpoints.ts'
import {
  countOwnSubscriptions,
  deleteOwnSubscription,
  findOwnDelivery,
  findOwnSubscription,
  insertSubscription,
  listOwnDeliveries,
  listOwnSubscriptions,
  requeueDelivery,
  updateSubscription,
  type DeliveryFilter,
  type DeliveryRow,
  type SubscriptionRow,
} from '../store/repos/subscriptions.ts'
import { EVENT_TYPES, type EventTypeName, type SubscriptionResourceType } from '../events/catalog.ts'
import { checkWebhookUrl, UnsafeUrlError, type AddressPolicy } from '../events/url-safety.ts'
import { newSigningSecret } from '../events/signing.ts'
import type { Executor } from '../store/database.ts'
import { toStoredTime } from './clock.ts'
import type { DomainContext } from './context.ts'
import { fail } from './errors.ts'
import type { Page, Paged, Scope } from '../model/resources.ts'

/** Subscriptions per project; deliveries fan out per subscription, so their number is bounded. */
export const SUBSCRIPTION_QUOTA = 50

export interface Subscription {
  id: string
  projectId: string
  name: string
  url: string
  eventTypes: EventTypeName[]
  resourceType: SubscriptionResourceType
  /** null: every resource of the type in the project. */
  resourceId: string | null
  enabled: boolean
  description: string
  createdAt: string
  updatedAt: string
}

export interface Delivery {
  id: string
  subscriptionId: string
  eventId: string
  eventType: string
  status: 'pending' | 'delivered' | 'dead'
  attempts: number
  nextAttemptAt: string | null
  lastAttemptAt: string | null
  lastStatusCode: number | null
  lastError: string | null
  responseExcerpt: string | null
  createdAt: string
  deliveredAt: string | null
  event: Record<string, unknown>
}

export interface NewSubscription {
  name?: string
  url: string
  eventTypes: EventTypeName[]
  resourceType: SubscriptionResourceType
  resourceId?: string | null
  enabled?: boolean
  description?: string
}

export type SubscriptionChanges = Partial<Pick<NewSubscription, 'name' | 'url' | 'eventTypes' | 'enabled' | 'description'>>

/** Service events go to the service's owner only; an endpoint subscription cannot ask for them. */
const ENDPOINT_EVENT_TYPES: readonly EventTypeName[] = EVENT_TYPES.filter((t) => !t.startsWith('service.'))

function toSubscription(row: SubscriptionRow): Subscription {
  return {
    id: row.id,
    projectId: row.projectId,
    name: row.name,
    url: row.url,
    eventTypes: JSON.parse(row.eventTypes),
    resourceType: row.resourceType as SubscriptionResourceType,
    resourceId: row.resourceId === '' ? null : row.resourceId,
    enabled: row.enabled === 1,
    description: row.description,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  }
}

function toDelivery(row: DeliveryRow): Delivery {
  return {
    id: row.id,
    subscriptionId: row.subscriptionId,
    eventId: row.eventId,
    eventType: row.eventType,
    status: row.status as Delivery['status'],
    attempts: row.attempts,
    nextAttemptAt: row.status === 'pending' ? row.nextAttemptAt : null,
    lastAttemptAt: row.lastAttemptAt,
    lastStatusCode: row.lastStatusCode,
    lastError: row.lastError,
    responseExcerpt: row.responseExcerpt,
    createdAt: row.createdAt,
    deliveredAt: row.deliveredAt,
    event: JSON.parse(row.body),
  }
}

/** Webhook subscriptions of a project, and the deliveries made for them (a vpcep extension). */
export class Subscriptions {
  constructor(
    private readonly ctx: DomainContext,
    private readonly addresses: AddressPolicy,
    /** Called after a redelivery is queued, so delivery starts at once. */
    private readonly onRequeued: () => void,
    /** Called after a subscription is created or changed, so delivery follows new events at once. */
    private readonly onSubscriptionsChanged: () => void = () => {},
  ) {}

  async create(scope: Scope, input: NewSubscription): Promise<{ subscription: Subscription; secret: string }> {
    const eventTypes = this.eventTypesFor(input.resourceType, input.eventTypes)
    const url = await this.checkUrl(input.url)
    const secret = newSigningSecret()
    const row = await this.ctx.store.transaction(async (tx) => {
      const resourceId = input.resourceId ?? ''
      if (resourceId !== '') await this.requireOwnResource(tx, scope, input.resourceType, resourceId)
      if ((await countOwnSubscriptions(tx, scope)) >= SUBSCRIPTION_QUOTA) fail('quotaExceeded', `A project may have at most ${SUBSCRIPTION_QUOTA} event subscriptions.`)
      const stamp = toStoredTime(this.ctx.clock.now())
      const created: SubscriptionRow = {
        id: this.ctx.ids.uuid(),
        projectId: scope.projectId,
        accountId: scope.accountId,
        name: input.name ?? '',
        url,
        eventTypes: JSON.stringify(eventTypes),
        resourceType: input.resourceType,
        resourceId,
        secret: this.ctx.store.secrets.seal(secret),
        enabled: input.enabled === false ? 0 : 1,
        description: input.description ?? '',
        createdAt: stamp,
        updatedAt: stamp,
      }
      await insertSubscription(tx, created)
      return created
    })
    this.onSubscriptionsChanged()
    return { subscription: toSubscription(row), secret }
  }

  async list(scope: Scope, page: Page): Promise<Paged<Subscription>> {
    const { items, totalCount } = await this.ctx.store.snapshot((db) => listOwnSubscriptions(db, scope, page))
    return { items: items.map(toSubscription), totalCount }
  }

  async get(scope: Scope, id: string): Promise<Subscription> {
    return toSubscription(await this.requireOwn(this.ctx.store.db, scope, id))
  }

  async update(scope: Scope, id: string, changes: SubscriptionChanges): Promise<Subscription> {
    const url = changes.url === undefined ? undefined : await this.checkUrl(changes.url)
    return this.ctx.store.transaction(async (tx) => {
      const current = await this.requireOwn(tx, scope, id)
      const eventTypes = changes.eventTypes === undefined ? undefined : this.eventTypesFor(current.resourceType as SubscriptionResourceType, changes.eventTypes)
      const row: Partial<SubscriptionRow> = { updatedAt: toStoredTime(this.ctx.clock.now()) }
      if (changes.name !== undefined) row.name = changes.name
      if (url !== undefined) row.url = url
      if (eventTypes !== undefined) row.eventTypes = JSON.stringify(eventTypes)
      if (changes.enabled !== undefined) row.enabled = changes.enabled ? 1 : 0
      if (changes.description !== undefined) row.description = changes.description
      await updateSubscription(tx, scope, id, row)
      return toSubscription({ ...current, ...row })
    }).finally(() => this.onSubscriptionsChanged())
  }

  /** A new signing secret, shown once; the old one stops signing at once. */
  async rotateSecret(scope: Scope, id: string): Promise<{ subscription: Subscription; secret: string }> {
    const secret = newSigningSecret()
    const subscription = await this.ctx.store.transaction(async (tx) => {
      const current = await this.requireOwn(tx, scope, id)
      const row = { secret: this.ctx.store.secrets.seal(secret), updatedAt: toStoredTime(this.ctx.clock.now()) }
      await updateSubscription(tx, scope, id, row)
      return toSubscription({ ...current, ...row })
    })
    return { subscription, secret }
  }

  async delete(scope: Scope, id: string): Promise<void> {
    const deleted = await this.ctx.store.transaction((tx) => deleteOwnSubscription(tx, scope, id))
    if (!deleted) fail('resourceNotFound', `Event subscription ${id} does not exist.`)
  }

  async deliveries(scope: Scope, filter: DeliveryFilter, page: Page): Promise<Paged<Delivery>> {
    const { items, totalCount } = await this.ctx.store.snapshot(async (db) => {
      if (filter.subscriptionId !== undefined) await this.requireOwn(db, scope, filter.subscriptionId)
      return listOwnDeliveries(db, scope, filter, page)
    })
    return { items: items.map(toDelivery), totalCount }
  }

  async delivery(scope: Scope, id: string): Promise<Delivery> {
    const row = await findOwnDelivery(this.ctx.store.db, scope, id)
    if (!row) fail('resourceNotFound', `Event delivery ${id} does not exist.`)
    return toDelivery(row)
  }

  /** Sends a dead (or delivered) event again, from a first attempt; one still pending is refused. */
  async redeliver(scope: Scope, id: string): Promise<Delivery> {
    const row = await this.ctx.store.transaction(async (tx) => {
      const current = await findOwnDelivery(tx, scope, id)
      if (!current) fail('resourceNotFound', `Event delivery ${id} does not exist.`)
      if (current.status === 'pending') fail('parameterError', `Event delivery ${id} is still pending; it is already being delivered.`)
      await requeueDelivery(tx, scope, id, toStoredTime(this.ctx.clock.now()))
      return (await findOwnDelivery(tx, scope, id))!
    })
    this.onRequeued()
    return toDelivery(row)
  }

  private eventTypesFor(resourceType: SubscriptionResourceType, requested: EventTypeName[]): EventTypeName[] {
    const unique = [...new Set(requested)]
    if (unique.length === 0) fail('parameterError', 'event_types must name at least one event type.')
    if (resourceType === 'endpoint') {
      const refused = unique.find((t) => !ENDPOINT_EVENT_TYPES.includes(t))
      if (refused) fail('parameterError', `${refused} is sent to endpoint service subscriptions only.`)
    }
    return EVENT_TYPES.filter((t) => unique.includes(t))
  }

  private async checkUrl(raw: string): Promise<string> {
    try {
      await checkWebhookUrl(raw, this.addresses)
      return raw
    } catch (error) {
      if (error instanceof UnsafeUrlError) fail('parameterError', error.message)
      throw error
    }
  }

  private async requireOwnResource(db: Executor, scope: Scope, type: SubscriptionResourceType, id: string): Promise<void> {
    if (type === 'endpoint_service') {
      if (!(await findOwnServiceRow(db, scope, id))) fail('resourceNotFound', `Endpoint service ${id} does not exist.`)
    } else if (!(await findOwnEndpointRow(db, scope, id))) {
      fail('endpointNotFound', `Endpoint ${id} does not exist.`)
    }
  }

  private async requireOwn(db: Executor, scope: Scope, id: string): Promise<SubscriptionRow> {
    const row = await findOwnSubscription(db, scope, id)
    if (!row) fail('resourceNotFound', `Event subscription ${id} does not exist.`)
    return row
  }
}
