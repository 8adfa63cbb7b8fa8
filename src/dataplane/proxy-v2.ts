import net from 'node:net'

/*
 * PROXY protocol version 2 (HAProxy's "proxy-protocol.txt", section 2.2): a binary header sent before
 * the client's first byte. vpcep adds two TLVs of the custom range (0xE0-0xEF) described in
 * docs/decisions.md: the endpoint's marker_id and its id.
 */

/** The 12 bytes every version 2 header starts with. */
export const PROXY_V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a])
/** marker_id: 4 bytes, unsigned big-endian. */
export const TLV_MARKER_ID = 0xe0
/** The endpoint id: its 36 ASCII characters. */
export const TLV_ENDPOINT_ID = 0xe1

const VERSION_2_PROXY = 0x21
const FAMILY_INET = 0x10
const FAMILY_INET6 = 0x20
const TRANSPORT_STREAM = 0x01
const TRANSPORT_DGRAM = 0x02

export interface ProxyPeer {
  address: string
  port: number
}

export interface ProxyHeader {
  transport: 'tcp' | 'udp'
  source: ProxyPeer
  destination: ProxyPeer
  markerId: number
  endpointId: string
}

/** `::ffff:127.0.0.2` (an IPv4 peer on a dual-stack socket) as the IPv4 address it is. */
export function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address
}

function ipv6Bytes(address: string): Buffer {
  const [head = '', tail = ''] = address.split('::')
  const groups = (part: string) => (part === '' ? [] : part.split(':'))
  let left = groups(head)
  let right = groups(tail)
  // An embedded IPv4 tail (::ffff:1.2.3.4) is two groups.
  const expand = (list: string[]) => list.flatMap((g) => (net.isIPv4(g) ? [((Number(g.split('.')[0]) << 8) | Number(g.split('.')[1])).toString(16), ((Number(g.split('.')[2]) << 8) | Number(g.split('.')[3])).toString(16)] : [g]))
  left = expand(left)
  right = expand(right)
  const missing = address.includes('::') ? 8 - left.length - right.length : 0
  const all = [...left, ...Array<string>(missing).fill('0'), ...right]
  const bytes = Buffer.alloc(16)
  all.forEach((g, i) => bytes.writeUInt16BE(parseInt(g, 16), i * 2))
  return bytes
}

function tlv(type: number, value: Buffer): Buffer {
  const head = Buffer.alloc(3)
  head.writeUInt8(type, 0)
  head.writeUInt16BE(value.length, 1)
  return Buffer.concat([head, value])
}

/** The complete header: signature, version/command, family/transport, length, addresses, ports, TLVs. */
export function encodeProxyV2(header: ProxyHeader): Buffer {
  const source = plainAddress(header.source.address)
  const destination = plainAddress(header.destination.address)
  const inet = net.isIPv4(source) && net.isIPv4(destination)
  const addressBytes = inet
    ? Buffer.concat([Buffer.from(source.split('.').map(Number)), Buffer.from(destination.split('.').map(Number))])
    : Buffer.concat([ipv6Bytes(net.isIPv4(source) ? `::ffff:${source}` : source), ipv6Bytes(net.isIPv4(destination) ? `::ffff:${destination}` : destination)])
  const ports = Buffer.alloc(4)
  ports.writeUInt16BE(header.source.port, 0)
  ports.writeUInt16BE(header.destination.port, 2)
  const marker = Buffer.alloc(4)
  marker.writeUInt32BE(header.markerId >>> 0, 0)
  const body = Buffer.concat([addressBytes, ports, tlv(TLV_MARKER_ID, marker), tlv(TLV_ENDPOINT_ID, Buffer.from(header.endpointId, 'ascii'))])
  const fixed = Buffer.alloc(4)
  fixed.writeUInt8(VERSION_2_PROXY, 0)
  fixed.writeUInt8((inet ? FAMILY_INET : FAMILY_INET6) | (header.transport === 'tcp' ? TRANSPORT_STREAM : TRANSPORT_DGRAM), 1)
  fixed.writeUInt16BE(body.length, 2)
  return Buffer.concat([PROXY_V2_SIGNATURE, fixed, body])
}
