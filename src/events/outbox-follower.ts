import { sql } from 'kysely'
import type { Dialect, Executor } from '../store/database.ts'
import { toStoredEvent, type StoredEvent } from '../store/repos/events.ts'

/** A place in the outbox: on PostgreSQL (transaction id, seq), on SQLite seq alone. */
export interface OutboxPosition {
  seq: number
  xid: string | null
  /**
   * PostgreSQL: events already committed when the position was taken that still sort after it (their
   * transaction is newer than one that was open then). A reader starting "now" must not answer them.
   */
  before?: ReadonlySet<number>
}

export interface SettledBatch {
  events: StoredEvent[]
  /** Where the next read starts: past the last event answered, or unchanged when there was none. */
  next: OutboxPosition
}

/**
 * Reads the outbox after `from` without ever stepping past an event that may still commit.
 *
 * SQLite runs one write transaction at a time, so rows become visible in seq order. PostgreSQL takes a
 * sequence value before commit: seq 11 may be visible while seq 10's transaction is still open, and a
 * reader that moved its cursor past 11 would never see 10. So on PostgreSQL events are read in order of
 * the writing transaction's id, and only those of transactions older than every transaction still
 * running (the xmin of the statement's own snapshot): each of those is committed or rolled back for good,
 * and every later writer gets a larger id. An event is held back only while some older write is open.
 */
export async function settledEventsAfter(db: Executor, dialect: Dialect, from: OutboxPosition, limit: number): Promise<SettledBatch> {
  if (dialect === 'sqlite') {
    const rows = await db
      .selectFrom('events')
      .select(['seq', 'type', 'resourceType', 'resourceId', 'projectId', 'occurredAt', 'payload'])
      .where('seq', '>', from.seq)
      .orderBy('seq')
      .limit(limit)
      .execute()
    const events = rows.map(toStoredEvent)
    return { events, next: events.length > 0 ? { seq: events[events.length - 1]!.seq, xid: null } : from }
  }
  const result = await sql<{ seq: string; type: string; resourceType: string; resourceId: string; projectId: string; occurredAt: string; payload: string; xid: string }>`
    select seq, type, resource_type as "resourceType", resource_id as "resourceId", project_id as "projectId",
           occurred_at as "occurredAt", payload, xid::text as xid
      from events
     where (xid, seq) > (${from.xid ?? '0'}::xid8, ${from.seq})
       and xid < pg_snapshot_xmin(pg_current_snapshot())
     order by xid, seq
     limit ${limit}`.execute(db)
  const rows = result.rows
  const last = rows[rows.length - 1]
  if (!last) return { events: [], next: from }
  const events = rows.map(toStoredEvent)
  const before = from.before
  if (!before?.size) return { events, next: { seq: Number(last.seq), xid: last.xid } }
  // Each of those events comes by once: answer the others, and carry only the ones not met yet.
  const left = new Set(before)
  const answered = events.filter((event) => !left.delete(event.seq))
  return { events: answered, next: { seq: Number(last.seq), xid: last.xid, ...(left.size > 0 ? { before: left } : {}) } }
}

/** The position just past everything already settled: where a follower starting now begins. */
export async function currentOutboxPosition(db: Executor, dialect: Dialect): Promise<OutboxPosition> {
  if (dialect === 'sqlite') {
    const row = await db.selectFrom('events').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst()
    return { seq: Number(row?.seq ?? 0), xid: null }
  }
  // One statement, one snapshot: the xmin and the events it already sees beyond it agree.
  const result = await sql<{ xid: string; seq: string | null }>`
    with now as (select pg_snapshot_xmin(pg_current_snapshot()) as xmin)
    select now.xmin::text as xid, events.seq from now left join events on events.xid >= now.xmin`.execute(db)
  const before = new Set(result.rows.flatMap((row) => (row.seq === null ? [] : [Number(row.seq)])))
  return { seq: 0, xid: result.rows[0]!.xid, ...(before.size > 0 ? { before } : {}) }
}
