/**
 * A spinner with the elapsed seconds and the last status seen, on stderr and only when stderr is a
 * terminal: piped or redirected output gets no progress noise at all.
 */
export interface Progress {
  update(status: string): void
  stop(): void
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']

export function startProgress(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return { update() {}, stop() {} }
  const started = Date.now()
  let status = ''
  let frame = 0
  const draw = () => {
    const seconds = Math.floor((Date.now() - started) / 1000)
    stream.write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${label}${status ? ` (${status})` : ''} ${seconds}s`)
  }
  draw()
  const timer = setInterval(draw, 100)
  timer.unref()
  return {
    update(next) {
      status = next
    },
    stop() {
      clearInterval(timer)
      stream.write('\r\x1b[2K')
    },
  }
}
