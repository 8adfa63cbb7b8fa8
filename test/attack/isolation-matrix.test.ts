import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { dialects, freshDatabaseUrl, startServer, type TestServer } from '../helpers/server.ts'
import type { HttpResult } from '../helpers/http.ts'
import { settledNewEndpoint } from '../helpers/fixtures.ts'
import type { SdkResponse } from '../helpers/vpcep-sdk.ts'
import {
  changedTables,
  createTenant,
  documentedOperations,
  fixedUuid,
  openReader,
  sendRaw,
  settle,
  strangerDomain,
  type DatabaseReader,
  type DocumentedOperation,
  type RawRequest,
  type Tenant,
} from './support.ts'

/*
 * "vpcep under attack", part 2: three accounts, every /v1, /v2 and /v3 operation. Each account acts on
 * its own resource (which must work, so the probe is a real request), on each other account's resource
 * and on a nonexistent one. Another account's resource answers exactly as a nonexistent one (same status,
 * same code, same message but for the id), with one documented exception: CreateEndpoint on a foreign
 * service that does not whitelist the caller answers EndPoint.2012 where an absent one answers 2003
 * (docs/decisions.md). Probes on foreign or absent resources change no table (but `tokens`), and no
 * response carries another account's identifiers beyond what the API defines: a provider sees its
 * consumers' domain_id and endpoint (id, marker_id) in its connections; a consumer sees the id and name
 * of the service its endpoint connects to. Values the caller sent itself may be echoed.
 */

interface Tenants {
  a: Tenant
  b: Tenant
  c: Tenant
}

/** What one probe sends: the request, and the values standing for the target (normalised when comparing answers). */
interface Probe {
  request: RawRequest
  values: string[]
}

/**
 * One way to aim an operation at a resource. `build(actor, target)` makes the request; `target` is the
 * tenant whose resource is named, or null for a nonexistent one. `own` says whether the actor's own
 * target must succeed (not when the operation needs a spare resource it would use up, given in `ownBuild`).
 */
interface Family {
  op: string
  name: string
  build: (actor: Tenant, target: Tenant | null) => Probe
  /** Targets that may not be compared for this actor (API-defined access, e.g. the consumer's own connection). */
  skip?: (actor: Tenant, target: Tenant) => boolean
  /** The request on the actor's own resource; defaults to build(actor, actor). Null: no own call in this family. */
  ownBuild?: ((actor: Tenant) => Probe) | null
  /** Expected answers on a foreign resource when they legitimately differ from the nonexistent one. */
  exception?: { foreign: [number, string]; missing: [number, string]; why: string }
}

const CONNECTION_OPS = new Set(['ListServiceConnections', 'AcceptOrRejectEndpoint', 'UpdateEndpointConnectionsDesc'])
const ENDPOINT_VIEW_OPS = new Set(['CreateEndpoint', 'ListEndpoints', 'ListEndpointInfoDetails', 'UpdateEndpointWhite', 'UpdateEndpointPolicy', 'DeleteEndpointPolicy'])

function json(body: unknown): string {
  return JSON.stringify(body)
}

for (const dialect of dialects()) {
  describe(`isolation matrix: accounts A, B and C on every operation [${dialect}]`, () => {
    let server: TestServer
    let reader: DatabaseReader
    let t: Tenants
    let operations: DocumentedOperation[]
    /** B's endpoint to A's service: the one connection across accounts. */
    let crossEndpoint: SdkResponse
    /** Per tenant: a service and an endpoint to delete, and tokens to validate and revoke. */
    const spare = new Map<string, { service: SdkResponse; endpoint: SdkResponse; token: string; revocable: string }>()
    /** Per tenant: every identifier another account must not see (grows as own calls create resources). */
    const secrets = new Map<string, Set<string>>()
    let missingCounter = 0
    const missingUuid = () => fixedUuid(`missing:${++missingCounter}`)
    const missingHex = () => missingUuid().replace(/-/g, '')

    async function issueToken(tenant: Tenant, projectId = tenant.account.projectId): Promise<HttpResult> {
      const { account } = tenant
      return sendRaw(server.url, account, {
        method: 'POST',
        wirePath: '/v3/auth/tokens',
        anonymous: true,
        body: json({ auth: { identity: { methods: ['password'], password: { user: { name: account.userName, password: account.password, domain: { name: account.domainName } } } }, scope: { project: { id: projectId } } } }),
      })
    }

    before(async () => {
      const url = await freshDatabaseUrl(dialect)
      server = await startServer(url)
      t = { a: await createTenant(server, 'alpha'), b: await createTenant(server, 'bravo'), c: await createTenant(server, 'charlie') }
      // B connects to A's service while A whitelists it; A then removes the record: the connection stays,
      // and no test account is admitted to another's service any more.
      await t.a.sdk.addOrRemoveServicePermissions(t.a.service.id, { action: 'add', permissions: [`iam:domain::${t.b.account.domainId}`] })
      crossEndpoint = await settledNewEndpoint(t.b.sdk, { endpoint_service_id: t.a.service.id, vpc_id: t.b.vpcId, subnet_id: t.b.subnetId })
      assert.equal(crossEndpoint.status, 'pendingAcceptance')
      await t.a.sdk.addOrRemoveServicePermissions(t.a.service.id, { action: 'remove', permissions: [`iam:domain::${t.b.account.domainId}`] })
      for (const tenant of Object.values(t)) {
        const service = await tenant.sdk.createEndpointService({ port_id: fixedUuid(`${tenant.label}:spare-port`), vpc_id: tenant.vpcId, server_type: 'VM', ports: [{ client_port: 9000, server_port: 9000 }] })
        const endpoint = await settledNewEndpoint(tenant.sdk, { endpoint_service_id: tenant.service.id, vpc_id: tenant.vpcId, subnet_id: tenant.subnetId })
        const token = await issueToken(tenant)
        const revocable = await issueToken(tenant)
        assert.equal(token.status, 201, token.text)
        spare.set(tenant.label, { service, endpoint, token: String(token.headers['x-subject-token']), revocable: String(revocable.headers['x-subject-token']) })
      }
      operations = await documentedOperations(server)
      reader = await openReader(dialect, url)
      await settle(reader)
      for (const tenant of Object.values(t)) {
        const s = spare.get(tenant.label)!
        const endpoints = [tenant.endpoint, tenant.gatewayEndpoint, s.endpoint, ...(tenant === t.b ? [crossEndpoint] : [])]
        secrets.set(
          tenant.label,
          new Set([
            tenant.account.domainId,
            tenant.account.projectId,
            tenant.account.domainName,
            tenant.account.accessKey,
            tenant.vpcId,
            tenant.subnetId,
            fixedUuid(`${tenant.label}:gateway-vpc`),
            fixedUuid(`${tenant.label}:port`),
            tenant.service.id,
            tenant.service.service_name,
            s.service.id,
            ...tenant.records.flatMap((r: SdkResponse) => [r.id as string, r.permission as string]),
            ...[1, 2, 3].map((n) => strangerDomain(`${tenant.label}${n}`)),
            ...endpoints.flatMap((e) => [e.id, String(e.marker_id)]),
            tenant.tag.key,
            tenant.tag.value,
            s.token,
            s.revocable,
          ]),
        )
      }
    })
    after(async () => {
      await reader?.close()
      await server?.stop()
    })

    /** Identifiers of `owner` that `viewer` may see in the answer to `op`, as the API defines. */
    function allowed(viewer: Tenant, owner: Tenant, op: string): Set<string> {
      if (viewer === t.a && owner === t.b && CONNECTION_OPS.has(op)) return new Set([t.b.account.domainId, crossEndpoint.id, String(crossEndpoint.marker_id)])
      if (viewer === t.b && owner === t.a && ENDPOINT_VIEW_OPS.has(op)) return new Set([t.a.service.id, t.a.service.service_name])
      return new Set()
    }

    function requestText(request: RawRequest): string {
      const body = request.body === undefined ? '' : Buffer.isBuffer(request.body) ? request.body.toString('utf8') : request.body
      return [request.wirePath, request.signPath ?? '', json(request.query ?? {}), request.wireQuery ?? '', body, json(request.headers ?? {})].join('\n')
    }

    /** Another account's identifiers in the answer that neither the API defines nor the caller sent. */
    function leaks(actor: Tenant, op: string, request: RawRequest, res: HttpResult): string[] {
      const sent = requestText(request)
      const found: string[] = []
      for (const owner of Object.values(t)) {
        if (owner === actor) continue
        const ok = allowed(actor, owner, op)
        for (const secret of secrets.get(owner.label)!) {
          if (ok.has(secret) || sent.includes(secret)) continue
          const hit = /^\d+$/.test(secret) ? new RegExp(`(^|\\D)${secret}(\\D|$)`).test(res.text) : res.text.includes(secret)
          if (hit) found.push(`${op} as ${actor.label}: ${owner.label}'s ${secret} in ${res.text.slice(0, 300)}`)
        }
      }
      return found
    }

    /** The answer with the target's values and the request id blanked out, for comparing foreign with absent. */
    function normalised(res: HttpResult, values: string[]): string {
      let text = res.text
      if (res.json && typeof res.json === 'object') {
        const copy = { ...res.json }
        delete copy.request_id
        text = json(copy)
      }
      values.forEach((v, i) => {
        if (v) text = text.split(v).join(`<target${i}>`)
      })
      return `${res.status} ${text}`
    }

    function send(actor: Tenant, request: RawRequest): Promise<HttpResult> {
      return sendRaw(server.url, actor.account, request)
    }

    function families(): Family[] {
      const fam: Family[] = []
      const project = (x: Tenant) => x.account.projectId
      const servicePath = (x: Tenant, serviceId: string, rest = '', version = 'v1') => `/${version}/${project(x)}/vpc-endpoint-services/${serviceId}${rest}`
      const endpointPath = (x: Tenant, endpointId: string, rest = '', version = 'v1') => `/${version}/${project(x)}/vpc-endpoints/${endpointId}${rest}`
      const serviceOf = (target: Tenant | null) => (target ? target.service.id : missingUuid())
      const endpointOf = (target: Tenant | null) => (target ? target.endpoint.id : missingUuid())
      const gatewayOf = (target: Tenant | null) => (target ? target.gatewayEndpoint.id : missingUuid())
      const recordOf = (target: Tenant | null, n = 0) => (target ? target.records[n]!.id : missingUuid())

      // ---- operations on a service named in the path
      const onService = (op: string, method: string, rest: string, body?: (x: Tenant, target: Tenant | null) => unknown, extra: Partial<Family> = {}, version = 'v1') => {
        fam.push({
          op,
          name: `${op} on a service`,
          build: (x, target) => {
            const id = serviceOf(target)
            const b = body?.(x, target)
            return { request: { method, wirePath: servicePath(x, id, rest, version), ...(b !== undefined ? { body: json(b) } : {}) }, values: [id] }
          },
          ...extra,
        })
      }
      onService('ListServiceDetails', 'GET', '')
      onService('UpdateEndpointService', 'PUT', '', () => ({ description: 'matrix' }))
      onService('UpdateEndpointServiceName', 'PUT', '/name', (x) => ({ endpoint_service_name: x.label }))
      onService('DeleteEndpointService', 'DELETE', '', undefined, {
        ownBuild: (x) => ({ request: { method: 'DELETE', wirePath: servicePath(x, spare.get(x.label)!.service.id) }, values: [] }),
      })
      onService('UpgradeEndpointService', 'POST', '/upgrade', () => ({ action: 'upgrade', enable_multi_server: true }), {}, 'v2')
      onService('AddEndpointServiceServerResource', 'POST', '/add-server-resources', () => ({ server_resources: [{ resource_id: fixedUuid('matrix-backend'), availability_zone_id: 'az1' }] }), {}, 'v2')
      onService('ListServicePermissionsDetails', 'GET', '/permissions')
      onService('AddOrRemoveServicePermissions', 'POST', '/permissions/action', () => ({ action: 'add', permissions: [`iam:domain::${strangerDomain('matrix-add')}`] }))
      // Removes, on the own service, the record the add above created.
      onService('AddOrRemoveServicePermissions', 'POST', '/permissions/action', (x, target) => ({
        action: 'remove',
        permissions: [target === x ? `iam:domain::${strangerDomain('matrix-add')}` : target ? target.records[1]!.permission : `iam:domain::${strangerDomain('absent')}`],
      }))
      onService('BatchAddEndpointServicePermissions', 'POST', '/permissions/batch-create', () => ({ permissions: [{ permission: `iam:domain::${strangerDomain('matrix-batch')}`, description: 'm' }] }))
      onService('BatchRemoveEndpointServicePermissions', 'POST', '/permissions/batch-delete', (_x, target) => ({ permissions: [{ id: recordOf(target, 1) }] }), {
        build: (x, target) => {
          const id = serviceOf(target)
          const record = target === x ? x.records[2]!.id : recordOf(target, 1)
          return { request: { method: 'POST', wirePath: servicePath(x, id, '/permissions/batch-delete'), body: json({ permissions: [{ id: record }] }) }, values: [id, record] }
        },
      })
      fam.push({
        op: 'UpdateEndpointServicePermissionDesc',
        name: 'UpdateEndpointServicePermissionDesc on a service and its record',
        build: (x, target) => {
          const [id, record] = [serviceOf(target), recordOf(target)]
          return { request: { method: 'PUT', wirePath: servicePath(x, id, `/permissions/${record}`), body: json({ permission: { description: 'matrix' } }) }, values: [id, record] }
        },
      })
      onService('ListServiceConnections', 'GET', '/connections')
      onService('AcceptOrRejectEndpoint', 'POST', '/connections/action', undefined, {
        build: (x, target) => {
          const [id, endpoint] = [serviceOf(target), endpointOf(target)]
          return { request: { method: 'POST', wirePath: servicePath(x, id, '/connections/action'), body: json({ action: 'receive', endpoints: [endpoint] }) }, values: [id, endpoint] }
        },
      })
      onService('UpdateEndpointConnectionsDesc', 'PUT', '/connections/description', undefined, {
        build: (x, target) => {
          const [id, endpoint] = [serviceOf(target), endpointOf(target)]
          return { request: { method: 'PUT', wirePath: servicePath(x, id, '/connections/description'), body: json({ connections: [{ id: endpoint, description: 'matrix' }] }) }, values: [id, endpoint] }
        },
      })
      fam.push({
        op: 'BatchAddOrRemoveResourceInstance',
        name: 'BatchAddOrRemoveResourceInstance on a service',
        build: (x, target) => {
          const id = serviceOf(target)
          return { request: { method: 'POST', wirePath: `/v1/${project(x)}/endpoint_service/${id}/tags/action`, body: json({ action: 'create', tags: [{ key: 'matrix', value: 'm' }] }) }, values: [id] }
        },
      })
      fam.push({
        op: 'BatchAddOrRemoveResourceInstance',
        name: 'BatchAddOrRemoveResourceInstance delete on a service',
        build: (x, target) => {
          const id = serviceOf(target)
          const tag = target ? target.tag : { key: 'absent', value: 'absent' }
          return { request: { method: 'POST', wirePath: `/v1/${project(x)}/endpoint_service/${id}/tags/action`, body: json({ action: 'delete', tags: [tag] }) }, values: [id] }
        },
        ownBuild: null,
      })

      // ---- the actor's own service, naming another account's record or endpoint inside
      const nestedInOwnService = (op: string, name: string, build: (x: Tenant, value: string) => RawRequest, valueOf: (target: Tenant | null) => string) =>
        fam.push({
          op,
          name,
          build: (x, target) => {
            const value = valueOf(target)
            return { request: build(x, value), values: [value] }
          },
          ownBuild: null,
        })
      nestedInOwnService('BatchRemoveEndpointServicePermissions', "BatchRemoveEndpointServicePermissions naming another's record", (x, v) => ({ method: 'POST', wirePath: servicePath(x, x.service.id, '/permissions/batch-delete'), body: json({ permissions: [{ id: v }] }) }), (target) => recordOf(target))
      nestedInOwnService('UpdateEndpointServicePermissionDesc', "UpdateEndpointServicePermissionDesc on another's record", (x, v) => ({ method: 'PUT', wirePath: servicePath(x, x.service.id, `/permissions/${v}`), body: json({ permission: { description: 'm' } }) }), (target) => recordOf(target))
      for (const [label, of] of [
        ['endpoint', endpointOf],
        ['gateway endpoint', gatewayOf],
      ] as const) {
        nestedInOwnService('AcceptOrRejectEndpoint', `AcceptOrRejectEndpoint naming another's ${label}`, (x, v) => ({ method: 'POST', wirePath: servicePath(x, x.service.id, '/connections/action'), body: json({ action: 'reject', endpoints: [v] }) }), of)
        nestedInOwnService('UpdateEndpointConnectionsDesc', `UpdateEndpointConnectionsDesc naming another's ${label}`, (x, v) => ({ method: 'PUT', wirePath: servicePath(x, x.service.id, '/connections/description'), body: json({ connections: [{ id: v, description: 'm' }] }) }), of)
        nestedInOwnService('ListServiceConnections', `ListServiceConnections filtered by another's ${label}`, (x, v) => ({ method: 'GET', wirePath: servicePath(x, x.service.id, '/connections'), query: { id: v } }), of)
      }
      nestedInOwnService('ListServiceConnections', "ListServiceConnections filtered by another's marker_id", (x, v) => ({ method: 'GET', wirePath: servicePath(x, x.service.id, '/connections'), query: { marker_id: v } }), (target) => (target ? String(target.endpoint.marker_id) : String(2_000_000_000 + missingCounter++)))

      // ---- operations on an endpoint named in the path
      const onEndpoint = (op: string, method: string, rest: string, of: (target: Tenant | null) => string, body?: unknown, version = 'v1', extra: Partial<Family> = {}) => {
        fam.push({
          op,
          name: `${op} on an endpoint`,
          build: (x, target) => {
            const id = of(target)
            return { request: { method, wirePath: endpointPath(x, id, rest, version), ...(body !== undefined ? { body: json(body) } : {}) }, values: [id] }
          },
          ...extra,
        })
        // Every other endpoint of the other accounts answers as absent too (the cross-account connection included).
        fam.push({
          op,
          name: `${op} on another's other endpoints`,
          build: (x, target) => {
            const ids = target ? [target.endpoint.id, target.gatewayEndpoint.id, ...(target === t.b ? [crossEndpoint.id] : [])].filter((id) => id !== of(target)) : [missingUuid()]
            const id = ids[missingCounter++ % ids.length]!
            return { request: { method, wirePath: endpointPath(x, id, rest, version), ...(body !== undefined ? { body: json(body) } : {}) }, values: [id] }
          },
          ownBuild: null,
        })
      }
      onEndpoint('ListEndpointInfoDetails', 'GET', '', endpointOf)
      onEndpoint('DeleteEndpoint', 'DELETE', '', endpointOf, undefined, 'v1', {
        ownBuild: (x) => ({ request: { method: 'DELETE', wirePath: endpointPath(x, spare.get(x.label)!.endpoint.id) }, values: [] }),
      })
      onEndpoint('UpdateEndpointWhite', 'PUT', '', endpointOf, { whitelist: ['10.1.0.0/16'], enable_whitelist: true })
      onEndpoint('UpdateEndpointPolicy', 'PUT', '/policy', gatewayOf, { policy_statement: [{ Effect: 'Allow', Action: ['obs:object:GetObject'], Resource: ['obs:*:*:object:*'] }] })
      onEndpoint('DeleteEndpointPolicy', 'DELETE', '/policy', gatewayOf)
      fam.push({
        op: 'UpdateEndpointRoutetable',
        name: 'UpdateEndpointRoutetable on an endpoint',
        build: (x, target) => {
          const id = gatewayOf(target)
          return { request: { method: 'PUT', wirePath: endpointPath(x, id, '/routetables'), body: json({ routetables: [fixedUuid(`${x.label}:route-table`)] }) }, values: [id] }
        },
      })
      onEndpoint('UpgradeEndpoint', 'POST', '/upgrade', endpointOf, { action: 'start' }, 'v2')
      fam.push({
        op: 'BatchAddOrRemoveResourceInstance',
        name: 'BatchAddOrRemoveResourceInstance on an endpoint',
        build: (x, target) => {
          const id = endpointOf(target)
          return { request: { method: 'POST', wirePath: `/v1/${project(x)}/endpoint/${id}/tags/action`, body: json({ action: 'create', tags: [{ key: 'matrix', value: 'm' }] }) }, values: [id] }
        },
      })

      // ---- project-wide operations, aimed at another account's resource through a filter or a body field
      const filtered = (op: string, name: string, build: (x: Tenant, value: string) => RawRequest, valueOf: (target: Tenant | null) => string, extra: Partial<Family> = {}) =>
        fam.push({
          op,
          name,
          build: (x, target) => {
            const value = valueOf(target)
            return { request: build(x, value), values: [value] }
          },
          ownBuild: (x) => ({ request: build(x, valueOf(x)), values: [] }),
          ...extra,
        })
      const list = (x: Tenant, what: string, query: Record<string, string>): RawRequest => ({ method: 'GET', wirePath: `/v1/${project(x)}/${what}`, query: { limit: '1000', ...query } })
      filtered('ListEndpointService', 'ListEndpointService filtered by id', (x, v) => list(x, 'vpc-endpoint-services', { id: v }), serviceOf)
      filtered('ListEndpointService', 'ListEndpointService filtered by name', (x, v) => list(x, 'vpc-endpoint-services', { endpoint_service_name: v }), (target) => (target ? target.service.service_name : `cn-north-4.absent.${missingUuid()}`))
      filtered('ListEndpoints', 'ListEndpoints filtered by id', (x, v) => list(x, 'vpc-endpoints', { id: v }), endpointOf)
      filtered('ListEndpoints', 'ListEndpoints filtered by VPC', (x, v) => list(x, 'vpc-endpoints', { vpc_id: v }), (target) => (target ? target.vpcId : missingUuid()), {
        // B's endpoint to A's service is in B's own VPC.
        ownBuild: (x) => ({ request: list(x, 'vpc-endpoints', { vpc_id: x.vpcId }), values: [] }),
      })
      filtered('ListEndpoints', 'ListEndpoints filtered by service name', (x, v) => list(x, 'vpc-endpoints', { endpoint_service_name: v }), (target) => (target ? target.service.service_name : `cn-north-4.absent.${missingUuid()}`), {
        // B has an endpoint to A's service: listing its own endpoints by that service's name finds it.
        skip: (x, target) => x === t.b && target === t.a,
      })
      filtered('ListServiceDescribeDetails', 'ListServiceDescribeDetails by id', (x, v) => ({ method: 'GET', wirePath: `/v1/${project(x)}/vpc-endpoint-services/describe`, query: { id: v } }), serviceOf)
      filtered('ListServiceDescribeDetails', 'ListServiceDescribeDetails by name', (x, v) => ({ method: 'GET', wirePath: `/v1/${project(x)}/vpc-endpoint-services/describe`, query: { endpoint_service_name: v } }), (target) => (target ? target.service.service_name : `cn-north-4.absent.${missingUuid()}`))
      filtered('ListServicePublicDetails', 'ListServicePublicDetails filtered by id', (x, v) => list(x, 'vpc-endpoint-services/public', { id: v }), serviceOf, { ownBuild: (x) => ({ request: list(x, 'vpc-endpoint-services/public', {}), values: [] }) })
      filtered(
        'CreateEndpoint',
        'CreateEndpoint to a service',
        (x, v) => ({ method: 'POST', wirePath: `/v1/${project(x)}/vpc-endpoints`, body: json({ endpoint_service_id: v, vpc_id: x.vpcId, subnet_id: x.subnetId }) }),
        serviceOf,
        { exception: { foreign: [400, 'EndPoint.2012'], missing: [400, 'EndPoint.2003'], why: 'a foreign service that does not whitelist the caller (docs/decisions.md)' } },
      )
      const search = (x: Tenant, type: string, body: unknown): RawRequest => ({ method: 'POST', wirePath: `/v1/${project(x)}/${type}/resource_instances/action`, body: json(body) })
      for (const type of ['endpoint_service', 'endpoint']) {
        filtered('ListResourceInstances', `ListResourceInstances (${type}) by another's tag key`, (x, v) => search(x, type, { action: 'filter', tags: [{ key: v, values: [] }] }), (target) => (target ? target.tag.key : 'key-absent'))
        filtered('ListResourceInstances', `ListResourceInstances (${type}) count by another's tag`, (x, v) => search(x, type, { action: 'count', tags_any: [{ key: 'k', values: [v] }] }), (target) => (target ? target.tag.value : 'value-absent'))
        filtered('ListResourceInstances', `ListResourceInstances (${type}) matching another's name`, (x, v) => search(x, type, { action: 'filter', matches: [{ key: 'resource_name', value: v }] }), (target) => (target ? (type === 'endpoint' ? target.endpoint.id : target.label) : missingUuid()))
      }

      // ---- operations with nothing foreign to name: own call only (the project dimension covers them too)
      const ownOnly = (op: string, build: (x: Tenant) => RawRequest) => fam.push({ op, name: op, build: () => ({ request: build(t.a), values: [] }), ownBuild: (x) => ({ request: build(x), values: [] }), skip: () => true })
      ownOnly('CreateEndpointService', (x) => ({ method: 'POST', wirePath: `/v1/${project(x)}/vpc-endpoint-services`, body: json({ port_id: fixedUuid(`${x.label}:matrix-port`), vpc_id: x.vpcId, server_type: 'VM', ports: [{ client_port: 7000, server_port: 7000 }] }) }))
      ownOnly('ListEndpointService', (x) => list(x, 'vpc-endpoint-services', {}))
      ownOnly('ListEndpoints', (x) => list(x, 'vpc-endpoints', {}))
      ownOnly('ListQuotaDetails', (x) => ({ method: 'GET', wirePath: `/v1/${project(x)}/quotas` }))
      for (const type of ['endpoint_service', 'endpoint']) ownOnly('ListQueryProjectResourceTags', (x) => ({ method: 'GET', wirePath: `/v1/${project(x)}/${type}/tags` }))
      ownOnly('KeystoneListProjects', () => ({ method: 'GET', wirePath: '/v3/projects' }))
      ownOnly('KeystoneListAuthProjects', () => ({ method: 'GET', wirePath: '/v3/auth/projects' }))

      // ---- IAM: a project scope or a token of another account answers as an absent one
      fam.push({
        op: 'KeystoneCreateUserTokenByPassword',
        name: "KeystoneCreateUserTokenByPassword scoped to another's project",
        build: (x, target) => {
          const projectId = target ? target.account.projectId : missingHex()
          const { account } = x
          const body = { auth: { identity: { methods: ['password'], password: { user: { name: account.userName, password: account.password, domain: { name: account.domainName } } } }, scope: { project: { id: projectId } } } }
          return { request: { method: 'POST', wirePath: '/v3/auth/tokens', anonymous: true, body: json(body) }, values: [projectId] }
        },
      })
      fam.push({
        op: 'KeystoneCreateUserTokenByPassword',
        name: "KeystoneCreateUserTokenByPassword with another's domain name",
        build: (x, target) => {
          const domain = target ? target.account.domainName : 'absentdomain'
          const { account } = x
          const body = { auth: { identity: { methods: ['password'], password: { user: { name: account.userName, password: account.password, domain: { name: domain } } } } } }
          return { request: { method: 'POST', wirePath: '/v3/auth/tokens', anonymous: true, body: json(body) }, values: [domain] }
        },
        ownBuild: null,
      })
      for (const [op, method] of [
        ['KeystoneValidateToken', 'GET'],
        ['KeystoneRevokeToken', 'DELETE'],
      ] as const) {
        fam.push({
          op,
          name: `${op} on another's token`,
          build: (_x, target) => {
            const token = target ? spare.get(target.label)!.token : `vpcep1.${missingHex()}`
            return { request: { method, wirePath: '/v3/auth/tokens', headers: { 'x-subject-token': token } }, values: [token] }
          },
          ownBuild: (x) => ({ request: { method, wirePath: '/v3/auth/tokens', headers: { 'x-subject-token': method === 'GET' ? spare.get(x.label)!.token : spare.get(x.label)!.revocable } }, values: [] }),
        })
      }
      return fam
    }

    it("answers another account's resources exactly as absent ones, changes nothing and leaks nothing", async (tc) => {
      const all = families()
      const covered = new Set(all.map((f) => f.op))
      assert.deepEqual(
        operations.map((o) => o.operationId).filter((id) => !covered.has(id)),
        [],
        'every documented /v1, /v2, /v3 operation is probed',
      )
      // The project dimension: every operation with a project in its path, on another's project and on an absent one.
      const withProject = operations.filter((o) => o.pathParams.includes('project_id'))
      const problems: string[] = []
      const leaksFound: string[] = []
      let probes = 0
      const tenants = Object.values(t)

      const probe = async (actor: Tenant, op: string, p: Probe): Promise<HttpResult> => {
        probes++
        const res = await send(actor, p.request)
        leaksFound.push(...leaks(actor, op, p.request, res))
        if (res.status >= 500) problems.push(`${op} as ${actor.label}: ${res.status} ${res.text.slice(0, 200)}`)
        return res
      }

      for (const family of all) {
        for (const actor of tenants) {
          const baseline = await reader.state()
          const targets = tenants.filter((x) => x !== actor && !(family.skip?.(actor, x) ?? false))
          if (targets.length > 0) {
            const missing = family.build(actor, null)
            const onMissing = await probe(actor, family.op, missing)
            for (const target of targets) {
              const foreign = family.build(actor, target)
              const onForeign = await probe(actor, family.op, foreign)
              const where = `${family.name} as ${actor.label} on ${target.label}'s`
              if (family.exception) {
                // The one documented difference, asserted exactly.
                const [foreignAnswer, missingAnswer] = [[onForeign.status, onForeign.json?.error_code], [onMissing.status, onMissing.json?.error_code]]
                if (json(foreignAnswer) !== json(family.exception.foreign)) problems.push(`${where}: ${json(foreignAnswer)}, expected ${json(family.exception.foreign)}: ${family.exception.why} (${onForeign.text.slice(0, 200)})`)
                if (json(missingAnswer) !== json(family.exception.missing)) problems.push(`${family.name} as ${actor.label} on an absent one: ${json(missingAnswer)}, expected ${json(family.exception.missing)} (${onMissing.text.slice(0, 200)})`)
                continue
              }
              if (normalised(onForeign, foreign.values) !== normalised(onMissing, missing.values)) {
                problems.push(`${where}: ${normalised(onForeign, foreign.values).slice(0, 300)} ≠ absent: ${normalised(onMissing, missing.values).slice(0, 300)}`)
              }
            }
          }
          const changed = changedTables(baseline, await reader.state())
          if (changed.length > 0) problems.push(`${family.name} as ${actor.label} on foreign/absent resources changed ${changed.join(', ')}`)

          if (family.ownBuild !== null) {
            const own = (family.ownBuild ?? ((x: Tenant) => family.build(x, x)))(actor)
            const res = await probe(actor, family.op, own)
            if (res.status < 200 || res.status >= 300) problems.push(`${family.name} as ${actor.label} on its own resource: ${res.status} ${res.text.slice(0, 300)}`)
            // What the call created is the actor's, and secret to the others from now on.
            if (/^Create/.test(family.op) && typeof res.json?.id === 'string') secrets.get(actor.label)!.add(res.json.id)
            await settle(reader)
          }
        }
      }

      for (const operation of withProject) {
        const family = all.find((f) => f.op === operation.operationId)!
        for (const actor of tenants) {
          const baseline = await reader.state()
          const own = (family.ownBuild ?? ((x: Tenant) => family.build(x, x)))(actor).request
          const onProject = async (projectId: string) => {
            const wirePath = own.wirePath.replace(`/${actor.account.projectId}/`, `/${projectId}/`)
            return probe(actor, operation.operationId, { request: { ...own, wirePath, signPath: wirePath }, values: [projectId] })
          }
          const absent = missingHex()
          const onMissing = await onProject(absent)
          assert.equal(onMissing.status, 403, `${operation.operationId} as ${actor.label} on an absent project: ${onMissing.text}`)
          for (const target of tenants.filter((x) => x !== actor)) {
            const onForeign = await onProject(target.account.projectId)
            if (normalised(onForeign, [target.account.projectId]) !== normalised(onMissing, [absent])) {
              problems.push(`${operation.operationId} as ${actor.label} on ${target.label}'s project: ${onForeign.text.slice(0, 200)} ≠ absent: ${onMissing.text.slice(0, 200)}`)
            }
          }
          const changed = changedTables(baseline, await reader.state())
          if (changed.length > 0) problems.push(`${operation.operationId} as ${actor.label} on foreign/absent projects changed ${changed.join(', ')}`)
        }
      }

      // Tokens are outside the table hash: each account's token survived the others' validate and revoke calls.
      for (const actor of tenants) {
        const res = await send(actor, { method: 'GET', wirePath: '/v3/auth/tokens', headers: { 'x-subject-token': spare.get(actor.label)!.token } })
        probes++
        if (res.status !== 200) problems.push(`${actor.label}'s token after the other accounts' calls: ${res.status} ${res.text.slice(0, 200)}`)
      }

      const summary = `${probes} probes over ${covered.size} operations, ${all.length} probe families, 3 accounts; leaks found: ${leaksFound.length}`
      console.log(`[${dialect}] ${summary}`)
      tc.diagnostic(summary)
      assert.deepEqual(leaksFound.slice(0, 20), [], `leaks found: ${leaksFound.length}`)
      assert.deepEqual(problems.slice(0, 30).map((p) => p.slice(0, 700)), [], `${problems.length} isolation problems`)
    })
  })
}
