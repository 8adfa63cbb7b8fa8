import dgram from 'node:dgram'
import { bindUdp } from './bind.ts'
import dnsPacket from 'dns-packet'

const NXDOMAIN = 3
const REFUSED = 5
const TTL_SECONDS = 5

/**
 * The private DNS of endpoints with enable_dns: a UDP responder on a loopback port that answers A
 * queries for `<endpoint id>.<zone>` with the endpoint's address, NXDOMAIN for other names of the zone,
 * and REFUSED for names outside it (it is not a resolver).
 */
export class DnsResponder {
  private readonly socket = dgram.createSocket({ type: 'udp4' })
  private names = new Map<string, string>()

  constructor(private readonly zone: string) {
    this.socket.on('message', (message, peer) => this.answer(message, peer))
    this.socket.on('error', () => {})
  }

  listen(host: string, port: number): Promise<number> {
    return bindUdp(this.socket, host, port)
  }

  /** Names (lower case) to addresses; replaced as a whole on every reconcile. */
  setNames(names: Map<string, string>): void {
    this.names = names
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()))
  }

  private answer(message: Buffer, peer: dgram.RemoteInfo): void {
    let query: dnsPacket.DecodedPacket
    try {
      query = dnsPacket.decode(message)
    } catch {
      return // not DNS: nothing to answer
    }
    if (query.type !== 'query' || !query.questions?.length) return
    const question = query.questions[0]!
    const name = question.name.toLowerCase().replace(/\.$/, '')
    const inZone = name === this.zone || name.endsWith(`.${this.zone}`)
    const address = this.names.get(name)
    let rcode = 0
    if (!inZone) rcode = REFUSED
    else if (address === undefined) rcode = NXDOMAIN
    const answers: dnsPacket.Answer[] = address !== undefined && (question.type === 'A' || (question.type as string) === 'ANY') ? [{ type: 'A', name: question.name, ttl: TTL_SECONDS, data: address }] : []
    const reply = dnsPacket.encode({
      type: 'response',
      id: query.id,
      flags: (inZone ? dnsPacket.AUTHORITATIVE_ANSWER : 0) | (query.flag_rd ? dnsPacket.RECURSION_DESIRED : 0) | rcode,
      questions: [question],
      answers,
    })
    this.socket.send(reply, peer.port, peer.address)
  }
}
