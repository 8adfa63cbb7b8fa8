import type { Executor } from '../database.ts'

/** The two resource types with a lifecycle of their own (creating → …, deleting → gone). */
export type LifecycleResource = 'endpoint_service' | 'endpoint'

const TABLE = { endpoint_service: 'endpointServices', endpoint: 'endpoints' } as const

/** A resource's state and owner, by id across tenants (operator actions only). */
export async function findResourceState(db: Executor, type: LifecycleResource, id: string): Promise<{ id: string; status: string; projectId: string; accountId: string } | undefined> {
  return db.selectFrom(TABLE[type]).select(['id', 'status', 'projectId', 'accountId']).where('id', '=', id).executeTakeFirst()
}

/** Makes the resource's pending transition due at `stamp`. */
export async function makeTransitionDue(tx: Executor, type: LifecycleResource, id: string, stamp: string): Promise<void> {
  await tx.updateTable(TABLE[type]).set({ transitionDueAt: stamp }).where('id', '=', id).execute()
}

/** Puts the resource in `failed` with its error entries (stored as given), ending any pending transition. */
export async function markResourceFailed(tx: Executor, type: LifecycleResource, id: string, errors: unknown[], stamp: string): Promise<void> {
  await tx.updateTable(TABLE[type]).set({ status: 'failed', errors: JSON.stringify(errors), transitionDueAt: null, updatedAt: stamp }).where('id', '=', id).execute()
}

/** How many resources of `type` the project holds, in any state: what its lists show. */
export async function countProjectResources(db: Executor, type: LifecycleResource, projectId: string): Promise<number> {
  const row = await db
    .selectFrom(TABLE[type])
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('projectId', '=', projectId)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}
