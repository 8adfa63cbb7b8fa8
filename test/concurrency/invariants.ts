import assert from 'node:assert/strict'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import type pg from 'pg'
import type { Db } from '../../src/store/database.ts'
import type { NewAccount } from '../../src/identity/accounts.ts'
import { eventually } from '../helpers/server.ts'
import { availableServiceOf, expectStatus, settledEndpointOf, type ApiClient, type Reply } from '../helpers/api-client.ts'

/*
 * The concurrency invariants, written once and run against one in-process server (both dialects) and
 * against two server processes over one PostgreSQL database. Every client array holds one client per
 * instance; request i goes to instance i % n, and a group of requests is fired at once.
 */

export interface EventRow {
  seq: number
  type: string
  resourceId: string
  payload: any
}

export interface EndpointRow {
  id: string
  accountId: string
  markerId: number
  ip: string
  status: string
}

/** Direct reads of the database, bypassing the API. */
export interface Inspector {
  /** Outbox events, in `seq` order, of the given resources (and type, or type prefix ending in `.`). */
  events(filter: { resourceIds: string[]; type?: string }): Promise<EventRow[]>
  endpointsOfService(serviceId: string): Promise<EndpointRow[]>
  /** Each user (non-public) service's status and how many `service.available` events it has. */
  availabilityCounts(): Promise<Map<string, { status: string; n: number }>>
}

export interface Actors {
  /** Provider, consumer and a third account used up only by the quota check, one client per instance. */
  p: ApiClient[]
  c: ApiClient[]
  q: ApiClient[]
  consumer: NewAccount
  db: Inspector
  log(message: string): void
  /**
   * Stops every reconciler and waits until each run under way has finished: after it no transition can
   * still commit, so a duplicate shows up in the outbox or never. Ends the instances' background work.
   */
  stopReconcilers(): Promise<void>
}

function typeMatches(type: string, wanted: string | undefined): boolean {
  return wanted === undefined || (wanted.endsWith('.') ? type.startsWith(wanted) : type === wanted)
}

export function pgInspector(client: pg.Client): Inspector {
  return {
    async events({ resourceIds, type }) {
      const { rows } = await client.query('select seq, type, resource_id, payload from events where resource_id = any($1) order by seq', [resourceIds])
      return rows.map((r) => ({ seq: Number(r.seq), type: r.type, resourceId: r.resource_id, payload: JSON.parse(r.payload) })).filter((e) => typeMatches(e.type, type))
    },
    async endpointsOfService(serviceId) {
      const { rows } = await client.query('select id, account_id, marker_id, ip, status from endpoints where service_id = $1', [serviceId])
      return rows.map((r) => ({ id: r.id, accountId: r.account_id, markerId: Number(r.marker_id), ip: r.ip, status: r.status }))
    },
    async availabilityCounts() {
      const { rows } = await client.query(`select s.id, s.status, count(e.seq) as n from endpoint_services s left join events e on e.resource_id = s.id and e.type = 'service.available' where s.is_public = 0 group by s.id, s.status`)
      return new Map(rows.map((r) => [r.id, { status: r.status, n: Number(r.n) }]))
    },
  }
}

export function storeInspector(db: Db): Inspector {
  return {
    async events({ resourceIds, type }) {
      if (resourceIds.length === 0) return []
      const rows = await db.selectFrom('events').select(['seq', 'type', 'resourceId', 'payload']).where('resourceId', 'in', resourceIds).orderBy('seq').execute()
      return rows.map((r) => ({ seq: Number(r.seq), type: r.type, resourceId: r.resourceId, payload: JSON.parse(r.payload) })).filter((e) => typeMatches(e.type, type))
    },
    async endpointsOfService(serviceId) {
      const rows = await db.selectFrom('endpoints').select(['id', 'accountId', 'markerId', 'ip', 'status']).where('serviceId', '=', serviceId).execute()
      return rows.map((r) => ({ ...r, markerId: Number(r.markerId) }))
    },
    async availabilityCounts() {
      const services = await db.selectFrom('endpointServices').select(['id', 'status']).where('isPublic', '=', 0).execute()
      const events = await db.selectFrom('events').select('resourceId').where('type', '=', 'service.available').execute()
      const counts = new Map(services.map((s) => [s.id, { status: s.status, n: 0 }]))
      for (const e of events) {
        const entry = counts.get(e.resourceId)
        if (entry) entry.n++
      }
      return counts
    },
  }
}

const at = <T>(clients: T[], i: number): T => clients[i % clients.length]!

/** A service of the provider that whitelists the consumer. */
async function sharedService(a: Actors, approval: boolean): Promise<string> {
  const service = await availableServiceOf(a.p[0]!, { approval_enabled: approval })
  expectStatus(await at(a.p, 1).addPermissions(service.id, [`iam:domain::${a.consumer.domainId}`]), 200, 'whitelist the consumer')
  return service.id
}

/** `creates` concurrent service creates against a quota of `quota`: exactly `quota` succeed. */
export async function quotaIsNeverExceeded(a: Actors, quota: number, creates = 100): Promise<void> {
  const replies = await Promise.all(Array.from({ length: creates }, (_, i) => at(a.q, i).createService()))
  const created = replies.filter((r) => r.status === 200)
  const refused = replies.filter((r) => r.status === 400 && r.body?.error_code === 'Endpoint.1018')
  const other = replies.filter((r) => r.status !== 200 && r.body?.error_code !== 'Endpoint.1018')
  assert.deepEqual(other.slice(0, 3), [], 'only successes and quota refusals')
  assert.equal(created.length, quota)
  assert.equal(refused.length, creates - quota)
  for (const client of a.q) {
    const list = expectStatus(await client.listServices(), 200, 'list services')
    assert.equal(list.total_count, quota)
    assert.deepEqual(new Set(list.endpoint_services.map((s: any) => s.id)), new Set(created.map((r) => r.body.id)))
  }
}

/** `creates` concurrent endpoint creates in one subnet of one project: distinct marker ids and addresses. */
export async function markersAndAddressesStayUnique(a: Actors, creates = 60): Promise<void> {
  const serviceId = await sharedService(a, false)
  const replies = await Promise.all(Array.from({ length: creates }, (_, i) => at(a.c, i).createEndpoint(serviceId)))
  assert.deepEqual(replies.filter((r) => r.status !== 200).slice(0, 3), [], 'every create succeeds, none answers 5xx')
  assert.equal(new Set(replies.map((r) => r.body.marker_id)).size, creates, 'answered marker ids are distinct')
  assert.equal(new Set(replies.map((r) => r.body.ip)).size, creates, 'answered addresses are distinct')
  const rows = await a.db.endpointsOfService(serviceId)
  assert.equal(rows.length, creates)
  assert.equal(new Set(rows.map((r) => r.markerId)).size, creates, 'stored marker ids are distinct')
  assert.equal(new Set(rows.map((r) => r.ip)).size, creates, 'stored addresses are distinct')
  for (const reply of replies) {
    const row = rows.find((r) => r.id === reply.body.id)
    assert.deepEqual([row?.markerId, row?.ip], [reply.body.marker_id, reply.body.ip], 'stored as answered')
  }
}

/**
 * Rounds of `receive` and `reject` fired at once on each of several connections (on different instances,
 * swapped every round): every instance then reports one and the same state, and the outbox holds one
 * unbroken chain of transitions per connection that ends in that state.
 */
export async function decisionsConverge(a: Actors, rounds = 15, connections = 3): Promise<void> {
  const serviceId = await sharedService(a, true)
  const ids: string[] = []
  for (let i = 0; i < connections; i++) ids.push(expectStatus(await at(a.c, i).createEndpoint(serviceId), 200, 'create endpoint').id)
  for (const id of ids) assert.equal((await settledEndpointOf(a.c[0]!, id)).status, 'pendingAcceptance')
  const finals = { accepted: 0, rejected: 0 }
  for (let round = 0; round < rounds; round++) {
    const replies = await Promise.all(ids.flatMap((id) => [at(a.p, round).decide(serviceId, 'receive', id), at(a.p, round + 1).decide(serviceId, 'reject', id)]))
    assert.deepEqual(replies.filter((r) => r.status !== 200), [], `round ${round}: both decisions are answered`)
    const lists = await Promise.all(a.p.map((client) => client.connections(serviceId)))
    const states = lists.map((list) => Object.fromEntries(expectStatus(list, 200, 'connections').connections.filter((x: any) => ids.includes(x.id)).map((x: any) => [x.id, x.status])))
    for (const other of states.slice(1)) assert.deepEqual(other, states[0], `round ${round}: every instance lists the same states`)
    for (const id of ids) {
      const status = states[0]![id] as 'accepted' | 'rejected'
      assert.ok(status === 'accepted' || status === 'rejected', `round ${round}: ${status}`)
      finals[status]++
      const details = await Promise.all(a.c.map((client) => client.endpoint(id)))
      assert.deepEqual(details.map((d) => d.body.status), a.c.map(() => status), `round ${round}: the consumer sees ${status} everywhere`)
      // The state everyone reports is what one of the two decisions answered.
      assert.ok(replies.some((r) => r.body.connections[0].id === id && r.body.connections[0].status === status))
    }
  }
  for (const id of ids) {
    const chain = (await a.db.events({ resourceIds: [id], type: 'connection.' })).map((e) => e.payload)
    assert.equal(chain[0].from, 'creating')
    for (let i = 1; i < chain.length; i++) assert.equal(chain[i].from, chain[i - 1].to, `event ${i} of ${id} continues from the previous state`)
    const reported = expectStatus(await a.p[0]!.connections(serviceId, { id }), 200, 'connection').connections[0].status
    assert.equal(chain.at(-1).to, reported, 'the last transition in the outbox is the state reported')
  }
  a.log(`final states over ${rounds} rounds × ${connections} connections: ${finals.accepted} accepted, ${finals.rejected} rejected`)
}

/**
 * Rounds of: whitelist the consumer; fire creates while the provider batch-deletes the record (plus
 * creates started once the delete was answered). No create that started after the delete was answered
 * succeeds, and every admitted endpoint's `endpoint.created` precedes the record's `permission.removed`
 * in the outbox.
 */
export async function removalWinsOverLaterCreates(a: Actors, rounds = 8, creates = 12): Promise<void> {
  const service = await availableServiceOf(a.p[0]!)
  const record = `iam:domain::${a.consumer.domainId}`
  const answered: Reply[] = []
  let admitted = 0
  for (let round = 0; round < rounds; round++) {
    const added = expectStatus(await at(a.p, round).addPermissions(service.id, [record]), 200, 'add record')
    const recordId: string = added.permissions[0].id
    const attempts: Array<{ startedAt: number; reply: Reply }> = []
    const attempt = async (client: ApiClient) => {
      const startedAt = performance.now()
      attempts.push({ startedAt, reply: await client.createEndpoint(service.id) })
    }
    let deleteAnsweredAt = Infinity
    await Promise.all([
      ...Array.from({ length: creates }, async (_, i) => {
        await sleep(i * 2)
        await attempt(at(a.c, i))
      }),
      (async () => {
        await sleep(6 + round)
        const removed = await at(a.p, round + 1).removePermissions(service.id, [recordId])
        deleteAnsweredAt = performance.now()
        expectStatus(removed, 200, 'batch-delete')
        await Promise.all([0, 1, 2].map((i) => attempt(at(a.c, i))))
      })(),
    ])
    for (const { startedAt, reply } of attempts) {
      answered.push(reply)
      assert.ok(reply.status === 200 || (reply.status === 400 && reply.body.error_code === 'EndPoint.2012'), JSON.stringify(reply))
      if (startedAt > deleteAnsweredAt) assert.equal(reply.status, 400, `round ${round}: a create started after the delete was answered got in`)
    }
    const [removal] = await a.db.events({ resourceIds: [recordId], type: 'permission.removed' })
    assert.ok(removal, 'the removal is in the outbox')
    const createdIds = attempts.filter((x) => x.reply.status === 200).map((x) => x.reply.body.id as string)
    admitted += createdIds.length
    const creations = await a.db.events({ resourceIds: createdIds, type: 'endpoint.created' })
    assert.equal(creations.length, createdIds.length)
    for (const e of creations) assert.ok(e.seq < removal.seq, `round ${round}: endpoint ${e.resourceId} (seq ${e.seq}) committed after the removal (seq ${removal.seq})`)
  }
  // Nothing exists that was not acknowledged.
  const stored = (await a.db.endpointsOfService(service.id)).filter((r) => r.accountId === a.consumer.domainId)
  assert.deepEqual(new Set(stored.map((r) => r.id)), new Set(answered.filter((r) => r.status === 200).map((r) => r.body.id)))
  assert.ok(admitted > 0, 'some creates won the race')
  a.log(`${admitted} of ${answered.length} creates admitted over ${rounds} rounds`)
}

/**
 * 200 records added in batches of 50, then removed 100 at a time, while another instance lists the
 * whitelist in a loop: every list sees whole batches only.
 */
export async function batchesAreAtomicToLists(a: Actors): Promise<void> {
  const service = await availableServiceOf(a.p[0]!)
  async function observe(lister: ApiClient, write: () => Promise<void>): Promise<Array<[number, number]>> {
    const seen: Array<[number, number]> = []
    let stop = false
    const loop = (async () => {
      while (!stop) {
        const list = expectStatus(await lister.listPermissions(service.id), 200, 'list whitelist')
        seen.push([list.total_count, list.permissions.length])
      }
    })()
    await eventually(async () => (seen.length >= 2 ? true : undefined), 'lists before the write')
    await write()
    const before = seen.length
    await eventually(async () => (seen.length >= before + 2 ? true : undefined), 'lists after the write')
    stop = true
    await loop
    return seen
  }
  const ids: string[] = []
  const adding = await observe(at(a.p, 1), async () => {
    for (let batch = 0; batch < 4; batch++) {
      const strings = Array.from({ length: 50 }, (_, i) => `iam:domain::acct${batch}x${i}`)
      ids.push(...expectStatus(await a.p[0]!.addPermissions(service.id, strings), 200, 'batch-create').permissions.map((r: any) => r.id))
    }
  })
  for (const [total, items] of adding) assert.ok(total % 50 === 0 && items === total, `a list saw ${total} records (${items} items) while batches of 50 were added`)
  const first = await observe(a.p[0]!, async () => {
    expectStatus(await at(a.p, 1).removePermissions(service.id, ids.slice(0, 100)), 200, 'batch-delete')
  })
  for (const [total, items] of first) assert.ok([200, 100].includes(total) && items === total, `a list saw ${total} records (${items} items) while 100 of 200 were removed`)
  const second = await observe(at(a.p, 1), async () => {
    expectStatus(await a.p[0]!.removePermissions(service.id, ids.slice(100)), 200, 'batch-delete')
  })
  for (const [total, items] of second) assert.ok([100, 0].includes(total) && items === total, `a list saw ${total} records (${items} items) while the last 100 were removed`)
  a.log(`lists observed: ${adding.length} while adding, ${first.length} + ${second.length} while removing`)
}

/** `creates` endpoints (half needing approval): each gets exactly one creating → … transition. */
export async function transitionsRunOnce(a: Actors, creates = 50): Promise<void> {
  const withApproval = await sharedService(a, true)
  const withoutApproval = await sharedService(a, false)
  const needsApproval = (i: number) => Math.floor(i / a.c.length) % 2 === 0
  const replies = await Promise.all(Array.from({ length: creates }, (_, i) => at(a.c, i).createEndpoint(needsApproval(i) ? withApproval : withoutApproval)))
  assert.deepEqual(replies.filter((r) => r.status !== 200).slice(0, 3), [])
  const ids = replies.map((r) => r.body.id as string)
  await eventually(async () => {
    const rows = [...(await a.db.endpointsOfService(withApproval)), ...(await a.db.endpointsOfService(withoutApproval))]
    return rows.filter((r) => ids.includes(r.id)).every((r) => r.status !== 'creating') ? true : undefined
  }, 'every endpoint settled', 10000)
  await a.stopReconcilers()
  const transitions = await a.db.events({ resourceIds: ids, type: 'connection.' })
  for (const [i, id] of ids.entries()) {
    const mine = transitions.filter((e) => e.resourceId === id).map((e) => e.type)
    assert.deepEqual(mine, [needsApproval(i) ? 'connection.pendingAcceptance' : 'connection.accepted'], `transitions of endpoint ${id}`)
  }
  const counts = [...(await a.db.availabilityCounts())]
  assert.ok(counts.length > 0)
  assert.deepEqual(counts.filter(([, { status, n }]) => n !== (status === 'creating' ? 0 : 1)), [], 'every service became available exactly once')
}
