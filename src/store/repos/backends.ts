import type { Executor } from '../database.ts'

export interface BackendMapping {
  portId: string
  address: string
  updatedAt: string
}

export async function listBackends(db: Executor): Promise<BackendMapping[]> {
  return db.selectFrom('backends').selectAll().orderBy('portId').execute()
}

export async function setBackend(db: Executor, portId: string, address: string, stamp: string): Promise<BackendMapping> {
  await db
    .insertInto('backends')
    .values({ portId, address, updatedAt: stamp })
    .onConflict((oc) => oc.column('portId').doUpdateSet({ address, updatedAt: stamp }))
    .execute()
  return { portId, address, updatedAt: stamp }
}

/** Answers whether a mapping was there to remove. */
export async function removeBackend(db: Executor, portId: string): Promise<boolean> {
  const result = await db.deleteFrom('backends').where('portId', '=', portId).executeTakeFirst()
  return Number(result.numDeletedRows) > 0
}
