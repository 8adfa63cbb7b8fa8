import type { Executor } from '../store/database.ts'
import { highestLoopbackInUse, highestSubnetNumberInUse, loopbackNumberTaken, loopbackNumbersInUse, subnetNumberTaken } from '../store/repos/addresses.ts'
import { fail } from './errors.ts'

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/

export function isIpv4(value: string): boolean {
  return IPV4.test(value)
}

export function ipToNumber(ip: string): number {
  return ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0)
}

export function numberToIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.')
}

/** Where automatic allocation starts in a subnet nobody has used yet (vpcep does not know subnet CIDRs). */
const FIRST_AUTOMATIC = ipToNumber('192.168.0.2')
const LAST_IPV4 = ipToNumber('255.255.255.254')

/** Network, gateway and broadcast-looking addresses are never handed out automatically. */
function usable(n: number): boolean {
  const last = n % 256
  return last !== 0 && last !== 1 && last !== 255
}

/** A block of addresses numbered first..last (inclusive), e.g. the data plane's loopback block. */
export interface AddressRange {
  cidr: string
  first: number
  last: number
}

const LOOPBACK_FIRST = ipToNumber('127.0.0.0')
const LOOPBACK_LAST = ipToNumber('127.255.255.255')

export function isLoopback(ip: string): boolean {
  if (!isIpv4(ip)) return false
  const n = ipToNumber(ip)
  return n >= LOOPBACK_FIRST && n <= LOOPBACK_LAST
}

/**
 * A free address of the loopback `range`, unique across every project since each is a real local
 * address one listener binds: the next after the highest in use, then (on a retry after a concurrent
 * writer took it, or when the top is reached) a free one at random.
 */
async function allocateLoopback(db: Executor, range: AddressRange, attempt: number): Promise<{ ip: string; ipNumber: number }> {
  const highest = await highestLoopbackInUse(db, range)
  const next = highest !== undefined ? highest + 1 : range.first
  if (attempt <= 1 && next <= range.last) return { ip: numberToIp(next), ipNumber: next }
  const used = await loopbackNumbersInUse(db, range)
  const size = range.last - range.first + 1
  if (used.size >= size) {
    fail('addressRangeExhausted', `Every address of the data plane's endpoint range ${range.cidr} is in use; widen VPCEP_ENDPOINT_ADDRESS_RANGE or delete endpoints.`)
  }
  const start = Math.floor(Math.random() * size)
  for (let i = 0; i < size; i++) {
    const candidate = range.first + ((start + i) % size)
    if (!used.has(candidate)) return { ip: numberToIp(candidate), ipNumber: candidate }
  }
  return fail('addressRangeExhausted', `Every address of ${range.cidr} is in use.`)
}

/**
 * Picks an endpoint address in the caller's `subnetId`: the requested one if free, else the next usable
 * address after the highest in use. Uniqueness is finally enforced by the (project_id, subnet_id,
 * ip_number) index; the caller retries its transaction when a concurrent writer took the same address.
 */
export async function allocateIp(
  db: Executor,
  projectId: string,
  subnetId: string,
  requested: string | undefined,
  loopback?: AddressRange,
  attempt = 1,
): Promise<{ ip: string; ipNumber: number }> {
  if (requested !== undefined && isLoopback(requested)) {
    // A loopback address is one listener's, whichever project asks: unique everywhere.
    const ipNumber = ipToNumber(requested)
    if (await loopbackNumberTaken(db, ipNumber)) fail('parameterError', `port_ip ${requested} is already used by another endpoint.`)
    return { ip: requested, ipNumber }
  }
  if (requested === undefined && loopback !== undefined) return allocateLoopback(db, loopback, attempt)
  if (requested !== undefined) {
    const ipNumber = ipToNumber(requested)
    if (await subnetNumberTaken(db, projectId, subnetId, ipNumber)) fail('parameterError', `port_ip ${requested} is already used by another endpoint in subnet ${subnetId}.`)
    return { ip: requested, ipNumber }
  }
  const highest = await highestSubnetNumberInUse(db, projectId, subnetId)
  let candidate = highest !== undefined ? highest + 1 : FIRST_AUTOMATIC
  while (candidate <= LAST_IPV4 && !usable(candidate)) candidate++
  if (candidate > LAST_IPV4) fail('parameterError', `Subnet ${subnetId} has no free address after the highest one in use; pass port_ip.`)
  return { ip: numberToIp(candidate), ipNumber: candidate }
}

/** Entries of an endpoint's IP access list (digest §4.5.4): at most this many. */
export const MAX_ACL_ENTRIES = 60

/** Checks IPv4 addresses and CIDRs (`a.b.c.d/n`, n 0-32) of an endpoint's access list. */
export function validateAcl(entries: string[]): string[] {
  if (entries.length > MAX_ACL_ENTRIES) fail('endpointWhitelistFull', `An endpoint whitelist holds at most ${MAX_ACL_ENTRIES} entries.`)
  const seen = new Set<string>()
  for (const entry of entries) {
    const [address, prefix, extra] = entry.split('/')
    if (prefix === undefined) {
      if (!isIpv4(entry)) fail('invalidIpAddress', `"${entry.slice(0, 64)}" is not an IPv4 address.`)
    } else if (extra !== undefined || !isIpv4(address!) || !/^(3[0-2]|[12]?\d)$/.test(prefix)) {
      fail('invalidCidr', `"${entry.slice(0, 64)}" is not an IPv4 CIDR such as 10.0.0.0/24.`)
    }
    seen.add(entry)
  }
  return [...seen]
}

/** A stable IPv6 address in the unique-local range for a dual-stack endpoint. */
export function ipv6For(subnetId: string, ipNumber: number): string {
  const hex = subnetId.replace(/-/g, '').slice(0, 8)
  return `fd00:${hex.slice(0, 4)}:${hex.slice(4, 8)}::${(ipNumber % 65536).toString(16)}`
}
