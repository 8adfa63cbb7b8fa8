import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { dialects, freshDatabaseUrl, startServer, type TestServer } from '../helpers/server.ts'
import { sdkClient, type SdkResponse, type TestVpcepClient } from '../helpers/vpcep-sdk.ts'
import { signedRequest } from '../helpers/signed.ts'
import { SUBNET, VPC, availableService, failure, settledNewEndpoint } from '../helpers/fixtures.ts'
import type { NewAccount } from '../../src/identity/accounts.ts'

/*
 * The three v2 operations (professional edition, digest §4.9) through the official SDK core:
 * UpgradeEndpointService (sent by the Node SDK with no body at all), UpgradeEndpoint and
 * AddEndpointServiceServerResource; dual-stack endpoints; and version discovery of a specific version.
 */

const IPV6 = /^[0-9a-f:]+$/

for (const dialect of dialects()) {
  describe(`v2 operations: editions and multi-backend services [${dialect}]`, () => {
    let server: TestServer
    let provider: NewAccount
    let stranger: NewAccount
    let providerSdk: TestVpcepClient
    let strangerSdk: TestVpcepClient

    before(async () => {
      server = await startServer(await freshDatabaseUrl(dialect), { quotas: { endpointService: 100, endpoint: 100 } })
      provider = await server.account('provider')
      stranger = await server.account('stranger')
      providerSdk = sdkClient(server.url, provider)
      strangerSdk = sdkClient(server.url, stranger)
    })
    after(() => server.stop())

    describe('UpgradeEndpointService', () => {
      it('answers 204 to the SDK\'s body-less request and adds the profession edition', async () => {
        const service = await availableService(providerSdk)
        assert.deepEqual(service.supported_editions, ['basic'])
        const upgraded = await providerSdk.upgradeEndpointService(service.id)
        assert.equal(upgraded.httpStatusCode, 204)
        const details = await providerSdk.listServiceDetails(service.id)
        assert.ok(details.supported_editions.includes('profession'), String(details.supported_editions))
        assert.ok(details.supported_editions.includes('basic'))
        const listed = await providerSdk.listEndpointService({ id: service.id })
        assert.deepEqual(listed.endpoint_services[0].supported_editions, details.supported_editions)
        // Upgrading again changes nothing.
        assert.equal((await providerSdk.upgradeEndpointService(service.id)).httpStatusCode, 204)
        assert.deepEqual((await providerSdk.listServiceDetails(service.id)).supported_editions, details.supported_editions)
        // The documented body form means the same.
        const other = await availableService(providerSdk)
        assert.equal((await providerSdk.upgradeEndpointService(other.id, { action: 'upgrade' })).httpStatusCode, 204)
        assert.ok((await providerSdk.listServiceDetails(other.id)).supported_editions.includes('profession'))
      })

      it('rolls back to basic with action rollback', async () => {
        const service = await availableService(providerSdk)
        await providerSdk.upgradeEndpointService(service.id)
        assert.equal((await providerSdk.upgradeEndpointService(service.id, { action: 'rollback' })).httpStatusCode, 204)
        assert.deepEqual((await providerSdk.listServiceDetails(service.id)).supported_editions, ['basic'])
      })

      it('refuses a rollback while a professional endpoint is connected (EndPoint.3006)', async () => {
        const service = await availableService(providerSdk, { approval_enabled: false })
        await providerSdk.upgradeEndpointService(service.id)
        await settledNewEndpoint(providerSdk, { endpoint_service_id: service.id, ip_version: 'dualstack' })
        assert.deepEqual(await failure(providerSdk.upgradeEndpointService(service.id, { action: 'rollback' })), [400, 'EndPoint.3006'])
        assert.ok((await providerSdk.listServiceDetails(service.id)).supported_editions.includes('profession'))
      })

      it('refuses a bad action (400 EndPoint.0007) and ignores unknown fields', async () => {
        const service = await availableService(providerSdk)
        assert.deepEqual(await failure(providerSdk.upgradeEndpointService(service.id, { action: 'downgrade', multi: true })), [400, 'EndPoint.0007'])
        assert.deepEqual((await providerSdk.listServiceDetails(service.id)).supported_editions, ['basic'])
        await providerSdk.upgradeEndpointService(service.id, { action: 'upgrade', multi: true })
        assert.deepEqual((await providerSdk.listServiceDetails(service.id)).supported_editions, ['basic', 'profession'])
      })

      it('is the owner\'s alone: others get 404 EndPoint.0005 as for an unknown service', async () => {
        const service = await availableService(providerSdk)
        assert.deepEqual(await failure(strangerSdk.upgradeEndpointService(service.id)), [404, 'EndPoint.0005'])
        assert.deepEqual(await failure(strangerSdk.upgradeEndpointService(randomUUID())), [404, 'EndPoint.0005'])
        assert.deepEqual((await providerSdk.listServiceDetails(service.id)).supported_editions, ['basic'])
      })
    })

    describe('UpgradeEndpoint', () => {
      it('answers 202 once the service is upgraded (EndPoint.0015 before); specification_name changes', async () => {
        const service = await availableService(providerSdk, { approval_enabled: false })
        const endpoint = await settledNewEndpoint(providerSdk, { endpoint_service_id: service.id })
        assert.equal(endpoint.specification_name, 'default')
        assert.deepEqual(await failure(providerSdk.upgradeEndpoint(endpoint.id, { action: 'start' })), [400, 'EndPoint.0015'])
        assert.equal((await providerSdk.listEndpointInfoDetails(endpoint.id)).specification_name, 'default')

        await providerSdk.upgradeEndpointService(service.id)
        const started = await providerSdk.upgradeEndpoint(endpoint.id, { action: 'start' })
        assert.equal(started.httpStatusCode, 202)
        const details = await providerSdk.listEndpointInfoDetails(endpoint.id)
        assert.notEqual(details.specification_name, 'default')
        assert.equal(details.specification_name, 'default-profession')
        assert.equal(details.status, 'accepted')
        // Again: still 202, nothing more to do.
        assert.equal((await providerSdk.upgradeEndpoint(endpoint.id, { action: 'start' })).httpStatusCode, 202)
      })

      it('refuses an action other than start (EndPoint.2027) and a missing one (EndPoint.0002)', async () => {
        const service = await availableService(providerSdk, { approval_enabled: false })
        await providerSdk.upgradeEndpointService(service.id)
        const endpoint = await settledNewEndpoint(providerSdk, { endpoint_service_id: service.id })
        assert.deepEqual(await failure(providerSdk.upgradeEndpoint(endpoint.id, { action: 'stop' })), [400, 'EndPoint.2027'])
        assert.deepEqual(await failure(providerSdk.upgradeEndpoint(endpoint.id, {})), [400, 'EndPoint.0002'])
        assert.equal((await providerSdk.listEndpointInfoDetails(endpoint.id)).specification_name, 'default')
      })

      it('is the endpoint owner\'s alone (404 EndPoint.2006)', async () => {
        const service = await availableService(providerSdk, { approval_enabled: false })
        await providerSdk.upgradeEndpointService(service.id)
        const endpoint = await settledNewEndpoint(providerSdk, { endpoint_service_id: service.id })
        assert.deepEqual(await failure(strangerSdk.upgradeEndpoint(endpoint.id, { action: 'start' })), [404, 'EndPoint.2006'])
        assert.deepEqual(await failure(providerSdk.upgradeEndpoint(randomUUID(), { action: 'start' })), [404, 'EndPoint.2006'])
        assert.equal((await providerSdk.listEndpointInfoDetails(endpoint.id)).specification_name, 'default')
      })
    })

    describe('AddEndpointServiceServerResource', () => {
      const resources = { server_resources: [{ resource_id: randomUUID(), availability_zone_id: 'cn-north-4a' }, { resource_id: randomUUID() }] }

      it('answers 204 for an LB service, upgraded or not (the Terraform provider adds servers without upgrading)', async () => {
        const plain = await availableService(providerSdk, { server_type: 'LB' })
        assert.equal((await providerSdk.addEndpointServiceServerResource(plain.id, { server_resources: [{ resource_id: randomUUID(), availability_zone_id: null }] })).httpStatusCode, 204)
        const service = await availableService(providerSdk, { server_type: 'LB' })
        assert.equal((await providerSdk.upgradeEndpointService(service.id, { action: 'upgrade', enable_multi_server: true })).httpStatusCode, 204)
        const added = await providerSdk.addEndpointServiceServerResource(service.id, resources)
        assert.equal(added.httpStatusCode, 204)
        // Adding the same backends again keeps each once, and still answers 204.
        assert.equal((await providerSdk.addEndpointServiceServerResource(service.id, resources)).httpStatusCode, 204)
      })

      it('refuses it otherwise (400): not LB, empty list, too many, a zone that is not a string', async () => {
        const vm = await availableService(providerSdk, { server_type: 'VM' })
        await providerSdk.upgradeEndpointService(vm.id, { action: 'upgrade', enable_multi_server: true })
        assert.deepEqual(await failure(providerSdk.addEndpointServiceServerResource(vm.id, resources)), [400, 'EndPoint.3021'])

        const ready = await availableService(providerSdk, { server_type: 'LB' })
        await providerSdk.upgradeEndpointService(ready.id, { action: 'upgrade', enable_multi_server: true })
        assert.deepEqual(await failure(providerSdk.addEndpointServiceServerResource(ready.id, { server_resources: [] })), [400, 'EndPoint.0002'])
        assert.deepEqual(await failure(providerSdk.addEndpointServiceServerResource(ready.id, {})), [400, 'EndPoint.0002'])
        assert.deepEqual(await failure(providerSdk.addEndpointServiceServerResource(ready.id, { server_resources: [{ resource_id: randomUUID(), availability_zone_id: 1 }] })), [400, 'EndPoint.0002'])
        assert.deepEqual(await failure(strangerSdk.addEndpointServiceServerResource(ready.id, resources)), [404, 'EndPoint.0005'])
        const many = { server_resources: Array.from({ length: 21 }, () => ({ resource_id: randomUUID() })) }
        assert.deepEqual(await failure(providerSdk.addEndpointServiceServerResource(ready.id, many)), [400, 'EndPoint.0016'])
      })
    })

    it('answers 204 and 202 with no body at all (a JSON null would break the Node SDK)', async () => {
      const service = await availableService(providerSdk, { approval_enabled: false })
      const upgrade = await signedRequest(server.url, provider, { method: 'POST', path: `/v2/${provider.projectId}/vpc-endpoint-services/${service.id}/upgrade` })
      assert.deepEqual([upgrade.status, upgrade.text], [204, ''])
      const endpoint = await settledNewEndpoint(providerSdk, { endpoint_service_id: service.id })
      const started = await signedRequest(server.url, provider, { method: 'POST', path: `/v2/${provider.projectId}/vpc-endpoints/${endpoint.id}/upgrade`, body: { action: 'start' } })
      assert.deepEqual([started.status, started.text], [202, ''])
      assert.ok(started.headers['x-request-id'])
    })

    describe('dual-stack endpoints', () => {
      it('get an ipv6_address only on upgraded services', async () => {
        const service = await availableService(providerSdk, { approval_enabled: false })
        assert.deepEqual(await failure(providerSdk.createEndpoint({ endpoint_service_id: service.id, vpc_id: VPC, subnet_id: SUBNET, ip_version: 'dualstack' })), [400, 'EndPoint.0015'])
        const basic = await settledNewEndpoint(providerSdk, { endpoint_service_id: service.id })
        assert.equal(basic.ipv6_address, '')

        await providerSdk.upgradeEndpointService(service.id)
        const dual = await providerSdk.createEndpoint({ endpoint_service_id: service.id, vpc_id: VPC, subnet_id: SUBNET, ip_version: 'dualstack' })
        assert.equal(dual.httpStatusCode, 200)
        assert.match(dual.ipv6_address, IPV6)
        assert.match(dual.ip, /^\d+\.\d+\.\d+\.\d+$/)
        assert.equal(dual.specification_name, 'default-profession')
        assert.equal((await providerSdk.listEndpointInfoDetails(dual.id)).ipv6_address, dual.ipv6_address)
        // ipv4 endpoints of an upgraded service stay single-stack.
        assert.equal((await settledNewEndpoint(providerSdk, { endpoint_service_id: service.id, ip_version: 'ipv4' })).ipv6_address, '')
        assert.deepEqual(await failure(providerSdk.createEndpoint({ endpoint_service_id: service.id, vpc_id: VPC, subnet_id: SUBNET, ip_version: 'ipv6' })), [400, 'EndPoint.0002'])
      })
    })

    describe('ListSpecifiedVersionDetails', () => {
      it('answers v1 through the SDK; v2 is not a listed version', async () => {
        const v1 = await providerSdk.listSpecifiedVersionDetails('v1')
        assert.equal(v1.httpStatusCode, 200)
        assert.equal(v1.version.id, 'v1')
        assert.equal(v1.version.status, 'CURRENT')
        const all = await providerSdk.listVersionDetails()
        assert.deepEqual(all.versions.map((v: SdkResponse) => v.id), ['v1'])
        assert.deepEqual(all.versions[0], v1.version)
        assert.equal((await failure(providerSdk.listSpecifiedVersionDetails('v2')))[0], 404)
      })
    })
  })
}
