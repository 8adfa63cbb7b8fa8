import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { addressClass, guardedLookup, parseAddressPolicy, UnsafeUrlError } from '../../src/events/url-safety.ts'
import { signatureHeader, verifySignature } from '../../src/events/signing.ts'
import { backoffMs } from '../../src/events/worker.ts'
import { loadConfig, ConfigError } from '../../src/config.ts'

describe('webhook safety, signing and backoff', () => {
  it('classifies addresses', () => {
    const cases: Record<string, string> = {
      '127.0.0.1': 'loopback', '127.9.9.9': 'loopback', '::1': 'loopback', '10.0.0.1': 'private', '172.16.0.1': 'private', '172.32.0.1': 'public',
      '192.168.1.1': 'private', '100.64.0.1': 'private', 'fd00::1': 'private', '169.254.169.254': 'forbidden', 'fe80::1': 'forbidden', '0.0.0.0': 'forbidden',
      '::': 'forbidden', '224.0.0.1': 'forbidden', '255.255.255.255': 'forbidden', '::ffff:127.0.0.1': 'loopback', '::ffff:169.254.1.1': 'forbidden',
      '8.8.8.8': 'public', '2606:4700::1': 'public', '2001:db8::1': 'forbidden', 'example.com': 'forbidden',
    }
    for (const [ip, kind] of Object.entries(cases)) assert.equal(addressClass(ip), kind, ip)
  })

  it('reads the address policy, defaulting by where the server listens', () => {
    assert.deepEqual([...loadConfig({}).webhooks.addresses], ['loopback'])
    assert.deepEqual([...loadConfig({ VPCEP_HOST: '0.0.0.0' }).webhooks.addresses], ['public'])
    assert.deepEqual([...loadConfig({ VPCEP_WEBHOOK_ADDRESSES: 'public, private' }).webhooks.addresses], ['public', 'private'])
    assert.throws(() => loadConfig({ VPCEP_WEBHOOK_ADDRESSES: 'link-local' }), ConfigError)
    assert.equal(typeof parseAddressPolicy(''), 'string')
  })

  it('connects to a name only through addresses the policy allows, in both lookup forms', async () => {
    const lookup = (policy: Set<'loopback' | 'public'>, all: boolean) =>
      new Promise<{ error: Error | null; address: unknown; family?: number }>((resolve) =>
        guardedLookup(policy)('localhost', { all, family: 4 }, (error, address, family) => resolve({ error, address, family })),
      )
    const one = await lookup(new Set(['loopback']), false)
    assert.deepEqual([one.error, one.address, one.family], [null, '127.0.0.1', 4])
    const every = await lookup(new Set(['loopback']), true)
    assert.equal(every.error, null)
    assert.deepEqual(every.address, [{ address: '127.0.0.1', family: 4 }])
    const refused = await lookup(new Set(['public']), false)
    assert.ok(refused.error instanceof UnsafeUrlError, 'a loopback answer is refused under the public-only policy')
    assert.deepEqual([refused.address, refused.family], ['', 0])
  })

  it('signs timestamp.body and refuses altered bodies, other secrets and stale timestamps', () => {
    const now = 1_800_000_000
    const header = signatureHeader('whsec_a', now, '{"a":1}')
    assert.match(header, /^t=1800000000,v1=[0-9a-f]{64}$/)
    assert.equal(verifySignature('whsec_a', header, '{"a":1}', now + 10), true)
    assert.equal(verifySignature('whsec_a', header, '{"a":2}', now), false)
    assert.equal(verifySignature('whsec_b', header, '{"a":1}', now), false)
    assert.equal(verifySignature('whsec_a', header, '{"a":1}', now + 301), false)
    assert.equal(verifySignature('whsec_a', undefined, '{"a":1}', now), false)
    assert.equal(verifySignature('whsec_a', 't=x,v1=zz', '{"a":1}', now), false)
  })

  it('backs off exponentially with jitter, within the cap', () => {
    const settings = { backoffMs: 1000, backoffMaxMs: 8000 }
    assert.deepEqual([1, 2, 3, 4, 5, 9].map((n) => backoffMs(settings, n, () => 1)), [1000, 2000, 4000, 8000, 8000, 8000])
    assert.deepEqual([1, 2, 3].map((n) => backoffMs(settings, n, () => 0)), [500, 1000, 2000])
  })
})
