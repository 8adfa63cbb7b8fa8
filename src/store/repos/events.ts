import type { Executor } from '../database.ts'

/** A state change, written to the outbox in the same transaction that makes it. */
export interface DomainEvent {
  type: string
  resourceType: 'endpoint_service' | 'endpoint' | 'permission'
  resourceId: string
  projectId: string
  occurredAt: string
  payload: Record<string, unknown>
}

export async function recordEvents(db: Executor, events: DomainEvent[]): Promise<void> {
  if (events.length === 0) return
  await db
    .insertInto('events')
    .values(events.map((e) => ({ ...e, payload: JSON.stringify(e.payload) })))
    .execute()
}
