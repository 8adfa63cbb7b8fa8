import type { Expression, ExpressionBuilder, Selectable, SqlBool } from 'kysely'
import { lockRows, type Dialect, type Executor } from '../database.ts'
import type { Database, EndpointServicesTable } from '../schema.ts'
import type { EndpointService, Page, Paged, PortMapping, Scope, ServiceStatus, Tag } from '../../model/resources.ts'
import { tagsOf, tagsOfJoinedRows } from './tags.ts'
import { prepared } from '../prepared.ts'
import { applyPage, containsIgnoringCase } from './paging.ts'

export type ServiceRow = Selectable<EndpointServicesTable>

/** Statuses of endpoints that count as live connections of a service. */
export const LIVE_CONNECTION_STATUSES = ['creating', 'accepted'] as const

export interface ServiceFilter {
  id?: string
  nameContains?: string
  status?: ServiceStatus
  serverType?: string
}

/** What a service is built from, however it was read: its row, its tags in the order written, its live connections. */
interface ServiceParts {
  row: ServiceRow
  tags: Tag[]
  liveConnections: number
}

/** Builds a service from its parts: the one assembly behind GET, create, update, describe and every list. */
function assembleService({ row, tags, liveConnections }: ServiceParts): EndpointService {
  return {
    id: row.id,
    projectId: row.projectId,
    accountId: row.accountId,
    shortName: row.shortName,
    serviceName: row.serviceName,
    portId: row.portId,
    vpcId: row.vpcId,
    serverType: row.serverType,
    serviceType: row.serviceType,
    approvalEnabled: row.approvalEnabled === 1,
    status: row.status as ServiceStatus,
    ip: row.ip,
    tcpProxy: row.tcpProxy,
    description: row.description,
    enablePolicy: row.enablePolicy === 1,
    ipVersion: row.ipVersion,
    snatNetworkId: row.snatNetworkId,
    ports: JSON.parse(row.ports),
    errors: JSON.parse(row.errors),
    tags,
    connectionCount: liveConnections,
    isPublic: row.isPublic === 1,
    ownerName: row.ownerName,
    isCharge: row.isCharge === 1,
    supportedEditions: JSON.parse(row.supportedEditions),
    enableMultiServer: row.enableMultiServer === 1,
    serverResources: JSON.parse(row.serverResources),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  }
}

/** The one definition of a live connection, for every count of them (GET, lists, delete checks). */
export function isLiveConnection(eb: ExpressionBuilder<Database, 'endpoints'>): Expression<SqlBool> {
  return eb('endpoints.status', 'in', LIVE_CONNECTION_STATUSES)
}

/**
 * Completes rows, however they were fetched, with their tags and live connection counts (two queries
 * for any number of rows) and assembles them.
 */
export async function completeServices(db: Executor, rows: ServiceRow[]): Promise<EndpointService[]> {
  if (rows.length === 0) return []
  const ids = rows.map((r) => r.id)
  const tags = await tagsOf(db, 'endpoint_service', ids)
  const counts = await db
    .selectFrom('endpoints')
    .select(['serviceId', (eb) => eb.fn.countAll<number>().as('n')])
    .where('serviceId', 'in', ids)
    .where(isLiveConnection)
    .groupBy('serviceId')
    .execute()
  const countById = new Map(counts.map((c) => [c.serviceId, Number(c.n)]))
  return rows.map((row) => assembleService({ row, tags: tags.get(row.id) ?? [], liveConnections: countById.get(row.id) ?? 0 }))
}

/**
 * The service with its tags and live connection count in one statement (a row per tag, in tag order, or
 * one row without a tag), so a read sees one state of all three; the count is a subquery that does not
 * depend on the row, so it runs once. `countedId` is the same id again: each argument binds once.
 */
const ownServiceWithTags = prepared((db, countedId: string, projectId: string, id: string) =>
  db
    .selectFrom('endpointServices')
    .leftJoin('tags', (join) => join.on('tags.resourceType', '=', 'endpoint_service').onRef('tags.resourceId', '=', 'endpointServices.id'))
    .selectAll('endpointServices')
    .select((eb) => [
      'tags.key as tagKey',
      'tags.value as tagValue',
      eb
        .selectFrom('endpoints')
        .select(eb.fn.countAll<number>().as('n'))
        .where('serviceId', '=', countedId)
        .where(isLiveConnection)
        .as('liveConnections'),
    ])
    .where('endpointServices.projectId', '=', projectId)
    .where('endpointServices.id', '=', id)
    .orderBy('tags.position')
    .orderBy('tags.key'),
  { cacheable: true },
)

/** The caller's own service, complete (tags, connection count), or undefined: another project's service is absent. */
export async function findOwnService(db: Executor, scope: Scope, id: string): Promise<EndpointService | undefined> {
  const { rows } = await ownServiceWithTags(db, id, scope.projectId, id)
  const [first] = rows
  if (first === undefined) return undefined
  return assembleService({ row: first, tags: tagsOfJoinedRows(rows), liveConnections: Number(first.liveConnections ?? 0) })
}

/** The service with `id` in the caller's project, or undefined (another project's service is absent). */
export async function findOwnServiceRow(db: Executor, scope: Scope, id: string, lock?: { dialect: Dialect; mode: 'share' | 'update' }): Promise<ServiceRow | undefined> {
  if (!lock) return (await ownServiceRow(db, scope.projectId, id)).rows[0]
  const query = db.selectFrom('endpointServices').selectAll().where('projectId', '=', scope.projectId).where('id', '=', id)
  return lockRows(query, lock.dialect, lock.mode).executeTakeFirst()
}

const ownServiceRow = prepared((db, projectId: string, id: string) =>
  db.selectFrom('endpointServices').selectAll().where('projectId', '=', projectId).where('id', '=', id),
)

/**
 * A service looked up across tenants, for a consumer connecting to it. Only CreateEndpoint uses this;
 * what the consumer may learn of it is decided by the whitelist check in the domain.
 */
export async function findServiceRowForConsumer(db: Executor, id: string, dialect: Dialect): Promise<ServiceRow | undefined> {
  // Share-locked until the endpoint commits, so a concurrent service delete sees the new endpoint.
  return lockRows(db.selectFrom('endpointServices').selectAll().where('id', '=', id), dialect, 'share').executeTakeFirst()
}

export async function listServices(db: Executor, scope: Scope, filter: ServiceFilter, page: Page): Promise<Paged<EndpointService>> {
  let query = db.selectFrom('endpointServices').where('projectId', '=', scope.projectId)
  if (filter.id !== undefined) query = query.where('id', '=', filter.id)
  if (filter.status !== undefined) query = query.where('status', '=', filter.status)
  if (filter.serverType !== undefined) query = query.where('serverType', '=', filter.serverType)
  if (filter.nameContains !== undefined) {
    query = query.where(containsIgnoringCase('serviceName', filter.nameContains))
  }
  const total = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  const rows = await applyPage(query.selectAll(), page).execute()
  return { items: await completeServices(db, rows), totalCount: Number(total.n) }
}

/** A service by id or by exact full name, across tenants: the consumer-side lookup of `describe`. */
export async function findServiceRowByIdOrName(db: Executor, lookup: { id?: string; name?: string }): Promise<ServiceRow | undefined> {
  let query = db.selectFrom('endpointServices').selectAll().where('status', '!=', 'deleting')
  if (lookup.id !== undefined) query = query.where('id', '=', lookup.id)
  if (lookup.name !== undefined) query = query.where('serviceName', '=', lookup.name)
  return query.executeTakeFirst()
}

export async function listPublicServices(db: Executor, filter: Omit<ServiceFilter, 'status'>, page: Page): Promise<Paged<EndpointService>> {
  let query = db.selectFrom('endpointServices').where('isPublic', '=', 1)
  if (filter.id !== undefined) query = query.where('id', '=', filter.id)
  if (filter.nameContains !== undefined) query = query.where(containsIgnoringCase('serviceName', filter.nameContains))
  const total = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  const rows = await applyPage(query.selectAll(), page).execute()
  return { items: await completeServices(db, rows), totalCount: Number(total.n) }
}

/** The caller's other services (not being deleted) on backend port `portId`, with their port mappings. */
export async function servicesOnBackendPort(tx: Executor, projectId: string, portId: string, exceptServiceId?: string): Promise<Array<{ id: string; ports: PortMapping[] }>> {
  let query = tx.selectFrom('endpointServices').select(['id', 'ports']).where('projectId', '=', projectId).where('portId', '=', portId).where('status', '!=', 'deleting')
  if (exceptServiceId) query = query.where('id', '!=', exceptServiceId)
  return (await query.execute()).map((row) => ({ id: row.id, ports: JSON.parse(row.ports) as PortMapping[] }))
}

/** A service as it is created: what the provider chose, and when its first transition is due. */
export type NewService = Pick<
  EndpointService,
  | 'id' | 'projectId' | 'accountId' | 'shortName' | 'serviceName' | 'portId' | 'vpcId' | 'serverType' | 'serviceType' | 'approvalEnabled'
  | 'status' | 'ip' | 'tcpProxy' | 'description' | 'enablePolicy' | 'ipVersion' | 'snatNetworkId' | 'ports' | 'createdAt'
> & { transitionDueAt: string | null }

export async function insertService(tx: Executor, service: NewService): Promise<void> {
  await tx
    .insertInto('endpointServices')
    .values({
      ...service,
      approvalEnabled: service.approvalEnabled ? 1 : 0,
      enablePolicy: service.enablePolicy ? 1 : 0,
      ports: JSON.stringify(service.ports),
      errors: '[]',
      updatedAt: service.createdAt,
    })
    .execute()
}

/** One live connection of the service (the reason it may not be deleted yet), or undefined. */
export async function findLiveConnection(tx: Executor, serviceId: string): Promise<{ id: string } | undefined> {
  return tx.selectFrom('endpoints').select('id').where('serviceId', '=', serviceId).where(isLiveConnection).limit(1).executeTakeFirst()
}

export async function markServiceDeleting(tx: Executor, id: string, stamp: string, transitionDueAt: string | null): Promise<void> {
  await tx.updateTable('endpointServices').set({ status: 'deleting', updatedAt: stamp, transitionDueAt }).where('id', '=', id).execute()
}

/** The provider's changeable settings of a service; a field left out keeps its value. */
export interface ServiceSettings {
  approvalEnabled?: boolean
  shortName?: string
  serviceName?: string
  portId?: string
  ports?: PortMapping[]
  tcpProxy?: string
  description?: string
  ip?: string
}

export async function updateServiceSettings(tx: Executor, id: string, settings: ServiceSettings, stamp: string): Promise<void> {
  const { approvalEnabled, ports, ...plain } = settings
  await tx
    .updateTable('endpointServices')
    .set({
      ...plain,
      ...(approvalEnabled === undefined ? {} : { approvalEnabled: approvalEnabled ? 1 : 0 }),
      ...(ports === undefined ? {} : { ports: JSON.stringify(ports) }),
      updatedAt: stamp,
    })
    .where('id', '=', id)
    .execute()
}

/** The editions a service accepts, and whether it takes several backends. */
export async function setServiceEditions(tx: Executor, id: string, editions: { supportedEditions: string[]; enableMultiServer: boolean }, stamp: string): Promise<void> {
  await tx
    .updateTable('endpointServices')
    .set({ supportedEditions: JSON.stringify(editions.supportedEditions), enableMultiServer: editions.enableMultiServer ? 1 : 0, updatedAt: stamp })
    .where('id', '=', id)
    .execute()
}

export async function setServerResources(tx: Executor, id: string, resources: Array<{ resourceId: string; availabilityZoneId: string }>, stamp: string): Promise<void> {
  await tx.updateTable('endpointServices').set({ serverResources: JSON.stringify(resources), updatedAt: stamp }).where('id', '=', id).execute()
}

/** A service by id alone, whoever owns it: for an endpoint's own service, which the caller already reached through the endpoint. */
export async function findServiceRowOfEndpoint(db: Executor, serviceId: string): Promise<ServiceRow> {
  return db.selectFrom('endpointServices').selectAll().where('id', '=', serviceId).executeTakeFirstOrThrow()
}
