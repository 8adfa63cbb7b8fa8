import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { dialects, freshDatabaseUrl } from '../helpers/server.ts'
import { openStore, type Store } from '../../src/store/database.ts'
import { recordEvents, type DomainEvent } from '../../src/store/repos/events.ts'
import { insertSubscription, type SubscriptionRow } from '../../src/store/repos/subscriptions.ts'
import { Dispatcher } from '../../src/events/dispatcher.ts'
import { systemClock } from '../../src/domain/clock.ts'
import { randomIds } from '../../src/domain/ids.ts'

/*
 * A full batch of the dispatcher (500 events) names up to a thousand audiences: every decision on one
 * busy service names the service and its endpoint. Such a batch once built one OR term per audience,
 * past SQLite's expression depth limit, and the pass failed on every retry: no webhook left the server
 * again. The batch here is that one, with subscriptions that must and must not receive it.
 */

const PROVIDER = 'provider-project'
const CONSUMER = 'consumer-project'
const SERVICE = randomUUID()
const EVENTS = 500

function subscription(projectId: string, resourceType: string, resourceId: string, createdAt: string): SubscriptionRow {
  return {
    id: randomUUID(),
    projectId,
    accountId: `${projectId}-account`,
    name: `${resourceType} ${resourceId || 'all'}`,
    url: 'http://127.0.0.1:9/',
    eventTypes: JSON.stringify(['connection.accepted']),
    resourceType,
    resourceId,
    secret: 'sealed',
    enabled: 1,
    description: '',
    createdAt,
    updatedAt: createdAt,
  }
}

for (const dialect of dialects()) {
  describe(`dispatching a busy batch [${dialect}]`, () => {
    let store: Store
    const endpoints = Array.from({ length: EVENTS }, () => randomUUID())

    before(async () => {
      store = await openStore(await freshDatabaseUrl(dialect))
      const early = '2026-01-01T00:00:00Z'
      await insertSubscription(store.db, subscription(PROVIDER, 'endpoint_service', SERVICE, early))
      await insertSubscription(store.db, subscription(CONSUMER, 'endpoint', endpoints[7]!, early))
      await insertSubscription(store.db, subscription(CONSUMER, 'endpoint', randomUUID(), early)) // another endpoint's
      await insertSubscription(store.db, subscription('other-project', 'endpoint_service', '', early))
      const occurredAt = new Date().toISOString()
      const decisions: DomainEvent[] = endpoints.map((id) => ({
        type: 'connection.accepted',
        resourceType: 'endpoint',
        resourceId: id,
        projectId: CONSUMER,
        occurredAt,
        payload: { serviceId: SERVICE, serviceProjectId: PROVIDER, from: 'pendingAcceptance', markerId: 1 },
      }))
      await store.transaction((tx) => recordEvents(tx, decisions))
    })
    after(() => store?.close())

    it('queues one delivery per matching subscription and moves on', async () => {
      const dispatcher = new Dispatcher(store, systemClock, randomIds, 'cn-north-4')
      const pass = await dispatcher.dispatchOnce()
      assert.deepEqual(pass, { read: EVENTS, queued: EVENTS + 1 })
      const queued = await store.db.selectFrom('eventDeliveries').innerJoin('eventSubscriptions', 'eventSubscriptions.id', 'eventDeliveries.subscriptionId').select(['eventSubscriptions.projectId', 'eventSubscriptions.resourceType']).execute()
      assert.equal(queued.filter((q) => q.projectId === PROVIDER).length, EVENTS)
      assert.deepEqual(queued.filter((q) => q.projectId !== PROVIDER), [{ projectId: CONSUMER, resourceType: 'endpoint' }])
      assert.deepEqual(await dispatcher.dispatchOnce(), { read: 0, queued: 0 })
    })
  })
}
