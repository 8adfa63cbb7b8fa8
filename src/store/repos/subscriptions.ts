import type { Selectable } from 'kysely'
import type { Dialect, Executor } from '../database.ts'
import type { EventDeliveriesTable, EventSubscriptionsTable } from '../schema.ts'
import type { Page, Scope } from '../../model/resources.ts'
import { applyPage } from './paging.ts'

export type SubscriptionRow = Selectable<EventSubscriptionsTable>
export type DeliveryRow = Selectable<EventDeliveriesTable>

export async function insertSubscription(db: Executor, row: SubscriptionRow): Promise<void> {
  await db.insertInto('eventSubscriptions').values(row).execute()
}

export async function findOwnSubscription(db: Executor, scope: Scope, id: string): Promise<SubscriptionRow | undefined> {
  return db.selectFrom('eventSubscriptions').selectAll().where('projectId', '=', scope.projectId).where('id', '=', id).executeTakeFirst()
}

export async function listOwnSubscriptions(db: Executor, scope: Scope, page: Page): Promise<{ items: SubscriptionRow[]; totalCount: number }> {
  const base = db.selectFrom('eventSubscriptions').where('projectId', '=', scope.projectId)
  const items = await applyPage(base.selectAll(), page).execute()
  const count = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  return { items, totalCount: Number(count.n) }
}

export async function countOwnSubscriptions(db: Executor, scope: Scope): Promise<number> {
  const count = await db.selectFrom('eventSubscriptions').where('projectId', '=', scope.projectId).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  return Number(count.n)
}

export async function updateSubscription(db: Executor, scope: Scope, id: string, changes: Partial<SubscriptionRow>): Promise<void> {
  await db.updateTable('eventSubscriptions').set(changes).where('projectId', '=', scope.projectId).where('id', '=', id).execute()
}

export async function deleteOwnSubscription(db: Executor, scope: Scope, id: string): Promise<boolean> {
  // Deliveries go with it (foreign key, on delete cascade).
  await db.deleteFrom('eventDeliveries').where('subscriptionId', '=', id).where('projectId', '=', scope.projectId).execute()
  const result = await db.deleteFrom('eventSubscriptions').where('projectId', '=', scope.projectId).where('id', '=', id).executeTakeFirst()
  return Number(result.numDeletedRows) > 0
}

/** Whom an event may go to: a project's subscriptions to one resource or to every resource of its type. */
export interface AudienceKey {
  projectId: string
  resourceType: 'endpoint_service' | 'endpoint'
  resourceId: string
}

/** Audience groups per statement, and resource ids per group: keeps every statement's expression small. */
const GROUPS_PER_QUERY = 50
const IDS_PER_GROUP = 400

/**
 * Enabled subscriptions of the audience that existed when the event happened. The keys of a batch of
 * events repeat (every decision on one service names it) and can be many, so they are grouped by project
 * and resource type, each group one `resource_id in ('', …)` term, a bounded number per statement: one
 * OR term per key put a busy batch past SQLite's expression depth limit (1,000), and the pass failed.
 */
export async function subscriptionsOf(db: Executor, keys: AudienceKey[], occurredAt: string): Promise<SubscriptionRow[]> {
  const groups = new Map<string, { projectId: string; resourceType: AudienceKey['resourceType']; ids: Set<string> }>()
  for (const key of keys) {
    const name = `${key.projectId}\u0000${key.resourceType}`
    let group = groups.get(name)
    if (group === undefined) groups.set(name, (group = { projectId: key.projectId, resourceType: key.resourceType, ids: new Set() }))
    group.ids.add(key.resourceId)
  }
  const terms = [...groups.values()].flatMap(({ projectId, resourceType, ids }) => {
    const all = [...ids]
    return Array.from({ length: Math.ceil(all.length / IDS_PER_GROUP) }, (_, i) => ({ projectId, resourceType, ids: ['', ...all.slice(i * IDS_PER_GROUP, (i + 1) * IDS_PER_GROUP)] }))
  })
  const found = new Map<string, SubscriptionRow>()
  for (let i = 0; i < terms.length; i += GROUPS_PER_QUERY) {
    const rows = await db
      .selectFrom('eventSubscriptions')
      .selectAll()
      .where('enabled', '=', 1)
      .where('createdAt', '<=', occurredAt)
      .where((eb) =>
        eb.or(terms.slice(i, i + GROUPS_PER_QUERY).map((t) => eb.and([eb('projectId', '=', t.projectId), eb('resourceType', '=', t.resourceType), eb('resourceId', 'in', t.ids)]))),
      )
      .execute()
    for (const row of rows) found.set(row.id, row)
  }
  return [...found.values()]
}

/** Queues deliveries; one already queued for the same subscription and event is left as it is. */
export async function queueDeliveries(db: Executor, rows: DeliveryRow[]): Promise<number> {
  if (rows.length === 0) return 0
  const result = await db
    .insertInto('eventDeliveries')
    .values(rows)
    .onConflict((oc) => oc.columns(['subscriptionId', 'eventId']).doNothing())
    .executeTakeFirst()
  return Number(result.numInsertedOrUpdatedRows ?? 0)
}

export interface ClaimedDelivery {
  id: string
  subscriptionId: string
  eventId: string
  eventType: string
  body: string
  attempts: number
}

/**
 * Takes up to `limit` due deliveries for one attempt each: the attempt count goes up and the row is
 * leased to `owner` until `leaseUntil` (in `nextAttemptAt`), so a worker that dies mid-attempt leaves it
 * due again once the lease ends. On PostgreSQL rows another instance is claiming are skipped, not waited for.
 */
export async function claimDueDeliveries(db: Executor, dialect: Dialect, now: string, leaseUntil: string, owner: string, limit: number): Promise<ClaimedDelivery[]> {
  let due = db
    .selectFrom('eventDeliveries')
    .select('eventDeliveries.id')
    .where('eventDeliveries.status', '=', 'pending')
    .where('eventDeliveries.nextAttemptAt', '<=', now)
    .where('eventDeliveries.subscriptionId', 'in', (eb) => eb.selectFrom('eventSubscriptions').select('id').where('enabled', '=', 1))
    .orderBy('eventDeliveries.nextAttemptAt')
    .limit(limit)
  if (dialect === 'postgres') due = due.forUpdate().skipLocked()
  return db
    .updateTable('eventDeliveries')
    .set((eb) => ({ nextAttemptAt: leaseUntil, leaseOwner: owner, attempts: eb('attempts', '+', 1), lastAttemptAt: now }))
    .where('id', 'in', due)
    .where('status', '=', 'pending')
    .returning(['id', 'subscriptionId', 'eventId', 'eventType', 'body', 'attempts'])
    .execute()
}

export async function subscriptionTargets(db: Executor, ids: string[]): Promise<Array<Pick<SubscriptionRow, 'id' | 'url' | 'secret' | 'enabled'>>> {
  if (ids.length === 0) return []
  return db.selectFrom('eventSubscriptions').select(['id', 'url', 'secret', 'enabled']).where('id', 'in', ids).execute()
}

export interface AttemptOutcome {
  statusCode: number | null
  error: string | null
  excerpt: string | null
}

/**
 * Records the outcome of the attempt `attempts` leased to `owner`; answers false when the lease was lost
 * (it ended and another worker took the delivery, or it was redelivered meanwhile), and then changes nothing.
 */
export async function settleAttempt(
  db: Executor,
  claim: { id: string; owner: string; attempts: number },
  outcome: AttemptOutcome & ({ status: 'delivered'; at: string } | { status: 'pending'; nextAttemptAt: string } | { status: 'dead' }),
): Promise<boolean> {
  const settled =
    outcome.status === 'delivered'
      ? { status: 'delivered', nextAttemptAt: null, deliveredAt: outcome.at }
      : outcome.status === 'pending'
        ? { status: 'pending', nextAttemptAt: outcome.nextAttemptAt }
        : { status: 'dead', nextAttemptAt: null }
  const result = await db
    .updateTable('eventDeliveries')
    .set({ ...settled, leaseOwner: null, lastStatusCode: outcome.statusCode, lastError: outcome.error, responseExcerpt: outcome.excerpt })
    .where('id', '=', claim.id)
    .where('leaseOwner', '=', claim.owner)
    .where('attempts', '=', claim.attempts)
    .where('status', '=', 'pending')
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

export interface DeliveryFilter {
  subscriptionId?: string
  status?: string
}

export async function listOwnDeliveries(db: Executor, scope: Scope, filter: DeliveryFilter, page: Page): Promise<{ items: DeliveryRow[]; totalCount: number }> {
  let base = db.selectFrom('eventDeliveries').where('projectId', '=', scope.projectId)
  if (filter.subscriptionId !== undefined) base = base.where('subscriptionId', '=', filter.subscriptionId)
  if (filter.status !== undefined) base = base.where('status', '=', filter.status)
  const items = await applyPage(base.selectAll(), { ...page, sortKey: 'create_at' }).execute()
  const count = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  return { items, totalCount: Number(count.n) }
}

export async function findOwnDelivery(db: Executor, scope: Scope, id: string): Promise<DeliveryRow | undefined> {
  return db.selectFrom('eventDeliveries').selectAll().where('projectId', '=', scope.projectId).where('id', '=', id).executeTakeFirst()
}

/** Queues a settled delivery (dead or delivered) again from a first attempt, due now. */
export async function requeueDelivery(db: Executor, scope: Scope, id: string, now: string): Promise<boolean> {
  const result = await db
    .updateTable('eventDeliveries')
    .set({ status: 'pending', attempts: 0, nextAttemptAt: now, leaseOwner: null, deliveredAt: null })
    .where('projectId', '=', scope.projectId)
    .where('id', '=', id)
    .where('status', 'in', ['dead', 'delivered'])
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

/** When the earliest pending delivery is due (or its lease ends); undefined when none is pending. */
export async function nextDeliveryDue(db: Executor): Promise<string | undefined> {
  const row = await db.selectFrom('eventDeliveries').select('nextAttemptAt').where('status', '=', 'pending').orderBy('nextAttemptAt').limit(1).executeTakeFirst()
  return row?.nextAttemptAt ?? undefined
}

/** Drops up to `limit` deliveries delivered before `cutoff` (dead letters stay until redelivered or deleted). */
export async function pruneDelivered(db: Executor, cutoff: string, limit: number): Promise<number> {
  const result = await db
    .deleteFrom('eventDeliveries')
    .where('id', 'in', (eb) => eb.selectFrom('eventDeliveries').select('id').where('status', '=', 'delivered').where('deliveredAt', '<', cutoff).limit(limit))
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}
