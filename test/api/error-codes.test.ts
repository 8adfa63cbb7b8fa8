import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomInt, randomUUID } from 'node:crypto'
import { loadConfig, loopbackRange } from '../../src/config.ts'
import { dialects, eventually, freshDatabaseUrl, startServer, type DialectName, type TestServer } from '../helpers/server.ts'
import { sdkClient, type SdkResponse, type TestVpcepClient } from '../helpers/vpcep-sdk.ts'
import { tagsClient, type TestTagsClient } from '../helpers/tags-sdk.ts'
import { httpRequest } from '../helpers/http.ts'
import { ManualClock, SUBNET, VPC, availableService, failure, settledNewEndpoint } from '../helpers/fixtures.ts'
import { ERRORS, type ErrorName } from '../../src/domain/errors.ts'
import type { NewAccount } from '../../src/identity/accounts.ts'

/*
 * One test per entry of the error catalog (src/domain/errors.ts, ERRORS): each makes a real request that
 * provokes the error and checks the HTTP status and the code the client sees.
 *
 * Catalog entries that cannot be provoked through the API, and why:
 * - systemError (EndPoint.0001, 500): an unexpected internal fault (a bug, or a connection decision that
 *   kept losing a race five times in a row); no well-formed or malformed request causes it.
 * - invalidRequest (EndPoint.1004): never raised; a malformed CreateEndpoint answers EndPoint.0002 or the
 *   offending field's own code.
 * - vpcIdEmpty (EndPoint.2011): vpc_id is a required field of every body that has one, so its absence is a
 *   validation failure, EndPoint.0002 (docs/decisions.md, transport errors).
 *
 * The last test checks that these and the tested entries together are the whole catalog, so a new
 * catalog entry without a test here fails this file.
 */
const UNREACHABLE: Partial<Record<ErrorName, string>> = {
  systemError: 'internal fault only',
  invalidRequest: 'never raised',
  vpcIdEmpty: 'vpc_id is required by the schema (EndPoint.0002)',
}

const ports = (n = 1) => Array.from({ length: n }, (_, i) => ({ client_port: 1000 + i, server_port: 1000 + i, protocol: 'TCP' }))
const serviceBody = (overrides: Record<string, unknown> = {}) => ({ port_id: randomUUID(), vpc_id: VPC, server_type: 'VM', ports: ports(), ...overrides })

/** Everything the cases may use; filled in `before`. */
interface Fixture {
  dialect: DialectName
  server: TestServer
  owner: NewAccount
  sdk: TestVpcepClient
  tags: TestTagsClient
  /** An account on nobody's whitelist. */
  strangerSdk: TestVpcepClient
  /** The owner's service (approval off) and its accepted endpoint, by the owner. */
  service: SdkResponse
  endpoint: SdkResponse
  /** The owner's gateway endpoint to the public OBS service, and that service. */
  obs: SdkResponse
  gateway: SdkResponse
  /** Services and endpoints stay `creating`/`deleting` for a minute here, until `advance()`; quotas are 2 and 2. */
  slow: TestServer
  advance(): void
  slowTenant(name: string): Promise<TestVpcepClient>
}

interface Case {
  error: ErrorName
  /** What the client must see: HTTP status and error code, written out (and checked against the catalog). */
  expect: [number, string]
  /** Why the status differs from the catalog's, where HTTP has the better word for it. */
  statusOverride?: string
  how: string
  provoke(f: Fixture): Promise<[number, string]>
}

const CASES: Case[] = [
  { error: 'parameterError', expect: [400, 'EndPoint.0002'], how: 'a body field of the wrong type', provoke: (f) => failure(f.sdk.createEndpointService(serviceBody({ approval_enabled: 'red' }))) },
  {
    error: 'authenticationFailed',
    expect: [401, 'EndPoint.0003'],
    how: 'a wrong secret key',
    provoke: (f) => failure(sdkClient(f.server.url, { ...f.owner, secretKey: 'not-the-secret-key-0000000000000000' }).listEndpointService()),
  },
  {
    error: 'forbidden',
    expect: [403, 'EndPoint.0004'],
    how: 'a valid credential on a project that is not its own',
    provoke: async (f) => {
      const other = await f.server.account('other-project')
      return failure(sdkClient(f.server.url, { ...f.owner, projectId: other.projectId }).listEndpointService())
    },
  },
  { error: 'resourceNotFound', expect: [404, 'EndPoint.0005'], how: 'an unknown service id', provoke: (f) => failure(f.sdk.listServiceDetails(randomUUID())) },
  { error: 'invalidLimit', expect: [400, 'EndPoint.0006'], how: 'limit=0', provoke: (f) => failure(f.sdk.listEndpointService({ limit: 0 })) },
  {
    error: 'invalidAction',
    expect: [400, 'EndPoint.0007'],
    how: 'connections/action with action accept',
    provoke: (f) => failure(f.sdk.acceptOrRejectEndpoint(f.service.id, { action: 'accept', endpoints: [f.endpoint.id] })),
  },
  { error: 'invalidOffset', expect: [400, 'EndPoint.0010'], how: 'offset=-1', provoke: (f) => failure(f.sdk.listEndpoints({ offset: -1 })) },
  {
    error: 'batchTooLarge',
    expect: [400, 'EndPoint.0016'],
    how: '501 whitelist records in one batch-create',
    provoke: (f) => failure(f.sdk.batchAddEndpointServicePermissions(f.service.id, { permissions: Array.from({ length: 501 }, (_, i) => ({ permission: `iam:domain::batch${i}` })) })),
  },
  { error: 'invalidSortKey', expect: [400, 'EndPoint.0017'], how: 'sort_key=created_at', provoke: (f) => failure(f.sdk.listEndpoints({ sort_key: 'created_at' })) },
  { error: 'invalidSortDir', expect: [400, 'EndPoint.0018'], how: 'sort_dir=up', provoke: (f) => failure(f.sdk.listServiceConnections(f.service.id, { sort_dir: 'up' })) },
  { error: 'invalidStatus', expect: [400, 'EndPoint.0019'], how: 'status=deleted', provoke: (f) => failure(f.sdk.listEndpointService({ status: 'deleted' })) },
  { error: 'invalidVpcId', expect: [400, 'EndPoint.0020'], how: 'a vpc_id that is not a UUID', provoke: (f) => failure(f.sdk.createEndpointService(serviceBody({ vpc_id: 'vpc-1' }))) },
  { error: 'invalidMarkerId', expect: [400, 'EndPoint.0021'], how: 'marker_id=abc', provoke: (f) => failure(f.sdk.listServiceConnections(f.service.id, { marker_id: 'abc' })) },
  {
    error: 'invalidSubnetId',
    expect: [400, 'EndPoint.0023'],
    how: 'a subnet_id that is not a UUID',
    provoke: (f) => failure(f.sdk.createEndpoint({ endpoint_service_id: f.service.id, vpc_id: VPC, subnet_id: 'subnet-1' })),
  },
  {
    error: 'invalidSpecification',
    expect: [400, 'EndPoint.0015'],
    how: 'UpgradeEndpoint on a service that was not upgraded',
    provoke: (f) => failure(f.sdk.upgradeEndpoint(f.endpoint.id, { action: 'start' })),
  },
  {
    error: 'invalidServiceNameLookup',
    expect: [400, 'EndPoint.1003'],
    how: 'describe with a 129-character name',
    provoke: (f) => failure(f.sdk.listServiceDescribeDetails({ endpoint_service_name: 'n'.repeat(129) })),
  },
  {
    error: 'quotaExceeded',
    expect: [400, 'Endpoint.1018'],
    how: 'a third service on a quota of two',
    provoke: async (f) => {
      const sdk = await f.slowTenant('quota')
      await sdk.createEndpointService(serviceBody())
      await sdk.createEndpointService(serviceBody())
      return failure(sdk.createEndpointService(serviceBody()))
    },
  },
  {
    error: 'invalidRouteTable',
    expect: [400, 'EndPoint.1019'],
    how: 'a route table id that is not a UUID',
    provoke: (f) => failure(f.sdk.updateEndpointRoutetable(f.gateway.id, { routetables: ['rtb-1'] })),
  },
  {
    error: 'serviceDoesNotExist',
    expect: [400, 'EndPoint.2003'],
    how: 'CreateEndpoint to an unknown service',
    provoke: (f) => failure(f.sdk.createEndpoint({ endpoint_service_id: randomUUID(), vpc_id: VPC, subnet_id: SUBNET })),
  },
  {
    error: 'serviceUnavailable',
    expect: [400, 'EndPoint.2004'],
    how: 'CreateEndpoint to a service still creating',
    provoke: async (f) => {
      const sdk = await f.slowTenant('unavailable')
      const service = await sdk.createEndpointService(serviceBody())
      return failure(sdk.createEndpoint({ endpoint_service_id: service.id, vpc_id: VPC, subnet_id: SUBNET }))
    },
  },
  { error: 'endpointNotFound', expect: [404, 'EndPoint.2006'], how: 'an unknown endpoint id', provoke: (f) => failure(f.sdk.listEndpointInfoDetails(randomUUID())) },
  {
    error: 'subnetIdEmpty',
    expect: [400, 'EndPoint.2010'],
    how: 'an interface endpoint without subnet_id',
    provoke: (f) => failure(f.sdk.createEndpoint({ endpoint_service_id: f.service.id, vpc_id: VPC })),
  },
  {
    error: 'noPermissionToConnect',
    expect: [400, 'EndPoint.2012'],
    how: 'an account not on the whitelist',
    provoke: (f) => failure(f.strangerSdk.createEndpoint({ endpoint_service_id: f.service.id, vpc_id: VPC, subnet_id: SUBNET })),
  },
  {
    error: 'endpointNotOfService',
    expect: [400, 'EndPoint.2013'],
    how: 'a decision on an endpoint that is not the service\'s',
    provoke: (f) => failure(f.sdk.acceptOrRejectEndpoint(f.service.id, { action: 'receive', endpoints: [randomUUID()] })),
  },
  {
    error: 'endpointDeleting',
    expect: [400, 'EndPoint.2018'],
    how: 'deleting an endpoint twice',
    provoke: async (f) => {
      const sdk = await f.slowTenant('deleting')
      const service = await sdk.createEndpointService(serviceBody({ approval_enabled: false }))
      f.advance()
      await eventually(async () => ((await sdk.listServiceDetails(service.id)).status === 'available' ? true : undefined), 'service available')
      const endpoint = await sdk.createEndpoint({ endpoint_service_id: service.id, vpc_id: VPC, subnet_id: SUBNET })
      f.advance()
      await eventually(async () => ((await sdk.listEndpointInfoDetails(endpoint.id)).status === 'accepted' ? true : undefined), 'endpoint accepted')
      await sdk.deleteEndpoint(endpoint.id)
      return failure(sdk.deleteEndpoint(endpoint.id))
    },
  },
  {
    error: 'endpointCreating',
    expect: [400, 'EndPoint.2019'],
    how: 'deleting an endpoint still creating',
    provoke: async (f) => {
      const sdk = await f.slowTenant('creating')
      const service = await sdk.createEndpointService(serviceBody())
      f.advance()
      await eventually(async () => ((await sdk.listServiceDetails(service.id)).status === 'available' ? true : undefined), 'service available')
      const endpoint = await sdk.createEndpoint({ endpoint_service_id: service.id, vpc_id: VPC, subnet_id: SUBNET })
      return failure(sdk.deleteEndpoint(endpoint.id))
    },
  },
  { error: 'invalidEndpointAction', expect: [400, 'EndPoint.2027'], how: 'UpgradeEndpoint with action stop', provoke: (f) => failure(f.sdk.upgradeEndpoint(f.endpoint.id, { action: 'stop' })) },
  {
    error: 'onlyOneEndpoint',
    expect: [400, 'EndPoint.2031'],
    how: 'a decision on two endpoints',
    provoke: (f) => failure(f.sdk.acceptOrRejectEndpoint(f.service.id, { action: 'reject', endpoints: [f.endpoint.id, randomUUID()] })),
  },
  {
    error: 'invalidEnableDns',
    expect: [400, 'EndPoint.2033'],
    how: 'enable_dns as a string',
    provoke: (f) => failure(f.sdk.createEndpoint({ endpoint_service_id: f.service.id, vpc_id: VPC, subnet_id: SUBNET, enable_dns: 'yes' })),
  },
  {
    error: 'routeTableInUse',
    expect: [400, 'EndPoint.2039'],
    how: 'a second gateway endpoint on the same route table',
    provoke: (f) => failure(f.sdk.createEndpoint({ endpoint_service_id: f.obs.id, vpc_id: f.gateway.vpc_id, routetables: f.gateway.routetables })),
  },
  {
    error: 'noRouteTable',
    expect: [400, 'EndPoint.2040'],
    how: 'UpdateEndpointRoutetable on an interface endpoint',
    provoke: (f) => failure(f.sdk.updateEndpointRoutetable(f.endpoint.id, { routetables: [randomUUID()] })),
  },
  {
    error: 'endpointWhitelistFull',
    expect: [400, 'EndPoint.2045'],
    how: '61 entries in an endpoint\'s IP whitelist',
    provoke: (f) => failure(f.sdk.updateEndpointWhite(f.endpoint.id, { whitelist: Array.from({ length: 61 }, (_, i) => `10.1.${i}.1`) })),
  },
  {
    error: 'invalidPermission',
    expect: [400, 'EndPoint.3002'],
    how: 'a whitelist string of no known form',
    provoke: (f) => failure(f.sdk.addOrRemoveServicePermissions(f.service.id, { action: 'add', permissions: ['account:42'] })),
  },
  { error: 'invalidPortId', expect: [400, 'EndPoint.3003'], how: 'a port_id that is not a UUID', provoke: (f) => failure(f.sdk.createEndpointService(serviceBody({ port_id: 'port-1' }))) },
  { error: 'serviceInUse', expect: [400, 'EndPoint.3006'], how: 'deleting a service with an accepted endpoint', provoke: (f) => failure(f.sdk.deleteEndpointService(f.service.id)) },
  { error: 'invalidCidr', expect: [400, 'EndPoint.3009'], how: 'a /33 CIDR', provoke: (f) => failure(f.sdk.updateEndpointWhite(f.endpoint.id, { whitelist: ['10.0.0.0/33'] })) },
  { error: 'invalidIpAddress', expect: [400, 'EndPoint.3010'], how: 'an octet of 256', provoke: (f) => failure(f.sdk.updateEndpointWhite(f.endpoint.id, { whitelist: ['10.0.0.256'] })) },
  { error: 'invalidServerType', expect: [400, 'EndPoint.3021'], how: 'server_type ECS', provoke: (f) => failure(f.sdk.createEndpointService(serviceBody({ server_type: 'ECS' }))) },
  {
    error: 'invalidPermissionAction',
    expect: [400, 'EndPoint.3035'],
    how: 'permissions/action with action grant',
    provoke: (f) => failure(f.sdk.addOrRemoveServicePermissions(f.service.id, { action: 'grant', permissions: ['*'] })),
  },
  {
    error: 'emptyPermissions',
    expect: [400, 'EndPoint.3036'],
    how: 'permissions/action with no permissions',
    provoke: (f) => failure(f.sdk.addOrRemoveServicePermissions(f.service.id, { action: 'add', permissions: [] })),
  },
  {
    error: 'invalidServicePort',
    expect: [400, 'EndPoint.3043'],
    how: 'client_port 0',
    provoke: (f) => failure(f.sdk.createEndpointService(serviceBody({ ports: [{ client_port: 0, server_port: 80 }] }))),
  },
  {
    error: 'portsConflict',
    expect: [400, 'EndPoint.3044'],
    how: 'the server port of another service on the same port_id',
    provoke: (f) => failure(f.sdk.createEndpointService(serviceBody({ port_id: f.service.port_id, ports: [{ client_port: 9999, server_port: f.service.ports[0].server_port }] }))),
  },
  {
    error: 'serviceNotModifiable',
    expect: [400, 'EndPoint.3045'],
    how: 'UpdateEndpointService on a service still creating',
    provoke: async (f) => {
      const sdk = await f.slowTenant('modifiable')
      const service = await sdk.createEndpointService(serviceBody())
      return failure(sdk.updateEndpointService(service.id, { description: 'too early' }))
    },
  },
  {
    error: 'whitelistFull',
    expect: [400, 'EndPoint.3049'],
    how: 'the 1,001st whitelist record of a service',
    provoke: async (f) => {
      const service = await f.sdk.createEndpointService(serviceBody())
      for (const batch of [0, 1]) {
        const permissions = Array.from({ length: 500 }, (_, i) => ({ permission: `iam:domain::full${batch}x${i}` }))
        assert.equal((await f.sdk.batchAddEndpointServicePermissions(service.id, { permissions })).permissions.length, 500)
      }
      return failure(f.sdk.addOrRemoveServicePermissions(service.id, { action: 'add', permissions: ['iam:domain::onemore'] }))
    },
  },
  {
    error: 'portIdAndIpTogether',
    expect: [400, 'EndPoint.3052'],
    how: 'UpdateEndpointService with port_id and ip',
    provoke: (f) => failure(f.sdk.updateEndpointService(f.service.id, { port_id: randomUUID(), ip: '10.0.0.1' })),
  },
  { error: 'invalidServiceId', expect: [400, 'EndPoint.3062'], how: 'describe with a 65-character id', provoke: (f) => failure(f.sdk.listServiceDescribeDetails({ id: 'i'.repeat(65) })) },
  {
    error: 'tagEmpty',
    expect: [400, 'EndPoint.3066'],
    how: 'a tag action without tags',
    provoke: (f) => failure(f.tags.batchAddOrRemoveResourceInstance('endpoint_service', f.service.id, { action: 'create', tags: [] })),
  },
  {
    error: 'tagKeyDuplicated',
    expect: [400, 'EndPoint.3067'],
    how: 'one key twice in a create body',
    provoke: (f) => failure(f.sdk.createEndpointService(serviceBody({ tags: [{ key: 'k', value: '1' }, { key: 'k', value: '2' }] }))),
  },
  { error: 'tagInvalid', expect: [400, 'EndPoint.3068'], how: 'a key starting with _sys_', provoke: (f) => failure(f.sdk.createEndpointService(serviceBody({ tags: [{ key: '_sys_x', value: 'v' }] }))) },
  {
    error: 'tagLimit',
    expect: [400, 'EndPoint.3069'],
    how: '21 tags',
    provoke: (f) => failure(f.sdk.createEndpointService(serviceBody({ tags: Array.from({ length: 21 }, (_, i) => ({ key: `k${i}`, value: 'v' })) }))),
  },
  {
    error: 'invalidResourceType',
    expect: [400, 'EndPoint.3070'],
    how: 'resource_type vpc',
    provoke: (f) => failure(f.tags.batchAddOrRemoveResourceInstance('vpc', f.service.id, { action: 'create', tags: [{ key: 'k', value: 'v' }] })),
  },
  {
    error: 'tagValueDuplicated',
    expect: [400, 'EndPoint.3071'],
    how: 'one value twice under a key of a search filter',
    provoke: (f) => failure(f.tags.listResourceInstances('endpoint_service', { action: 'filter', tags: [{ key: 'k', values: ['v', 'v'] }] })),
  },
  {
    error: 'tagKeySize',
    expect: [400, 'EndPoint.3072'],
    how: 'a 129-character key in a search filter',
    provoke: (f) => failure(f.tags.listResourceInstances('endpoint_service', { action: 'filter', tags: [{ key: 'k'.repeat(129), values: [] }] })),
  },
  {
    error: 'tagValueSize',
    expect: [400, 'EndPoint.3073'],
    how: 'a 256-character value in a search filter',
    provoke: (f) => failure(f.tags.listResourceInstances('endpoint_service', { action: 'filter', tags: [{ key: 'k', values: ['v'.repeat(256)] }] })),
  },
  { error: 'tooManyPorts', expect: [400, 'EndPoint.3074'], how: '201 port mappings', provoke: (f) => failure(f.sdk.createEndpointService(serviceBody({ ports: ports(201) }))) },
  {
    error: 'invalidProtocol',
    expect: [400, 'EndPoint.3075'],
    how: 'protocol ICMP',
    provoke: (f) => failure(f.sdk.createEndpointService(serviceBody({ ports: [{ client_port: 1, server_port: 1, protocol: 'ICMP' }] }))),
  },
  { error: 'invalidServiceName', expect: [400, 'EndPoint.3076'], how: 'a service_name with a space', provoke: (f) => failure(f.sdk.createEndpointService(serviceBody({ service_name: 'bad name' }))) },
  {
    error: 'throttled',
    expect: [429, 'EndPoint.0022'],
    statusOverride: 'rate limiting answers 429 with Retry-After (docs/operations.md), not the table\'s 400',
    how: 'a third request within a second on a limit of 1/s, burst 2',
    provoke: async (f) => {
      const server = await startServer(await freshDatabaseUrl(f.dialect), { rateLimit: { perSecond: 1, burst: 2 } })
      try {
        const sdk = sdkClient(server.url, await server.account('hasty'))
        await sdk.listEndpoints()
        await sdk.listEndpoints()
        return await failure(sdk.listEndpoints())
      } finally {
        await server.stop()
      }
    },
  },
  {
    error: 'addressRangeExhausted',
    expect: [400, 'EndPoint.4010'],
    how: "a third endpoint when the data plane's address range (a /30) holds two",
    provoke: async (f) => {
      const url = await freshDatabaseUrl(f.dialect)
      const dataplane = loadConfig({ VPCEP_DATABASE_URL: url }).dataplane
      const server = await startServer(url, { dataplane: { ...dataplane, addressRange: loopbackRange('tiny', `127.${randomInt(20, 250)}.${randomInt(0, 256)}.0/30`) } })
      try {
        const sdk = sdkClient(server.url, await server.account('crowded'))
        const service = await availableService(sdk)
        for (let i = 0; i < 2; i++) await sdk.createEndpoint({ endpoint_service_id: service.id, vpc_id: VPC, subnet_id: SUBNET })
        return await failure(sdk.createEndpoint({ endpoint_service_id: service.id, vpc_id: VPC, subnet_id: SUBNET }))
      } finally {
        await server.stop()
      }
    },
  },
  {
    error: 'databaseUnavailable',
    expect: [503, 'EndPoint.0001'],
    how: 'GET /readyz while the database is gone',
    provoke: async (f) => {
      // A server of its own whose database connection is closed under it.
      const server = await startServer(await freshDatabaseUrl(f.dialect))
      try {
        await server.store.close()
        const res = await httpRequest(`${server.url}/readyz`)
        assert.equal(res.json?.request_id, res.headers['x-request-id'])
        return [res.status, res.json?.error_code]
      } finally {
        await server.app.close()
      }
    },
  },
]

describe('error catalog coverage', () => {
  it('tests every catalog entry here or lists it as unreachable, never both', () => {
    const tested = CASES.map((c) => c.error)
    assert.equal(new Set(tested).size, tested.length, 'one test per entry')
    const unreachable = Object.keys(UNREACHABLE)
    assert.deepEqual(tested.filter((name) => unreachable.includes(name)), [])
    assert.deepEqual([...tested, ...unreachable].sort(), Object.keys(ERRORS).sort())
  })

  it('expects of each entry exactly the catalog\'s code, and its status unless the case says why not', () => {
    for (const c of CASES) {
      assert.equal(c.expect[1], ERRORS[c.error].code, c.error)
      if (!c.statusOverride) assert.equal(c.expect[0], ERRORS[c.error].status, c.error)
    }
  })
})

for (const dialect of dialects()) {
  describe(`every reachable catalog code, provoked through the API [${dialect}]`, () => {
    const f = {} as Fixture
    const clock = new ManualClock()
    let tenants = 0

    before(async () => {
      f.dialect = dialect
      f.server = await startServer(await freshDatabaseUrl(dialect))
      f.owner = await f.server.account('owner')
      f.sdk = sdkClient(f.server.url, f.owner)
      f.tags = tagsClient(f.server.url, f.owner)
      f.strangerSdk = sdkClient(f.server.url, await f.server.account('stranger'))
      f.service = await availableService(f.sdk, { approval_enabled: false })
      f.endpoint = await settledNewEndpoint(f.sdk, { endpoint_service_id: f.service.id })
      assert.equal(f.endpoint.status, 'accepted')
      f.obs = (await f.sdk.listServicePublicDetails({ endpoint_service_name: '.obs' })).endpoint_services[0]
      f.gateway = await settledNewEndpoint(f.sdk, { endpoint_service_id: f.obs.id, vpc_id: randomUUID(), subnet_id: undefined })

      f.slow = await startServer(await freshDatabaseUrl(dialect), { provisionDelayMs: 60_000, quotas: { endpointService: 2, endpoint: 2 } }, clock)
      // Each push stays well inside the 15-minute signature window.
      f.advance = () => {
        clock.advance(61_000)
        f.slow.app.reconciler.kick()
      }
      f.slowTenant = async (name) => sdkClient(f.slow.url, await f.slow.account(`${name}${++tenants}`))
    })
    after(async () => {
      await f.server?.stop()
      await f.slow?.stop()
    })

    for (const c of CASES) {
      it(`${c.expect[1]} (${c.expect[0]}) ${c.error}: ${c.how}`, async () => {
        assert.deepEqual(await c.provoke(f), c.expect)
      })
    }
  })
}
