import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/** The header that carries the timestamp and signature of every webhook request. */
export const SIGNATURE_HEADER = 'vpcep-signature'

/** A new per-subscription signing secret: shown once, then kept sealed. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`
}

/** HMAC-SHA256, hex, of `<timestamp>.<body>` under the secret's UTF-8 bytes. */
export function signature(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')
}

/** `t=<unix seconds>,v1=<hex>`: the timestamp is signed with the body, so a replay must reuse an old one. */
export function signatureHeader(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${signature(secret, timestamp, body)}`
}

/**
 * Checks a signature header against the raw body, and that its timestamp is within `toleranceSeconds` of
 * `nowSeconds`. The reference for receivers (docs/events.md shows the same in a few lines).
 */
export function verifySignature(secret: string, header: string | undefined, body: string, nowSeconds: number, toleranceSeconds = 300): boolean {
  if (!header) return false
  const parts = new Map(header.split(',').map((part) => part.trim().split('=', 2) as [string, string]))
  const timestamp = Number(parts.get('t'))
  const given = parts.get('v1')
  if (!Number.isInteger(timestamp) || !given || Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false
  const expected = Buffer.from(signature(secret, timestamp, body), 'hex')
  const actual = Buffer.from(given, 'hex')
  return actual.length === expected.length && timingSafeEqual(actual, expected)
}
