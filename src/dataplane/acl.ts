import net from 'node:net'
import { plainAddress } from './proxy-v2.ts'

function ipv4Number(address: string): number {
  return address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0)
}

/** One whitelist entry (`a.b.c.d` or `a.b.c.d/n`) as a test of an IPv4 number. */
function entryTest(entry: string): (n: number) => boolean {
  const [address = '', prefixText] = entry.split('/')
  const prefix = prefixText === undefined ? 32 : Number(prefixText)
  const size = 2 ** (32 - prefix)
  const network = ipv4Number(address) - (ipv4Number(address) % size)
  return (n) => n >= network && n < network + size
}

/**
 * Whether the endpoint's IP whitelist lets `source` in. Off: everyone. On: only sources inside one of
 * its entries, so an empty list admits nobody (docs/decisions.md).
 */
export function whitelistTest(enabled: boolean, whitelist: string[]): (source: string) => boolean {
  if (!enabled) return () => true
  const tests = whitelist.map(entryTest)
  return (source) => {
    const address = plainAddress(source)
    if (!net.isIPv4(address)) return false
    const n = ipv4Number(address)
    return tests.some((t) => t(n))
  }
}
