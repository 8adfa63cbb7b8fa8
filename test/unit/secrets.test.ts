import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { MasterKeyError, resolveMasterKey, secretBox } from '../../src/store/secrets.ts'

describe('secrets at rest', () => {
  it('seals with a fresh nonce, opens with the same key only', () => {
    const box = secretBox(randomBytes(32))
    const a = box.seal('SKEXAMPLEsecretkey')
    const b = box.seal('SKEXAMPLEsecretkey')
    assert.notEqual(a, b)
    assert.doesNotMatch(a, /SKEXAMPLE/)
    assert.equal(box.open(a), 'SKEXAMPLEsecretkey')
    assert.throws(() => secretBox(randomBytes(32)).open(a))
    const tampered = a.slice(0, -2) + (a.endsWith('A') ? 'B' : 'A') + a.slice(-1)
    assert.throws(() => box.open(tampered))
  })

  it('reads VPCEP_MASTER_KEY, or keeps a key file beside a SQLite database, and insists on a key for PostgreSQL', () => {
    const hex = randomBytes(32).toString('hex')
    assert.equal(resolveMasterKey('postgres://x/y', { VPCEP_MASTER_KEY: hex }).toString('hex'), hex)
    assert.throws(() => resolveMasterKey('postgres://x/y', {}), MasterKeyError)
    assert.throws(() => resolveMasterKey('sqlite:/tmp/x.db', { VPCEP_MASTER_KEY: 'short' }), MasterKeyError)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpcep-key-'))
    const first = resolveMasterKey(`sqlite:${dir}/db/vpcep.db`, {})
    const keyFile = path.join(dir, 'db', 'master.key')
    assert.equal(fs.statSync(keyFile).mode & 0o777, 0o600)
    assert.deepEqual(resolveMasterKey(`sqlite:${dir}/db/vpcep.db`, {}), first)
  })
})
