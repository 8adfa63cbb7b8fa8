import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { dialects, freshDatabaseUrl, startServer, type TestServer } from '../helpers/server.ts'
import { sdkClient, type SdkResponse, type TestVpcepClient } from '../helpers/vpcep-sdk.ts'
import { signedRequest } from '../helpers/signed.ts'
import { VPC, WIRE_TIME, availableService, failure, settledNewEndpoint } from '../helpers/fixtures.ts'
import type { NewAccount } from '../../src/identity/accounts.ts'

/*
 * The provider-side operations beyond create/list/delete: UpdateEndpointService, UpdateEndpointServiceName,
 * ListServiceDescribeDetails, ListServicePublicDetails, UpdateEndpointServicePermissionDesc and
 * UpdateEndpointConnectionsDesc, through the official SDK core, with their errors and isolation rules.
 */

const REGION = 'cn-north-4'
const PUBLIC_FIELDS = ['created_at', 'enable_policy', 'id', 'is_charge', 'owner', 'service_name', 'service_type']
const DESCRIBE_FIELDS = ['created_at', 'enable_policy', 'id', 'is_charge', 'public_border_group', 'service_name', 'service_type']

/** The response body without the SDK's `httpStatusCode`. */
function body(response: SdkResponse): Record<string, unknown> {
  const { httpStatusCode: _status, ...rest } = response
  return rest
}

function ports(...mappings: Array<[number, number, string?]>) {
  return mappings.map(([client_port, server_port, protocol]) => ({ client_port, server_port, protocol: protocol ?? 'TCP' }))
}

for (const dialect of dialects()) {
  describe(`UpdateEndpointService, names, describe, public catalog, descriptions [${dialect}]`, () => {
    let server: TestServer
    let provider: NewAccount
    let consumer: NewAccount
    let stranger: NewAccount
    let providerSdk: TestVpcepClient
    let consumerSdk: TestVpcepClient
    let strangerSdk: TestVpcepClient

    before(async () => {
      // Many services per account here: room above the default quota of 20.
      server = await startServer(await freshDatabaseUrl(dialect), { quotas: { endpointService: 200, endpoint: 200 } })
      provider = await server.account('provider')
      consumer = await server.account('consumer')
      stranger = await server.account('stranger')
      providerSdk = sdkClient(server.url, provider)
      consumerSdk = sdkClient(server.url, consumer)
      strangerSdk = sdkClient(server.url, stranger)
    })
    after(() => server.stop())

    describe('UpdateEndpointService', () => {
      it('changes only the given fields and answers the full representation', async () => {
        const service = await availableService(providerSdk, { service_name: 'orig', description: 'first', ports: ports([8080, 80]) })
        const described = await providerSdk.updateEndpointService(service.id, { description: 'second' })
        assert.equal(described.httpStatusCode, 200)
        assert.equal(described.description, 'second')
        const unchanged = ['id', 'port_id', 'vpc_id', 'service_name', 'server_type', 'service_type', 'approval_enabled', 'status', 'tcp_proxy', 'ports', 'created_at', 'project_id', 'enable_policy', 'ip', 'tags', 'supported_editions']
        for (const field of unchanged) assert.deepEqual(described[field], service[field], field)
        assert.equal(described.ip_version, 'ipv4')
        assert.match(described.updated_at, WIRE_TIME)

        const proxied = await providerSdk.updateEndpointService(service.id, { tcp_proxy: 'proxy_open', approval_enabled: false })
        assert.equal(proxied.tcp_proxy, 'proxy_open')
        assert.equal(proxied.approval_enabled, false)
        assert.equal(proxied.description, 'second', 'an earlier change stays')
        assert.deepEqual(proxied.ports, service.ports)

        const renamed = await providerSdk.updateEndpointService(service.id, { service_name: 'fresh' })
        assert.equal(renamed.service_name, `${REGION}.fresh.${service.id}`)
        assert.equal(renamed.tcp_proxy, 'proxy_open')

        // What the update answered is what a later read shows.
        const details = await providerSdk.listServiceDetails(service.id)
        for (const field of ['service_name', 'description', 'tcp_proxy', 'approval_enabled', 'ports', 'port_id', 'updated_at']) {
          assert.deepEqual(details[field], renamed[field], field)
        }
      })

      it('replaces the whole port list', async () => {
        const portId = randomUUID()
        const service = await availableService(providerSdk, { port_id: portId, ports: ports([8080, 80], [8443, 443]) })
        const updated = await providerSdk.updateEndpointService(service.id, { ports: ports([9000, 90], [5353, 53, 'UDP']) })
        assert.deepEqual(updated.ports, ports([9000, 90], [5353, 53, 'UDP']))
        assert.deepEqual((await providerSdk.listServiceDetails(service.id)).ports, updated.ports)
        // The old mappings are gone: another service on the same backend port may use them now.
        const reuse = await providerSdk.createEndpointService({ port_id: portId, vpc_id: VPC, server_type: 'VM', ports: ports([8080, 80], [8443, 443]) })
        assert.equal(reuse.httpStatusCode, 200)
        // Omitting protocol means TCP.
        const tcp = await providerSdk.updateEndpointService(service.id, { ports: [{ client_port: 7000, server_port: 70 }] })
        assert.deepEqual(tcp.ports, ports([7000, 70, 'TCP']))
      })

      it('refuses a (server_port, protocol) clash with another service on the same port_id (EndPoint.3044), and changes nothing', async () => {
        const portId = randomUUID()
        const first = await availableService(providerSdk, { port_id: portId, ports: ports([8080, 80]) })
        const second = await availableService(providerSdk, { port_id: portId, ports: ports([8090, 90]) })
        assert.deepEqual(await failure(providerSdk.updateEndpointService(second.id, { ports: ports([8081, 80]) })), [400, 'EndPoint.3044'])
        assert.deepEqual((await providerSdk.listServiceDetails(second.id)).ports, ports([8090, 90]))
        // Same port, other protocol: no clash.
        assert.deepEqual((await providerSdk.updateEndpointService(second.id, { ports: ports([8081, 80, 'UDP']) })).ports, ports([8081, 80, 'UDP']))
        // A service may keep its own mapping through an update (it does not clash with itself).
        assert.deepEqual((await providerSdk.updateEndpointService(first.id, { ports: ports([8082, 80]) })).ports, ports([8082, 80]))
        // Moving to a backend port whose other service maps the same server port clashes too.
        const elsewhere = randomUUID()
        await availableService(providerSdk, { port_id: elsewhere, ports: ports([8080, 80]) })
        assert.deepEqual(await failure(providerSdk.updateEndpointService(first.id, { port_id: elsewhere })), [400, 'EndPoint.3044'])
        assert.equal((await providerSdk.listServiceDetails(first.id)).port_id, portId)
        // A mapping repeated inside one request.
        assert.deepEqual(await failure(providerSdk.updateEndpointService(first.id, { ports: ports([1000, 80], [1001, 80]) })), [400, 'EndPoint.3044'])
        // Another tenant's service on the same port_id is no clash: port ids are per tenant.
        const theirs = await availableService(strangerSdk, { port_id: portId, ports: ports([8080, 80]) })
        assert.equal(theirs.status, 'available')
      })

      it('refuses port_id and ip together (EndPoint.3052)', async () => {
        const service = await availableService(providerSdk)
        assert.deepEqual(await failure(providerSdk.updateEndpointService(service.id, { port_id: randomUUID(), ip: '10.0.0.8' })), [400, 'EndPoint.3052'])
        assert.equal((await providerSdk.listServiceDetails(service.id)).port_id, service.port_id)
        const moved = await providerSdk.updateEndpointService(service.id, { port_id: randomUUID() })
        assert.notEqual(moved.port_id, service.port_id)
        assert.equal((await providerSdk.updateEndpointService(service.id, { ip: '10.0.0.8' })).ip, '10.0.0.8')
      })

      it('validates fields: name (EndPoint.3076), ports (EndPoint.3043/3075); unknown fields are ignored', async () => {
        const service = await availableService(providerSdk)
        assert.deepEqual(await failure(providerSdk.updateEndpointService(service.id, { service_name: 'no spaces allowed' })), [400, 'EndPoint.3076'])
        assert.deepEqual(await failure(providerSdk.updateEndpointService(service.id, { ports: ports([0, 80]) })), [400, 'EndPoint.3043'])
        assert.deepEqual(await failure(providerSdk.updateEndpointService(service.id, { ports: ports([80, 80, 'ICMP']) })), [400, 'EndPoint.3075'])
        const ignored = await providerSdk.updateEndpointService(service.id, { approval: !service.approval_enabled, vip_port_id: randomUUID() })
        assert.equal(ignored.approval_enabled, service.approval_enabled, 'an unknown field changes nothing')
        assert.deepEqual(await failure(providerSdk.updateEndpointService(service.id, { description: '<script>' })), [400, 'EndPoint.0002'])
      })

      it('applies approval_enabled only to endpoints created afterwards', async () => {
        const service = await availableService(providerSdk, { approval_enabled: false })
        await providerSdk.addOrRemoveServicePermissions(service.id, { action: 'add', permissions: [`iam:domain::${consumer.domainId}`] })
        const before = await settledNewEndpoint(consumerSdk, { endpoint_service_id: service.id })
        assert.equal(before.status, 'accepted')

        assert.equal((await providerSdk.updateEndpointService(service.id, { approval_enabled: true })).approval_enabled, true)
        assert.equal((await consumerSdk.listEndpointInfoDetails(before.id)).status, 'accepted', 'an existing connection keeps its state')
        const during = await settledNewEndpoint(consumerSdk, { endpoint_service_id: service.id })
        assert.equal(during.status, 'pendingAcceptance')

        await providerSdk.updateEndpointService(service.id, { approval_enabled: false })
        assert.equal((await consumerSdk.listEndpointInfoDetails(during.id)).status, 'pendingAcceptance', 'a pending connection still needs a decision')
        const afterwards = await settledNewEndpoint(consumerSdk, { endpoint_service_id: service.id })
        assert.equal(afterwards.status, 'accepted')
      })

      it('is invisible to other accounts: 404 EndPoint.0005 as for an unknown id, and nothing changes', async () => {
        const service = await availableService(providerSdk, { description: 'mine' })
        await providerSdk.addOrRemoveServicePermissions(service.id, { action: 'add', permissions: [`iam:domain::${consumer.domainId}`] })
        for (const sdk of [consumerSdk, strangerSdk]) {
          assert.deepEqual(await failure(sdk.updateEndpointService(service.id, { description: 'theirs' })), [404, 'EndPoint.0005'])
          assert.deepEqual(await failure(sdk.updateEndpointService(randomUUID(), { description: 'theirs' })), [404, 'EndPoint.0005'])
          assert.deepEqual(await failure(sdk.updateEndpointServiceName(service.id, { endpoint_service_name: 'theirs' })), [404, 'EndPoint.0005'])
        }
        const details = await providerSdk.listServiceDetails(service.id)
        assert.equal(details.description, 'mine')
        assert.equal(details.service_name, `${REGION}.${service.id}`)
      })
    })

    describe('UpdateEndpointServiceName', () => {
      it('answers the full {region}.{name}.{id}, which every view then shows', async () => {
        const service = await availableService(providerSdk, { service_name: 'before', approval_enabled: false })
        const endpoint = await settledNewEndpoint(providerSdk, { endpoint_service_id: service.id })
        const renamed = await providerSdk.updateEndpointServiceName(service.id, { endpoint_service_name: 'after_1-x' })
        assert.equal(renamed.httpStatusCode, 200)
        assert.deepEqual(body(renamed), { endpoint_service_name: `${REGION}.after_1-x.${service.id}` })
        assert.equal((await providerSdk.listServiceDetails(service.id)).service_name, renamed.endpoint_service_name)
        const found = await providerSdk.listEndpointService({ endpoint_service_name: 'AFTER_1' })
        assert.deepEqual(found.endpoint_services.map((s: SdkResponse) => s.id), [service.id])
        assert.equal((await providerSdk.listEndpointInfoDetails(endpoint.id)).endpoint_service_name, renamed.endpoint_service_name)
      })

      it('removes the short name when the name is empty or the body absent', async () => {
        const service = await availableService(providerSdk, { service_name: 'named' })
        assert.equal((await providerSdk.updateEndpointServiceName(service.id, { endpoint_service_name: '' })).endpoint_service_name, `${REGION}.${service.id}`)
        await providerSdk.updateEndpointServiceName(service.id, { endpoint_service_name: 'again' })
        assert.equal((await providerSdk.updateEndpointServiceName(service.id)).endpoint_service_name, `${REGION}.${service.id}`)
        // No body at all (the SDK marks it optional; clients other than the Node SDK may send none).
        await providerSdk.updateEndpointServiceName(service.id, { endpoint_service_name: 'third' })
        const bare = await signedRequest(server.url, provider, { method: 'PUT', path: `/v1/${provider.projectId}/vpc-endpoint-services/${service.id}/name` })
        assert.equal(bare.status, 200, bare.text)
        assert.deepEqual(bare.json, { endpoint_service_name: `${REGION}.${service.id}` })
      })

      it('refuses a bad name with EndPoint.3076 and keeps the old one', async () => {
        const service = await availableService(providerSdk, { service_name: 'keep' })
        for (const name of ['has space', 'x'.repeat(17), 'dot.ted', 'ünï']) {
          assert.deepEqual(await failure(providerSdk.updateEndpointServiceName(service.id, { endpoint_service_name: name })), [400, 'EndPoint.3076'], name)
        }
        assert.equal((await providerSdk.listServiceDetails(service.id)).service_name, `${REGION}.keep.${service.id}`)
      })
    })

    describe('ListServiceDescribeDetails', () => {
      let service: SdkResponse

      before(async () => {
        service = await availableService(providerSdk, { service_name: 'described', enable_policy: true })
        await providerSdk.batchAddEndpointServicePermissions(service.id, { permissions: [{ permission: `iam:domain::${consumer.domainId}`, description: 'consumer' }] })
      })

      it('answers the owner by id and by exact full name, without internals', async () => {
        const byId = await providerSdk.listServiceDescribeDetails({ id: service.id })
        assert.equal(byId.httpStatusCode, 200)
        assert.deepEqual(Object.keys(body(byId)).sort(), DESCRIBE_FIELDS)
        assert.deepEqual(body(byId), {
          id: service.id,
          service_name: `${REGION}.described.${service.id}`,
          service_type: 'interface',
          created_at: service.created_at,
          is_charge: false,
          public_border_group: '',
          enable_policy: true,
        })
        const byName = await providerSdk.listServiceDescribeDetails({ endpoint_service_name: service.service_name })
        assert.deepEqual(body(byName), body(byId))
      })

      it('finds only the exact full name', async () => {
        for (const name of ['described', service.service_name.toUpperCase(), service.service_name.slice(0, -1), `${REGION}.described`]) {
          assert.deepEqual(await failure(providerSdk.listServiceDescribeDetails({ endpoint_service_name: name })), [400, 'EndPoint.2003'], name)
        }
      })

      it('answers a whitelisted account; a stranger gets 400 EndPoint.2003 exactly as for an unknown service', async () => {
        assert.equal((await consumerSdk.listServiceDescribeDetails({ id: service.id })).id, service.id)
        assert.equal((await consumerSdk.listServiceDescribeDetails({ endpoint_service_name: service.service_name })).id, service.id)
        const hidden = [
          await failure(strangerSdk.listServiceDescribeDetails({ id: service.id })),
          await failure(strangerSdk.listServiceDescribeDetails({ endpoint_service_name: service.service_name })),
        ]
        const unknown = [
          await failure(strangerSdk.listServiceDescribeDetails({ id: randomUUID() })),
          await failure(strangerSdk.listServiceDescribeDetails({ endpoint_service_name: `${REGION}.described.${randomUUID()}` })),
        ]
        assert.deepEqual(hidden, [[400, 'EndPoint.2003'], [400, 'EndPoint.2003']])
        assert.deepEqual(hidden, unknown)
        // Whitelisting every account makes it visible to the stranger as well.
        const open = await availableService(providerSdk)
        assert.deepEqual(await failure(strangerSdk.listServiceDescribeDetails({ id: open.id })), [400, 'EndPoint.2003'])
        await providerSdk.addOrRemoveServicePermissions(open.id, { action: 'add', permissions: ['*'] })
        assert.equal((await strangerSdk.listServiceDescribeDetails({ id: open.id })).id, open.id)
      })

      it('answers public services to everyone, is_charge a JSON boolean', async () => {
        const obs = await strangerSdk.listServiceDescribeDetails({ endpoint_service_name: `com.myhuaweicloud.${REGION}.obs` })
        assert.equal(obs.service_type, 'gateway')
        assert.equal(obs.is_charge, false)
        assert.equal(obs.enable_policy, true)
        const apig = await strangerSdk.listServiceDescribeDetails({ endpoint_service_name: `com.myhuaweicloud.${REGION}.apig` })
        assert.equal(apig.is_charge, true)
        assert.equal((await consumerSdk.listServiceDescribeDetails({ id: apig.id })).service_name, apig.service_name)
      })

      it('needs exactly one of id and endpoint_service_name (400)', async () => {
        assert.deepEqual(await failure(providerSdk.listServiceDescribeDetails({})), [400, 'EndPoint.0002'])
        assert.deepEqual(await failure(providerSdk.listServiceDescribeDetails({ id: service.id, endpoint_service_name: service.service_name })), [400, 'EndPoint.0002'])
      })
    })

    describe('ListServicePublicDetails', () => {
      it('lists the built-in catalog of the region with exactly the documented fields', async () => {
        const all = await strangerSdk.listServicePublicDetails()
        assert.equal(all.httpStatusCode, 200)
        assert.equal(all.total_count, 3)
        const byName = new Map(all.endpoint_services.map((s: SdkResponse) => [s.service_name, s]))
        assert.deepEqual([...byName.keys()].sort(), ['apig', 'dns', 'obs'].map((n) => `com.myhuaweicloud.${REGION}.${n}`))
        for (const item of all.endpoint_services as SdkResponse[]) {
          assert.deepEqual(Object.keys(item).sort(), PUBLIC_FIELDS)
          assert.equal(typeof item.is_charge, 'boolean')
          assert.equal(typeof item.enable_policy, 'boolean')
          assert.match(item.created_at, WIRE_TIME)
          assert.match(item.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
          assert.equal(item.owner, 'huaweicloud')
        }
        const obs = byName.get(`com.myhuaweicloud.${REGION}.obs`) as SdkResponse
        assert.equal(obs.service_type, 'gateway')
        assert.equal(obs.enable_policy, true)
        assert.equal((byName.get(`com.myhuaweicloud.${REGION}.dns`) as SdkResponse).service_type, 'interface')
        assert.equal((byName.get(`com.myhuaweicloud.${REGION}.apig`) as SdkResponse).service_type, 'interface')
        // Every account sees the same catalog; the caller's own services are not in it.
        await availableService(providerSdk)
        assert.deepEqual((await providerSdk.listServicePublicDetails()).endpoint_services, all.endpoint_services)
      })

      it('pages, sorts and filters by name (case-insensitive substring) and id', async () => {
        const all = (await consumerSdk.listServicePublicDetails({ sort_dir: 'asc' })).endpoint_services as SdkResponse[]
        for (let offset = 0; offset < all.length; offset++) {
          const page = await consumerSdk.listServicePublicDetails({ sort_dir: 'asc', limit: 1, offset })
          assert.equal(page.total_count, 3)
          assert.deepEqual(page.endpoint_services, [all[offset]])
        }
        const desc = (await consumerSdk.listServicePublicDetails({ sort_dir: 'desc' })).endpoint_services as SdkResponse[]
        assert.deepEqual(desc.map((s) => s.id), [...all].reverse().map((s) => s.id))
        assert.deepEqual((await consumerSdk.listServicePublicDetails({ offset: 3 })).endpoint_services, [])

        const obs = await consumerSdk.listServicePublicDetails({ endpoint_service_name: 'OBS' })
        assert.deepEqual([obs.total_count, obs.endpoint_services.map((s: SdkResponse) => s.service_name)], [1, [`com.myhuaweicloud.${REGION}.obs`]])
        assert.equal((await consumerSdk.listServicePublicDetails({ endpoint_service_name: 'myhuaweicloud' })).total_count, 3)
        assert.equal((await consumerSdk.listServicePublicDetails({ endpoint_service_name: 'nothing' })).total_count, 0)
        const byId = await consumerSdk.listServicePublicDetails({ id: obs.endpoint_services[0].id })
        assert.deepEqual(byId.endpoint_services, obs.endpoint_services)
        assert.deepEqual(await failure(consumerSdk.listServicePublicDetails({ limit: 0 })), [400, 'EndPoint.0006'])
        assert.deepEqual(await failure(consumerSdk.listServicePublicDetails({ sort_key: 'created_at' })), [400, 'EndPoint.0017'])
      })
    })

    describe('UpdateEndpointServicePermissionDesc', () => {
      it('answers {permissions: [the updated record]} and lists the new description', async () => {
        const service = await availableService(providerSdk)
        const added = await providerSdk.batchAddEndpointServicePermissions(service.id, { permissions: [{ permission: `iam:domain::${consumer.domainId}`, description: 'old' }] })
        const record = added.permissions[0]
        const updated = await providerSdk.updateEndpointServicePermissionDesc(service.id, record.id, { permission: { description: 'new words' } })
        assert.equal(updated.httpStatusCode, 200)
        assert.deepEqual(body(updated), { permissions: [{ ...record, description: 'new words' }] })
        const listed = await providerSdk.listServicePermissionsDetails(service.id)
        assert.equal(listed.permissions[0].description, 'new words')
      })

      it('answers 404 for an unknown record, another service\'s record and another account', async () => {
        const service = await availableService(providerSdk)
        const other = await availableService(providerSdk)
        const [record] = (await providerSdk.batchAddEndpointServicePermissions(service.id, { permissions: [{ permission: 'iam:domain::abc123', description: 'x' }] })).permissions
        const change = { permission: { description: 'changed' } }
        assert.deepEqual(await failure(providerSdk.updateEndpointServicePermissionDesc(service.id, randomUUID(), change)), [404, 'EndPoint.0005'])
        assert.deepEqual(await failure(providerSdk.updateEndpointServicePermissionDesc(other.id, record.id, change)), [404, 'EndPoint.0005'])
        assert.deepEqual(await failure(strangerSdk.updateEndpointServicePermissionDesc(service.id, record.id, change)), [404, 'EndPoint.0005'])
        assert.deepEqual(await failure(providerSdk.updateEndpointServicePermissionDesc(service.id, record.id, { permission: { description: 'a<b' } })), [400, 'EndPoint.0002'])
        assert.deepEqual(await failure(providerSdk.updateEndpointServicePermissionDesc(service.id, record.id, {})), [400, 'EndPoint.0002'])
        assert.equal((await providerSdk.listServicePermissionsDetails(service.id)).permissions[0].description, 'x')
      })
    })

    describe('UpdateEndpointConnectionsDesc', () => {
      it('sets the provider\'s description of a connection, shown in the connections list', async () => {
        const service = await availableService(providerSdk)
        await providerSdk.addOrRemoveServicePermissions(service.id, { action: 'add', permissions: [`iam:domain::${consumer.domainId}`] })
        const endpoint = await settledNewEndpoint(consumerSdk, { endpoint_service_id: service.id, description: 'consumer side' })
        const described = await providerSdk.updateEndpointConnectionsDesc(service.id, { connections: [{ id: endpoint.id, description: 'billing team' }] })
        assert.equal(described.httpStatusCode, 200)
        assert.equal(described.connections.length, 1)
        assert.equal(described.connections[0].id, endpoint.id)
        assert.equal(described.connections[0].description, 'billing team')
        assert.equal(described.connections[0].status, 'pendingAcceptance')
        assert.equal(described.connections[0].domain_id, consumer.domainId)
        assert.equal(described.connections[0].marker_id, endpoint.marker_id)
        const listed = await providerSdk.listServiceConnections(service.id, { id: endpoint.id })
        assert.equal(listed.connections[0].description, 'billing team')
        // The consumer's own description of its endpoint is a different field.
        assert.equal((await consumerSdk.listEndpointInfoDetails(endpoint.id)).description, 'consumer side')
      })

      it('refuses an endpoint not on the service with 400 EndPoint.2013 and changes nothing', async () => {
        const service = await availableService(providerSdk, { approval_enabled: false })
        const other = await availableService(providerSdk, { approval_enabled: false })
        const mine = await settledNewEndpoint(providerSdk, { endpoint_service_id: service.id })
        const elsewhere = await settledNewEndpoint(providerSdk, { endpoint_service_id: other.id })
        const attempt = { connections: [{ id: mine.id, description: 'set' }, { id: elsewhere.id, description: 'set' }] }
        assert.deepEqual(await failure(providerSdk.updateEndpointConnectionsDesc(service.id, attempt)), [400, 'EndPoint.2013'])
        assert.deepEqual(await failure(providerSdk.updateEndpointConnectionsDesc(service.id, { connections: [{ id: randomUUID(), description: 'x' }] })), [400, 'EndPoint.2013'])
        const listed = await providerSdk.listServiceConnections(service.id)
        assert.deepEqual(listed.connections.map((c: SdkResponse) => c.description), [''])
        assert.equal((await providerSdk.listServiceConnections(other.id)).connections[0].description, '')
      })

      it('is the service owner\'s alone: the consumer and strangers get 404 EndPoint.0005', async () => {
        const service = await availableService(providerSdk)
        await providerSdk.addOrRemoveServicePermissions(service.id, { action: 'add', permissions: [`iam:domain::${consumer.domainId}`] })
        const endpoint = await settledNewEndpoint(consumerSdk, { endpoint_service_id: service.id })
        for (const sdk of [consumerSdk, strangerSdk]) {
          assert.deepEqual(await failure(sdk.updateEndpointConnectionsDesc(service.id, { connections: [{ id: endpoint.id, description: 'mine now' }] })), [404, 'EndPoint.0005'])
        }
        assert.equal((await providerSdk.listServiceConnections(service.id)).connections[0].description, '')
      })
    })
  })

  describe(`UpdateEndpointService outside the available state [${dialect}]`, () => {
    let server: TestServer
    let sdk: TestVpcepClient

    before(async () => {
      // Services stay `creating` for a minute here.
      server = await startServer(await freshDatabaseUrl(dialect), { provisionDelayMs: 60_000 })
      sdk = sdkClient(server.url, await server.account('slow'))
    })
    after(() => server.stop())

    it('answers EndPoint.3045 while creating and while deleting', async () => {
      const created = await sdk.createEndpointService({ port_id: randomUUID(), vpc_id: VPC, server_type: 'VM', service_name: 'slow', ports: ports([8080, 80]) })
      assert.equal(created.status, 'creating')
      assert.deepEqual(await failure(sdk.updateEndpointService(created.id, { description: 'x' })), [400, 'EndPoint.3045'])
      assert.deepEqual(await failure(sdk.updateEndpointServiceName(created.id, { endpoint_service_name: 'other' })), [400, 'EndPoint.3045'])
      assert.equal((await sdk.deleteEndpointService(created.id)).httpStatusCode, 204)
      assert.equal((await sdk.listServiceDetails(created.id)).status, 'deleting')
      assert.deepEqual(await failure(sdk.updateEndpointService(created.id, { approval_enabled: false })), [400, 'EndPoint.3045'])
      const details = await sdk.listServiceDetails(created.id)
      assert.deepEqual([details.description, details.service_name, details.approval_enabled], ['', `${REGION}.slow.${created.id}`, true])
    })
  })
}
