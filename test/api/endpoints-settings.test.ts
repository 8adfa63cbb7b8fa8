import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { dialects, eventually, freshDatabaseUrl, startServer, type TestServer } from '../helpers/server.ts'
import { sdkClient, type SdkResponse, type TestVpcepClient } from '../helpers/vpcep-sdk.ts'
import { SUBNET, VPC, availableService, failure, gone, settledEndpoint, settledNewEndpoint } from '../helpers/fixtures.ts'
import { defaultRouteTable } from '../../src/domain/gateway.ts'
import type { NewAccount } from '../../src/identity/accounts.ts'

/*
 * The consumer's settings on its endpoints: UpdateEndpointWhite (IP access list), gateway endpoints to the
 * public OBS service and UpdateEndpointRoutetable, UpdateEndpointPolicy / DeleteEndpointPolicy, enable_dns,
 * and ListQuotaDetails with quota enforcement; through the official SDK core, with errors and isolation.
 */

const REGION = 'cn-north-4'
const STATEMENT = [
  { Effect: 'Allow', Action: ['obs:object:GetObject', 'obs:object:PutObject'], Resource: ['obs:*:*:object:my-bucket/*'], Condition: { StringEquals: { 'obs:prefix': ['logs/'] } }, Sid: 'logs' },
  { Effect: 'Deny', Action: ['obs:bucket:DeleteBucket'], Resource: ['obs:*:*:bucket:my-bucket'] },
]
const DOCUMENT = { Version: '5.0', Statement: [{ Effect: 'Allow', Action: ['apig:*:*'], Resource: ['*'], Condition: { IpAddress: { 'g:SourceIp': ['10.0.0.0/8'] } } }] }

/** The sorted `{type, used, quota}` rows of ListQuotaDetails. */
async function quotas(sdk: TestVpcepClient, type?: string): Promise<Array<{ type: string; used: number; quota: number }>> {
  const response = await sdk.listQuotaDetails(type === undefined ? {} : { type })
  assert.equal(response.httpStatusCode, 200)
  return [...response.quotas.resources].sort((a, b) => a.type.localeCompare(b.type))
}

for (const dialect of dialects()) {
  describe(`endpoint settings, gateway endpoints, policies and quotas [${dialect}]`, () => {
    let server: TestServer
    let provider: NewAccount
    let consumer: NewAccount
    let stranger: NewAccount
    let providerSdk: TestVpcepClient
    let consumerSdk: TestVpcepClient
    let strangerSdk: TestVpcepClient
    /** A service of the provider that admits every account and needs no approval. */
    let openService: SdkResponse
    /** The public OBS gateway service of the region. */
    let obs: SdkResponse

    before(async () => {
      server = await startServer(await freshDatabaseUrl(dialect))
      provider = await server.account('provider')
      consumer = await server.account('consumer')
      stranger = await server.account('stranger')
      providerSdk = sdkClient(server.url, provider)
      consumerSdk = sdkClient(server.url, consumer)
      strangerSdk = sdkClient(server.url, stranger)
      openService = await availableService(providerSdk, { approval_enabled: false })
      await providerSdk.addOrRemoveServicePermissions(openService.id, { action: 'add', permissions: ['*'] })
      const found = await consumerSdk.listServicePublicDetails({ endpoint_service_name: `com.myhuaweicloud.${REGION}.obs` })
      assert.equal(found.total_count, 1)
      obs = found.endpoint_services[0]
    })
    after(() => server.stop())

    describe('UpdateEndpointWhite', () => {
      let endpoint: SdkResponse

      before(async () => {
        endpoint = await settledNewEndpoint(consumerSdk, { endpoint_service_id: openService.id })
        assert.deepEqual([endpoint.whitelist, endpoint.enable_whitelist], [[], false])
      })

      it('replaces the list and switches it on; the details show the same', async () => {
        const updated = await consumerSdk.updateEndpointWhite(endpoint.id, { whitelist: ['10.0.0.1', '192.168.0.0/24'], enable_whitelist: true })
        assert.equal(updated.httpStatusCode, 200)
        assert.equal(updated.id, endpoint.id)
        assert.deepEqual(updated.whitelist, ['10.0.0.1', '192.168.0.0/24'])
        assert.equal(updated.enable_whitelist, true)
        assert.equal(updated.status, 'accepted')
        assert.equal(updated.marker_id, endpoint.marker_id)
        const replaced = await consumerSdk.updateEndpointWhite(endpoint.id, { whitelist: ['172.16.0.0/12'] })
        assert.deepEqual(replaced.whitelist, ['172.16.0.0/12'])
        assert.equal(replaced.enable_whitelist, true, 'a field not given keeps its value')
        const details = await consumerSdk.listEndpointInfoDetails(endpoint.id)
        assert.deepEqual([details.whitelist, details.enable_whitelist], [['172.16.0.0/12'], true])
        const off = await consumerSdk.updateEndpointWhite(endpoint.id, { enable_whitelist: false })
        assert.deepEqual([off.whitelist, off.enable_whitelist], [['172.16.0.0/12'], false])
      })

      it('clears the list with an empty one', async () => {
        await consumerSdk.updateEndpointWhite(endpoint.id, { whitelist: ['10.1.1.1'] })
        const cleared = await consumerSdk.updateEndpointWhite(endpoint.id, { whitelist: [] })
        assert.deepEqual(cleared.whitelist, [])
        assert.deepEqual((await consumerSdk.listEndpointInfoDetails(endpoint.id)).whitelist, [])
      })

      it('refuses a bad IP (EndPoint.3010), a bad CIDR (EndPoint.3009) and 61 entries (EndPoint.2045); nothing changes', async () => {
        await consumerSdk.updateEndpointWhite(endpoint.id, { whitelist: ['10.9.9.9'] })
        for (const bad of ['10.0.0.256', '10.0.0', 'localhost', '1.2.3.4.5']) {
          assert.deepEqual(await failure(consumerSdk.updateEndpointWhite(endpoint.id, { whitelist: ['10.0.0.1', bad] })), [400, 'EndPoint.3010'], bad)
        }
        for (const bad of ['10.0.0.0/33', '10.0.0.0/', '300.0.0.0/8', '10.0.0.0/8/8']) {
          assert.deepEqual(await failure(consumerSdk.updateEndpointWhite(endpoint.id, { whitelist: [bad] })), [400, 'EndPoint.3009'], bad)
        }
        const entries = (n: number) => Array.from({ length: n }, (_, i) => `10.0.${i}.0/24`)
        assert.deepEqual(await failure(consumerSdk.updateEndpointWhite(endpoint.id, { whitelist: entries(61) })), [400, 'EndPoint.2045'])
        assert.deepEqual((await consumerSdk.listEndpointInfoDetails(endpoint.id)).whitelist, ['10.9.9.9'])
        assert.equal((await consumerSdk.updateEndpointWhite(endpoint.id, { whitelist: entries(60) })).whitelist.length, 60)
      })

      it('is the endpoint owner\'s alone: the provider and strangers get 404 EndPoint.2006', async () => {
        for (const sdk of [providerSdk, strangerSdk]) {
          assert.deepEqual(await failure(sdk.updateEndpointWhite(endpoint.id, { whitelist: ['1.1.1.1'] })), [404, 'EndPoint.2006'])
        }
        assert.deepEqual(await failure(consumerSdk.updateEndpointWhite(randomUUID(), { whitelist: [] })), [404, 'EndPoint.2006'])
        assert.notDeepEqual((await consumerSdk.listEndpointInfoDetails(endpoint.id)).whitelist, ['1.1.1.1'])
      })

      it('refuses gateway endpoints (400)', async () => {
        const gateway = await settledNewEndpoint(strangerSdk, { endpoint_service_id: obs.id, vpc_id: randomUUID(), subnet_id: undefined })
        assert.deepEqual(await failure(strangerSdk.updateEndpointWhite(gateway.id, { whitelist: ['10.0.0.1'] })), [400, 'EndPoint.0002'])
      })
    })

    describe('enable_dns', () => {
      it('gives an interface endpoint its private DNS name; without it there is none', async () => {
        const named = await consumerSdk.createEndpoint({ endpoint_service_id: openService.id, vpc_id: VPC, subnet_id: SUBNET, enable_dns: true })
        assert.equal(named.enable_dns, true)
        assert.deepEqual(named.dns_names, [`${named.id}.vpcep.${REGION}.internal`])
        assert.deepEqual((await settledEndpoint(consumerSdk, named.id)).dns_names, named.dns_names)
        const listed = await consumerSdk.listEndpoints({ id: named.id })
        assert.deepEqual(listed.endpoints[0].dns_names, named.dns_names)
        const plain = await consumerSdk.createEndpoint({ endpoint_service_id: openService.id, vpc_id: VPC, subnet_id: SUBNET })
        assert.deepEqual([plain.enable_dns, plain.dns_names], [false, []])
      })

      it('accepts it on gateway endpoints without creating a name; refuses a non-boolean value (EndPoint.2033)', async () => {
        // Terraform's enable_dns defaults to true, and the reference allows either value for gateway services.
        const gateway = await consumerSdk.createEndpoint({ endpoint_service_id: obs.id, vpc_id: randomUUID(), enable_dns: true })
        assert.deepEqual([gateway.enable_dns, gateway.dns_names], [false, []])
        assert.deepEqual(await failure(consumerSdk.createEndpoint({ endpoint_service_id: openService.id, vpc_id: VPC, subnet_id: SUBNET, enable_dns: 'true' })), [400, 'EndPoint.2033'])
      })
    })

    describe('gateway endpoints and UpdateEndpointRoutetable', () => {
      it('connects to the public OBS service without subnet or whitelist, accepted at once, on the VPC\'s default route table', async () => {
        const vpc = randomUUID()
        const created = await strangerSdk.createEndpoint({ endpoint_service_id: obs.id, vpc_id: vpc })
        assert.equal(created.httpStatusCode, 200)
        assert.equal(created.service_type, 'gateway')
        assert.equal(created.status, 'creating')
        assert.equal(created.endpoint_service_name, `com.myhuaweicloud.${REGION}.obs`)
        assert.deepEqual([created.ip, created.subnet_id, created.whitelist, created.dns_names], ['', '', [], []])
        assert.deepEqual(created.routetables, [defaultRouteTable(vpc)])
        const settled = await settledEndpoint(strangerSdk, created.id)
        assert.equal(settled.status, 'accepted')
        assert.deepEqual(settled.routetables, created.routetables)
      })

      it('refuses a route table already used by another endpoint to the same gateway service (EndPoint.2039)', async () => {
        const vpc = randomUUID()
        const [rt1, rt2] = [randomUUID(), randomUUID()]
        const first = await settledNewEndpoint(consumerSdk, { endpoint_service_id: obs.id, vpc_id: vpc, subnet_id: undefined, routetables: [rt1, rt2] })
        assert.deepEqual(first.routetables, [rt1, rt2])
        assert.deepEqual(await failure(consumerSdk.createEndpoint({ endpoint_service_id: obs.id, vpc_id: vpc, routetables: [rt2] })), [400, 'EndPoint.2039'])
        // Omitting routetables means the VPC's default table, which is just as taken the second time.
        await settledNewEndpoint(consumerSdk, { endpoint_service_id: obs.id, vpc_id: vpc, subnet_id: undefined })
        assert.deepEqual(await failure(consumerSdk.createEndpoint({ endpoint_service_id: obs.id, vpc_id: vpc })), [400, 'EndPoint.2039'])
      })

      it('replaces the route tables with UpdateEndpointRoutetable and answers {routetables, error: []}', async () => {
        const vpc = randomUUID()
        const [rt1, rt2, rt3] = [randomUUID(), randomUUID(), randomUUID()]
        const endpoint = await settledNewEndpoint(consumerSdk, { endpoint_service_id: obs.id, vpc_id: vpc, subnet_id: undefined, routetables: [rt1] })
        const updated = await consumerSdk.updateEndpointRoutetable(endpoint.id, { routetables: [rt2, rt3] })
        assert.equal(updated.httpStatusCode, 200)
        const { httpStatusCode: _status, ...answer } = updated
        assert.deepEqual(answer, { routetables: [rt2, rt3], error: [] })
        assert.deepEqual((await consumerSdk.listEndpointInfoDetails(endpoint.id)).routetables, [rt2, rt3])
        // rt1 is free again; rt3 is not.
        const other = await settledNewEndpoint(consumerSdk, { endpoint_service_id: obs.id, vpc_id: vpc, subnet_id: undefined, routetables: [rt1] })
        assert.deepEqual(await failure(consumerSdk.updateEndpointRoutetable(other.id, { routetables: [rt1, rt3] })), [400, 'EndPoint.2039'])
        assert.deepEqual((await consumerSdk.listEndpointInfoDetails(other.id)).routetables, [rt1])
        // Keeping its own tables is no conflict; an empty set falls back to the default table.
        assert.deepEqual((await consumerSdk.updateEndpointRoutetable(endpoint.id, { routetables: [rt3, rt2] })).routetables, [rt3, rt2])
        assert.deepEqual((await consumerSdk.updateEndpointRoutetable(endpoint.id, { routetables: [] })).routetables, [defaultRouteTable(vpc)])
        assert.deepEqual(await failure(consumerSdk.updateEndpointRoutetable(endpoint.id, { routetables: ['rtb-1'] })), [400, 'EndPoint.1019'])
        assert.deepEqual(await failure(strangerSdk.updateEndpointRoutetable(endpoint.id, { routetables: [randomUUID()] })), [404, 'EndPoint.2006'])
      })

      it('refuses UpdateEndpointRoutetable on an interface endpoint (EndPoint.2040)', async () => {
        const endpoint = await settledNewEndpoint(consumerSdk, { endpoint_service_id: openService.id })
        assert.deepEqual(await failure(consumerSdk.updateEndpointRoutetable(endpoint.id, { routetables: [randomUUID()] })), [400, 'EndPoint.2040'])
        assert.deepEqual((await consumerSdk.listEndpointInfoDetails(endpoint.id)).routetables, [])
      })

      it('keeps one tenant\'s route tables apart from another\'s, as vpcep cannot tell their VPCs apart', async () => {
        const vpc = randomUUID()
        await settledNewEndpoint(consumerSdk, { endpoint_service_id: obs.id, vpc_id: vpc, subnet_id: undefined })
        const theirs = await strangerSdk.createEndpoint({ endpoint_service_id: obs.id, vpc_id: vpc })
        assert.deepEqual(theirs.routetables, [defaultRouteTable(vpc)])
      })
    })

    describe('UpdateEndpointPolicy and DeleteEndpointPolicy', () => {
      let policyService: SdkResponse
      let plainEndpoint: SdkResponse

      before(async () => {
        policyService = await availableService(providerSdk, { approval_enabled: false, enable_policy: true })
        await providerSdk.addOrRemoveServicePermissions(policyService.id, { action: 'add', permissions: [`iam:domain::${consumer.domainId}`] })
        plainEndpoint = await settledNewEndpoint(consumerSdk, { endpoint_service_id: openService.id })
      })

      it('keeps policy_statement verbatim on gateway endpoints of enable_policy services', async () => {
        const created = await consumerSdk.createEndpoint({ endpoint_service_id: obs.id, vpc_id: randomUUID(), policy_statement: [STATEMENT[1]] })
        assert.deepEqual(created.policy_statement, [STATEMENT[1]])
        await settledEndpoint(consumerSdk, created.id)
        const updated = await consumerSdk.updateEndpointPolicy(created.id, { policy_statement: STATEMENT })
        assert.equal(updated.httpStatusCode, 200)
        assert.deepEqual(updated.policy_statement, STATEMENT)
        assert.equal('policy_document' in updated, false)
        assert.deepEqual((await consumerSdk.listEndpointInfoDetails(created.id)).policy_statement, STATEMENT)
        assert.deepEqual(await failure(consumerSdk.updateEndpointPolicy(created.id, { policy_document: DOCUMENT })), [400, 'EndPoint.0002'])
        assert.deepEqual((await consumerSdk.listEndpointInfoDetails(created.id)).policy_statement, STATEMENT)
      })

      it('keeps policy_document verbatim on interface endpoints of enable_policy services', async () => {
        const endpoint = await settledNewEndpoint(consumerSdk, { endpoint_service_id: policyService.id })
        assert.equal('policy_document' in endpoint, false, 'returned only when set')
        const updated = await consumerSdk.updateEndpointPolicy(endpoint.id, { policy_document: DOCUMENT })
        assert.equal(updated.httpStatusCode, 200)
        assert.deepEqual(updated.policy_document, DOCUMENT)
        assert.deepEqual((await consumerSdk.listEndpointInfoDetails(endpoint.id)).policy_document, DOCUMENT)
        assert.deepEqual(await failure(consumerSdk.updateEndpointPolicy(endpoint.id, { policy_statement: STATEMENT })), [400, 'EndPoint.0002'])
        const atCreate = await consumerSdk.createEndpoint({ endpoint_service_id: policyService.id, vpc_id: VPC, subnet_id: SUBNET, policy_document: DOCUMENT })
        assert.deepEqual(atCreate.policy_document, DOCUMENT)
      })

      it('refuses policies where the service does not enable them', async () => {
        assert.equal(openService.enable_policy, false)
        assert.deepEqual(await failure(consumerSdk.updateEndpointPolicy(plainEndpoint.id, { policy_document: DOCUMENT })), [400, 'EndPoint.0002'])
        assert.deepEqual(await failure(consumerSdk.createEndpoint({ endpoint_service_id: openService.id, vpc_id: VPC, subnet_id: SUBNET, policy_document: DOCUMENT })), [400, 'EndPoint.0002'])
        const dns = (await consumerSdk.listServicePublicDetails({ endpoint_service_name: '.dns' })).endpoint_services[0]
        assert.equal(dns.enable_policy, false)
        assert.deepEqual(await failure(consumerSdk.createEndpoint({ endpoint_service_id: dns.id, vpc_id: VPC, subnet_id: SUBNET, policy_document: DOCUMENT })), [400, 'EndPoint.0002'])
        assert.deepEqual(await failure(consumerSdk.updateEndpointPolicy(plainEndpoint.id, {})), [400, 'EndPoint.0002'])
        assert.equal('policy_document' in (await consumerSdk.listEndpointInfoDetails(plainEndpoint.id)), false)
      })

      it('DeleteEndpointPolicy answers 200 with the endpoint and clears both forms', async () => {
        const gateway = await settledNewEndpoint(consumerSdk, { endpoint_service_id: obs.id, vpc_id: randomUUID(), subnet_id: undefined, policy_statement: STATEMENT })
        const cleared = await consumerSdk.deleteEndpointPolicy(gateway.id)
        assert.equal(cleared.httpStatusCode, 200)
        assert.equal(cleared.id, gateway.id)
        assert.equal(cleared.service_type, 'gateway')
        assert.deepEqual(cleared.policy_statement, [])
        assert.equal('policy_document' in cleared, false)
        assert.deepEqual((await consumerSdk.listEndpointInfoDetails(gateway.id)).policy_statement, [])

        const iface = await settledNewEndpoint(consumerSdk, { endpoint_service_id: policyService.id, policy_document: DOCUMENT })
        const clearedDocument = await consumerSdk.deleteEndpointPolicy(iface.id)
        assert.equal(clearedDocument.httpStatusCode, 200)
        assert.equal('policy_document' in clearedDocument, false)
        assert.equal('policy_document' in (await consumerSdk.listEndpointInfoDetails(iface.id)), false)
        // Nothing set: still 200.
        assert.equal((await consumerSdk.deleteEndpointPolicy(plainEndpoint.id)).httpStatusCode, 200)
      })

      it('is the endpoint owner\'s alone (404 EndPoint.2006)', async () => {
        const endpoint = await settledNewEndpoint(consumerSdk, { endpoint_service_id: policyService.id, policy_document: DOCUMENT })
        for (const sdk of [providerSdk, strangerSdk]) {
          assert.deepEqual(await failure(sdk.updateEndpointPolicy(endpoint.id, { policy_document: {} })), [404, 'EndPoint.2006'])
          assert.deepEqual(await failure(sdk.deleteEndpointPolicy(endpoint.id)), [404, 'EndPoint.2006'])
        }
        assert.deepEqual(await failure(consumerSdk.deleteEndpointPolicy(randomUUID())), [404, 'EndPoint.2006'])
        assert.deepEqual((await consumerSdk.listEndpointInfoDetails(endpoint.id)).policy_document, DOCUMENT)
      })
    })

    describe('ListQuotaDetails', () => {
      it('answers used and quota per type, exact as resources are created and deleted', async () => {
        const owner = await server.account('quota')
        const sdk = sdkClient(server.url, owner)
        assert.deepEqual(await quotas(sdk), [
          { type: 'endpoint', used: 0, quota: 50 },
          { type: 'endpoint_service', used: 0, quota: 20 },
        ])
        const service = await availableService(sdk, { approval_enabled: false })
        await availableService(sdk)
        const endpoint = await settledNewEndpoint(sdk, { endpoint_service_id: service.id })
        // Endpoints to another account's service and to public services count for the consumer only.
        const foreign = await settledNewEndpoint(sdk, { endpoint_service_id: openService.id })
        await settledNewEndpoint(sdk, { endpoint_service_id: obs.id, vpc_id: randomUUID(), subnet_id: undefined })
        assert.deepEqual(await quotas(sdk), [
          { type: 'endpoint', used: 3, quota: 50 },
          { type: 'endpoint_service', used: 2, quota: 20 },
        ])
        assert.deepEqual(await quotas(sdk, 'endpoint_service'), [{ type: 'endpoint_service', used: 2, quota: 20 }])
        assert.deepEqual(await quotas(sdk, 'endpoint'), [{ type: 'endpoint', used: 3, quota: 50 }])

        await sdk.deleteEndpoint(endpoint.id)
        await sdk.deleteEndpoint(foreign.id)
        await gone(() => sdk.listEndpointInfoDetails(endpoint.id), 'endpoint')
        await gone(() => sdk.listEndpointInfoDetails(foreign.id), 'endpoint')
        await sdk.deleteEndpointService(service.id)
        await gone(() => sdk.listServiceDetails(service.id), 'service')
        assert.deepEqual(await quotas(sdk), [
          { type: 'endpoint', used: 1, quota: 50 },
          { type: 'endpoint_service', used: 1, quota: 20 },
        ])
      })

      it('is per project, and refuses an unknown type', async () => {
        const fresh = sdkClient(server.url, await server.account('fresh'))
        assert.deepEqual((await quotas(fresh)).map((q) => q.used), [0, 0])
        assert.deepEqual(await failure(fresh.listQuotaDetails({ type: 'endpoints' })), [400, 'EndPoint.0002'])
      })
    })
  })

  describe(`quota enforcement [${dialect}]`, () => {
    let server: TestServer

    before(async () => {
      server = await startServer(await freshDatabaseUrl(dialect), { quotas: { endpointService: 2, endpoint: 3 } })
    })
    after(() => server.stop())

    it('refuses the service over the quota with 400 Endpoint.1018 until a delete completes', async () => {
      const sdk = sdkClient(server.url, await server.account('tight'))
      const first = await availableService(sdk)
      await availableService(sdk)
      const refused = await failure(sdk.createEndpointService({ port_id: randomUUID(), vpc_id: VPC, server_type: 'VM', ports: [{ client_port: 1, server_port: 1 }] }))
      assert.deepEqual(refused, [400, 'Endpoint.1018'])
      assert.deepEqual(await quotas(sdk, 'endpoint_service'), [{ type: 'endpoint_service', used: 2, quota: 2 }])
      assert.equal((await sdk.listEndpointService()).total_count, 2, 'the refused create left nothing behind')
      await sdk.deleteEndpointService(first.id)
      await gone(() => sdk.listServiceDetails(first.id), 'service')
      assert.equal((await availableService(sdk)).status, 'available')
      // Another project has its own quota.
      const other = sdkClient(server.url, await server.account('other'))
      await availableService(other)
      await availableService(other)
    })

    it('refuses the endpoint over the quota with 400 Endpoint.1018 until a delete completes', async () => {
      const sdk = sdkClient(server.url, await server.account('consumer'))
      const service = await availableService(sdk, { approval_enabled: false })
      const endpoints: SdkResponse[] = []
      for (let i = 0; i < 3; i++) endpoints.push(await settledNewEndpoint(sdk, { endpoint_service_id: service.id }))
      assert.deepEqual(await failure(sdk.createEndpoint({ endpoint_service_id: service.id, vpc_id: VPC, subnet_id: SUBNET })), [400, 'Endpoint.1018'])
      assert.deepEqual(await quotas(sdk, 'endpoint'), [{ type: 'endpoint', used: 3, quota: 3 }])
      await sdk.deleteEndpoint(endpoints[0]!.id)
      await gone(() => sdk.listEndpointInfoDetails(endpoints[0]!.id), 'endpoint')
      const replacement = await eventually(async () => sdk.createEndpoint({ endpoint_service_id: service.id, vpc_id: VPC, subnet_id: SUBNET }), 'endpoint created')
      assert.equal(replacement.httpStatusCode, 200)
    })
  })
}
