import type { Executor } from '../database.ts'
import { prepared } from '../prepared.ts'

/** A state change, written to the outbox in the same transaction that makes it. */
export interface DomainEvent {
  type: string
  resourceType: 'endpoint_service' | 'endpoint' | 'permission'
  resourceId: string
  projectId: string
  occurredAt: string
  payload: Record<string, unknown>
}

const insertEvent = prepared((db, type: string, resourceType: string, resourceId: string, projectId: string, occurredAt: string, payload: string) =>
  db.insertInto('events').values({ type, resourceType, resourceId, projectId, occurredAt, payload }),
)

/** Transactions that wrote to the outbox, so the store can tell followers once they commit. */
const outboxWriters = new WeakSet<object>()

/** Whether `tx` wrote outbox events (asked by the store after it commits). */
export function wroteOutbox(tx: object): boolean {
  return outboxWriters.has(tx)
}

/** Marks `tx` as having written outbox events by other means than recordEvents. */
export function noteOutboxWrite(tx: object): void {
  outboxWriters.add(tx)
}

export async function recordEvents(db: Executor, events: DomainEvent[]): Promise<void> {
  if (events.length === 0) return
  outboxWriters.add(db)
  if (events.length === 1) {
    const [e] = events as [DomainEvent]
    await insertEvent(db, e.type, e.resourceType, e.resourceId, e.projectId, e.occurredAt, JSON.stringify(e.payload))
    return
  }
  await db
    .insertInto('events')
    .values(events.map((e) => ({ ...e, payload: JSON.stringify(e.payload) })))
    .execute()
}

/** An outbox row as read back: the event and its place in the outbox. */
export interface StoredEvent extends DomainEvent {
  seq: number
}

interface EventRow {
  seq: number | string
  type: string
  resourceType: string
  resourceId: string
  projectId: string
  occurredAt: string
  payload: string
}

export function toStoredEvent(row: EventRow): StoredEvent {
  return {
    seq: Number(row.seq),
    type: row.type,
    resourceType: row.resourceType as DomainEvent['resourceType'],
    resourceId: row.resourceId,
    projectId: row.projectId,
    occurredAt: row.occurredAt,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
  }
}

/**
 * Events with a seq above `afterSeq`, oldest first. On PostgreSQL a smaller seq can become visible after a
 * larger one (a sequence value is taken before commit): a reader that must see every event follows the
 * outbox with src/events/outbox-follower.ts instead of advancing a cursor over these.
 */
export async function eventsAfter(db: Executor, afterSeq: number, limit: number): Promise<StoredEvent[]> {
  const rows = await db
    .selectFrom('events')
    .select(['seq', 'type', 'resourceType', 'resourceId', 'projectId', 'occurredAt', 'payload'])
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute()
  return rows.map(toStoredEvent)
}

/** Only the seq numbers after `afterSeq` (a follower's cheap look at whether anything happened). */
export async function eventSeqsAfter(db: Executor, afterSeq: number, limit: number): Promise<number[]> {
  const rows = await db.selectFrom('events').select('seq').where('seq', '>', afterSeq).orderBy('seq').limit(limit).execute()
  return rows.map((r) => Number(r.seq))
}

export async function lastEventSeq(db: Executor): Promise<number> {
  const row = await db.selectFrom('events').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst()
  return row?.seq == null ? 0 : Number(row.seq)
}

/** A backend mapping changed: an outbox row, so every data plane following the outbox looks again. */
export async function recordDataplaneChange(db: Executor, portId: string, stamp: string): Promise<void> {
  await db.insertInto('events').values({ type: 'dataplane.backend_changed', resourceType: 'backend', resourceId: portId, projectId: '', occurredAt: stamp, payload: '{}' }).execute()
}
