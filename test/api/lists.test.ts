import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { dialects, eventually, freshDatabaseUrl, startServer, type TestServer } from '../helpers/server.ts'
import { sdkClient, sdkError, type SdkResponse, type TestVpcepClient } from '../helpers/vpcep-sdk.ts'
import { ManualClock, SUBNET, VPC, WIRE_TIME, availableService, failure, gone, settledEndpoint, settledNewEndpoint } from '../helpers/fixtures.ts'

const ids = (items: Array<{ [field: string]: any }>): string[] => items.map((x) => x.id as string)
const sorted = (values: string[]) => [...values].sort()

for (const dialect of dialects()) {
  describe(`lists, filters, deletes and addresses [${dialect}]`, () => {
    let server: TestServer
    const clock = new ManualClock()

    /**
     * Accounts made up front, in parallel (password hashing is slow). Tests whose counts span a whole
     * account get their own; the others share one provider and one consumer and count per service.
     */
    const TENANTS = ['pager', 'ties', 'filters', 'econsumer', 'provider', 'consumer'] as const
    const tenants = new Map<string, { sdk: TestVpcepClient; domainId: string; projectId: string }>()

    before(async () => {
      server = await startServer(await freshDatabaseUrl(dialect), {}, clock)
      const accounts = await Promise.all(TENANTS.map((name) => server.account(name)))
      accounts.forEach((account, i) => tenants.set(TENANTS[i]!, { sdk: sdkClient(server.url, account), domainId: account.domainId, projectId: account.projectId }))
    })
    after(() => server.stop())

    function tenant(name: (typeof TENANTS)[number]): { sdk: TestVpcepClient; domainId: string; projectId: string } {
      return tenants.get(name)!
    }

    /** Creates services one after the other (all `creating`), then waits until every one is `available`. */
    async function createServices(sdk: TestVpcepClient, count: number, between: () => void = () => {}): Promise<SdkResponse[]> {
      const created: SdkResponse[] = []
      for (let i = 0; i < count; i++) {
        created.push(await sdk.createEndpointService({ port_id: randomUUID(), vpc_id: VPC, server_type: 'VM', ports: [{ client_port: 80, server_port: 80 }] }))
        between()
      }
      await eventually(async () => {
        const { endpoint_services } = await sdk.listEndpointService({ status: 'available', limit: 1000 })
        return endpoint_services.length === count ? true : undefined
      }, 'services available')
      return created
    }

    /** Every page of a list, walked with `limit`. */
    async function walk(sdk: TestVpcepClient, sortDir: string, limit: number, total: number): Promise<string[]> {
      const seen: string[] = []
      for (let offset = 0; offset <= total; offset += limit) {
        const page = await sdk.listEndpointService({ sort_dir: sortDir, limit, offset })
        assert.equal(page.total_count, total)
        assert.equal(page.endpoint_services.length, Math.min(limit, Math.max(0, total - offset)))
        seen.push(...ids(page.endpoint_services))
      }
      return seen
    }

    it('services: total_count ignores paging, default limit 10, offset past the end, create_at order', async () => {
      const { sdk } = tenant('pager')
      // A second apart, so the creation times differ even in the wire's whole seconds.
      const created = ids(await createServices(sdk, 11, () => clock.advance(1000)))

      const firstPage = await sdk.listEndpointService()
      assert.equal(firstPage.total_count, 11)
      assert.deepEqual(ids(firstPage.endpoint_services), [...created].reverse().slice(0, 10), 'default: 10 newest first')

      const asc = await sdk.listEndpointService({ sort_dir: 'asc', limit: 1000 })
      assert.deepEqual(ids(asc.endpoint_services), created)
      const times = asc.endpoint_services.map((s: any) => s.created_at)
      for (const t of times) assert.match(t, WIRE_TIME)
      for (let i = 1; i < times.length; i++) assert.ok(times[i - 1] < times[i], `${times[i - 1]} < ${times[i]}`)
      const desc = await sdk.listEndpointService({ sort_dir: 'desc', sort_key: 'create_at', limit: 1000 })
      assert.deepEqual(ids(desc.endpoint_services), [...created].reverse())

      const tail = await sdk.listEndpointService({ limit: 5, offset: 10 })
      assert.deepEqual([ids(tail.endpoint_services), tail.total_count], [created.slice(0, 1), 11])
      const middle = await sdk.listEndpointService({ sort_dir: 'asc', limit: 3, offset: 4 })
      assert.deepEqual([ids(middle.endpoint_services), middle.total_count], [created.slice(4, 7), 11])
      for (const offset of [11, 12, 1000]) {
        const past = await sdk.listEndpointService({ offset })
        assert.deepEqual([past.endpoint_services, past.total_count], [[], 11], `offset ${offset}`)
      }
      const filteredPast = await sdk.listEndpointService({ status: 'available', offset: 50, limit: 1 })
      assert.deepEqual([filteredPast.endpoint_services, filteredPast.total_count], [[], 11])

      assert.deepEqual(sorted(await walk(sdk, 'asc', 5, 11)), sorted(created))
      assert.deepEqual(await failure(sdk.listEndpointService({ limit: 0 })), [400, 'EndPoint.0006'])
      assert.deepEqual(await failure(sdk.listEndpointService({ limit: 1001 })), [400, 'EndPoint.0006'])
      assert.deepEqual(await failure(sdk.listEndpointService({ offset: -1 })), [400, 'EndPoint.0010'])
      assert.deepEqual(await failure(sdk.listEndpointService({ sort_key: 'created_at' })), [400, 'EndPoint.0017'])
      assert.deepEqual(await failure(sdk.listEndpointService({ sort_dir: 'ascending' })), [400, 'EndPoint.0018'])
    })

    it('services created in the same instant: stable order and pages that never overlap', async () => {
      const { sdk } = tenant('ties')
      clock.freeze()
      let created: string[]
      try {
        created = ids(await createServices(sdk, 7))
      } finally {
        clock.unfreeze()
      }
      const asc = await sdk.listEndpointService({ sort_dir: 'asc', limit: 1000 })
      const desc = await sdk.listEndpointService({ sort_dir: 'desc', limit: 1000 })
      assert.equal(new Set(asc.endpoint_services.map((s: any) => s.created_at)).size, 1, 'all share one creation time')
      assert.deepEqual(sorted(ids(asc.endpoint_services)), sorted(created))
      assert.deepEqual(ids(desc.endpoint_services), ids(asc.endpoint_services).reverse())
      for (const [dir, full] of [['asc', ids(asc.endpoint_services)], ['desc', ids(desc.endpoint_services)]] as const) {
        for (let round = 0; round < 2; round++) {
          const pages = await walk(sdk, dir, 2, 7)
          assert.equal(new Set(pages).size, 7, `${dir}: no duplicates across pages`)
          assert.deepEqual(pages, full, `${dir}: pages concatenate to the whole list`)
        }
      }
    })

    it('services: name, id and status filters', async () => {
      const { sdk } = tenant('filters')
      const alphaOne = await availableService(sdk, { service_name: 'AlphaOne' })
      const alphaTwo = await availableService(sdk, { service_name: 'alphatwo' })
      const beta = await availableService(sdk, { service_name: 'beta' })
      const nameless = await availableService(sdk)
      assert.equal(alphaOne.service_name, `${server.config.region}.AlphaOne.${alphaOne.id}`)
      assert.equal(nameless.service_name, `${server.config.region}.${nameless.id}`)
      const all = [alphaOne.id, alphaTwo.id, beta.id, nameless.id]

      const byName: Array<[string, string[]]> = [
        ['ALPHA', [alphaOne.id, alphaTwo.id]],
        ['alphaone', [alphaOne.id]],
        [`${server.config.region.toUpperCase()}.ALPHAONE.`, [alphaOne.id]],
        [server.config.region, all],
        [beta.id.toUpperCase(), [beta.id]],
        [`beta.${beta.id}`, [beta.id]],
        [`${server.config.region}.${nameless.id}`, [nameless.id]],
        ['%', []],
        ['_', []],
        ['gamma', []],
      ]
      for (const [name, expected] of byName) {
        const list = await sdk.listEndpointService({ endpoint_service_name: name, limit: 1000 })
        assert.deepEqual(sorted(ids(list.endpoint_services)), sorted(expected), `endpoint_service_name=${name}`)
        assert.equal(list.total_count, expected.length, `endpoint_service_name=${name} total_count`)
      }
      const paged = await sdk.listEndpointService({ endpoint_service_name: 'alpha', limit: 1 })
      assert.deepEqual([paged.endpoint_services.length, paged.total_count], [1, 2])

      const byId = await sdk.listEndpointService({ id: beta.id })
      assert.deepEqual([ids(byId.endpoint_services), byId.total_count], [[beta.id], 1])
      assert.equal((await sdk.listEndpointService({ id: randomUUID() })).total_count, 0)
      assert.equal((await sdk.listEndpointService({ id: beta.id, endpoint_service_name: 'alpha' })).total_count, 0)

      assert.deepEqual(sorted(ids((await sdk.listEndpointService({ status: 'available', limit: 1000 })).endpoint_services)), sorted(all))
      for (const status of ['creating', 'deleting', 'failed']) {
        assert.equal((await sdk.listEndpointService({ status })).total_count, 0, `status=${status}`)
      }
      assert.deepEqual(await failure(sdk.listEndpointService({ status: 'deleted' })), [400, 'EndPoint.0019'])
    })

    it('services: the status filter sees creating and deleting services', async () => {
      // Transitions that take ten minutes hold services in their transitional states for the test.
      const slow = await startServer(await freshDatabaseUrl(dialect), { provisionDelayMs: 600_000 })
      try {
        const sdk = sdkClient(slow.url, await slow.account('slow'))
        const body = { vpc_id: VPC, server_type: 'VM', ports: [{ client_port: 80, server_port: 80 }] }
        const creating = await sdk.createEndpointService({ ...body, port_id: randomUUID() })
        const deleting = await sdk.createEndpointService({ ...body, port_id: randomUUID() })
        assert.equal((await sdk.deleteEndpointService(deleting.id)).httpStatusCode, 204)
        assert.equal((await sdk.listServiceDetails(deleting.id)).status, 'deleting')
        const expect: Array<[string, string[]]> = [
          ['creating', [creating.id]],
          ['deleting', [deleting.id]],
          ['available', []],
          ['failed', []],
        ]
        for (const [status, expected] of expect) {
          const list = await sdk.listEndpointService({ status })
          assert.deepEqual([ids(list.endpoint_services), list.total_count], [expected, expected.length], `status=${status}`)
        }
        assert.equal((await sdk.listEndpointService()).total_count, 2)
        // Nobody connects to a service that is not available, its owner included.
        assert.deepEqual(await failure(sdk.createEndpoint({ endpoint_service_id: creating.id, vpc_id: VPC, subnet_id: SUBNET })), [400, 'EndPoint.2004'])
      } finally {
        await slow.stop()
      }
    })

    it('endpoints: vpc_id, id and endpoint_service_name filters', async () => {
      const provider = tenant('provider')
      const consumer = tenant('econsumer')
      const x = await availableService(provider.sdk, { service_name: 'xsvc' })
      const y = await availableService(provider.sdk, { service_name: 'ysvc' })
      for (const s of [x, y]) await provider.sdk.addOrRemoveServicePermissions(s.id, { action: 'add', permissions: [`iam:domain::${consumer.domainId}`] })
      const vpc1 = randomUUID()
      const vpc2 = randomUUID()
      const e1 = await settledNewEndpoint(consumer.sdk, { endpoint_service_id: x.id, vpc_id: vpc1 })
      const e2 = await settledNewEndpoint(consumer.sdk, { endpoint_service_id: x.id, vpc_id: vpc2 })
      const e3 = await settledNewEndpoint(consumer.sdk, { endpoint_service_id: y.id, vpc_id: vpc1 })

      const cases: Array<[Record<string, string | number>, string[]]> = [
        [{}, [e1.id, e2.id, e3.id]],
        [{ vpc_id: vpc1 }, [e1.id, e3.id]],
        [{ vpc_id: vpc2 }, [e2.id]],
        [{ vpc_id: randomUUID() }, []],
        [{ id: e2.id }, [e2.id]],
        [{ id: randomUUID() }, []],
        [{ endpoint_service_name: 'XSVC' }, [e1.id, e2.id]],
        [{ endpoint_service_name: y.service_name }, [e3.id]],
        [{ endpoint_service_name: x.id.toUpperCase() }, [e1.id, e2.id]],
        [{ endpoint_service_name: server.config.region }, [e1.id, e2.id, e3.id]],
        [{ endpoint_service_name: 'zsvc' }, []],
        [{ endpoint_service_name: 'xsvc', vpc_id: vpc1 }, [e1.id]],
        [{ endpoint_service_name: 'ysvc', id: e1.id }, []],
      ]
      for (const [query, expected] of cases) {
        const list = await consumer.sdk.listEndpoints({ ...query, limit: 1000 })
        assert.deepEqual(sorted(ids(list.endpoints)), sorted(expected), JSON.stringify(query))
        assert.equal(list.total_count, expected.length, `${JSON.stringify(query)} total_count`)
      }
      const page = await consumer.sdk.listEndpoints({ limit: 1, offset: 1, sort_dir: 'asc' })
      assert.deepEqual([ids(page.endpoints), page.total_count], [[e2.id], 3])
      const past = await consumer.sdk.listEndpoints({ offset: 3 })
      assert.deepEqual([past.endpoints, past.total_count], [[], 3])
      const detail = (await consumer.sdk.listEndpoints({ id: e3.id })).endpoints[0]
      assert.deepEqual([detail.vpc_id, detail.endpoint_service_id, detail.endpoint_service_name], [vpc1, y.id, y.service_name])
    })

    it('connections: status, marker_id and id filters', async () => {
      const provider = tenant('provider')
      const consumer = tenant('consumer')
      const service = await availableService(provider.sdk)
      await provider.sdk.addOrRemoveServicePermissions(service.id, { action: 'add', permissions: [`iam:domain::${consumer.domainId}`] })
      const [accepted, rejected, pending] = [
        await settledNewEndpoint(consumer.sdk, { endpoint_service_id: service.id }),
        await settledNewEndpoint(consumer.sdk, { endpoint_service_id: service.id }),
        await settledNewEndpoint(consumer.sdk, { endpoint_service_id: service.id }),
      ] as [SdkResponse, SdkResponse, SdkResponse]
      await provider.sdk.acceptOrRejectEndpoint(service.id, { action: 'receive', endpoints: [accepted.id] })
      await provider.sdk.acceptOrRejectEndpoint(service.id, { action: 'reject', endpoints: [rejected.id] })

      const cases: Array<[Record<string, string | number>, string[]]> = [
        [{}, [accepted.id, rejected.id, pending.id]],
        [{ status: 'pendingAcceptance' }, [pending.id]],
        [{ status: 'accepted' }, [accepted.id]],
        [{ status: 'rejected' }, [rejected.id]],
        [{ status: 'failed' }, []],
        [{ marker_id: rejected.marker_id }, [rejected.id]],
        [{ marker_id: String(accepted.marker_id) }, [accepted.id]],
        [{ marker_id: 1 }, []],
        [{ id: pending.id }, [pending.id]],
        [{ id: randomUUID() }, []],
        [{ id: accepted.id, status: 'rejected' }, []],
        [{ marker_id: accepted.marker_id, status: 'accepted' }, [accepted.id]],
      ]
      for (const [query, expected] of cases) {
        const list = await provider.sdk.listServiceConnections(service.id, { ...query, limit: 1000 })
        assert.deepEqual(sorted(ids(list.connections)), sorted(expected), JSON.stringify(query))
        assert.equal(list.total_count, expected.length, `${JSON.stringify(query)} total_count`)
      }
      const byMarker = (await provider.sdk.listServiceConnections(service.id, { marker_id: pending.marker_id })).connections[0]
      assert.deepEqual([byMarker.id, byMarker.status, byMarker.domain_id], [pending.id, 'pendingAcceptance', consumer.domainId])
      const page = await provider.sdk.listServiceConnections(service.id, { limit: 1, offset: 2, sort_dir: 'asc' })
      assert.deepEqual([ids(page.connections), page.total_count], [[pending.id], 3])

      for (const status of ['creating', 'deleting', 'pending', 'ACCEPTED']) {
        assert.deepEqual(await failure(provider.sdk.listServiceConnections(service.id, { status })), [400, 'EndPoint.0019'], `status=${status}`)
      }
      assert.deepEqual(await failure(provider.sdk.listServiceConnections(service.id, { marker_id: 'abc' })), [400, 'EndPoint.0021'])
    })

    it('endpoint delete: a second delete is refused while deleting or answers 404 once gone', async () => {
      const provider = tenant('provider')
      const service = await availableService(provider.sdk)
      const endpoint = await settledNewEndpoint(provider.sdk, { endpoint_service_id: service.id })
      assert.equal((await provider.sdk.deleteEndpoint(endpoint.id)).httpStatusCode, 204)
      const second = await failure(provider.sdk.deleteEndpoint(endpoint.id))
      assert.ok(
        JSON.stringify(second) === JSON.stringify([400, 'EndPoint.2018']) || JSON.stringify(second) === JSON.stringify([404, 'EndPoint.2006']),
        `second delete answered ${JSON.stringify(second)}`,
      )
      assert.equal(await gone(() => provider.sdk.listEndpointInfoDetails(endpoint.id), 'endpoint'), 'EndPoint.2006')
      assert.deepEqual(await failure(provider.sdk.deleteEndpoint(endpoint.id)), [404, 'EndPoint.2006'])
      assert.equal((await provider.sdk.listEndpoints({ id: endpoint.id })).total_count, 0)
      assert.equal((await provider.sdk.listServiceConnections(service.id)).total_count, 0)
    })

    it('service delete: allowed with only pending and rejected endpoints, which go with it', async () => {
      const provider = tenant('provider')
      const consumer = tenant('consumer')
      const service = await availableService(provider.sdk)
      await provider.sdk.addOrRemoveServicePermissions(service.id, { action: 'add', permissions: [`iam:domain::${consumer.domainId}`] })
      const pending = await settledNewEndpoint(consumer.sdk, { endpoint_service_id: service.id })
      const rejected = await settledNewEndpoint(consumer.sdk, { endpoint_service_id: service.id })
      await provider.sdk.acceptOrRejectEndpoint(service.id, { action: 'receive', endpoints: [rejected.id] })
      await provider.sdk.acceptOrRejectEndpoint(service.id, { action: 'reject', endpoints: [rejected.id] })
      assert.equal((await consumer.sdk.listEndpointInfoDetails(rejected.id)).status, 'rejected')

      assert.equal((await provider.sdk.deleteEndpointService(service.id)).httpStatusCode, 204)
      assert.equal(await gone(() => provider.sdk.listServiceDetails(service.id), 'service'), 'EndPoint.0005')
      for (const endpoint of [pending, rejected]) {
        assert.deepEqual(await failure(consumer.sdk.listEndpointInfoDetails(endpoint.id)), [404, 'EndPoint.2006'])
      }
      assert.equal((await consumer.sdk.listEndpoints({ endpoint_service_name: service.id })).total_count, 0)
      assert.equal((await provider.sdk.listEndpointService({ id: service.id })).total_count, 0)
      assert.deepEqual(await failure(provider.sdk.listServiceConnections(service.id)), [404, 'EndPoint.0005'])
      assert.deepEqual(await failure(provider.sdk.listServicePermissionsDetails(service.id)), [404, 'EndPoint.0005'])
      assert.deepEqual(await failure(provider.sdk.deleteEndpointService(service.id)), [404, 'EndPoint.0005'])
    })

    it('service delete: refused with EndPoint.3006 while an endpoint is accepted', async () => {
      const provider = tenant('provider')
      const consumer = tenant('consumer')
      const service = await availableService(provider.sdk)
      await provider.sdk.addOrRemoveServicePermissions(service.id, { action: 'add', permissions: [`iam:domain::${consumer.domainId}`] })
      const endpoint = await settledNewEndpoint(consumer.sdk, { endpoint_service_id: service.id })
      await settledNewEndpoint(consumer.sdk, { endpoint_service_id: service.id })
      await provider.sdk.acceptOrRejectEndpoint(service.id, { action: 'receive', endpoints: [endpoint.id] })

      const refused = await sdkError(provider.sdk.deleteEndpointService(service.id))
      assert.deepEqual([refused.httpStatusCode, refused.errorCode], [400, 'EndPoint.3006'])
      const still = await provider.sdk.listServiceDetails(service.id)
      assert.deepEqual([still.status, still.connection_count], ['available', 1])
      assert.equal((await consumer.sdk.listEndpointInfoDetails(endpoint.id)).status, 'accepted')
      assert.equal((await consumer.sdk.listEndpoints({ endpoint_service_name: service.id })).total_count, 2)

      // Once no connection is accepted, the delete goes through.
      await provider.sdk.acceptOrRejectEndpoint(service.id, { action: 'reject', endpoints: [endpoint.id] })
      assert.equal((await provider.sdk.deleteEndpointService(service.id)).httpStatusCode, 204)
      await gone(() => provider.sdk.listServiceDetails(service.id), 'service')
      await gone(() => consumer.sdk.listEndpointInfoDetails(endpoint.id), 'endpoint')
    })

    it('marker_id is unique across 30 endpoints and every address is unique within its project and subnet', async () => {
      const provider = tenant('provider')
      const consumer = tenant('consumer')
      const service = await availableService(provider.sdk, { approval_enabled: false })
      await provider.sdk.addOrRemoveServicePermissions(service.id, { action: 'add', permissions: [`iam:domain::${consumer.domainId}`] })
      const subnets = [randomUUID(), randomUUID()]
      const created: SdkResponse[] = []
      for (let i = 0; i < 30; i++) {
        const sdk = i % 3 === 0 ? provider.sdk : consumer.sdk
        created.push(await sdk.createEndpoint({ endpoint_service_id: service.id, vpc_id: VPC, subnet_id: subnets[i % 2] }))
      }
      const markers = created.map((e) => e.marker_id)
      assert.equal(new Set(markers).size, 30)
      for (const m of markers) assert.ok(Number.isInteger(m) && m > 0 && m <= 2 ** 31 - 1, `marker_id ${m} is a positive int32`)
      // vpcep does not know subnets, so addresses are unique per project and subnet id (docs/decisions.md).
      for (const project of [provider.projectId, consumer.projectId]) {
        for (const subnet of subnets) {
          const ips = created.filter((e) => e.subnet_id === subnet && e.project_id === project).map((e) => e.ip)
          assert.ok(ips.length >= 5)
          for (const ip of ips) assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/)
          assert.equal(new Set(ips).size, ips.length, `addresses in subnet ${subnet} of project ${project} are unique`)
        }
      }

      const connections = await eventually(async () => {
        const list = await provider.sdk.listServiceConnections(service.id, { status: 'accepted', limit: 1000 })
        return list.total_count === 30 ? list : undefined
      }, 'all endpoints accepted')
      assert.deepEqual(sorted(connections.connections.map((c: any) => String(c.marker_id))), sorted(markers.map(String)))
      for (const e of created.slice(0, 4)) {
        const owner = created.indexOf(e) % 3 === 0 ? provider.sdk : consumer.sdk
        const detail = await owner.listEndpointInfoDetails(e.id)
        assert.deepEqual([detail.marker_id, detail.ip], [e.marker_id, e.ip], 'details repeat the create answer')
      }
    })

    it('port_ip is honoured when free, refused when taken in the subnet, allowed in another subnet', async () => {
      const provider = tenant('provider')
      const service = await availableService(provider.sdk, { approval_enabled: false })
      const [subnetA, subnetB] = [randomUUID(), randomUUID()]
      const create = (subnet: string, portIp?: string) =>
        provider.sdk.createEndpoint({ endpoint_service_id: service.id, vpc_id: VPC, subnet_id: subnet, ...(portIp ? { port_ip: portIp } : {}) })

      const chosen = await create(subnetA, '10.1.2.3')
      assert.equal(chosen.ip, '10.1.2.3')
      const taken = await failure(create(subnetA, '10.1.2.3'))
      assert.equal(taken[0], 400)
      const elsewhere = await create(subnetB, '10.1.2.3')
      assert.equal(elsewhere.ip, '10.1.2.3')
      const automatic = await create(subnetA)
      assert.notEqual(automatic.ip, '10.1.2.3')
      // An automatically chosen address is taken too.
      assert.equal((await failure(create(subnetA, automatic.ip)))[0], 400)
      const auto2 = await create(subnetA)
      assert.equal(new Set([chosen.ip, automatic.ip, auto2.ip]).size, 3)
      assert.deepEqual(await failure(create(subnetA, '10.1.2.300')), [400, 'EndPoint.3010'])
      const inSubnetA = (await provider.sdk.listEndpoints({ limit: 1000 })).endpoints.filter((e: any) => e.subnet_id === subnetA)
      assert.deepEqual(sorted(ids(inSubnetA)), sorted([chosen.id, automatic.id, auto2.id]), 'refused creates left nothing behind')

      // Once its endpoint is gone, the address is free again.
      await settledEndpoint(provider.sdk, chosen.id)
      await provider.sdk.deleteEndpoint(chosen.id)
      await gone(() => provider.sdk.listEndpointInfoDetails(chosen.id), 'endpoint')
      assert.equal((await create(subnetA, '10.1.2.3')).ip, '10.1.2.3')
    })

    it('CreateEndpoint: unknown service is EndPoint.2003, an interface service without subnet_id is EndPoint.2010', async () => {
      const provider = tenant('provider')
      const consumer = tenant('consumer')
      const service = await availableService(provider.sdk)
      await provider.sdk.addOrRemoveServicePermissions(service.id, { action: 'add', permissions: [`iam:domain::${consumer.domainId}`] })
      assert.deepEqual(await failure(consumer.sdk.createEndpoint({ endpoint_service_id: randomUUID(), vpc_id: VPC, subnet_id: SUBNET })), [400, 'EndPoint.2003'])
      for (const sdk of [consumer.sdk, provider.sdk]) {
        assert.deepEqual(await failure(sdk.createEndpoint({ endpoint_service_id: service.id, vpc_id: VPC })), [400, 'EndPoint.2010'])
      }
      assert.equal((await consumer.sdk.listEndpoints({ endpoint_service_name: service.id })).total_count, 0)
      assert.equal((await provider.sdk.listServiceConnections(service.id)).total_count, 0)
    })
  })
}
