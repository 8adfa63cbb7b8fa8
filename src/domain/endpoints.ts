import { isIPv6 } from 'node:net'
import { isUniqueViolation, lockProject } from '../store/database.ts'
import { findServiceRowForConsumer } from '../store/repos/services.ts'
import { findOwnEndpoint, findOwnEndpointRow, insertEndpoint, markEndpointDeleting, type EndpointFilter } from '../store/repos/endpoints.ts'
import { listOwnEndpoints, withForwarding } from '../store/repos/endpoint-pages.ts'
import { hasAnyPermission } from '../store/repos/permissions.ts'
import { insertTags } from '../store/repos/tags.ts'
import { recordEvents } from '../store/repos/events.ts'
import type { Executor, Tx } from '../store/database.ts'
import { toStoredTime } from './clock.ts'
import { dueAt, type DomainContext } from './context.ts'
import { ApiError, fail } from './errors.ts'
import { allocateIp, ipv6For, validateAcl } from './ip-allocation.ts'
import { checkPolicies, claimRouteTables, defaultRouteTable } from './gateway.ts'
import type { Endpoint, Page, Paged, Scope, Tag } from '../model/resources.ts'
import { validateTags } from './tags.ts'
import { enforceQuota } from './quotas.ts'
import { admittingRecords } from './whitelist.ts'

export interface CreateEndpointInput {
  serviceId: string
  vpcId: string
  subnetId?: string
  portIp?: string
  enableDns?: boolean
  whitelist?: string[]
  enableWhitelist?: boolean
  tags?: Tag[]
  description?: string
  routetables?: string[]
  policyStatement?: unknown[]
  policyDocument?: unknown
  ipVersion?: string
  ipv6Address?: string
}

/** How often a create is retried when a concurrent writer took the same marker id or address. */
const CREATE_ATTEMPTS = 8

/** Endpoints: the consumer side. */
export class Endpoints {
  constructor(private readonly ctx: DomainContext) {}

  /**
   * Connects to a service: the caller's own, or another account's that whitelists the caller's
   * account (or every account). Answers the endpoint while it is `creating`.
   */
  async create(scope: Scope, input: CreateEndpointInput): Promise<Endpoint> {
    const tags = input.tags ?? []
    validateTags(tags)
    for (let attempt = 1; ; attempt++) {
      try {
        const endpoint = await this.ctx.store.transaction((tx) => this.insert(tx, scope, input, tags, attempt))
        this.ctx.onTransitionScheduled()
        return endpoint
      } catch (error) {
        if (error instanceof ApiError || !isUniqueViolation(error) || attempt >= CREATE_ATTEMPTS) throw error
      }
    }
  }

  private async insert(tx: Tx, scope: Scope, input: CreateEndpointInput, tags: Tag[], attempt: number): Promise<Endpoint> {
    const { store, clock, ids } = this.ctx
    await lockProject(tx, store.dialect, scope.projectId)
    // The service row is read inside the transaction, so a whitelist removal that committed first is seen.
    const service = await findServiceRowForConsumer(tx, input.serviceId, store.dialect)
    if (!service) fail('serviceDoesNotExist', `Endpoint service ${input.serviceId} does not exist.`)
    const admitted = service.isPublic === 1 || service.accountId === scope.accountId || (await hasAnyPermission(tx, service.id, admittingRecords(scope.accountId), store.dialect))
    if (!admitted) {
      fail('noPermissionToConnect', `Account ${scope.accountId} is not on the whitelist of endpoint service ${service.id}.`)
    }
    if (service.status !== 'available') fail('serviceUnavailable', `Endpoint service ${service.id} is ${service.status}.`)
    await enforceQuota(this.ctx, tx, scope, 'endpoint')
    const gateway = service.serviceType === 'gateway'
    checkPolicies(service, input.policyStatement, input.policyDocument)
    const profession = input.ipVersion === 'dualstack'
    if (input.ipv6Address !== undefined) {
      // Given without dual-stack it could never read back (the Terraform provider would replace the endpoint on every plan).
      if (!profession) fail('parameterError', 'ipv6_address needs ip_version dualstack.')
      if (!isIPv6(input.ipv6Address)) fail('invalidIpAddress', `"${input.ipv6Address.slice(0, 64)}" is not an IPv6 address.`)
    }
    if (profession && !(JSON.parse(service.supportedEditions) as string[]).includes('profession')) {
      fail('invalidSpecification', `Endpoint service ${service.id} does not accept professional (dual-stack) endpoints; upgrade it first.`)
    }
    let address: { ip: string; ipNumber: number | null } = { ip: '', ipNumber: null }
    let routetables: string[] = []
    if (gateway) {
      // The reference: for gateway services enable_dns may be true or false, and no DNS name is created
      // either way. The Terraform provider sends true unless told otherwise (its default).
      if (input.whitelist?.length || input.enableWhitelist) fail('parameterError', 'whitelist and enable_whitelist apply to interface endpoints only.')
      routetables = await claimRouteTables(tx, scope.projectId, service.id, input.routetables?.length ? input.routetables : [defaultRouteTable(input.vpcId)])
    } else {
      if (!input.subnetId) fail('subnetIdEmpty', 'subnet_id is required to connect to an interface endpoint service.')
      if (input.routetables?.length) fail('parameterError', 'routetables apply to gateway endpoints only.')
      address = await allocateIp(tx, scope.projectId, input.subnetId, input.portIp, this.ctx.endpointAddresses, attempt)
    }
    const now = clock.now()
    const stamp = toStoredTime(now)
    const id = ids.uuid()
    await insertEndpoint(tx, {
      id,
      projectId: scope.projectId,
      accountId: scope.accountId,
      serviceId: service.id,
      vpcId: input.vpcId,
      subnetId: input.subnetId ?? '',
      ip: address.ip,
      ipNumber: address.ipNumber,
      markerId: ids.markerId(),
      requiresApproval: service.approvalEnabled === 1,
      enableDns: input.enableDns === true && !gateway,
      whitelist: validateAcl(input.whitelist ?? []),
      enableWhitelist: input.enableWhitelist === true,
      description: input.description ?? '',
      routetables,
      policyStatement: input.policyStatement ?? [],
      policyDocument: input.policyDocument,
      createdAt: stamp,
      transitionDueAt: await dueAt(this.ctx, tx, 'endpoint', now),
      edition: profession ? 'profession' : 'basic',
      ipv6Address: profession ? (input.ipv6Address ?? ipv6For(input.subnetId ?? id, address.ipNumber ?? 0)) : '',
    })
    await insertTags(tx, 'endpoint', id, scope.projectId, tags)
    await recordEvents(tx, [
      { type: 'endpoint.created', resourceType: 'endpoint', resourceId: id, projectId: scope.projectId, occurredAt: stamp, payload: { serviceId: service.id, serviceProjectId: service.projectId, status: 'creating' } },
    ])
    return this.loadOwn(tx, scope, id)
  }

  async list(scope: Scope, filter: EndpointFilter, page: Page): Promise<Paged<Endpoint>> {
    return listOwnEndpoints(this.ctx.store, scope, filter, page, this.ctx.dnsZone)
  }

  async get(scope: Scope, id: string): Promise<Endpoint> {
    const db = this.ctx.store.db
    const [endpoint] = await withForwarding(db, [await this.loadOwn(db, scope, id)])
    return endpoint!
  }

  /** Starts deletion (`deleting`, then gone). Refused while the endpoint is still `creating` or already `deleting`. */
  async delete(scope: Scope, id: string): Promise<void> {
    await this.ctx.store.transaction(async (tx) => {
      const row = await findOwnEndpointRow(tx, scope, id)
      if (!row) fail('endpointNotFound', `Endpoint ${id} does not exist.`)
      if (row.status === 'deleting') fail('endpointDeleting', `Endpoint ${id} is already being deleted.`)
      if (row.status === 'creating') fail('endpointCreating', `Endpoint ${id} is still being created; delete it once it has settled.`)
      const now = this.ctx.clock.now()
      const stamp = toStoredTime(now)
      const changed = await markEndpointDeleting(tx, id, row.status, stamp, await dueAt(this.ctx, tx, 'endpoint', now))
      if (!changed) fail('endpointDeleting', `Endpoint ${id} changed state while being deleted; retry.`)
      await recordEvents(tx, [{ type: 'endpoint.deleting', resourceType: 'endpoint', resourceId: id, projectId: scope.projectId, occurredAt: stamp, payload: { from: row.status, serviceId: row.serviceId } }])
    })
    this.ctx.onTransitionScheduled()
  }

  private async loadOwn(db: Executor, scope: Scope, id: string): Promise<Endpoint> {
    const endpoint = await findOwnEndpoint(db, scope, id, this.ctx.dnsZone)
    if (!endpoint) fail('endpointNotFound', `Endpoint ${id} does not exist.`)
    return endpoint
  }
}
