import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { sqliteFile } from './sqlite-url.ts'

/**
 * Encrypts secrets at rest (the secret keys of AK/SK pairs, which the server must be able to read back
 * to verify signatures, so they cannot be hashed). AES-256-GCM with a random nonce per value; the
 * stored form is `enc1:<nonce>.<ciphertext+tag>` in base64url.
 */
export interface SecretBox {
  seal(plain: string): string
  open(stored: string): string
}

const PREFIX = 'enc1:'

export class MasterKeyError extends Error {}

export function secretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new MasterKeyError('the master key must be 32 bytes')
  return {
    seal(plain) {
      const nonce = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', key, nonce)
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()])
      return `${PREFIX}${nonce.toString('base64url')}.${body.toString('base64url')}`
    },
    open(stored) {
      if (!stored.startsWith(PREFIX)) return stored
      const [nonce, body] = stored.slice(PREFIX.length).split('.')
      const raw = Buffer.from(body ?? '', 'base64url')
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce ?? '', 'base64url'))
      decipher.setAuthTag(raw.subarray(raw.length - 16))
      return Buffer.concat([decipher.update(raw.subarray(0, raw.length - 16)), decipher.final()]).toString('utf8')
    },
  }
}

export function isSealed(stored: string): boolean {
  return stored.startsWith(PREFIX)
}

function parseKey(text: string, where: string): Buffer {
  const trimmed = text.trim()
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64')
  if (key.length !== 32) throw new MasterKeyError(`${where} must be 32 bytes, as 64 hex characters or base64`)
  return key
}

/**
 * The master key: VPCEP_MASTER_KEY when set. Otherwise, for a SQLite file, a key file beside it
 * (created once, mode 0600), so `npm start` needs no setup; PostgreSQL deployments must set the variable,
 * with the same value on every instance.
 */
export function resolveMasterKey(databaseUrl: string, env: NodeJS.ProcessEnv = process.env): Buffer {
  if (env.VPCEP_MASTER_KEY?.trim()) return parseKey(env.VPCEP_MASTER_KEY, 'VPCEP_MASTER_KEY')
  if (!databaseUrl.startsWith('sqlite:')) {
    throw new MasterKeyError('VPCEP_MASTER_KEY is required with PostgreSQL (32 bytes as 64 hex characters; the same on every instance). Generate one with: openssl rand -hex 32')
  }
  const file = sqliteFile(databaseUrl)
  if (file === ':memory:') return randomBytes(32)
  const keyFile = path.join(path.dirname(path.resolve(file)), 'master.key')
  if (!fs.existsSync(keyFile)) {
    fs.mkdirSync(path.dirname(keyFile), { recursive: true })
    try {
      fs.writeFileSync(keyFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
  }
  return parseKey(fs.readFileSync(keyFile, 'utf8'), keyFile)
}
