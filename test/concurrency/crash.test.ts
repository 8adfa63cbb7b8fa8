import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { dialects, eventually, freshDatabaseUrl } from '../helpers/server.ts'
import { startServerProcess } from '../helpers/process.ts'
import { ApiClient, availableServiceOf, expectStatus } from '../helpers/api-client.ts'
import { openStore, type Db } from '../../src/store/database.ts'
import { createAccount } from '../../src/identity/accounts.ts'
import { systemClock } from '../../src/domain/clock.ts'

/*
 * kill -9 in the middle of a write load, then a restart on the same database: every acknowledged write
 * is there as acknowledged, no write is half applied, and transitions that were pending at the kill
 * (VPCEP_PROVISION_DELAY_MS keeps endpoints `creating` for a while) run after the restart, once.
 */

const WORKERS = 12
/** The kill comes once this many endpoint creates were acknowledged. */
const KILL_AFTER_ENDPOINTS = 40
const PERMISSIONS_PER_BATCH = 5

interface AckedEndpoint {
  id: string
  markerId: number
  ip: string
  tags: Array<{ key: string; value: string }>
}

/** Rows and outbox entries of everything written, read directly. */
async function inspect(db: Db) {
  const endpoints = await db.selectFrom('endpoints').select(['id', 'status', 'markerId', 'ip']).execute()
  const services = await db.selectFrom('endpointServices').select(['id', 'status']).where('isPublic', '=', 0).execute()
  const permissions = await db.selectFrom('servicePermissions').select(['id', 'serviceId', 'permission']).execute()
  const tags = await db.selectFrom('tags').select(['resourceType', 'resourceId']).execute()
  const events = await db.selectFrom('events').select(['seq', 'type', 'resourceId']).orderBy('seq').execute()
  const count = (list: Array<{ resourceId: string }>, id: string) => list.filter((x) => x.resourceId === id).length
  return { endpoints, services, permissions, tags, events, count }
}

for (const dialect of dialects()) {
  describe(`a server process killed with SIGKILL under load [${dialect}]`, () => {
    it('keeps every acknowledged write, applies none by halves, and resumes pending transitions after a restart', async (t) => {
      const databaseUrl = await freshDatabaseUrl(dialect)
      const setup = await openStore(databaseUrl)
      const provider = await createAccount(setup, systemClock, 'cn-north-4', 'provider')
      const consumer = await createAccount(setup, systemClock, 'cn-north-4', 'consumer')
      await setup.close()
      const limits = { VPCEP_DATABASE_URL: databaseUrl, VPCEP_QUOTA_ENDPOINTS: '100000', VPCEP_QUOTA_ENDPOINT_SERVICES: '100000', VPCEP_RECONCILE_INTERVAL_MS: '50' }

      const first = await startServerProcess({ ...limits, VPCEP_PROVISION_DELAY_MS: '300' })
      const acked = { endpoints: new Map<string, AckedEndpoint>(), permissions: new Map<string, string>(), services: new Set<string>() }
      let serviceId: string
      try {
        const p = new ApiClient(first.url, provider)
        const c = new ApiClient(first.url, consumer)
        serviceId = (await availableServiceOf(p, { approval_enabled: true })).id
        expectStatus(await p.addPermissions(serviceId, [`iam:domain::${consumer.domainId}`]), 200, 'whitelist the consumer')

        let stopping = false
        let sequence = 0
        const refused: unknown[] = []
        const worker = async (w: number) => {
          while (!stopping) {
            const i = sequence++
            try {
              if (i % 4 < 2) {
                const tags = [{ key: 'load', value: `e${i}` }, { key: 'worker', value: `w${w}` }]
                const reply = await c.createEndpoint(serviceId, { tags })
                if (reply.status === 200) acked.endpoints.set(reply.body.id, { id: reply.body.id, markerId: reply.body.marker_id, ip: reply.body.ip, tags })
                else refused.push(reply)
              } else if (i % 4 === 2) {
                const reply = await p.addPermissions(serviceId, Array.from({ length: PERMISSIONS_PER_BATCH }, (_, j) => `iam:domain::b${i}x${j}`))
                if (reply.status === 200) for (const record of reply.body.permissions) acked.permissions.set(record.id, record.permission)
                else refused.push(reply)
              } else {
                const reply = await p.createService({ tags: [{ key: 'load', value: `s${i}` }] })
                if (reply.status === 200) acked.services.add(reply.body.id)
                else refused.push(reply)
              }
            } catch (error) {
              // Connection reset or refused: only acceptable once the process is being killed.
              if (!stopping) throw error
            }
          }
        }
        const load = Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)))
        await eventually(async () => (acked.endpoints.size >= KILL_AFTER_ENDPOINTS ? true : undefined), `${KILL_AFTER_ENDPOINTS} acknowledged endpoints`, 20000)
        stopping = true
        await first.kill()
        await load
        assert.deepEqual(refused, [], 'nothing was refused before the kill')
      } finally {
        await first.kill()
      }
      t.diagnostic(`acknowledged before the kill: ${acked.endpoints.size} endpoints, ${acked.permissions.size} whitelist records, ${acked.services.size} services`)

      // The database as the killed process left it.
      const afterKill = await openStore(databaseUrl)
      try {
        const seen = await inspect(afterKill.db)
        const creating = seen.endpoints.filter((e) => e.status === 'creating').length
        t.diagnostic(`at the kill: ${seen.endpoints.length} endpoints stored, ${creating} still creating`)
        assert.ok(creating > 0, 'some endpoints were still creating at the kill (the resume path is exercised)')
        const stored = new Map(seen.endpoints.map((e) => [e.id, e]))
        for (const e of acked.endpoints.values()) {
          assert.deepEqual({ markerId: Number(stored.get(e.id)?.markerId), ip: stored.get(e.id)?.ip }, { markerId: e.markerId, ip: e.ip }, `acknowledged endpoint ${e.id} is stored as acknowledged`)
        }
        for (const e of seen.endpoints) {
          assert.equal(seen.count(seen.tags.filter((x) => x.resourceType === 'endpoint'), e.id), 2, `endpoint ${e.id} has both its tags`)
          assert.equal(seen.count(seen.events.filter((x) => x.type === 'endpoint.created'), e.id), 1, `endpoint ${e.id} has its outbox event`)
        }
        const serviceIds = new Set(seen.services.map((s) => s.id))
        for (const id of acked.services) assert.ok(serviceIds.has(id), `acknowledged service ${id} is stored`)
        for (const s of seen.services) {
          if (s.id === serviceId!) continue
          assert.equal(seen.count(seen.tags.filter((x) => x.resourceType === 'endpoint_service'), s.id), 1, `service ${s.id} has its tag`)
        }
        const storedPermissions = new Map(seen.permissions.map((x) => [x.id, x]))
        for (const [id, permission] of acked.permissions) assert.equal(storedPermissions.get(id)?.permission, permission, `acknowledged record ${id} is stored`)
        const batches = new Map<string, number>()
        for (const x of seen.permissions) {
          assert.ok(serviceIds.has(x.serviceId), `record ${x.id} belongs to an existing service`)
          assert.equal(seen.count(seen.events.filter((e) => e.type === 'permission.added'), x.id), 1, `record ${x.id} has its outbox event`)
          const batch = /^iam:domain::(b\d+)x\d+$/.exec(x.permission)?.[1]
          if (batch) batches.set(batch, (batches.get(batch) ?? 0) + 1)
        }
        assert.deepEqual([...batches].filter(([, n]) => n !== PERMISSIONS_PER_BATCH), [], 'every batch of records is stored whole')
      } finally {
        await afterKill.close()
      }

      // Restarted on the same database: everything acknowledged is served as acknowledged, and settles.
      const second = await startServerProcess(limits)
      try {
        const p = new ApiClient(second.url, provider)
        const c = new ApiClient(second.url, consumer)
        for (const e of acked.endpoints.values()) {
          const details = expectStatus(await c.endpoint(e.id), 200, `endpoint ${e.id} after the restart`)
          assert.deepEqual({ id: details.id, markerId: details.marker_id, ip: details.ip, tags: details.tags }, e)
        }
        for (const id of acked.services) expectStatus(await p.service(id), 200, `service ${id} after the restart`)
        await eventually(async () => {
          const list = expectStatus(await c.listEndpoints(), 200, 'list endpoints')
          return list.endpoints.every((e: any) => e.status === 'pendingAcceptance') ? list : undefined
        }, 'every endpoint pendingAcceptance after the restart', 10000)
        await eventually(async () => {
          const list = expectStatus(await p.listServices(), 200, 'list services')
          return list.endpoint_services.every((s: any) => s.status === 'available') ? list : undefined
        }, 'every service available after the restart', 10000)
      } finally {
        assert.equal(await second.stop(), 0)
      }

      const end = await openStore(databaseUrl)
      try {
        const seen = await inspect(end.db)
        for (const e of seen.endpoints) {
          assert.deepEqual(seen.events.filter((x) => x.resourceId === e.id && x.type.startsWith('connection.')).map((x) => x.type), ['connection.pendingAcceptance'], `endpoint ${e.id} settled exactly once`)
        }
        for (const s of seen.services) assert.equal(seen.count(seen.events.filter((x) => x.type === 'service.available'), s.id), 1, `service ${s.id} became available exactly once`)
      } finally {
        await end.close()
      }
    })
  })
}
