import dns from 'node:dns'
import net from 'node:net'

/**
 * Where webhooks may be sent. Addresses fall in classes; the operator allows some
 * (VPCEP_WEBHOOK_ADDRESSES). Link-local (cloud metadata services live there), unspecified, multicast and
 * reserved addresses are never allowed.
 */
export const ADDRESS_CLASSES = ['loopback', 'private', 'public'] as const
export type AddressClass = (typeof ADDRESS_CLASSES)[number]
export type AddressPolicy = ReadonlySet<AddressClass>

export const MAX_URL_LENGTH = 2048

export class UnsafeUrlError extends Error {}

function ipv4Class(ip: string): AddressClass | 'forbidden' {
  const [a = 0, b = 0, c = 0] = ip.split('.').map(Number)
  if (a === 127) return 'loopback'
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127)) return 'private'
  if (a === 0 || a === 169 && b === 254 || a >= 224 || (a === 192 && b === 0 && c === 0) || (a === 198 && (b === 18 || b === 19))) return 'forbidden'
  if ((a === 192 && b === 0 && c === 2) || (a === 198 && b === 51 && c === 100) || (a === 203 && b === 0 && c === 113)) return 'forbidden'
  return 'public'
}

function ipv6Class(ip: string): AddressClass | 'forbidden' {
  const lower = ip.toLowerCase()
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower)
  if (mapped) return ipv4Class(mapped[1]!)
  if (lower === '::1') return 'loopback'
  if (lower === '::') return 'forbidden'
  const first = parseInt(lower.split(':')[0] || '0', 16)
  if ((first & 0xfe00) === 0xfc00) return 'private'
  if ((first & 0xffc0) === 0xfe80 || (first & 0xff00) === 0xff00 || first === 0x2001 && lower.startsWith('2001:db8')) return 'forbidden'
  if (first === 0 || first === 0x64 || first === 0x2002) return 'forbidden'
  return 'public'
}

/** The class of an IP address; `forbidden` for those no setting allows. */
export function addressClass(ip: string): AddressClass | 'forbidden' {
  const family = net.isIP(ip)
  if (family === 4) return ipv4Class(ip)
  if (family === 6) return ipv6Class(ip)
  return 'forbidden'
}

function assertAllowed(ip: string, policy: AddressPolicy, host: string): void {
  const kind = addressClass(ip)
  if (kind === 'forbidden' || !policy.has(kind)) {
    const allowed = [...policy].join(', ') || 'none'
    throw new UnsafeUrlError(`${host} is ${kind === 'forbidden' ? 'a reserved or link-local' : `a ${kind}`} address (${ip}); this server sends webhooks to ${allowed} addresses only (VPCEP_WEBHOOK_ADDRESSES).`)
  }
}

/** Checks the URL's form: http or https, a host, no credentials, no fragment, a sensible length. */
export function parseWebhookUrl(raw: string): URL {
  if (raw.length > MAX_URL_LENGTH) throw new UnsafeUrlError(`url must be at most ${MAX_URL_LENGTH} characters.`)
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new UnsafeUrlError('url must be an absolute http or https URL.')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UnsafeUrlError(`url must use http or https, not ${url.protocol.replace(':', '')}.`)
  if (url.username !== '' || url.password !== '') throw new UnsafeUrlError('url must not carry credentials; the signature header authenticates each request.')
  if (url.hash !== '' || raw.includes('#')) throw new UnsafeUrlError('url must not have a fragment.')
  if (url.hostname === '') throw new UnsafeUrlError('url must name a host.')
  return url
}

function bareHost(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname
}

/**
 * Checks a webhook URL when it is saved: its form, and every address its host resolves to. A name that
 * does not resolve is refused too: the receiver must exist when it is subscribed.
 */
export async function checkWebhookUrl(raw: string, policy: AddressPolicy): Promise<URL> {
  const url = parseWebhookUrl(raw)
  const host = bareHost(url)
  if (net.isIP(host)) {
    assertAllowed(host, policy, host)
    return url
  }
  let addresses: dns.LookupAddress[]
  try {
    addresses = await dns.promises.lookup(host, { all: true, verbatim: true })
  } catch {
    throw new UnsafeUrlError(`the host ${host} of url does not resolve.`)
  }
  if (addresses.length === 0) throw new UnsafeUrlError(`the host ${host} of url does not resolve.`)
  for (const address of addresses) assertAllowed(address.address, policy, host)
  return url
}

/**
 * A `lookup` for node:http that resolves the name and refuses to connect when any answer is not allowed,
 * so the check at use is made on the very addresses the request connects to (no DNS-rebinding window).
 */
export function guardedLookup(policy: AddressPolicy): net.LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true as const, verbatim: true }, (error, list) => {
      if (error) return callback(error, '', 0)
      try {
        if (list.length === 0) throw new UnsafeUrlError(`the host ${hostname} does not resolve.`)
        for (const address of list) assertAllowed(address.address, policy, hostname)
      } catch (refusal) {
        return callback(refusal as NodeJS.ErrnoException, '', 0)
      }
      if (options.all) return callback(null, list)
      callback(null, list[0]!.address, list[0]!.family)
    })
  }
}

/** Checks an IP-literal host at use (node:http does not call `lookup` for those). */
export function checkLiteralHost(url: URL, policy: AddressPolicy): void {
  const host = bareHost(url)
  if (net.isIP(host)) assertAllowed(host, policy, host)
}

/** Parses VPCEP_WEBHOOK_ADDRESSES: a comma-separated list of address classes. */
export function parseAddressPolicy(raw: string): AddressPolicy | string {
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean)
  const unknown = names.find((n) => !(ADDRESS_CLASSES as readonly string[]).includes(n))
  if (unknown !== undefined) return `unknown address class "${unknown}"; choose from ${ADDRESS_CLASSES.join(', ')}`
  if (names.length === 0) return `name at least one of ${ADDRESS_CLASSES.join(', ')}`
  return new Set(names as AddressClass[])
}
