import type dgram from 'node:dgram'

/** Binds a UDP socket to `host:port` (0: any free port); answers the port, or rejects with the bind error. */
export function bindUdp(socket: dgram.Socket, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const failed = (error: Error) => reject(error)
    socket.once('error', failed)
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.off('error', failed)
      resolve(socket.address().port)
    })
  })
}
