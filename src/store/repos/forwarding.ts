import type { Selectable } from 'kysely'
import type { Executor } from '../database.ts'
import type { ForwardingTable } from '../schema.ts'
import type { Forwarding } from '../../model/resources.ts'

export type ForwardingRow = Selectable<ForwardingTable>

export function toForwarding(row: ForwardingRow): Forwarding {
  return {
    state: row.state as Forwarding['state'],
    message: row.message,
    proxyProtocol: row.proxyProtocol,
    listeners: JSON.parse(row.listeners) as Forwarding['listeners'],
    activeConnections: Number(row.activeConnections),
    connectionsTotal: Number(row.connectionsTotal),
    refusedTotal: Number(row.refusedTotal),
    bytesIn: Number(row.bytesIn),
    bytesOut: Number(row.bytesOut),
    updatedAt: row.updatedAt,
  }
}

/** What the data plane reports for these endpoints (absent: not forwarding). */
export async function forwardingOf(db: Executor, endpointIds: string[]): Promise<Map<string, Forwarding>> {
  if (endpointIds.length === 0) return new Map()
  const rows = await db.selectFrom('forwarding').selectAll().where('endpointId', 'in', endpointIds).execute()
  return new Map(rows.map((r) => [r.endpointId, toForwarding(r)]))
}

export async function allForwarding(db: Executor): Promise<ForwardingRow[]> {
  return db.selectFrom('forwarding').selectAll().execute()
}

export async function saveForwarding(db: Executor, endpointId: string, f: Forwarding): Promise<void> {
  const values = {
    state: f.state,
    message: f.message,
    proxyProtocol: f.proxyProtocol,
    listeners: JSON.stringify(f.listeners),
    activeConnections: f.activeConnections,
    connectionsTotal: f.connectionsTotal,
    refusedTotal: f.refusedTotal,
    bytesIn: f.bytesIn,
    bytesOut: f.bytesOut,
    updatedAt: f.updatedAt,
  }
  await db.insertInto('forwarding').values({ endpointId, ...values }).onConflict((oc) => oc.column('endpointId').doUpdateSet(values)).execute()
}

export async function removeForwarding(db: Executor, endpointIds: string[]): Promise<void> {
  if (endpointIds.length === 0) return
  await db.deleteFrom('forwarding').where('endpointId', 'in', endpointIds).execute()
}
