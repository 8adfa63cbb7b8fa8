import type { Executor } from '../store/database.ts'
import type { PortMapping } from '../model/resources.ts'
import { dnsNamesOf } from '../store/repos/endpoints.ts'

/** An accepted interface endpoint of an available service: what must forward. */
export interface DesiredEndpoint {
  id: string
  ip: string
  markerId: number
  whitelist: string[]
  enableWhitelist: boolean
  serviceId: string
  portId: string
  tcpProxy: string
  ports: PortMapping[]
}

/** The whole picture the data plane converges on, read from table state (never from the events alone). */
export interface DesiredState {
  endpoints: DesiredEndpoint[]
  /** Operator-set backend addresses by port id (the `backends` table). */
  backends: Map<string, string>
  /** Private DNS names of endpoints with enable_dns that are not being deleted, to their address. */
  dnsNames: Map<string, string>
}

export async function loadDesiredState(db: Executor, dnsZone: string): Promise<DesiredState> {
  const rows = await db
    .selectFrom('endpoints')
    .innerJoin('endpointServices', 'endpointServices.id', 'endpoints.serviceId')
    .select([
      'endpoints.id',
      'endpoints.ip',
      'endpoints.markerId',
      'endpoints.whitelist',
      'endpoints.enableWhitelist',
      'endpointServices.id as serviceId',
      'endpointServices.portId',
      'endpointServices.tcpProxy',
      'endpointServices.ports',
    ])
    .where('endpoints.status', '=', 'accepted')
    .where('endpointServices.status', '=', 'available')
    .where('endpointServices.serviceType', '=', 'interface')
    .execute()
  const backendRows = await db.selectFrom('backends').select(['portId', 'address']).execute()
  const dnsRows = await db.selectFrom('endpoints').select(['id', 'ip', 'enableDns']).where('enableDns', '=', 1).where('status', '!=', 'deleting').where('ip', '!=', '').execute()
  const dnsNames = new Map<string, string>()
  for (const row of dnsRows) for (const name of dnsNamesOf(row, dnsZone)) dnsNames.set(name.toLowerCase(), row.ip)
  return {
    endpoints: rows.map((r) => ({
      id: r.id,
      ip: r.ip,
      markerId: Number(r.markerId),
      whitelist: JSON.parse(r.whitelist) as string[],
      enableWhitelist: Number(r.enableWhitelist) === 1,
      serviceId: r.serviceId,
      portId: r.portId,
      tcpProxy: r.tcpProxy,
      ports: JSON.parse(r.ports) as PortMapping[],
    })),
    backends: new Map(backendRows.map((b) => [b.portId, b.address])),
    dnsNames,
  }
}
