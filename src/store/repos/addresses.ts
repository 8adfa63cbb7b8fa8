import { sql } from 'kysely'
import type { Executor } from '../database.ts'

/** The partial index's own condition, word for word, so both databases use that index (migration 0007). */
const IN_LOOPBACK_INDEX = sql<boolean>`ip_number between 2130706432 and 2147483647`

/** Endpoint addresses numbered first..last (inclusive) inside the loopback block. */
export interface LoopbackNumbers {
  first: number
  last: number
}

/** The highest loopback address number in use inside `range`, across every project, or undefined. */
export async function highestLoopbackInUse(db: Executor, range: LoopbackNumbers): Promise<number | undefined> {
  const row = await db
    .selectFrom('endpoints')
    .select('ipNumber')
    .where(IN_LOOPBACK_INDEX)
    .where('ipNumber', '>=', range.first)
    .where('ipNumber', '<=', range.last)
    .orderBy('ipNumber', 'desc')
    .limit(1)
    .executeTakeFirst()
  return row?.ipNumber == null ? undefined : Number(row.ipNumber)
}

/** Every loopback address number in use inside `range`, across every project. */
export async function loopbackNumbersInUse(db: Executor, range: LoopbackNumbers): Promise<Set<number>> {
  const rows = await db.selectFrom('endpoints').select('ipNumber').where(IN_LOOPBACK_INDEX).where('ipNumber', '>=', range.first).where('ipNumber', '<=', range.last).execute()
  return new Set(rows.map((r) => Number(r.ipNumber)))
}

/** Whether any endpoint, in any project, holds the loopback address `ipNumber`. */
export async function loopbackNumberTaken(db: Executor, ipNumber: number): Promise<boolean> {
  return (await db.selectFrom('endpoints').select('id').where(IN_LOOPBACK_INDEX).where('ipNumber', '=', ipNumber).executeTakeFirst()) !== undefined
}

/** Whether an endpoint of the project holds address `ipNumber` in the subnet. */
export async function subnetNumberTaken(db: Executor, projectId: string, subnetId: string, ipNumber: number): Promise<boolean> {
  const row = await db.selectFrom('endpoints').select('id').where('projectId', '=', projectId).where('subnetId', '=', subnetId).where('ipNumber', '=', ipNumber).executeTakeFirst()
  return row !== undefined
}

/** The highest address number the project uses in the subnet, or undefined. */
export async function highestSubnetNumberInUse(db: Executor, projectId: string, subnetId: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('endpoints')
    .select('ipNumber')
    .where('projectId', '=', projectId)
    .where('subnetId', '=', subnetId)
    .where('ipNumber', 'is not', null)
    .orderBy('ipNumber', 'desc')
    .limit(1)
    .executeTakeFirst()
  return row?.ipNumber == null ? undefined : Number(row.ipNumber)
}
