import type { Store, Tx } from '../store/database.ts'
import type { StoredEvent } from '../store/repos/events.ts'
import { queueDeliveries, subscriptionsOf, type AudienceKey, type DeliveryRow, type SubscriptionRow } from '../store/repos/subscriptions.ts'
import { toStoredTime, type Clock } from '../domain/clock.ts'
import type { IdSource } from '../domain/ids.ts'
import { publicEventOf, toCloudEvent, type EventTypeName, type PublicEvent } from './catalog.ts'
import { settledEventsAfter } from './outbox-follower.ts'

const CURSOR = 'webhooks'

function audienceKeys(event: PublicEvent): AudienceKey[] {
  const { serviceId, serviceProjectId, endpointId, endpointProjectId } = event.audience
  const keys: AudienceKey[] = []
  if (serviceId && serviceProjectId) keys.push({ projectId: serviceProjectId, resourceType: 'endpoint_service', resourceId: serviceId })
  if (endpointId && endpointProjectId) keys.push({ projectId: endpointProjectId, resourceType: 'endpoint', resourceId: endpointId })
  return keys
}

function matches(subscription: SubscriptionRow, keys: AudienceKey[]): boolean {
  return keys.some((k) => subscription.projectId === k.projectId && subscription.resourceType === k.resourceType && (subscription.resourceId === '' || subscription.resourceId === k.resourceId))
}

/**
 * Turns outbox events into queued deliveries, one per subscription and public event type. A pass runs
 * in one transaction with the shared cursor row locked: the deliveries and the cursor's advance commit
 * together, so a crash loses nothing and repeats nothing, and with several instances one dispatches while
 * the others skip (SKIP LOCKED) instead of waiting. The unique (subscription, event id) key is a second
 * guard against queuing an event twice.
 */
export class Dispatcher {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly ids: IdSource,
    private readonly region: string,
    readonly batchSize = 500,
  ) {}

  /** One pass; answers the events read (a full batch means more may wait) and the deliveries queued, or 'busy'. */
  async dispatchOnce(): Promise<{ read: number; queued: number } | 'busy'> {
    const { store } = this
    return store.transaction(async (tx) => {
      let cursorQuery = tx.selectFrom('eventCursors').select(['seq', 'xid']).where('name', '=', CURSOR)
      if (store.dialect === 'postgres') cursorQuery = cursorQuery.forUpdate().skipLocked()
      const cursor = await cursorQuery.executeTakeFirst()
      if (!cursor) return 'busy'
      const batch = await settledEventsAfter(tx, store.dialect, { seq: Number(cursor.seq), xid: cursor.xid }, this.batchSize)
      if (batch.events.length === 0) return { read: 0, queued: 0 }
      const queued = await this.queue(tx, batch.events)
      await tx.updateTable('eventCursors').set({ seq: batch.next.seq, xid: batch.next.xid }).where('name', '=', CURSOR).execute()
      return { read: batch.events.length, queued }
    })
  }

  private async queue(tx: Tx, events: StoredEvent[]): Promise<number> {
    const published = events.flatMap((event) => {
      const pub = publicEventOf(event)
      return pub ? [{ event, pub, keys: audienceKeys(pub) }] : []
    })
    if (published.length === 0) return 0
    // One query for the batch: every subscription of the projects concerned; each event picks its own.
    const allKeys = published.flatMap((p) => p.keys)
    const latest = published.reduce((max, p) => (p.event.occurredAt > max ? p.event.occurredAt : max), '')
    const subscriptions = await subscriptionsOf(tx, allKeys, latest)
    if (subscriptions.length === 0) return 0
    const now = toStoredTime(this.clock.now())
    const rows: DeliveryRow[] = []
    for (const { event, pub, keys } of published) {
      for (const subscription of subscriptions) {
        if (subscription.createdAt > event.occurredAt || !matches(subscription, keys)) continue
        const wanted = new Set(JSON.parse(subscription.eventTypes) as EventTypeName[])
        for (const type of pub.types) {
          if (!wanted.has(type)) continue
          const cloudEvent = toCloudEvent(this.region, event, type, pub.data)
          rows.push({
            id: this.ids.uuid(),
            subscriptionId: subscription.id,
            projectId: subscription.projectId,
            eventId: cloudEvent.id,
            eventType: type,
            body: JSON.stringify(cloudEvent),
            status: 'pending',
            attempts: 0,
            nextAttemptAt: now,
            leaseOwner: null,
            lastAttemptAt: null,
            lastStatusCode: null,
            lastError: null,
            responseExcerpt: null,
            createdAt: now,
            deliveredAt: null,
          })
        }
      }
    }
    let queued = 0
    for (let i = 0; i < rows.length; i += 100) queued += await queueDeliveries(tx, rows.slice(i, i + 100))
    return queued
  }
}
