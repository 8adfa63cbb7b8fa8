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

export async function recordEvents(db: Executor, events: DomainEvent[]): Promise<void> {
  if (events.length === 0) return
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
