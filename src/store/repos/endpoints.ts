import type { Selectable } from 'kysely'
import type { Executor } from '../database.ts'
import type { EndpointsTable } from '../schema.ts'
import type { Endpoint, EndpointStatus, Page, Paged, Scope, Tag } from '../../model/resources.ts'
import { tagsOf, tagsOfJoinedRows } from './tags.ts'
import { applyPage, containsIgnoringCase } from './paging.ts'
import { prepared } from '../prepared.ts'

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

/**
 * Completes rows, however they were fetched, with their service's name and type and their tags (two
 * queries for any number of rows) and assembles them.
 */
export async function completeEndpoints(db: Executor, rows: EndpointRow[], dnsZone: string): Promise<Endpoint[]> {
  if (rows.length === 0) return []
  const serviceIds = [...new Set(rows.map((r) => r.serviceId))]
  const services = await db.selectFrom('endpointServices').select(['id', 'serviceName', 'serviceType']).where('id', 'in', serviceIds).execute()
  const serviceById = new Map(services.map((s) => [s.id, s]))
  const tags = await tagsOf(db, 'endpoint', rows.map((r) => r.id))
  return rows.map((row) => assembleEndpoint({ row, service: serviceById.get(row.serviceId), tags: tags.get(row.id) ?? [] }, dnsZone))
}

/** What an endpoint is built from, however it was read: its row, its service's name and type (absent once deleted), its tags in the order written. */
export interface EndpointParts {
  row: EndpointRow
  service: { serviceName: string; serviceType: string } | undefined
  tags: Tag[]
}

/** Builds an endpoint from its parts: the one assembly behind GET, create, decisions, settings and every list. */
export function assembleEndpoint({ row, service, tags }: EndpointParts, dnsZone: string): Endpoint {
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
    tags,
    edition: row.edition,
    ipv6Address: row.ipv6Address,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  }
}

/**
 * The endpoint with its service's name and type and its tags, in one statement (a row per tag, in tag
 * order, or one row without a tag): the read every client waiting for `accepted` repeats.
 */
const ownEndpointWithTags = prepared(
  (db, projectId: string, id: string) =>
    db
      .selectFrom('endpoints')
      .leftJoin('endpointServices', 'endpointServices.id', 'endpoints.serviceId')
      .leftJoin('tags', (join) => join.on('tags.resourceType', '=', 'endpoint').onRef('tags.resourceId', '=', 'endpoints.id'))
      .selectAll('endpoints')
      .select(['endpointServices.serviceName as joinedServiceName', 'endpointServices.serviceType as joinedServiceType', 'tags.key as tagKey', 'tags.value as tagValue'])
      .where('endpoints.projectId', '=', projectId)
      .where('endpoints.id', '=', id)
      .orderBy('tags.position')
      .orderBy('tags.key'),
  { cacheable: true },
)

/** The caller's own endpoint, complete, or undefined: another project's endpoint is absent. */
export async function findOwnEndpoint(db: Executor, scope: Scope, id: string, dnsZone: string): Promise<Endpoint | undefined> {
  const { rows } = await ownEndpointWithTags(db, scope.projectId, id)
  const [first] = rows
  if (first === undefined) return undefined
  const service = first.joinedServiceName === null ? undefined : { serviceName: first.joinedServiceName, serviceType: first.joinedServiceType! }
  return assembleEndpoint({ row: first, service, tags: tagsOfJoinedRows(rows) }, dnsZone)
}

/** The endpoint `id` if it is connected to the service `serviceId` (a connection, as its provider sees it). */
export async function findConnectionRow(db: Executor, serviceId: string, id: string): Promise<EndpointRow | undefined> {
  return (await connectionRow(db, id, serviceId)).rows[0]
}

const connectionRow = prepared((db, id: string, serviceId: string) => db.selectFrom('endpoints').selectAll().where('id', '=', id).where('serviceId', '=', serviceId))

/** Moves a connection from status `from` to `to`; answers false when its status was no longer `from`. */
export async function changeConnectionStatus(db: Executor, id: string, from: string, to: string, stamp: string): Promise<boolean> {
  const result = await connectionStatusChange(db, to, stamp, id, from)
  return Number(result.numAffectedRows ?? 0) > 0
}

const connectionStatusChange = prepared((db, to: string, stamp: string, id: string, from: string) =>
  db.updateTable('endpoints').set({ status: to, updatedAt: stamp }).where('id', '=', id).where('status', '=', from),
)

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
  const unfiltered = filter.id === undefined && filter.vpcId === undefined && filter.serviceNameContains === undefined
  // Without a filter the total is the project's maintained count (same transaction as every insert and delete).
  const total = unfiltered
    ? ((await endpointCountOf(db, scope.projectId)).rows[0] ?? { n: 0 })
    : await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  const items = await applyPage(query.selectAll(), page).execute()
  return { items, totalCount: Number(total.n) }
}

/** The project's endpoint count, kept by triggers in the same transaction as every insert and delete. */
export const endpointCountOf = prepared((db, projectId: string) => db.selectFrom('endpointCounts').select('n').where('projectId', '=', projectId))

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

/** The service side of an endpoint's connection, for the events that tell both sides. */
export async function findConnectionSides(db: Executor, endpointId: string): Promise<{ serviceId?: string; serviceProjectId?: string; markerId?: number }> {
  const row = await db
    .selectFrom('endpoints')
    .innerJoin('endpointServices', 'endpointServices.id', 'endpoints.serviceId')
    .select(['endpoints.serviceId', 'endpoints.markerId', 'endpointServices.projectId as serviceProjectId'])
    .where('endpoints.id', '=', endpointId)
    .executeTakeFirst()
  return row ?? {}
}

/** One professional endpoint connected to the service (not being deleted), or undefined. */
export async function findProfessionalEndpoint(db: Executor, serviceId: string): Promise<{ id: string } | undefined> {
  return db.selectFrom('endpoints').select('id').where('serviceId', '=', serviceId).where('edition', '=', 'profession').where('status', '!=', 'deleting').limit(1).executeTakeFirst()
}

export async function makeEndpointProfessional(tx: Executor, id: string, stamp: string): Promise<void> {
  await tx.updateTable('endpoints').set({ edition: 'profession', updatedAt: stamp }).where('id', '=', id).execute()
}

/** The endpoints `ids` among the service's connections (those not connected to it are left out). */
export async function findConnectionRows(db: Executor, serviceId: string, ids: string[]): Promise<EndpointRow[]> {
  return db.selectFrom('endpoints').selectAll().where('serviceId', '=', serviceId).where('id', 'in', ids).execute()
}

/** The provider's description of a connection. */
export async function setConnectionDescription(tx: Executor, id: string, description: string, stamp: string): Promise<void> {
  await tx.updateTable('endpoints').set({ connectionDescription: description, updatedAt: stamp }).where('id', '=', id).execute()
}

/** The consumer's settings of an endpoint; a field left out keeps its value, a null policy document clears it. */
export interface EndpointSettingsChange {
  whitelist?: string[]
  enableWhitelist?: boolean
  policyStatement?: unknown[]
  policyDocument?: Record<string, unknown> | null
  routetables?: string[]
}

export async function updateEndpointSettings(tx: Executor, id: string, change: EndpointSettingsChange, stamp: string): Promise<void> {
  const json = (value: unknown) => (value === undefined ? undefined : JSON.stringify(value))
  await tx
    .updateTable('endpoints')
    .set({
      whitelist: json(change.whitelist),
      enableWhitelist: change.enableWhitelist === undefined ? undefined : change.enableWhitelist ? 1 : 0,
      policyStatement: json(change.policyStatement),
      policyDocument: change.policyDocument === null ? null : json(change.policyDocument),
      routetables: json(change.routetables),
      updatedAt: stamp,
    })
    .where('id', '=', id)
    .execute()
}

/** An endpoint as it is created, in the consumer's terms (a policy document absent when none was given). */
export type NewEndpoint = Pick<
  Endpoint,
  | 'id' | 'projectId' | 'accountId' | 'serviceId' | 'vpcId' | 'subnetId' | 'ip' | 'markerId' | 'enableDns' | 'whitelist' | 'enableWhitelist'
  | 'description' | 'routetables' | 'policyStatement' | 'policyDocument' | 'createdAt' | 'edition' | 'ipv6Address'
> & { ipNumber: number | null; requiresApproval: boolean; transitionDueAt: string | null }

/** Inserts the endpoint as `creating`. */
export async function insertEndpoint(tx: Executor, endpoint: NewEndpoint): Promise<void> {
  await tx
    .insertInto('endpoints')
    .values({
      ...endpoint,
      status: 'creating',
      requiresApproval: endpoint.requiresApproval ? 1 : 0,
      enableDns: endpoint.enableDns ? 1 : 0,
      whitelist: JSON.stringify(endpoint.whitelist),
      enableWhitelist: endpoint.enableWhitelist ? 1 : 0,
      connectionDescription: '',
      routetables: JSON.stringify(endpoint.routetables),
      policyStatement: JSON.stringify(endpoint.policyStatement),
      policyDocument: endpoint.policyDocument === undefined ? null : JSON.stringify(endpoint.policyDocument),
      errors: '[]',
      updatedAt: endpoint.createdAt,
    })
    .execute()
}

/** Moves the endpoint from `from` to `deleting`; answers false when its status was no longer `from`. */
export async function markEndpointDeleting(tx: Executor, id: string, from: string, stamp: string, transitionDueAt: string | null): Promise<boolean> {
  const changed = await tx.updateTable('endpoints').set({ status: 'deleting', updatedAt: stamp, transitionDueAt }).where('id', '=', id).where('status', '=', from).executeTakeFirst()
  return Number(changed.numUpdatedRows) > 0
}

/** The caller's endpoints of the gateway service (not being deleted) with the route tables they hold. */
export async function routeTablesOfServiceEndpoints(db: Executor, projectId: string, serviceId: string, exceptEndpointId?: string): Promise<Array<{ id: string; routetables: string[] }>> {
  let query = db.selectFrom('endpoints').select(['id', 'routetables']).where('projectId', '=', projectId).where('serviceId', '=', serviceId).where('status', '!=', 'deleting')
  if (exceptEndpointId) query = query.where('id', '!=', exceptEndpointId)
  return (await query.execute()).map((row) => ({ id: row.id, routetables: JSON.parse(row.routetables) as string[] }))
}
