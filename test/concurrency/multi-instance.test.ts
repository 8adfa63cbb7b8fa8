import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import pg from 'pg'
import { freshDatabaseUrl } from '../helpers/server.ts'
import { cliAccount, startServerProcess, type ServerProcess } from '../helpers/process.ts'
import { ApiClient } from '../helpers/api-client.ts'
import { httpRequest } from '../helpers/http.ts'
import { openStore } from '../../src/store/database.ts'
import { createAccount, type NewAccount } from '../../src/identity/accounts.ts'
import { systemClock } from '../../src/domain/clock.ts'
import {
  batchesAreAtomicToLists,
  decisionsConverge,
  markersAndAddressesStayUnique,
  pgInspector,
  quotaIsNeverExceeded,
  removalWinsOverLaterCreates,
  transitionsRunOnce,
  type Actors,
} from './invariants.ts'

/*
 * Two real server processes over one PostgreSQL database. Requests alternate between the instances and
 * each group is fired at once, so rows are contended across processes and connection pools. The outbox
 * (`events`, ordered by `seq`) is read with a direct pg client to check the order of commits.
 */

const PG_URL = process.env.VPCEP_TEST_PG_URL
const QUOTA_SERVICES = 20

describe('two instances over one PostgreSQL database [postgres only]', { skip: PG_URL ? false : 'VPCEP_TEST_PG_URL is not set (run through scripts/run-tests.mjs)' }, () => {
  let instances: ServerProcess[] = []
  let direct: pg.Client
  let actors: Actors
  let provider: NewAccount

  before(async () => {
    const databaseUrl = await freshDatabaseUrl('postgres')
    // Instances starting together migrate the schema once (the migrator runs under an advisory lock).
    const stores = await Promise.all([openStore(databaseUrl), openStore(databaseUrl), openStore(databaseUrl)])
    const consumer = await createAccount(stores[0]!, systemClock, 'cn-north-4', 'consumer')
    const quotaOwner = await createAccount(stores[1]!, systemClock, 'cn-north-4', 'quota-owner')
    await Promise.all(stores.map((s) => s.close()))
    provider = cliAccount(databaseUrl, 'provider')
    const env = {
      VPCEP_DATABASE_URL: databaseUrl,
      VPCEP_QUOTA_ENDPOINT_SERVICES: String(QUOTA_SERVICES),
      VPCEP_QUOTA_ENDPOINTS: '1000',
      // Both reconcilers wake up around the same due times: every transition is raced for.
      VPCEP_PROVISION_DELAY_MS: '50',
      VPCEP_RECONCILE_INTERVAL_MS: '20',
    }
    instances = await Promise.all([startServerProcess(env), startServerProcess(env)])
    direct = new pg.Client({ connectionString: databaseUrl })
    await direct.connect()
    const clients = (key: NewAccount) => instances.map((instance) => new ApiClient(instance.url, key))
    actors = { p: clients(provider), c: clients(consumer), q: clients(quotaOwner), consumer,
      db: pgInspector(direct),
      log: () => {},
      // SIGTERM: each instance stops its reconciler, awaiting the run under way, before it exits (after() sees the codes).
      stopReconcilers: async () => {
        await Promise.all(instances.map((instance) => instance.stop()))
      },
    }
  })

  after(async () => {
    await direct?.end()
    const codes = await Promise.all(instances.map((instance) => instance.stop()))
    assert.deepEqual(codes, instances.map(() => 0), 'both instances stop cleanly on SIGTERM')
  })

  it('answers the probes on both instances; a token issued by one is accepted by the other', async () => {
    for (const instance of instances) {
      assert.equal((await httpRequest(`${instance.url}/healthz`)).status, 200)
      const ready = await httpRequest(`${instance.url}/readyz`)
      assert.deepEqual([ready.status, ready.json], [200, { status: 'ready', database: 'postgres' }])
    }
    const issued = await httpRequest(`${instances[0]!.url}/v3/auth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name: provider.userName, password: provider.password, domain: { name: provider.domainName } } } }, scope: { project: { id: provider.projectId } } } }),
    })
    assert.equal(issued.status, 201, issued.text)
    const listed = await httpRequest(`${instances[1]!.url}/v1/${provider.projectId}/vpc-endpoint-services`, { headers: { 'x-auth-token': String(issued.headers['x-subject-token']) } })
    assert.equal(listed.status, 200, listed.text)
  })

  it(`never exceeds a quota: 100 concurrent creates over both instances, quota ${QUOTA_SERVICES}`, () => quotaIsNeverExceeded(actors, QUOTA_SERVICES, 100))

  it('keeps marker ids and addresses unique: 60 concurrent endpoint creates in one subnet', () => markersAndAddressesStayUnique(actors, 60))

  it('resolves concurrent accept and reject of a connection to one state that both instances report', (t) =>
    decisionsConverge({ ...actors, log: (m) => t.diagnostic(m) }, 15, 3))

  it('never admits an account whose whitelist record was removed before the create committed', (t) =>
    removalWinsOverLaterCreates({ ...actors, log: (m) => t.diagnostic(m) }, 8, 12))

  it('never shows a batch write half applied to a list on the other instance', (t) => batchesAreAtomicToLists({ ...actors, log: (m) => t.diagnostic(m) }))

  // Last: it stops both instances.
  it('runs every due transition exactly once with two reconcilers', () => transitionsRunOnce(actors, 50))
})
