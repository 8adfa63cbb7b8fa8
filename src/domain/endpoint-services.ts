import { lockProject, type Dialect, type Tx } from '../store/database.ts'
import {
  findLiveConnection,
  findOwnServiceRow,
  findOwnService,
  insertService,
  listServices,
  markServiceDeleting,
  servicesOnBackendPort,
  updateServiceSettings,
  type ServiceFilter,
  type ServiceRow,
} from '../store/repos/services.ts'
import { insertTags } from '../store/repos/tags.ts'
import { recordEvents } from '../store/repos/events.ts'
import { toStoredTime } from './clock.ts'
import { dueAt, type DomainContext } from './context.ts'
import { fail } from './errors.ts'
import type { EndpointService, Page, Paged, PortMapping, Scope, Tag } from '../model/resources.ts'
import { validateTags } from './tags.ts'
import { enforceQuota } from './quotas.ts'

export interface CreateServiceInput {
  portId: string
  vpcId: string
  serverType: string
  ports: PortMapping[]
  shortName?: string
  approvalEnabled?: boolean
  serviceType?: string
  ip?: string
  tcpProxy?: string
  tags?: Tag[]
  description?: string
  ipVersion?: string
  snatNetworkId?: string
  enablePolicy?: boolean
}

export interface UpdateServiceInput {
  approvalEnabled?: boolean
  shortName?: string
  ports?: PortMapping[]
  portId?: string
  tcpProxy?: string
  description?: string
  ip?: string
}

export const MAX_PORT_MAPPINGS = 200

/** `{region}.{name}.{id}`, or `{region}.{id}` without a short name (digest §1.2). */
export function fullServiceName(region: string, shortName: string, id: string): string {
  return shortName ? `${region}.${shortName}.${id}` : `${region}.${id}`
}

/** Rejects duplicate mappings inside one request and clashes with the caller's other services on the same backend port. */
async function checkPorts(tx: Tx, scope: Scope, portId: string, ports: PortMapping[], exceptServiceId?: string): Promise<void> {
  if (ports.length === 0) fail('invalidServicePort', 'At least one port mapping is required.')
  if (ports.length > MAX_PORT_MAPPINGS) fail('tooManyPorts', `A service has at most ${MAX_PORT_MAPPINGS} port mappings.`)
  const serverKeys = new Set<string>()
  const clientKeys = new Set<string>()
  for (const p of ports) {
    const serverKey = `${p.serverPort}/${p.protocol}`
    const clientKey = `${p.clientPort}/${p.protocol}`
    if (serverKeys.has(serverKey) || clientKeys.has(clientKey)) {
      fail('portsConflict', `Port mapping ${p.clientPort}->${p.serverPort}/${p.protocol} repeats a port of this request.`)
    }
    serverKeys.add(serverKey)
    clientKeys.add(clientKey)
  }
  for (const other of await servicesOnBackendPort(tx, scope.projectId, portId, exceptServiceId)) {
    for (const p of other.ports) {
      if (serverKeys.has(`${p.serverPort}/${p.protocol}`)) {
        fail('portsConflict', `Server port ${p.serverPort}/${p.protocol} of port_id ${portId} is already mapped by endpoint service ${other.id}.`)
      }
    }
  }
}

/** The caller's service, locked for a change (with its project); refused unless `available` (EndPoint.3045). */
export async function lockAvailableService(tx: Tx, dialect: Dialect, scope: Scope, id: string): Promise<ServiceRow> {
  await lockProject(tx, dialect, scope.projectId)
  const row = await findOwnServiceRow(tx, scope, id, { dialect, mode: 'update' })
  if (!row) fail('resourceNotFound', `Endpoint service ${id} does not exist.`)
  if (row.status !== 'available') fail('serviceNotModifiable', `Endpoint service ${id} is ${row.status}.`)
  return row
}

/** Endpoint services: the provider side. */
export class EndpointServices {
  constructor(private readonly ctx: DomainContext) {}

  async create(scope: Scope, input: CreateServiceInput): Promise<EndpointService> {
    const serviceType = input.serviceType ?? 'interface'
    if (serviceType !== 'interface') fail('parameterError', 'Only interface endpoint services can be created; gateway services are provided by the operator.')
    if (input.ipVersion === 'ipv6' && !input.snatNetworkId) fail('parameterError', 'snat_network_id is required when ip_version is ipv6.')
    const tags = input.tags ?? []
    validateTags(tags)
    const { store, clock, ids, region } = this.ctx
    const id = ids.uuid()
    const created = await store.transaction(async (tx) => {
      await lockProject(tx, store.dialect, scope.projectId)
      await enforceQuota(this.ctx, tx, scope, 'endpoint_service')
      await checkPorts(tx, scope, input.portId, input.ports)
      const now = clock.now()
      const stamp = toStoredTime(now)
      const shortName = input.shortName ?? ''
      await insertService(tx, {
        id,
        projectId: scope.projectId,
        accountId: scope.accountId,
        shortName,
        serviceName: fullServiceName(region, shortName, id),
        portId: input.portId,
        vpcId: input.vpcId,
        serverType: input.serverType,
        serviceType,
        approvalEnabled: input.approvalEnabled !== false,
        status: 'creating',
        ip: input.ip ?? '',
        tcpProxy: input.tcpProxy ?? 'close',
        description: input.description ?? '',
        enablePolicy: input.enablePolicy === true,
        ipVersion: input.ipVersion ?? 'ipv4',
        snatNetworkId: input.snatNetworkId ?? '',
        ports: input.ports,
        createdAt: stamp,
        transitionDueAt: await dueAt(this.ctx, tx, 'endpoint_service', now),
      })
      await insertTags(tx, 'endpoint_service', id, scope.projectId, tags)
      await recordEvents(tx, [{ type: 'service.created', resourceType: 'endpoint_service', resourceId: id, projectId: scope.projectId, occurredAt: stamp, payload: { status: 'creating' } }])
      return this.loadOwn(tx, scope, id)
    })
    this.ctx.onTransitionScheduled()
    return created
  }

  list(scope: Scope, filter: ServiceFilter, page: Page): Promise<Paged<EndpointService>> {
    return this.ctx.store.snapshot((db) => listServices(db, scope, filter, page))
  }

  /** The caller's own service; another project's service answers exactly as an absent one (404). */
  get(scope: Scope, id: string): Promise<EndpointService> {
    return this.loadOwn(this.ctx.store.db, scope, id)
  }

  /** Starts deletion: `deleting`, then gone. Refused while an endpoint is `accepted` or `creating`. */
  async delete(scope: Scope, id: string): Promise<void> {
    const scheduled = await this.ctx.store.transaction(async (tx) => {
      await lockProject(tx, this.ctx.store.dialect, scope.projectId)
      const row = await findOwnServiceRow(tx, scope, id, { dialect: this.ctx.store.dialect, mode: 'update' })
      if (!row) fail('resourceNotFound', `Endpoint service ${id} does not exist.`)
      if (row.status === 'deleting') return false
      const live = await findLiveConnection(tx, id)
      if (live) fail('serviceInUse', `Endpoint ${live.id} is still connected; reject or delete it first.`)
      const now = this.ctx.clock.now()
      const stamp = toStoredTime(now)
      await markServiceDeleting(tx, id, stamp, await dueAt(this.ctx, tx, 'endpoint_service', now))
      await recordEvents(tx, [{ type: 'service.deleting', resourceType: 'endpoint_service', resourceId: id, projectId: scope.projectId, occurredAt: stamp, payload: { from: row.status } }])
      return true
    })
    if (scheduled) this.ctx.onTransitionScheduled()
  }

  /**
   * Changes only the given fields of an `available` service. `ports` replaces the whole mapping list;
   * `approval_enabled` applies to endpoints created afterwards (docs/decisions.md).
   */
  async update(scope: Scope, id: string, input: UpdateServiceInput): Promise<EndpointService> {
    if (input.portId !== undefined && input.ip !== undefined) fail('portIdAndIpTogether', 'Change port_id or ip, not both.')
    const { store, clock, region } = this.ctx
    return store.transaction(async (tx) => {
      const row = await lockAvailableService(tx, store.dialect, scope, id)
      const portId = input.portId ?? row.portId
      if (input.ports !== undefined || input.portId !== undefined) {
        await checkPorts(tx, scope, portId, input.ports ?? (JSON.parse(row.ports) as PortMapping[]), id)
      }
      const shortName = input.shortName ?? row.shortName
      const stamp = toStoredTime(clock.now())
      await updateServiceSettings(
        tx,
        id,
        {
          approvalEnabled: input.approvalEnabled,
          shortName,
          serviceName: fullServiceName(region, shortName, id),
          portId,
          ports: input.ports,
          tcpProxy: input.tcpProxy,
          description: input.description,
          ip: input.ip,
        },
        stamp,
      )
      await recordEvents(tx, [{ type: 'service.updated', resourceType: 'endpoint_service', resourceId: id, projectId: scope.projectId, occurredAt: stamp, payload: { fields: Object.keys(input) } }])
      return this.loadOwn(tx, scope, id)
    })
  }

  /** Renames a service; answers the new full name `{region}.{name}.{id}` (docs/decisions.md). */
  async rename(scope: Scope, id: string, shortName: string): Promise<string> {
    const service = await this.update(scope, id, { shortName })
    return service.serviceName
  }

  private async loadOwn(db: Parameters<typeof findOwnService>[0], scope: Scope, id: string): Promise<EndpointService> {
    const service = await findOwnService(db, scope, id)
    if (!service) fail('resourceNotFound', `Endpoint service ${id} does not exist.`)
    return service
  }
}
