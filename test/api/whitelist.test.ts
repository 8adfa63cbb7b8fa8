import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { dialects, freshDatabaseUrl, startServer, type TestServer } from '../helpers/server.ts'
import { sdkClient, type SdkResponse, type TestVpcepClient } from '../helpers/vpcep-sdk.ts'
import { ManualClock, VPC, WIRE_TIME, availableService, failure, settledEndpoint, settledNewEndpoint } from '../helpers/fixtures.ts'
import type { NewAccount } from '../../src/identity/accounts.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const INVALID_PERMISSION: [number, string] = [400, 'EndPoint.3002']
const EMPTY_PERMISSIONS: [number, string] = [400, 'EndPoint.3036']

for (const dialect of dialects()) {
  describe(`service whitelist [${dialect}]`, () => {
    let server: TestServer
    let a: NewAccount
    let b: NewAccount
    let c: NewAccount
    let aSdk: TestVpcepClient
    let bSdk: TestVpcepClient
    let cSdk: TestVpcepClient
    const clock = new ManualClock()

    before(async () => {
      server = await startServer(await freshDatabaseUrl(dialect), {}, clock)
      a = await server.account('provider')
      b = await server.account('consumer')
      c = await server.account('other')
      aSdk = sdkClient(server.url, a)
      bSdk = sdkClient(server.url, b)
      cSdk = sdkClient(server.url, c)
    })
    after(() => server.stop())

    /** The whole whitelist of a service, oldest first. */
    async function whitelistOf(serviceId: string): Promise<SdkResponse> {
      return aSdk.listServicePermissionsDetails(serviceId, { limit: 500, sort_dir: 'asc' })
    }

    function assertRecord(record: any, permission: string, permissionType: string, description: string) {
      assert.deepEqual(Object.keys(record).sort(), ['created_at', 'description', 'id', 'permission', 'permission_type'])
      assert.match(record.id, UUID)
      assert.equal(record.permission, permission)
      assert.equal(record.permission_type, permissionType)
      assert.equal(record.description, description)
      assert.match(record.created_at, WIRE_TIME)
    }

    it('batch-create answers the new records; a string already present returns its existing record', async () => {
      const service = await availableService(aSdk)
      const added = await aSdk.batchAddEndpointServicePermissions(service.id, {
        permissions: [
          { permission: `iam:domain::${b.domainId}`, description: 'consumer' },
          { permission: 'organizations:orgPath::o-abc/r-1', description: 'org unit' },
        ],
      })
      assert.equal(added.httpStatusCode, 200)
      assert.equal(added.permissions.length, 2)
      const [domain, org] = added.permissions
      assertRecord(domain, `iam:domain::${b.domainId}`, 'domainId', 'consumer')
      assertRecord(org, 'organizations:orgPath::o-abc/r-1', 'orgPath', 'org unit')
      assert.notEqual(domain.id, org.id)

      const again = await aSdk.batchAddEndpointServicePermissions(service.id, {
        permissions: [{ permission: `iam:domain::${b.domainId}`, description: 'consumer again' }, { permission: 'iam:domain::fresh01' }],
      })
      assert.equal(again.permissions.length, 2)
      assert.equal(again.permissions[0].id, domain.id)
      assert.equal(again.permissions[0].created_at, domain.created_at)
      assertRecord(again.permissions[1], 'iam:domain::fresh01', 'domainId', '')

      // The same string twice in one batch is one record.
      const twice = await aSdk.batchAddEndpointServicePermissions(service.id, { permissions: [{ permission: 'iam:domain::twice01' }, { permission: 'iam:domain::twice01' }] })
      assert.equal(new Set(twice.permissions.map((p: any) => p.id)).size, 1)
      // Adding by string is idempotent too.
      await aSdk.addOrRemoveServicePermissions(service.id, { action: 'add', permissions: [`iam:domain::${b.domainId}`, 'organizations:orgPath::o-abc/r-1'] })

      const list = await whitelistOf(service.id)
      assert.equal(list.total_count, 4)
      const strings = list.permissions.map((p: any) => p.permission)
      assert.deepEqual([...strings].sort(), [`iam:domain::${b.domainId}`, 'iam:domain::fresh01', 'iam:domain::twice01', 'organizations:orgPath::o-abc/r-1'].sort())
      const listed = list.permissions.find((p: any) => p.permission === `iam:domain::${b.domainId}`)
      assert.deepEqual({ id: listed.id, permission_type: listed.permission_type, created_at: listed.created_at }, { id: domain.id, permission_type: 'domainId', created_at: domain.created_at })
    })

    it('keeps * and iam:domain::* as written: two records, each admitting every account', async () => {
      const service = await availableService(aSdk)
      const star = await aSdk.batchAddEndpointServicePermissions(service.id, { permissions: [{ permission: '*', description: 'everyone' }] })
      assertRecord(star.permissions[0], '*', 'domainId', 'everyone')
      const again = await aSdk.addOrRemoveServicePermissions(service.id, { action: 'add', permissions: ['*'], permission_type: 'domainId' })
      assert.deepEqual(again.permissions, ['*'])
      const spelled = await aSdk.batchAddEndpointServicePermissions(service.id, { permissions: [{ permission: 'iam:domain::*' }] })
      assert.notEqual(spelled.permissions[0].id, star.permissions[0].id)
      const list = await whitelistOf(service.id)
      assert.deepEqual(list.permissions.map((p: any) => [p.id, p.permission]), [[star.permissions[0].id, '*'], [spelled.permissions[0].id, 'iam:domain::*']])

      const bEndpoint = await settledNewEndpoint(bSdk, { endpoint_service_id: service.id })
      assert.equal(bEndpoint.status, 'pendingAcceptance')
      // Removing one spelling leaves the other, which still admits everyone.
      assert.deepEqual((await aSdk.addOrRemoveServicePermissions(service.id, { action: 'remove', permissions: ['iam:domain::*'] })).permissions, ['*'])
      const cEndpoint = await settledNewEndpoint(cSdk, { endpoint_service_id: service.id })
      assert.equal(cEndpoint.status, 'pendingAcceptance')

      const removed = await aSdk.addOrRemoveServicePermissions(service.id, { action: 'remove', permissions: ['*'] })
      assert.deepEqual(removed.permissions, [])
      assert.deepEqual(await failure(cSdk.createEndpoint({ endpoint_service_id: service.id, vpc_id: VPC, subnet_id: randomUUID() })), [400, 'EndPoint.2012'])
      assert.equal((await cSdk.listEndpointInfoDetails(cEndpoint.id)).status, 'pendingAcceptance')
    })

    it('refuses malformed strings with EndPoint.3002 and stores nothing', async () => {
      const service = await availableService(aSdk)
      const malformed = [
        'iam:domain::',
        'foo',
        'iam:domain::a-b',
        `iam:domain::${'a'.repeat(65)}`,
        'iam:domain::abc def',
        'iam:domain:abc',
        'organizations:orgPath::',
        '**',
        ' *',
        'iam:domain::abc123 ',
      ]
      for (const bad of malformed) {
        const batch = await failure(aSdk.batchAddEndpointServicePermissions(service.id, { permissions: [{ permission: 'iam:domain::valid01' }, { permission: bad }] }))
        assert.deepEqual(batch, INVALID_PERMISSION, `batch-create ${JSON.stringify(bad)}`)
        const action = await failure(aSdk.addOrRemoveServicePermissions(service.id, { action: 'add', permissions: ['iam:domain::valid01', bad] }))
        assert.deepEqual(action, INVALID_PERMISSION, `action add ${JSON.stringify(bad)}`)
      }
      // An empty string fails the wire schema (minLength) before the permission rules: a parameter error.
      const emptyBatch = await failure(aSdk.batchAddEndpointServicePermissions(service.id, { permissions: [{ permission: 'iam:domain::valid01' }, { permission: '' }] }))
      assert.deepEqual(emptyBatch, [400, 'EndPoint.0002'])
      const emptyAction = await failure(aSdk.addOrRemoveServicePermissions(service.id, { action: 'add', permissions: ['iam:domain::valid01', ''] }))
      assert.deepEqual(emptyAction, [400, 'EndPoint.0002'])
      assert.equal((await whitelistOf(service.id)).total_count, 0)

      // A declared permission_type must match every string.
      const mismatches: Array<[string, string]> = [
        ['orgPath', 'iam:domain::abc123'],
        ['domainId', 'organizations:orgPath::o-abc/r-1'],
        ['orgPath', '*'],
      ]
      for (const [declared, permission] of mismatches) {
        assert.deepEqual(await failure(aSdk.batchAddEndpointServicePermissions(service.id, { permission_type: declared, permissions: [{ permission }] })), INVALID_PERMISSION, `${declared} ${permission}`)
        assert.deepEqual(await failure(aSdk.addOrRemoveServicePermissions(service.id, { action: 'add', permission_type: declared, permissions: [permission] })), INVALID_PERMISSION, `${declared} ${permission}`)
      }
      assert.deepEqual(await failure(aSdk.batchAddEndpointServicePermissions(service.id, { permissions: [] })), EMPTY_PERMISSIONS)
      assert.deepEqual(await failure(aSdk.addOrRemoveServicePermissions(service.id, { action: 'add', permissions: [] })), EMPTY_PERMISSIONS)
      assert.deepEqual(await failure(aSdk.addOrRemoveServicePermissions(service.id, { action: 'remove', permissions: [] })), EMPTY_PERMISSIONS)
      assert.equal((await whitelistOf(service.id)).total_count, 0)

      // The boundaries that are valid.
      const longest = `iam:domain::${'a'.repeat(64)}`
      const org = await aSdk.batchAddEndpointServicePermissions(service.id, { permission_type: 'orgPath', permissions: [{ permission: 'organizations:orgPath::o-abc/r-1/*' }] })
      assert.equal(org.permissions[0].permission_type, 'orgPath')
      const orgAction = await aSdk.addOrRemoveServicePermissions(service.id, { action: 'add', permission_type: 'orgPath', permissions: ['organizations:orgPath::*'] })
      assert.equal(orgAction.permission_type, 'orgPath')
      await aSdk.addOrRemoveServicePermissions(service.id, { action: 'add', permission_type: 'domainId', permissions: [longest] })
      assert.deepEqual((await whitelistOf(service.id)).permissions.map((p: any) => p.permission).sort(), [longest, 'organizations:orgPath::*', 'organizations:orgPath::o-abc/r-1/*'].sort())
    })

    it('batch-delete removes exactly the given records and answers them', async () => {
      const service = await availableService(aSdk)
      const added = (
        await aSdk.batchAddEndpointServicePermissions(service.id, {
          permissions: [1, 2, 3, 4].map((n) => ({ permission: `iam:domain::rec0${n}`, description: `record ${n}` })),
        })
      ).permissions
      const [r1, r2, r3, r4] = added
      const removed = await aSdk.batchRemoveEndpointServicePermissions(service.id, { permissions: [{ id: r3.id }, { id: r1.id }] })
      assert.equal(removed.httpStatusCode, 200)
      assert.ok(Array.isArray(removed.permissions))
      const byId = (list: any[]) => [...list].sort((x, y) => x.id.localeCompare(y.id))
      assert.deepEqual(byId(removed.permissions), byId([r1, r3]))
      assert.deepEqual((await whitelistOf(service.id)).permissions.map((p: any) => p.id).sort(), [r2.id, r4.id].sort())

      // The same id twice in one batch removes it once.
      const twice = await aSdk.batchRemoveEndpointServicePermissions(service.id, { permissions: [{ id: r2.id }, { id: r2.id }] })
      assert.equal(twice.httpStatusCode, 200)
      assert.deepEqual([...new Set(twice.permissions.map((p: any) => p.id))], [r2.id])
      assert.deepEqual(twice.permissions[0], r2)
      const left = await whitelistOf(service.id)
      assert.deepEqual([left.total_count, left.permissions.map((p: any) => p.id)], [1, [r4.id]])

      // A removed record is unknown from then on.
      assert.deepEqual(await failure(aSdk.batchRemoveEndpointServicePermissions(service.id, { permissions: [{ id: r2.id }] })), INVALID_PERMISSION)
      assert.deepEqual(await failure(aSdk.batchRemoveEndpointServicePermissions(service.id, { permissions: [] })), EMPTY_PERMISSIONS)
      assert.deepEqual((await whitelistOf(service.id)).permissions.map((p: any) => p.id), [r4.id])
    })

    it('batch-delete with any id that is not a record of the service removes nothing', async () => {
      const service = await availableService(aSdk)
      const sibling = await availableService(aSdk)
      const [r1, r2] = (await aSdk.batchAddEndpointServicePermissions(service.id, { permissions: [{ permission: 'iam:domain::own01' }, { permission: 'iam:domain::own02' }] })).permissions
      const [q1] = (await aSdk.batchAddEndpointServicePermissions(sibling.id, { permissions: [{ permission: 'iam:domain::own01' }] })).permissions
      const initial = await whitelistOf(service.id)
      const siblingBefore = await whitelistOf(sibling.id)

      const batches: Array<[string, Array<{ id: string }>]> = [
        ['valid + unknown', [{ id: r1.id }, { id: randomUUID() }]],
        ['unknown + valid', [{ id: randomUUID() }, { id: r2.id }]],
        ['valid + a sibling service record', [{ id: r1.id }, { id: q1.id }]],
        ['only a sibling service record', [{ id: q1.id }]],
        ['all valid + the service id', [{ id: r1.id }, { id: r2.id }, { id: service.id }]],
        ['a non-uuid id', [{ id: r1.id }, { id: 'not-a-record' }]],
      ]
      for (const [name, permissions] of batches) {
        assert.deepEqual(await failure(aSdk.batchRemoveEndpointServicePermissions(service.id, { permissions })), INVALID_PERMISSION, name)
        assert.deepEqual(await whitelistOf(service.id), initial, `${name}: nothing removed`)
      }
      assert.deepEqual(await whitelistOf(sibling.id), siblingBefore, "the sibling service's whitelist is untouched")
    })

    it('permissions/action adds and removes by string and answers the resulting whitelist', async () => {
      const service = await availableService(aSdk)
      const x = 'iam:domain::xxx01'
      const y = 'iam:domain::yyy02'
      const z = 'iam:domain::zzz03'
      const added = await aSdk.addOrRemoveServicePermissions(service.id, { action: 'add', permissions: [x, y] })
      assert.equal(added.httpStatusCode, 200)
      assert.deepEqual([...added.permissions].sort(), [x, y])
      assert.equal(added.permission_type, 'domainId')
      const more = await aSdk.addOrRemoveServicePermissions(service.id, { action: 'add', permissions: [z] })
      assert.deepEqual([...more.permissions].sort(), [x, y, z])
      const fewer = await aSdk.addOrRemoveServicePermissions(service.id, { action: 'remove', permissions: [y] })
      assert.deepEqual([...fewer.permissions].sort(), [x, z])
      const noop = await aSdk.addOrRemoveServicePermissions(service.id, { action: 'remove', permissions: ['iam:domain::absent09', y] })
      assert.deepEqual([...noop.permissions].sort(), [x, z])
      const current = await whitelistOf(service.id)
      assert.deepEqual(current.permissions.map((p: any) => p.permission).sort(), [x, z])

      for (const action of ['delete', 'Add', 'create']) {
        assert.deepEqual(await failure(aSdk.addOrRemoveServicePermissions(service.id, { action, permissions: [y] })), [400, 'EndPoint.3035'], action)
      }
      assert.deepEqual(await whitelistOf(service.id), current)
    })

    it('lists with a case-insensitive permission filter, paging and both sort directions', async () => {
      const service = await availableService(aSdk)
      const strings = ['iam:domain::AbcDef01', 'iam:domain::abcdef02', 'iam:domain::xyz03', 'organizations:orgPath::o-abc/r-1', 'iam:domain::qrs04', 'iam:domain::tuv05']
      // Three calls, a second apart, so the records do not all share one creation time.
      await aSdk.batchAddEndpointServicePermissions(service.id, { permissions: strings.slice(0, 3).map((permission) => ({ permission })) })
      clock.advance(1000)
      await aSdk.addOrRemoveServicePermissions(service.id, { action: 'add', permissions: strings.slice(3, 4), permission_type: 'orgPath' })
      clock.advance(1000)
      await aSdk.batchAddEndpointServicePermissions(service.id, { permissions: strings.slice(4).map((permission) => ({ permission })) })

      const asc = await aSdk.listServicePermissionsDetails(service.id, { sort_dir: 'asc', limit: 500 })
      const desc = await aSdk.listServicePermissionsDetails(service.id, { sort_dir: 'desc', limit: 500 })
      const byDefault = await aSdk.listServicePermissionsDetails(service.id)
      assert.equal(asc.total_count, 6)
      assert.deepEqual(asc.permissions.map((p: any) => p.permission).sort(), [...strings].sort())
      assert.deepEqual(desc.permissions, [...asc.permissions].reverse())
      assert.deepEqual(byDefault.permissions, desc.permissions, 'sort_dir defaults to desc')
      const times = asc.permissions.map((p: any) => p.created_at)
      assert.deepEqual(times, [...times].sort(), 'asc is oldest first')
      // Records added by a later call never come before those of an earlier one.
      const position = (s: string) => asc.permissions.findIndex((p: any) => p.permission === s)
      for (const early of strings.slice(0, 3)) for (const late of strings.slice(4)) assert.ok(position(early) < position(late), `${early} before ${late}`)

      const filters: Array<[string, string[]]> = [
        ['ABCDEF', ['iam:domain::AbcDef01', 'iam:domain::abcdef02']],
        ['abcdef0', ['iam:domain::AbcDef01', 'iam:domain::abcdef02']],
        ['ORGPATH', ['organizations:orgPath::o-abc/r-1']],
        ['abc', ['iam:domain::AbcDef01', 'iam:domain::abcdef02', 'organizations:orgPath::o-abc/r-1']],
        ['IAM:DOMAIN::XYZ', ['iam:domain::xyz03']],
        ['%', []],
        ['_', []],
        ['nomatch', []],
      ]
      for (const [permission, expected] of filters) {
        const filtered = await aSdk.listServicePermissionsDetails(service.id, { permission, limit: 500 })
        assert.deepEqual(filtered.permissions.map((p: any) => p.permission).sort(), [...expected].sort(), `filter ${permission}`)
        assert.equal(filtered.total_count, expected.length, `filter ${permission} total_count`)
      }
      const filteredPage = await aSdk.listServicePermissionsDetails(service.id, { permission: 'abc', limit: 1, offset: 1 })
      assert.deepEqual([filteredPage.permissions.length, filteredPage.total_count], [1, 3])

      const pages: any[] = []
      for (let offset = 0; offset < 8; offset += 2) {
        const page = await aSdk.listServicePermissionsDetails(service.id, { sort_dir: 'asc', limit: 2, offset })
        assert.equal(page.total_count, 6)
        assert.equal(page.permissions.length, offset < 6 ? 2 : 0)
        pages.push(...page.permissions)
      }
      assert.deepEqual(pages, asc.permissions)
      const past = await aSdk.listServicePermissionsDetails(service.id, { offset: 100 })
      assert.deepEqual([past.permissions, past.total_count], [[], 6])

      assert.deepEqual(await failure(aSdk.listServicePermissionsDetails(service.id, { limit: 501 })), [400, 'EndPoint.0006'])
      assert.deepEqual(await failure(aSdk.listServicePermissionsDetails(service.id, { limit: 0 })), [400, 'EndPoint.0006'])
      assert.deepEqual(await failure(aSdk.listServicePermissionsDetails(service.id, { offset: -1 })), [400, 'EndPoint.0010'])
      assert.deepEqual(await failure(aSdk.listServicePermissionsDetails(service.id, { sort_dir: 'up' })), [400, 'EndPoint.0018'])
      assert.deepEqual(await failure(aSdk.listServicePermissionsDetails(service.id, { sort_key: 'created_at' })), [400, 'EndPoint.0017'])
    })

    it('gates only new endpoints: removing the record refuses new ones and keeps existing connections', async () => {
      const service = await availableService(aSdk)
      await aSdk.addOrRemoveServicePermissions(service.id, { action: 'add', permissions: [`iam:domain::${b.domainId}`, 'iam:domain::bystander01'] })
      const accepted = await settledNewEndpoint(bSdk, { endpoint_service_id: service.id })
      await aSdk.acceptOrRejectEndpoint(service.id, { action: 'receive', endpoints: [accepted.id] })
      const pending = await settledNewEndpoint(bSdk, { endpoint_service_id: service.id })
      assert.equal(pending.status, 'pendingAcceptance')
      const connectionsBefore = await aSdk.listServiceConnections(service.id, { limit: 1000 })

      const record = (await aSdk.listServicePermissionsDetails(service.id, { permission: b.domainId })).permissions[0]
      const removed = await aSdk.batchRemoveEndpointServicePermissions(service.id, { permissions: [{ id: record.id }] })
      assert.deepEqual(removed.permissions.map((p: any) => p.permission), [`iam:domain::${b.domainId}`])
      assert.deepEqual((await whitelistOf(service.id)).permissions.map((p: any) => p.permission), ['iam:domain::bystander01'])

      assert.deepEqual(await failure(bSdk.createEndpoint({ endpoint_service_id: service.id, vpc_id: VPC, subnet_id: randomUUID() })), [400, 'EndPoint.2012'])
      assert.equal((await bSdk.listEndpoints({ endpoint_service_name: service.id })).total_count, 2, 'no endpoint was created')
      assert.equal((await bSdk.listEndpointInfoDetails(accepted.id)).status, 'accepted')
      assert.equal((await bSdk.listEndpointInfoDetails(pending.id)).status, 'pendingAcceptance')
      assert.deepEqual(await aSdk.listServiceConnections(service.id, { limit: 1000 }), connectionsBefore)
      assert.equal((await aSdk.listServiceDetails(service.id)).connection_count, 1)

      // The provider still decides on the existing connection.
      const decided = await aSdk.acceptOrRejectEndpoint(service.id, { action: 'receive', endpoints: [pending.id] })
      assert.equal(decided.connections[0].status, 'accepted')
      assert.equal((await bSdk.listEndpointInfoDetails(pending.id)).status, 'accepted')

      // Whitelisted again, the consumer connects again.
      await aSdk.addOrRemoveServicePermissions(service.id, { action: 'add', permissions: [`iam:domain::${b.domainId}`] })
      const again = await bSdk.createEndpoint({ endpoint_service_id: service.id, vpc_id: VPC, subnet_id: randomUUID() })
      assert.equal((await settledEndpoint(bSdk, again.id)).status, 'pendingAcceptance')
    })
  })
}
