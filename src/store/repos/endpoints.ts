import type { Selectable } from 'kysely'
import type { Executor } from '../database.ts'
import type { EndpointsTable } from '../schema.ts'
import type { Endpoint, EndpointStatus, Page, Paged, Scope } from '../../domain/model.ts'
import { tagsOf } from './tags.ts'
import { applyPage, containsIgnoringCase } from './paging.ts'

export type EndpointRow = Selectable<EndpointsTable>

export interface EndpointFilter {
  id?: string
  vpcId?: string
  serviceNameContains?: string
}

export interface ConnectionFilter {
  id?: string
  markerId?: number
  status?: EndpointStatus
}

/** Private DNS names are `<endpoint id>.<zone>`; the zone comes from the server's settings. */
export function dnsNamesOf(row: Pick<EndpointRow, 'id' | 'enableDns'>, dnsZone: string): string[] {
  return row.enableDns === 1 ? [`${row.id}.${dnsZone}`] : []
}

/** Completes rows with their service's name and type and their tags (two queries for any number of rows). */
export async function hydrateEndpoints(db: Executor, rows: EndpointRow[], dnsZone: string): Promise<Endpoint[]> {
  if (rows.length === 0) return []
  const serviceIds = [...new Set(rows.map((r) => r.serviceId))]
  const services = await db.selectFrom('endpointServices').select(['id', 'serviceName', 'serviceType']).where('id', 'in', serviceIds).execute()
  const serviceById = new Map(services.map((s) => [s.id, s]))
  const tags = await tagsOf(db, 'endpoint', rows.map((r) => r.id))
  return rows.map((row) => {
    const service = serviceById.get(row.serviceId)
    return {
      id: row.id,
      projectId: row.projectId,
      accountId: row.accountId,
      serviceId: row.serviceId,
      serviceName: service?.serviceName ?? '',
      serviceType: service?.serviceType ?? 'interface',
      vpcId: row.vpcId,
      subnetId: row.subnetId,
      ip: row.ip,
      markerId: row.markerId,
      status: row.status as EndpointStatus,
      enableDns: row.enableDns === 1,
      dnsNames: dnsNamesOf(row, dnsZone),
      whitelist: JSON.parse(row.whitelist),
      enableWhitelist: row.enableWhitelist === 1,
      description: row.description,
      connectionDescription: row.connectionDescription,
      routetables: JSON.parse(row.routetables),
      policyStatement: JSON.parse(row.policyStatement),
      policyDocument: row.policyDocument === null ? undefined : JSON.parse(row.policyDocument),
      errors: JSON.parse(row.errors),
      tags: tags.get(row.id) ?? [],
      edition: row.edition,
      ipv6Address: row.ipv6Address,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    }
  })
}

export async function findOwnEndpointRow(db: Executor, scope: Scope, id: string): Promise<EndpointRow | undefined> {
  return db.selectFrom('endpoints').selectAll().where('projectId', '=', scope.projectId).where('id', '=', id).executeTakeFirst()
}

export async function listEndpointRows(db: Executor, scope: Scope, filter: EndpointFilter, page: Page): Promise<Paged<EndpointRow>> {
  let query = db.selectFrom('endpoints').where('projectId', '=', scope.projectId)
  if (filter.id !== undefined) query = query.where('id', '=', filter.id)
  if (filter.vpcId !== undefined) query = query.where('vpcId', '=', filter.vpcId)
  if (filter.serviceNameContains !== undefined) {
    const text = filter.serviceNameContains
    query = query.where('serviceId', 'in', (eb) => eb.selectFrom('endpointServices').select('id').where(containsIgnoringCase('serviceName', text)))
  }
  const total = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  const items = await applyPage(query.selectAll(), page).execute()
  return { items, totalCount: Number(total.n) }
}

/** Connections are the endpoints of one service, seen by its owner; the caller checked ownership. */
export async function listConnectionRows(db: Executor, serviceId: string, filter: ConnectionFilter, page: Page): Promise<Paged<EndpointRow>> {
  let query = db.selectFrom('endpoints').where('serviceId', '=', serviceId)
  if (filter.id !== undefined) query = query.where('id', '=', filter.id)
  if (filter.markerId !== undefined) query = query.where('markerId', '=', filter.markerId)
  if (filter.status !== undefined) query = query.where('status', '=', filter.status)
  const total = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  const items = await applyPage(query.selectAll(), page).execute()
  return { items, totalCount: Number(total.n) }
}
