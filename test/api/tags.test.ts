import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { dialects, eventually, freshDatabaseUrl, startServer, type TestServer } from '../helpers/server.ts'
import { sdkClient, sdkError, type SdkResponse, type TestVpcepClient } from '../helpers/vpcep-sdk.ts'
import { tagsClient, type TestTagsClient } from '../helpers/tags-sdk.ts'
import { ManualClock } from '../helpers/fixtures.ts'
import type { NewAccount } from '../../src/identity/accounts.ts'

const VPC = '4189d3c2-8882-4871-a3c2-d380272eed80'
const SUBNET = '68bfbcc1-dff2-47e4-a9d4-332b9bc1b8de'
const SERVICE = 'endpoint_service'
const ENDPOINT = 'endpoint'

type Tag = { key: string; value: string }

/** One account's two clients: the VPCEP operations and the tag operations. */
interface Tenant {
  account: NewAccount
  vpcep: TestVpcepClient
  tags: TestTagsClient
}

async function failure(call: Promise<unknown>): Promise<[number, string]> {
  const e = await sdkError(call)
  return [e.httpStatusCode, e.errorCode]
}

const ids = (response: SdkResponse) => response.resources.map((r: any) => r.resource_id)

for (const dialect of dialects()) {
  describe(`tag operations [${dialect}]`, () => {
    let server: TestServer
    // Moved on between creates where a test needs distinct creation times, instead of sleeping.
    const clock = new ManualClock()
    let owner: Tenant
    let stranger: Tenant

    async function tenant(name: string): Promise<Tenant> {
      const account = await server.account(name)
      return { account, vpcep: sdkClient(server.url, account), tags: tagsClient(server.url, account) }
    }

    function newService(t: Tenant, body: Record<string, unknown> = {}) {
      return t.vpcep.createEndpointService({ port_id: randomUUID(), vpc_id: VPC, server_type: 'VM', ports: [{ client_port: 8080, server_port: 80, protocol: 'TCP' }], ...body })
    }

    /** An endpoint of the tenant to its own service (approval off), settled in `accepted`. */
    async function newEndpoint(t: Tenant, body: Record<string, unknown> = {}) {
      const service = await newService(t, { approval_enabled: false })
      await eventually(async () => ((await t.vpcep.listServiceDetails(service.id)).status === 'available' ? true : undefined), 'service available')
      const endpoint = await t.vpcep.createEndpoint({ endpoint_service_id: service.id, vpc_id: VPC, subnet_id: SUBNET, ...body })
      return eventually(async () => {
        const e = await t.vpcep.listEndpointInfoDetails(endpoint.id)
        return e.status === 'accepted' ? e : undefined
      }, 'endpoint accepted')
    }

    const serviceTags = async (t: Tenant, id: string): Promise<Tag[]> => (await t.vpcep.listServiceDetails(id)).tags
    const endpointTags = async (t: Tenant, id: string): Promise<Tag[]> => (await t.vpcep.listEndpointInfoDetails(id)).tags

    before(async () => {
      server = await startServer(await freshDatabaseUrl(dialect), {}, clock)
      owner = await tenant('tagowner')
      stranger = await tenant('tagstranger')
    })
    after(() => server.stop())

    it('create adds tags and overwrites values in place; delete removes by key or key and value; 204 without a body', async () => {
      const service = await newService(owner, { tags: [{ key: 'a', value: '1' }] })
      assert.deepEqual(service.tags, [{ key: 'a', value: '1' }])

      const raw = await owner.tags.batchAddOrRemoveResourceInstanceRaw(SERVICE, service.id, { action: 'create', tags: [{ key: 'b', value: '2' }, { key: 'a', value: '9' }] })
      assert.equal(raw.httpStatusCode, 204)
      assert.equal(raw.rawBody, '')
      assert.deepEqual(await serviceTags(owner, service.id), [{ key: 'a', value: '9' }, { key: 'b', value: '2' }])

      const created = await owner.tags.batchAddOrRemoveResourceInstance(SERVICE, service.id, { action: 'create', tags: [{ key: 'c', value: '' }, { key: 'Ключ 名前', value: 'wert/ä' }] })
      assert.deepEqual(Object.keys(created), ['httpStatusCode'])
      assert.equal(created.httpStatusCode, 204)
      assert.deepEqual(await serviceTags(owner, service.id), [{ key: 'a', value: '9' }, { key: 'b', value: '2' }, { key: 'c', value: '' }, { key: 'Ключ 名前', value: 'wert/ä' }])

      // A value that does not match deletes nothing; absent keys are ignored.
      await owner.tags.batchAddOrRemoveResourceInstance(SERVICE, service.id, { action: 'delete', tags: [{ key: 'a', value: 'nope' }, { key: 'zzz' }] })
      assert.equal((await serviceTags(owner, service.id)).length, 4)
      const deleted = await owner.tags.batchAddOrRemoveResourceInstance(SERVICE, service.id, { action: 'delete', tags: [{ key: 'a', value: '9' }, { key: 'b' }, { key: 'Ключ 名前' }] })
      assert.equal(deleted.httpStatusCode, 204)
      assert.deepEqual(await serviceTags(owner, service.id), [{ key: 'c', value: '' }])

      // A key added again goes to the end of the list.
      await owner.tags.batchAddOrRemoveResourceInstance(SERVICE, service.id, { action: 'create', tags: [{ key: 'a', value: '1' }] })
      await owner.tags.batchAddOrRemoveResourceInstance(SERVICE, service.id, { action: 'create', tags: [{ key: 'c', value: 'x' }] })
      assert.deepEqual(await serviceTags(owner, service.id), [{ key: 'c', value: 'x' }, { key: 'a', value: '1' }])
      assert.deepEqual((await owner.vpcep.listEndpointService({ id: service.id })).endpoint_services[0].tags, [{ key: 'c', value: 'x' }, { key: 'a', value: '1' }])

      // Every change is in the outbox; a repeated identical create changes nothing and records nothing.
      const events = () =>
        server.store.db.selectFrom('events').select(['type', 'payload']).where('resourceId', '=', service.id).where('type', 'in', ['service.tagged', 'service.untagged']).orderBy('seq').execute()
      const before = await events()
      assert.deepEqual(before.map((e) => e.type), ['service.tagged', 'service.tagged', 'service.untagged', 'service.tagged', 'service.tagged'])
      assert.deepEqual(JSON.parse(before[0]!.payload), { tags: [{ key: 'b', value: '2' }, { key: 'a', value: '9' }] })
      await owner.tags.batchAddOrRemoveResourceInstance(SERVICE, service.id, { action: 'create', tags: [{ key: 'c', value: 'x' }] })
      assert.equal((await events()).length, before.length)
    })

    it('shares one tag store with CreateEndpoint and the endpoint reads', async () => {
      const endpoint = await newEndpoint(owner, { tags: [{ key: 'env', value: 'test' }] })
      assert.deepEqual(endpoint.tags, [{ key: 'env', value: 'test' }])
      await owner.tags.batchAddOrRemoveResourceInstance(ENDPOINT, endpoint.id, { action: 'create', tags: [{ key: 'env', value: 'prod' }, { key: 'owner', value: 'me' }] })
      assert.deepEqual(await endpointTags(owner, endpoint.id), [{ key: 'env', value: 'prod' }, { key: 'owner', value: 'me' }])
      const listed = await owner.vpcep.listEndpoints({ id: endpoint.id })
      assert.deepEqual(listed.endpoints[0].tags, [{ key: 'env', value: 'prod' }, { key: 'owner', value: 'me' }])
      const found = await owner.tags.listResourceInstances(ENDPOINT, { action: 'filter', tags: [{ key: 'owner', values: ['me'] }] })
      assert.deepEqual(found.resources, [{ resource_id: endpoint.id, resource_name: endpoint.id, tags: [{ key: 'env', value: 'prod' }, { key: 'owner', value: 'me' }] }])
      await owner.tags.batchAddOrRemoveResourceInstance(ENDPOINT, endpoint.id, { action: 'delete', tags: [{ key: 'env' }] })
      assert.deepEqual(await endpointTags(owner, endpoint.id), [{ key: 'owner', value: 'me' }])
    })

    it('allows 20 tags per resource, counting the ones it has', async () => {
      const eighteen = Array.from({ length: 18 }, (_, i) => ({ key: `k${i}`, value: `v${i}` }))
      const service = await newService(owner, { tags: eighteen })
      await owner.tags.batchAddOrRemoveResourceInstance(SERVICE, service.id, { action: 'create', tags: [{ key: 'n1', value: '' }, { key: 'k0', value: 'new' }] })
      assert.deepEqual(await failure(owner.tags.batchAddOrRemoveResourceInstance(SERVICE, service.id, { action: 'create', tags: [{ key: 'n2', value: '' }, { key: 'n3', value: '' }] })), [400, 'EndPoint.3069'])
      await owner.tags.batchAddOrRemoveResourceInstance(SERVICE, service.id, { action: 'create', tags: [{ key: 'n2', value: '' }, { key: 'k1', value: 'new' }] })
      const tags = await serviceTags(owner, service.id)
      assert.equal(tags.length, 20)
      assert.deepEqual(tags.slice(0, 2), [{ key: 'k0', value: 'new' }, { key: 'k1', value: 'new' }])
      assert.deepEqual(await failure(owner.tags.batchAddOrRemoveResourceInstance(SERVICE, service.id, { action: 'create', tags: [{ key: 'n3', value: '' }] })), [400, 'EndPoint.3069'])
      const twentyOne = Array.from({ length: 21 }, (_, i) => ({ key: `x${i}`, value: '' }))
      const fresh = await newService(owner)
      assert.deepEqual(await failure(owner.tags.batchAddOrRemoveResourceInstance(SERVICE, fresh.id, { action: 'create', tags: twentyOne })), [400, 'EndPoint.3069'])
      assert.deepEqual(await serviceTags(owner, fresh.id), [])
      assert.deepEqual(await failure(newService(owner, { tags: twentyOne })), [400, 'EndPoint.3069'])
    })

    it('keeps every tag of concurrent actions on one resource', async () => {
      const service = await newService(owner)
      await Promise.all(Array.from({ length: 10 }, (_, i) => owner.tags.batchAddOrRemoveResourceInstance(SERVICE, service.id, { action: 'create', tags: [{ key: `p${i}`, value: `${i}` }] })))
      const tags = await serviceTags(owner, service.id)
      assert.deepEqual(tags.map((t) => t.key).sort(), Array.from({ length: 10 }, (_, i) => `p${i}`).sort())
    })

    it('refuses bad tag actions with the documented codes', async () => {
      const service = await newService(owner, { tags: [{ key: 'keep', value: 'me' }] })
      const act = (body: Record<string, unknown>, type = SERVICE, id: string = service.id) => failure(owner.tags.batchAddOrRemoveResourceInstance(type, id, body))
      const cases: Array<[string, Record<string, unknown>, string]> = [
        ['unknown action', { action: 'add', tags: [{ key: 'a', value: 'b' }] }, 'EndPoint.0007'],
        ['action of the wrong type', { action: 1, tags: [{ key: 'a', value: 'b' }] }, 'EndPoint.0007'],
        ['no action', { tags: [{ key: 'a', value: 'b' }] }, 'EndPoint.0002'],
        ['no tags', { action: 'create' }, 'EndPoint.3066'],
        ['empty tags', { action: 'delete', tags: [] }, 'EndPoint.3066'],
        ['no key', { action: 'create', tags: [{ value: 'b' }] }, 'EndPoint.0002'],
        ['empty key', { action: 'create', tags: [{ key: '', value: 'b' }] }, 'EndPoint.3066'],
        ['key too long', { action: 'create', tags: [{ key: 'k'.repeat(129), value: 'b' }] }, 'EndPoint.3072'],
        ['value too long', { action: 'create', tags: [{ key: 'a', value: 'v'.repeat(256) }] }, 'EndPoint.3073'],
        ['key charset', { action: 'create', tags: [{ key: 'a*b', value: 'b' }] }, 'EndPoint.3068'],
        ['key with a leading space', { action: 'create', tags: [{ key: ' a', value: 'b' }] }, 'EndPoint.3068'],
        ['system key', { action: 'create', tags: [{ key: '_sys_a', value: 'b' }] }, 'EndPoint.3068'],
        ['value charset', { action: 'create', tags: [{ key: 'a', value: 'b<' }] }, 'EndPoint.3068'],
        ['duplicate keys to create', { action: 'create', tags: [{ key: 'a', value: '1' }, { key: 'a', value: '2' }] }, 'EndPoint.3067'],
        ['duplicate keys to delete', { action: 'delete', tags: [{ key: 'a' }, { key: 'a', value: '2' }] }, 'EndPoint.3067'],
        ['blank key to delete', { action: 'delete', tags: [{ key: '  ' }] }, 'EndPoint.3066'],
      ]
      for (const [name, body, code] of cases) assert.deepEqual(await act(body), [400, code], name)
      assert.deepEqual(await serviceTags(owner, service.id), [{ key: 'keep', value: 'me' }])

      // `{"key":"k"}` creates k with the empty value, as Go clients send `k = ""`; unknown fields are ignored.
      await owner.tags.batchAddOrRemoveResourceInstance(SERVICE, service.id, { action: 'create', tags: [{ key: 'a' }, { key: 'b', value: '1', colour: 'red' }], extra: true } as any)
      assert.deepEqual(await serviceTags(owner, service.id), [{ key: 'keep', value: 'me' }, { key: 'a', value: '' }, { key: 'b', value: '1' }])
      await owner.tags.batchAddOrRemoveResourceInstance(SERVICE, service.id, { action: 'delete', tags: [{ key: 'a' }, { key: 'b', value: '1' }] })

      const good = { action: 'create', tags: [{ key: 'a', value: 'b' }] }
      assert.deepEqual(await act(good, 'vpc'), [400, 'EndPoint.3070'])
      assert.deepEqual(await act(good, 'Endpoint_Service'), [400, 'EndPoint.3070'])
      assert.deepEqual(await act(good, 'vpc-endpoint-services'), [400, 'EndPoint.3070'])
      assert.deepEqual(await act(good, SERVICE, randomUUID()), [404, 'EndPoint.0005'])
      assert.deepEqual(await act(good, ENDPOINT, randomUUID()), [404, 'EndPoint.2006'])
      // A service id is not an endpoint id, and the reverse.
      assert.deepEqual(await act(good, ENDPOINT, service.id), [404, 'EndPoint.2006'])
      assert.deepEqual(await failure(owner.tags.listQueryProjectResourceTags('vpc')), [400, 'EndPoint.3070'])
      assert.deepEqual(await failure(owner.tags.listResourceInstances('endpoints', { action: 'filter' })), [400, 'EndPoint.3070'])
    })

    it('summarises the project tags per key and resource type', async () => {
      const t = await tenant('tagsummary')
      assert.deepEqual((await t.tags.listQueryProjectResourceTags(SERVICE)).tags, [])
      await newService(t, { tags: [{ key: 'env', value: 'prod' }, { key: 'team', value: 'x' }] })
      const second = await newService(t, { tags: [{ key: 'env', value: 'dev' }] })
      await newService(t, { tags: [{ key: 'env', value: 'prod' }] })
      await t.tags.batchAddOrRemoveResourceInstance(SERVICE, second.id, { action: 'create', tags: [{ key: 'cost', value: '' }] })
      const endpoint = await newEndpoint(t, { tags: [{ key: 'app', value: 'web' }] })
      const summary = await t.tags.listQueryProjectResourceTags(SERVICE)
      assert.equal(summary.httpStatusCode, 200)
      assert.deepEqual(summary.tags, [
        { key: 'cost', values: [''] },
        { key: 'env', values: ['dev', 'prod'] },
        { key: 'team', values: ['x'] },
      ])
      assert.deepEqual((await t.tags.listQueryProjectResourceTags(ENDPOINT)).tags, [{ key: 'app', values: ['web'] }])
      await t.tags.batchAddOrRemoveResourceInstance(ENDPOINT, endpoint.id, { action: 'delete', tags: [{ key: 'app' }] })
      assert.deepEqual((await t.tags.listQueryProjectResourceTags(ENDPOINT)).tags, [])
    })

    describe('ListResourceInstances', () => {
      let t: Tenant
      /** In creation order: alpha (env=prod, team=a), Beta (env=dev), unnamed (team=b), alphabet (no tags). */
      let s: SdkResponse[]

      before(async () => {
        t = await tenant('tagsearch')
        s = []
        for (const body of [
          { service_name: 'alpha', tags: [{ key: 'env', value: 'prod' }, { key: 'team', value: 'a' }] },
          { service_name: 'Beta', tags: [{ key: 'env', value: 'dev' }] },
          { tags: [{ key: 'team', value: 'b' }] },
          { service_name: 'alphabet' },
        ]) {
          s.push(await newService(t, body))
          clock.advance(1000)
        }
      })

      const search = (body: Record<string, unknown>) => t.tags.listResourceInstances(SERVICE, { action: 'filter', ...body })
      const found = async (body: Record<string, unknown>) => {
        const result = await search(body)
        assert.equal(result.total_count, result.resources.length)
        return ids(result)
      }
      const at = (...indexes: number[]) => indexes.map((i) => s[i]!.id)

      it('answers every resource of the type, oldest first, with names and tags', async () => {
        const all = await search({})
        assert.equal(all.httpStatusCode, 200)
        assert.equal(all.total_count, 4)
        assert.deepEqual(all.resources, [
          { resource_id: s[0]!.id, resource_name: 'alpha', tags: [{ key: 'env', value: 'prod' }, { key: 'team', value: 'a' }] },
          { resource_id: s[1]!.id, resource_name: 'Beta', tags: [{ key: 'env', value: 'dev' }] },
          { resource_id: s[2]!.id, resource_name: s[2]!.id, tags: [{ key: 'team', value: 'b' }] },
          { resource_id: s[3]!.id, resource_name: 'alphabet', tags: [] },
        ])
        assert.deepEqual(ids(await search({ limit: '1000', offset: '0' })), at(0, 1, 2, 3))
        // Another tenant's search sees none of them.
        assert.deepEqual(await stranger.tags.listResourceInstances(SERVICE, { action: 'count', tags: [{ key: 'team', values: ['a', 'b'] }] }), { httpStatusCode: 200, total_count: 0 })
      })

      it('filters by tags: AND across keys, OR across values, [] for any value', async () => {
        assert.deepEqual(await found({ tags: [{ key: 'env', values: [] }] }), at(0, 1))
        assert.deepEqual(await found({ tags: [{ key: 'env', values: ['prod'] }, { key: 'team', values: [] }] }), at(0))
        assert.deepEqual(await found({ tags: [{ key: 'env', values: ['dev'] }, { key: 'team', values: [] }] }), [])
        assert.deepEqual(await found({ tags: [{ key: 'env', values: ['prod', 'dev'] }] }), at(0, 1))
        assert.deepEqual(await found({ tags: [{ key: ' env ', values: [' prod'] }] }), at(0))
        assert.deepEqual(await found({ tags: [{ key: 'ENV', values: [] }] }), [])
        assert.deepEqual(await found({ tags: [] }), at(0, 1, 2, 3))
      })

      it('filters by tags_any, not_tags and not_tags_any', async () => {
        assert.deepEqual(await found({ tags_any: [{ key: 'env', values: ['dev'] }, { key: 'team', values: ['b'] }] }), at(1, 2))
        assert.deepEqual(await found({ tags_any: [{ key: 'nothing', values: [] }] }), [])
        assert.deepEqual(await found({ not_tags: [{ key: 'env', values: [] }, { key: 'team', values: [] }] }), at(1, 2, 3))
        assert.deepEqual(await found({ not_tags: [{ key: 'team', values: ['a', 'b'] }] }), at(1, 3))
        assert.deepEqual(await found({ not_tags_any: [{ key: 'env', values: [] }, { key: 'team', values: [] }] }), at(3))
        assert.deepEqual(await found({ not_tags_any: [{ key: 'env', values: ['dev'] }] }), at(0, 2, 3))
        assert.deepEqual(await found({ tags: [{ key: 'team', values: [] }], not_tags_any: [{ key: 'env', values: [] }] }), at(2))
      })

      it('answers only untagged resources for without_any_tag, ignoring the tag filters', async () => {
        assert.deepEqual(await found({ without_any_tag: true, tags: [{ key: 'env', values: [] }], not_tags_any: [{ key: 'nothing', values: [] }] }), at(3))
        assert.deepEqual(await found({ without_any_tag: false, tags: [{ key: 'env', values: [] }] }), at(0, 1))
      })

      it('matches resource_name case-insensitively: a service is named by its short name, else its id', async () => {
        const byName = (value: string) => found({ matches: [{ key: 'resource_name', value }] })
        assert.deepEqual(await byName('ALPHA'), at(0, 3))
        assert.deepEqual(await byName('et'), at(1, 3))
        assert.deepEqual(await byName(s[2]!.id.slice(4, 12).toUpperCase()), at(2))
        assert.deepEqual(await byName(s[0]!.id), [])
        assert.deepEqual(await byName('%'), [])
        assert.deepEqual(await byName('_'), [])
        assert.deepEqual(await byName(''), [])
        assert.deepEqual(await found({ matches: [{ key: 'resource_name', value: 'alpha' }], tags: [{ key: 'env', values: [] }] }), at(0))
      })

      it('counts, and pages with limit and offset given as strings', async () => {
        const counted = await t.tags.listResourceInstances(SERVICE, { action: 'count', tags_any: [{ key: 'env', values: [] }, { key: 'team', values: [] }] })
        assert.deepEqual(counted, { httpStatusCode: 200, total_count: 3 })
        assert.deepEqual(await t.tags.listResourceInstances(SERVICE, { action: 'count' }), { httpStatusCode: 200, total_count: 4 })
        const page = await search({ limit: '2', offset: '1' })
        assert.equal(page.total_count, 4)
        assert.deepEqual(ids(page), at(1, 2))
        assert.deepEqual(ids(await search({ limit: '1' })), at(0))
        assert.deepEqual(ids(await search({ offset: '3' })), at(3))
        assert.deepEqual(ids(await search({ limit: '007', offset: '002' })), at(2, 3))
        const beyond = await search({ offset: '10' })
        assert.deepEqual([beyond.resources, beyond.total_count], [[], 4])
      })

      it('accepts sys_tags and ignores them', async () => {
        assert.deepEqual(await found({ sys_tags: [{ key: '_sys_enterprise_project_id', values: ['0'] }] }), at(0, 1, 2, 3))
      })

      it('refuses invalid searches with the documented codes', async () => {
        const fails = (body: Record<string, unknown>) => failure(t.tags.listResourceInstances(SERVICE, body))
        const keys = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, values: [] }))
        const values = (n: number) => Array.from({ length: n }, (_, i) => `v${i}`)
        const cases: Array<[string, Record<string, unknown>, string]> = [
          ['unknown action', { action: 'list' }, 'EndPoint.0007'],
          ['no action', {}, 'EndPoint.0002'],
          ['limit with count', { action: 'count', limit: '10' }, 'EndPoint.0002'],
          ['offset with count', { action: 'count', offset: '0' }, 'EndPoint.0002'],
          ['limit 0', { action: 'filter', limit: '0' }, 'EndPoint.0006'],
          ['limit 1001', { action: 'filter', limit: '1001' }, 'EndPoint.0006'],
          ['limit not digits', { action: 'filter', limit: '1e2' }, 'EndPoint.0006'],
          ['limit negative', { action: 'filter', limit: '-1' }, 'EndPoint.0006'],
          ['limit empty', { action: 'filter', limit: '' }, 'EndPoint.0006'],
          ['limit a fraction', { action: 'filter', limit: 10.5 }, 'EndPoint.0006'],
          ['limit a negative number', { action: 'filter', limit: -1 }, 'EndPoint.0006'],
          ['limit a boolean', { action: 'filter', limit: true }, 'EndPoint.0006'],
          ['offset negative', { action: 'filter', offset: '-1' }, 'EndPoint.0010'],
          ['offset not digits', { action: 'filter', offset: 'x' }, 'EndPoint.0010'],
          ['offset huge', { action: 'filter', offset: '99999999999' }, 'EndPoint.0010'],
          ['offset a fraction', { action: 'filter', offset: 0.5 }, 'EndPoint.0010'],
          ['offset a huge number', { action: 'filter', offset: 99999999999 }, 'EndPoint.0010'],
          ['11 keys', { action: 'filter', tags: keys(11) }, 'EndPoint.0002'],
          ['11 values', { action: 'filter', not_tags: [{ key: 'a', values: values(11) }] }, 'EndPoint.0002'],
          ['duplicate keys', { action: 'filter', tags_any: [{ key: 'a', values: [] }, { key: 'a', values: ['x'] }] }, 'EndPoint.3067'],
          ['keys duplicate once trimmed', { action: 'filter', not_tags_any: [{ key: 'a', values: [] }, { key: ' a ', values: [] }] }, 'EndPoint.3067'],
          ['duplicate values', { action: 'filter', tags: [{ key: 'a', values: ['x', 'x'] }] }, 'EndPoint.3071'],
          ['values duplicate once trimmed', { action: 'filter', tags: [{ key: 'a', values: ['x', 'x '] }] }, 'EndPoint.3071'],
          ['empty key', { action: 'filter', tags: [{ key: '', values: [] }] }, 'EndPoint.3066'],
          ['blank key', { action: 'filter', tags: [{ key: '   ', values: [] }] }, 'EndPoint.3066'],
          ['key too long', { action: 'filter', tags: [{ key: 'k'.repeat(129), values: [] }] }, 'EndPoint.3072'],
          ['value too long', { action: 'filter', tags: [{ key: 'a', values: ['v'.repeat(256)] }] }, 'EndPoint.3073'],
          ['values missing', { action: 'filter', tags: [{ key: 'a' }] }, 'EndPoint.0002'],
          ['sys_tags with duplicate keys', { action: 'filter', sys_tags: [{ key: 'a', values: [] }, { key: 'a', values: [] }] }, 'EndPoint.3067'],
          ['match on another key', { action: 'filter', matches: [{ key: 'resource_id', value: 'x' }] }, 'EndPoint.0002'],
          ['match twice', { action: 'filter', matches: [{ key: 'resource_name', value: 'a' }, { key: 'resource_name', value: 'b' }] }, 'EndPoint.0002'],
          ['match too long', { action: 'filter', matches: [{ key: 'resource_name', value: 'm'.repeat(256) }] }, 'EndPoint.0002'],
          ['without_any_tag not a boolean', { action: 'filter', without_any_tag: 'true' }, 'EndPoint.0002'],
        ]
        for (const [name, body, code] of cases) assert.deepEqual(await fails(body), [400, code], name)
        // At the limits: 10 keys of 10 values each, a 128-character key, a 255-character value.
        const tenByTen = Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, values: values(10) }))
        assert.equal((await search({ tags_any: tenByTen })).total_count, 0)
        assert.equal((await search({ not_tags: [{ key: 'k'.repeat(128), values: ['v'.repeat(255)] }] })).total_count, 4)
      })
    })

    it('lists endpoints by id, and a deleting resource keeps its tags until it is gone', async () => {
      // Frozen: the resources stay creating/deleting until the test steps past the delay and runs the reconciler.
      const slowClock = new ManualClock()
      slowClock.freeze()
      const slow = await startServer(await freshDatabaseUrl(dialect), { provisionDelayMs: 600 }, slowClock)
      const pastTheDelay = async () => {
        slowClock.step(600)
        await slow.app.reconciler.runOnce()
      }
      try {
        const account = await slow.account('tagslow')
        const t: Tenant = { account, vpcep: sdkClient(slow.url, account), tags: tagsClient(slow.url, account) }
        const service = await newService(t, { approval_enabled: false, tags: [{ key: 'svc', value: '1' }] })
        // Tags may change while the service is still being created.
        assert.equal((await t.vpcep.listServiceDetails(service.id)).status, 'creating')
        await t.tags.batchAddOrRemoveResourceInstance(SERVICE, service.id, { action: 'create', tags: [{ key: 'early', value: 'yes' }] })
        await pastTheDelay()
        assert.equal((await t.vpcep.listServiceDetails(service.id)).status, 'available')
        const created = await t.vpcep.createEndpoint({ endpoint_service_id: service.id, vpc_id: VPC, subnet_id: SUBNET, tags: [{ key: 'ep', value: '1' }] })
        await pastTheDelay()
        assert.equal((await t.vpcep.listEndpointInfoDetails(created.id)).status, 'accepted')

        await t.vpcep.deleteEndpoint(created.id)
        assert.equal((await t.vpcep.listEndpointInfoDetails(created.id)).status, 'deleting')
        await t.tags.batchAddOrRemoveResourceInstance(ENDPOINT, created.id, { action: 'create', tags: [{ key: 'late', value: 'yes' }] })
        const listed = await t.tags.listResourceInstances(ENDPOINT, { action: 'filter' })
        assert.deepEqual(listed.resources, [{ resource_id: created.id, resource_name: created.id, tags: [{ key: 'ep', value: '1' }, { key: 'late', value: 'yes' }] }])
        await pastTheDelay()
        assert.equal((await sdkError(t.vpcep.listEndpointInfoDetails(created.id))).httpStatusCode, 404, 'endpoint gone')
        assert.deepEqual(await t.tags.listResourceInstances(ENDPOINT, { action: 'count' }), { httpStatusCode: 200, total_count: 0 })
        assert.deepEqual((await t.tags.listQueryProjectResourceTags(ENDPOINT)).tags, [])
        assert.deepEqual(await failure(t.tags.batchAddOrRemoveResourceInstance(ENDPOINT, created.id, { action: 'delete', tags: [{ key: 'late' }] })), [404, 'EndPoint.2006'])

        await t.vpcep.deleteEndpointService(service.id)
        assert.equal((await t.vpcep.listServiceDetails(service.id)).status, 'deleting')
        assert.equal((await t.tags.listResourceInstances(SERVICE, { action: 'count', tags: [{ key: 'early', values: ['yes'] }] })).total_count, 1)
        await t.tags.batchAddOrRemoveResourceInstance(SERVICE, service.id, { action: 'delete', tags: [{ key: 'svc' }] })
        assert.deepEqual((await t.tags.listQueryProjectResourceTags(SERVICE)).tags, [{ key: 'early', values: ['yes'] }])
        await pastTheDelay()
        assert.equal((await sdkError(t.vpcep.listServiceDetails(service.id))).httpStatusCode, 404, 'service gone')
        assert.deepEqual((await t.tags.listQueryProjectResourceTags(SERVICE)).tags, [])
        assert.equal((await t.tags.listResourceInstances(SERVICE, { action: 'count' })).total_count, 0)
        assert.deepEqual(await failure(t.tags.batchAddOrRemoveResourceInstance(SERVICE, service.id, { action: 'create', tags: [{ key: 'a', value: 'b' }] })), [404, 'EndPoint.0005'])
        const leftovers = await slow.store.db.selectFrom('tags').select('key').where('projectId', '=', account.projectId).execute()
        assert.deepEqual(leftovers, [])
      } finally {
        await slow.stop()
      }
    })

    it("answers another account's resources exactly as absent ones and changes nothing", async () => {
      const service = await newService(owner, { tags: [{ key: 'secret', value: 'owner' }] })
      const endpoint = await newEndpoint(owner, { tags: [{ key: 'secret', value: 'owner' }] })
      const body = { action: 'create', tags: [{ key: 'secret', value: 'stranger' }] }
      const foreign = await sdkError(stranger.tags.batchAddOrRemoveResourceInstance(SERVICE, service.id, body))
      const absent = await sdkError(stranger.tags.batchAddOrRemoveResourceInstance(SERVICE, randomUUID(), body))
      assert.deepEqual([foreign.httpStatusCode, foreign.errorCode], [404, 'EndPoint.0005'])
      assert.deepEqual([absent.httpStatusCode, absent.errorCode], [404, 'EndPoint.0005'])
      assert.equal(foreign.errorMsg.replace(service.id, 'ID'), absent.errorMsg.replace(/[0-9a-f-]{36}/, 'ID'))
      assert.deepEqual(await failure(stranger.tags.batchAddOrRemoveResourceInstance(ENDPOINT, endpoint.id, body)), [404, 'EndPoint.2006'])
      assert.deepEqual(await failure(stranger.tags.batchAddOrRemoveResourceInstance(ENDPOINT, endpoint.id, { action: 'delete', tags: [{ key: 'secret' }] })), [404, 'EndPoint.2006'])
      assert.deepEqual(await failure(stranger.tags.batchAddOrRemoveResourceInstance(SERVICE, service.id, { action: 'delete', tags: [{ key: 'secret' }] })), [404, 'EndPoint.0005'])
      assert.deepEqual(await serviceTags(owner, service.id), [{ key: 'secret', value: 'owner' }])
      assert.deepEqual(await endpointTags(owner, endpoint.id), [{ key: 'secret', value: 'owner' }])
      for (const type of [SERVICE, ENDPOINT]) {
        assert.deepEqual((await stranger.tags.listQueryProjectResourceTags(type)).tags, [])
        const seen = await stranger.tags.listResourceInstances(type, { action: 'filter' })
        assert.deepEqual([seen.resources, seen.total_count], [[], 0])
      }
      // The project in the path must be the caller's own.
      const intruder = tagsClient(server.url, { ...stranger.account, projectId: owner.account.projectId })
      assert.deepEqual(await failure(intruder.listQueryProjectResourceTags(SERVICE)), [403, 'EndPoint.0004'])
      assert.deepEqual(await failure(intruder.batchAddOrRemoveResourceInstance(SERVICE, service.id, body)), [403, 'EndPoint.0004'])
    })

    it('leaves the vpc-endpoints and vpc-endpoint-services routes as they were', async () => {
      const service = await newService(owner)
      assert.equal((await owner.vpcep.listServiceDetails(service.id)).id, service.id)
      assert.ok((await owner.vpcep.listEndpointService({ limit: 1 })).total_count >= 1)
      assert.equal((await owner.vpcep.listEndpoints()).httpStatusCode, 200)
      assert.deepEqual(await failure(owner.vpcep.listServiceDetails('tags')), [404, 'EndPoint.0005'])
      assert.deepEqual(await failure(owner.vpcep.listEndpointInfoDetails('tags')), [404, 'EndPoint.2006'])
      assert.ok((await owner.tags.listQueryProjectResourceTags(SERVICE)).tags.length >= 0)
    })
  })
}
