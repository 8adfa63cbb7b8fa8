import { PROXY_V2_SIGNATURE, TLV_ENDPOINT_ID, TLV_MARKER_ID } from './proxy-v2.ts'

/** A provider's view of a PROXY v2 header: what `vpcep proxy-echo` prints, and a model for a parser. */
export interface DecodedProxyHeader {
  command: 'LOCAL' | 'PROXY'
  transport: 'tcp' | 'udp' | 'unspec'
  source?: { address: string; port: number }
  destination?: { address: string; port: number }
  markerId?: number
  endpointId?: string
  /** Every TLV by type, value in hex, including the two above. */
  tlvs: Array<{ type: number; value: string }>
  /** Bytes the header takes; the client's data starts after them. */
  length: number
}

function ipv6(bytes: Buffer): string {
  const groups: string[] = []
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16))
  return groups.join(':')
}

/**
 * Decodes a header at the start of `data`. Answers undefined while more bytes are needed, null when
 * the data does not start with a version 2 header.
 */
export function decodeProxyV2(data: Buffer): DecodedProxyHeader | undefined | null {
  const prefix = Math.min(data.length, PROXY_V2_SIGNATURE.length)
  if (!data.subarray(0, prefix).equals(PROXY_V2_SIGNATURE.subarray(0, prefix))) return null
  if (data.length < 16) return undefined
  const versionCommand = data[12]!
  if (versionCommand >> 4 !== 2) return null
  const length = 16 + data.readUInt16BE(14)
  if (data.length < length) return undefined
  const family = data[13]! >> 4
  const transportNibble = data[13]! & 0x0f
  let source: DecodedProxyHeader['source']
  let destination: DecodedProxyHeader['destination']
  let at = 16
  if (family === 1) {
    source = { address: [...data.subarray(16, 20)].join('.'), port: data.readUInt16BE(24) }
    destination = { address: [...data.subarray(20, 24)].join('.'), port: data.readUInt16BE(26) }
    at = 28
  } else if (family === 2) {
    source = { address: ipv6(data.subarray(16, 32)), port: data.readUInt16BE(48) }
    destination = { address: ipv6(data.subarray(32, 48)), port: data.readUInt16BE(50) }
    at = 52
  }
  let markerId: number | undefined
  let endpointId: string | undefined
  const tlvs: DecodedProxyHeader['tlvs'] = []
  while (at + 3 <= length) {
    const type = data[at]!
    const value = data.subarray(at + 3, Math.min(length, at + 3 + data.readUInt16BE(at + 1)))
    tlvs.push({ type, value: value.toString('hex') })
    if (type === TLV_MARKER_ID && value.length === 4) markerId = value.readUInt32BE(0)
    if (type === TLV_ENDPOINT_ID) endpointId = value.toString('ascii')
    at += 3 + value.length
  }
  return {
    command: (versionCommand & 0x0f) === 1 ? 'PROXY' : 'LOCAL',
    transport: transportNibble === 1 ? 'tcp' : transportNibble === 2 ? 'udp' : 'unspec',
    source,
    destination,
    markerId,
    endpointId,
    tlvs,
    length,
  }
}
