/**
 * A stand-in for the browser's WebSocket in unit tests of the live channel: records the frames
 * the client sends (parsed) and lets the test open, answer and close the connection.
 */
import type { LiveSocket } from '@/live/liveClient'

export class FakeSocket implements LiveSocket {
  readyState = 0
  readonly url: string
  readonly sent: Record<string, unknown>[] = []
  closedWith: { code?: number; reason?: string } | null = null
  onopen: ((event: Event) => void) | null = null
  onmessage: ((event: MessageEvent) => void) | null = null
  onclose: ((event: CloseEvent) => void) | null = null
  onerror: ((event: Event) => void) | null = null

  constructor(url: string) {
    this.url = url
  }

  send(data: string): void {
    if (this.readyState !== 1) {
      throw new Error('FakeSocket: send before open')
    }
    this.sent.push(JSON.parse(data) as Record<string, unknown>)
  }

  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason }
    this.readyState = 3
  }

  /** The server accepts the connection. */
  open(): void {
    this.readyState = 1
    this.onopen?.(new Event('open'))
  }

  /** The server sends a frame. */
  receive(frame: unknown): void {
    this.onmessage?.(new MessageEvent('message', { data: JSON.stringify(frame) }))
  }

  /** The server (or the network) closes the connection. */
  serverClose(code: number, reason = ''): void {
    this.readyState = 3
    this.onclose?.({ code, reason, wasClean: code !== 1006 } as CloseEvent)
  }
}

/** Every socket the client created, newest last, and the factory to give it. */
export function fakeSockets(): { sockets: FakeSocket[]; createSocket: (url: string) => FakeSocket; last: () => FakeSocket } {
  const sockets: FakeSocket[] = []
  return {
    sockets,
    createSocket: (url) => {
      const socket = new FakeSocket(url)
      sockets.push(socket)
      return socket
    },
    last: () => {
      const socket = sockets.at(-1)
      if (socket === undefined) {
        throw new Error('no socket yet')
      }
      return socket
    },
  }
}
