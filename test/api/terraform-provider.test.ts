import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { dialects, freshDatabaseUrl, startServer, type TestServer } from '../helpers/server.ts'
import { GoClient, GoRequestError } from '../helpers/go-client.ts'
import { ApprovalResource, EndpointResource, ServiceResource, type EndpointConfig, type ServiceConfig } from '../helpers/terraform.ts'
import type { NewAccount } from '../../src/identity/accounts.ts'
import { poolIdFor } from '../../src/api/schemas/services.ts'

/*
 * The Terraform provider's own example configurations and acceptance-test configurations, applied the
 * way its code applies them (test/helpers/terraform.ts) over the Go client's wire behaviour. "plan shows
 * no changes" is checked by the provider's comparison of configuration and state, and a second apply
 * must send no write at all. Transitions run right after each commit here, so which intermediate states a
 * waiter sees is left to test/api/terraform-waiters.test.ts; every one it sees must be in its pending list.
 * docs/terraform.md carries the contract these tests hold vpcep to.
 */

const VPC = '4189d3c2-8882-4871-a3c2-d380272eed80'
const SUBNET = '68bfbcc1-dff2-47e4-a9d4-332b9bc1b8de'

const writes = (go: GoClient, from: number) => go.calls.slice(from).filter((c) => c.method !== 'GET')

for (const dialect of dialects()) {
  describe(`Terraform provider flows [${dialect}]`, () => {
    let server: TestServer
    let provider: NewAccount
    let consumer: NewAccount
    let go: GoClient
    let consumerGo: GoClient
    let services: ServiceResource
    let endpoints: EndpointResource
    let consumerEndpoints: EndpointResource
    let approvals: ApprovalResource

    before(async () => {
      server = await startServer(await freshDatabaseUrl(dialect), { provisionDelayMs: 0 })
      provider = await server.account('tfprovider')
      consumer = await server.account('tfconsumer')
      go = new GoClient(server.url, provider)
      consumerGo = new GoClient(server.url, consumer)
      services = new ServiceResource(go)
      endpoints = new EndpointResource(go)
      consumerEndpoints = new EndpointResource(consumerGo)
      approvals = new ApprovalResource(go)
    })
    after(() => server.stop())

    /** examples/vpcep/service/main.tf with its terraform.tfvars. */
    const exampleService = (): ServiceConfig => ({ name: 'tf-test-service', server_type: 'VM', vpc_id: VPC, port_id: randomUUID(), port_mapping: [{ service_port: 8080, terminal_port: 80 }] })

    it('examples/vpcep/service: apply, then plan shows no changes and a second apply writes nothing', async () => {
      const config = exampleService()
      const { state } = await services.create(config)
      assert.equal(state.service_name, `${server.config.region}.tf-test-service.${state.id}`)
      assert.equal(state.name, 'tf-test-service')
      assert.deepEqual(services.plan(config, state), [])
      const from = go.calls.length
      const again = await services.update(state, config)
      assert.deepEqual(writes(go, from), [])
      assert.deepEqual(services.plan(config, again), [])
      await services.delete(state.id)
      assert.equal(await services.read(state.id), undefined, 'Read after delete: 404 removes it from state')
    })

    it('TestAccVPCEPService_Basic → _Update: permissions ["*"] read back as written; no perpetual diff; import verifies', async () => {
      const basic: ServiceConfig = {
        ...exampleService(),
        name: 'tfbasic',
        approval: false,
        tcp_proxy: 'proxy_open',
        description: 'test description',
        permissions: ['iam:domain::6e9dfd5d1124e8d8498dce894923a0dd', 'iam:domain::6e9dfd5d1124e8d8498dce894923a0de'],
        organization_permissions: ['organizations:orgPath::1234', 'organizations:orgPath::5678'],
        tags: { owner: 'tf-acc' },
      }
      const created = await services.create(basic)
      assert.deepEqual(services.plan(basic, created.state), [])
      assert.deepEqual([created.state.status, created.state.approval, created.state.enable_policy, created.state.tcp_proxy], ['available', false, false, 'proxy_open'])
      assert.deepEqual([created.state.permissions.length, created.state.organization_permissions.length], [2, 2])

      const update: ServiceConfig = {
        ...basic,
        name: 'tf-tfbasic',
        approval: true,
        tcp_proxy: 'close',
        description: 'test description update',
        permissions: ['*'],
        organization_permissions: ['organizations:orgPath::*'],
        port_mapping: [{ service_port: 8088, terminal_port: 80 }],
        tags: { owner: 'tf-acc-update' },
      }
      const updated = await services.update(created.state, update)
      assert.deepEqual(updated.permissions, ['*'], 'permissions.0 = "*", as the acceptance test checks')
      assert.deepEqual(updated.organization_permissions, ['organizations:orgPath::*'])
      assert.deepEqual([updated.name, updated.approval, updated.tcp_proxy, updated.description, updated.tags], ['tf-tfbasic', true, 'close', 'test description update', { owner: 'tf-acc-update' }])
      assert.deepEqual(updated.port_mapping, [{ protocol: 'TCP', service_port: 8088, terminal_port: 80 }])
      assert.deepEqual(services.plan(update, updated), [])

      // Every later apply is a no-op: nothing removes the allow-everyone record.
      for (let round = 0; round < 2; round++) {
        const from = go.calls.length
        const state = await services.update(updated, update)
        assert.deepEqual(writes(go, from), [], `apply #${round + 2} writes nothing`)
        assert.deepEqual(state.permissions, ['*'])
      }
      // ImportStateVerify: a Read from the id alone gives the same attributes.
      const imported = await services.read(updated.id)
      for (const attribute of ['name', 'approval', 'tcp_proxy', 'description', 'permissions', 'organization_permissions', 'port_mapping', 'tags', 'server_type', 'service_type', 'vpc_id', 'port_id', 'enable_policy', 'ip_version', 'pool_id']) {
        assert.deepEqual(imported![attribute], updated[attribute], attribute)
      }
      // A consumer of any account is admitted by "*".
      const { state: endpoint } = await consumerEndpoints.create({ service_id: updated.id, vpc_id: VPC, network_id: SUBNET })
      assert.equal(endpoint.status, 'pendingAcceptance')
      await consumerEndpoints.delete(endpoint.id)
    })

    it('tags with an empty value: created, read back, and updated through the tag action as {"key":"k"}', async () => {
      const config: ServiceConfig = { ...exampleService(), name: 'tftags', tags: { k: '', env: 'a' } }
      const { state } = await services.create(config)
      assert.deepEqual(state.tags, { k: '', env: 'a' })
      const update = { ...config, tags: { k: '', env: 'b', empty: '' } }
      const from = go.calls.length
      const updated = await services.update(state, update)
      const tagCalls = writes(go, from).map((c) => c.body as any)
      assert.deepEqual(tagCalls.map((b) => b.action), ['delete', 'create'])
      assert.ok(tagCalls[1].tags.some((t: any) => t.key === 'empty' && !('value' in t)), 'the provider sends no value for an empty one')
      assert.deepEqual(updated.tags, { k: '', env: 'b', empty: '' })
      assert.deepEqual(services.plan(update, updated), [])

      const endpointConfig: EndpointConfig = { service_id: state.id, vpc_id: VPC, network_id: SUBNET, tags: { solo: '' } }
      const { state: endpoint } = await endpoints.create(endpointConfig)
      const retagged = await endpoints.update(endpoint, { ...endpointConfig, tags: { solo: '', other: '' } })
      assert.deepEqual(retagged.tags, { solo: '', other: '' })
      await endpoints.delete(endpoint.id)
    })

    it('examples/vpcep/approval: endpoint pendingAcceptance, approval receives it, removal rejects it', async () => {
      const { state: service } = await services.create({ ...exampleService(), name: 'tfapproval', approval: true })
      const config: EndpointConfig = { service_id: service.id, vpc_id: VPC, network_id: SUBNET }
      const { state: endpoint } = await endpoints.create(config)
      assert.equal(endpoint.status, 'pendingAcceptance')
      assert.deepEqual(endpoints.plan(config, endpoint), [])
      assert.equal(endpoint.enable_dns, true, 'enable_dns defaults to true in the provider')
      assert.match(endpoint.private_domain_name, /\./)

      const approval = await approvals.create(service.id, [endpoint.id])
      assert.deepEqual(approval.connections.map((c: any) => [c.endpoint_id, c.status]), [[endpoint.id, 'accepted']])
      assert.equal((await endpoints.read(endpoint.id, endpoint))!.status, 'accepted')
      assert.deepEqual(endpoints.plan(config, (await endpoints.read(endpoint.id, endpoint))!), [])
      // Receiving it again (an apply after someone else accepted it) answers the state it is in.
      await approvals.act(service.id, 'receive', [endpoint.id])

      const emptied = await approvals.update(approval, [])
      assert.deepEqual(emptied.connections.map((c: any) => c.status), ['rejected'])
      await approvals.update(emptied, [endpoint.id])
      await approvals.delete({ ...emptied, endpoints: [endpoint.id] })
      assert.equal((await endpoints.get(endpoint.id)).status, 'rejected')
      await endpoints.delete(endpoint.id)
      await services.delete(service.id)
    })

    it('TestAccVPCEndpoint_Basic → _Update: whitelist, description, DNS and tags read back as written', async () => {
      const { state: service } = await services.create({ ...exampleService(), name: 'tfendpoint', approval: false, tags: { owner: 'tf-acc' } })
      const basic: EndpointConfig = { service_id: service.id, vpc_id: VPC, network_id: SUBNET, enable_dns: true, description: 'test description', enable_whitelist: true, whitelist: ['192.168.0.0/24', '10.10.10.10'], tags: { owner: 'tf-acc' } }
      const { state } = await endpoints.create(basic)
      assert.deepEqual([state.status, state.enable_dns, state.service_type, state.description, state.enable_whitelist], ['accepted', true, 'interface', 'test description', true])
      assert.deepEqual([...state.whitelist].sort(), ['10.10.10.10', '192.168.0.0/24'])
      assert.deepEqual(endpoints.plan(basic, state), [])
      const from = go.calls.length
      await endpoints.update(state, basic)
      assert.deepEqual(writes(go, from), [])

      const update: EndpointConfig = { ...basic, enable_whitelist: false, whitelist: undefined, tags: { owner: 'tf-acc-update', foo: 'bar' } }
      const updated = await endpoints.update(state, update)
      assert.deepEqual([updated.enable_whitelist, updated.whitelist, updated.tags], [false, null, { owner: 'tf-acc-update', foo: 'bar' }])
      assert.deepEqual(endpoints.plan(update, updated), [])
      assert.equal((await endpoints.read(updated.id))!.ip_version, 'ipv4')
      await endpoints.delete(state.id)
      await services.delete(service.id)
    })

    it('data source vpcep_endpoints: pages by offset to the end; enable_dns and enable_whitelist are JSON booleans', async () => {
      const { state: service } = await services.create({ ...exampleService(), name: 'tflist', approval: false })
      const ids: string[] = []
      for (let i = 0; i < 12; i++) ids.push((await endpoints.create({ service_id: service.id, vpc_id: VPC, network_id: SUBNET, enable_dns: i % 2 === 0, enable_whitelist: i % 3 === 0, whitelist: ['10.0.0.0/8'] })).state.id)
      const from = go.calls.length
      const listed = await endpoints.dataSource({ service_name: service.service_name })
      assert.deepEqual(go.calls.slice(from).map((c) => c.query), ['endpoint_service_name=' + encodeURIComponent(service.service_name), `endpoint_service_name=${encodeURIComponent(service.service_name)}&offset=10`, `endpoint_service_name=${encodeURIComponent(service.service_name)}&offset=12`])
      assert.deepEqual(listed.map((e) => e.id).sort(), [...ids].sort())
      for (const item of listed) {
        assert.equal(typeof item.enable_dns, 'boolean')
        assert.equal(typeof item.enable_whitelist, 'boolean')
      }
      assert.deepEqual(listed.filter((e) => e.enable_whitelist).map((e) => e.whitelist), [['10.0.0.0/8'], ['10.0.0.0/8'], ['10.0.0.0/8'], ['10.0.0.0/8']])
      for (const id of ids) await endpoints.delete(id)
      await services.delete(service.id)
    })

    it('data sources and connection descriptions page the way the provider pages them', async () => {
      const { state: service } = await services.create({ ...exampleService(), name: 'tfpaged', approval: true, permissions: Array.from({ length: 12 }, (_, i) => `iam:domain::tfpaged${i}`) })
      const permissions = await go.listAll(`/v1/{project_id}/vpc-endpoint-services/${service.id}/permissions`, 'permissions')
      assert.equal(permissions.length, 12)
      assert.deepEqual(service.permissions.length, 12)
      const own = await go.listAll('/v1/{project_id}/vpc-endpoint-services', 'endpoint_services', { endpoint_service_name: 'tfpaged' })
      assert.deepEqual(own.map((s) => s.id), [service.id])
      // data "huaweicloud_vpcep_services" passes server_type through as a filter.
      const { state: lb } = await services.create({ ...exampleService(), name: 'tfpagedlb', server_type: 'LB' })
      assert.deepEqual((await go.listAll('/v1/{project_id}/vpc-endpoint-services', 'endpoint_services', { endpoint_service_name: 'tfpaged', server_type: 'LB' })).map((s) => s.id), [lb.id])
      assert.deepEqual((await go.listAll('/v1/{project_id}/vpc-endpoint-services', 'endpoint_services', { endpoint_service_name: 'tfpaged', server_type: 'VM' })).map((s) => s.id), [service.id])
      const publics = await go.listAll('/v1/{project_id}/vpc-endpoint-services/public', 'endpoint_services')
      assert.ok(publics.length > 0 && publics.every((p) => typeof p.is_charge === 'boolean'))
      const summary = await go.request('GET', '/v1/{project_id}/vpc-endpoint-services/describe', { query: { endpoint_service_name: service.service_name } })
      assert.deepEqual([summary.id, summary.service_type, typeof summary.is_charge, typeof summary.enable_policy], [service.id, 'interface', 'boolean', 'boolean'])
      const quotas = await go.request('GET', '/v1/{project_id}/quotas', { query: { type: 'endpoint' } })
      assert.deepEqual(quotas.quotas.resources.map((q: any) => q.type), ['endpoint'])

      // huaweicloud_vpcep_service_connection_update: PUT the description, read it back by id.
      const { state: endpoint } = await endpoints.create({ service_id: service.id, vpc_id: VPC, network_id: SUBNET })
      await go.request('PUT', `/v1/{project_id}/vpc-endpoint-services/${service.id}/connections/description`, { body: { connections: [{ id: endpoint.id, description: 'a note, as written ' }] } })
      const read = await go.request('GET', `/v1/{project_id}/vpc-endpoint-services/${service.id}/connections`, { query: { limit: 1000, id: endpoint.id } })
      assert.deepEqual(read.connections.map((c: any) => c.description), ['a note, as written '])
      await endpoints.delete(endpoint.id)
      await services.delete(service.id)
    })

    it('TestAccVPCEndpoint_gatewayEndpoint: enable_dns left at its default (true), route tables and policy read back', async () => {
      const publics = await go.listAll('/v1/{project_id}/vpc-endpoint-services/public', 'endpoint_services')
      const obs = publics.find((p) => p.service_type === 'gateway')
      const describe = await go.request('GET', '/v1/{project_id}/vpc-endpoint-services/describe', { query: { id: obs.id } })
      assert.equal(describe.enable_policy, true)
      const routeTable = randomUUID()
      const policy = '[{"Effect":"Allow","Action":["obs:bucket:ListBucket"],"Resource":["obs:*:*:*:*/*","obs:*:*:*:*"]},{"Effect":"Deny","Action":["obs:object:DeleteObject"],"Resource":["obs:*:*:*:*/*","obs:*:*:*:*"]}]'
      const config: EndpointConfig = { service_id: obs.id, vpc_id: randomUUID(), description: 'created by terraform', routetables: [routeTable], policy_statement: policy, tags: { owner: 'tf-acc' } }
      const { state } = await endpoints.create(config)
      assert.deepEqual([state.status, state.service_type, state.routetables], ['accepted', 'gateway', [routeTable]])
      assert.equal(state.enable_dns, undefined, 'Read leaves enable_dns alone for gateway endpoints')
      assert.deepEqual(endpoints.plan(config, { ...state, enable_dns: true }), [])
      const other = randomUUID()
      const moved = await endpoints.update({ ...state, enable_dns: true }, { ...config, routetables: [other] })
      assert.deepEqual(moved.routetables, [other])
      await endpoints.delete(state.id)
    })

    it('data source vpcep_resources_by_tags: limit "1000" as a string, offset as a JSON number, until an empty page', async () => {
      for (let i = 0; i < 3; i++) await services.create({ ...exampleService(), name: `tfsearch${i}`, tags: { search: 'yes' } })
      const path = '/v1/{project_id}/endpoint_service/resource_instances/action'
      const found: any[] = []
      for (let offset = 0; ; ) {
        const page = await go.request('POST', path, { body: { action: 'filter', tags: [{ key: 'search', values: ['yes'] }], limit: '1000', offset }, ok: [200] })
        assert.equal(page.total_count, 3)
        if (page.resources.length === 0) break
        found.push(...page.resources)
        offset += page.resources.length
      }
      assert.deepEqual(found.map((r) => r.resource_name).sort(), ['tfsearch0', 'tfsearch1', 'tfsearch2'])
      assert.deepEqual(await go.request('POST', path, { body: { action: 'count', tags: [{ key: 'search', values: ['yes'] }] }, ok: [200] }), { total_count: 3 })
    })

    it('accepts fields it does not know, as newer provider and SDK releases send them, and still checks known ones', async () => {
      const config: ServiceConfig = { ...exampleService(), name: 'tffuture', pool_id: poolIdFor(server.config.region) }
      const { state } = await services.create(config, { vip_port_id: randomUUID(), future_option: { nested: [1, 2] }, ports_v2: null })
      assert.deepEqual(services.plan(config, state), [])
      const raw = await services.get(state.id)
      assert.equal('vip_port_id' in raw || 'future_option' in raw, false)
      const { state: endpoint } = await endpoints.create({ service_id: state.id, vpc_id: VPC, network_id: SUBNET }, { snat_network_id: randomUUID(), port_ip_v6: '::1', policy_type: 'x' })
      assert.equal(endpoint.status, 'accepted')
      await assert.rejects(services.create({ ...exampleService(), approval: 'yes' as unknown as boolean }, { unknown_too: 1 }), (error: GoRequestError) => error.status === 400 && error.code === 'EndPoint.0002' && /approval_enabled/.test(JSON.stringify(error.body)))
      await assert.rejects(services.create({ ...exampleService(), pool_id: randomUUID() }), (error: GoRequestError) => error.status === 400 && /pool_id/.test(JSON.stringify(error.body)))
      await endpoints.delete(endpoint.id)
    })

    it('ip_version = "ipv6" with snat_network_id (TestAccVPCEPService_ipVersion) reads back as written', async () => {
      const snat = randomUUID()
      const config: ServiceConfig = { ...exampleService(), name: 'tfipv6', approval: false, tcp_proxy: 'close', ip_version: 'ipv6', snat_network_id: snat, description: 'test desc', permissions: ['*'], organization_permissions: ['organizations:orgPath::*'], port_mapping: [{ service_port: 8088, terminal_port: 80 }], tags: { foo: 'bar' } }
      const { state } = await services.create(config)
      assert.deepEqual([state.ip_version, state.snat_network_id, state.permissions], ['ipv6', snat, ['*']])
      assert.deepEqual(services.plan(config, state), [])
      await assert.rejects(services.create({ ...exampleService(), ip_version: 'ipv6' }), (error: GoRequestError) => error.status === 400)
    })

    it('ip_version = "dualstack" endpoints to a service upgraded by huaweicloud_vpcep_service_upgrade', async () => {
      const { state: service } = await services.create({ ...exampleService(), name: 'tfdual', approval: false })
      await go.request('POST', `/v2/{project_id}/vpc-endpoint-services/${service.id}/upgrade`, { ok: [204] })
      const config: EndpointConfig = { service_id: service.id, vpc_id: VPC, network_id: SUBNET, description: 'test description', ip_version: 'dualstack', ipv6_address: 'fd00:1234:5678::23f4:3969:f826:fcc8', enable_dns: true, enable_whitelist: true, whitelist: ['192.168.0.0/24'], tags: { owner: 'tf-acc' } }
      const { state } = await endpoints.create(config)
      assert.deepEqual([state.ip_version, state.ipv6_address], ['dualstack', 'fd00:1234:5678::23f4:3969:f826:fcc8'])
      assert.deepEqual(endpoints.plan(config, state), [])
      // An address that could not read back as written is refused rather than dropped.
      await assert.rejects(endpoints.create({ service_id: service.id, vpc_id: VPC, network_id: SUBNET, ipv6_address: 'fd00::1' }), (error: GoRequestError) => error.status === 400 && /ipv6_address/.test(JSON.stringify(error.body)))
      await assert.rejects(endpoints.create({ service_id: service.id, vpc_id: VPC, network_id: SUBNET, ip_version: 'dualstack', ipv6_address: 'fd00::zz' }), (error: GoRequestError) => error.code === 'EndPoint.3010')
      const auto = await endpoints.create({ service_id: service.id, vpc_id: VPC, network_id: SUBNET, ip_version: 'dualstack' })
      assert.match(auto.state.ipv6_address, /:/)
      // huaweicloud_vpcep_endpoint_upgrade on a basic endpoint, and huaweicloud_vpcep_service_add_servers.
      const basic = await endpoints.create({ service_id: service.id, vpc_id: VPC, network_id: SUBNET })
      await go.request('POST', `/v2/{project_id}/vpc-endpoints/${basic.state.id}/upgrade`, { body: { action: 'start' } })
      const { state: lb } = await services.create({ ...exampleService(), name: 'tflb', server_type: 'LB' })
      await go.request('POST', `/v2/{project_id}/vpc-endpoint-services/${lb.id}/add-server-resources`, { body: { server_resources: [{ resource_id: randomUUID(), availability_zone_id: null }] }, ok: [204] })
    })
  })
}
