// The benchmark's backend, in a process of its own so it does not share the load generator's event loop:
// port 1 sinks bytes (answering "ok" after the client's FIN), port 2 echoes. Prints both ports as JSON.
import net from 'node:net'

const sink = net.createServer({ allowHalfOpen: true }, (socket) => {
  socket.on('data', () => {})
  socket.on('end', () => socket.end('ok'))
  socket.on('error', () => {})
})
const echo = net.createServer({ noDelay: true }, (socket) => {
  socket.setNoDelay(true)
  socket.on('error', () => {})
  socket.pipe(socket)
})
await new Promise((resolve) => sink.listen(0, '127.0.0.1', resolve))
await new Promise((resolve) => echo.listen(0, '127.0.0.1', resolve))
process.stdout.write(`${JSON.stringify({ sink: sink.address().port, echo: echo.address().port })}\n`)
