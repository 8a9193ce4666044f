/**
 * The live channel: one WebSocket to `/ws/` on this origin (docs/live-channel.md).
 *
 * - Signed in, the first frame is `{"op": "auth", "token"}`; after each token refresh the client
 *   sends a new auth frame on the open socket (the server keeps the connection).
 * - Topics (`user:<id>`, `listing:<id>`) are reference-counted: two pages asking for one topic
 *   share one subscription. The last `seq` seen per topic is kept, so after a reconnect the
 *   client subscribes with `after` and the server replays what was missed, or answers `reset`
 *   (too old: the pages read that topic's data again).
 * - A lost connection is opened again after a jittered, growing delay (1 s, 2 s, 4 s ... 30 s).
 *   A close with 4401 (token invalid or expired) renews the token first; 4403 (session revoked)
 *   ends the session here.
 *
 * No Vue in here: src/live/index.ts wires it to the session store and the query cache.
 */

export interface LiveEventFrame {
  type: 'event'
  topic: string
  seq: number
  event: string
  data: Record<string, unknown>
  at: string
}

export type LiveStatus = 'idle' | 'connecting' | 'open' | 'closed'

/** The parts of the browser's WebSocket the client uses (tests pass a fake). */
export interface LiveSocket {
  readonly readyState: number
  send: (data: string) => void
  close: (code?: number, reason?: string) => void
  onopen: ((event: Event) => void) | null
  onmessage: ((event: MessageEvent) => void) | null
  onclose: ((event: CloseEvent) => void) | null
  onerror: ((event: Event) => void) | null
}

export interface LiveClientOptions {
  url: () => string
  /** The current access token, or null when signed out (then only public topics). */
  accessToken: () => string | null
  /** Renews the access token; resolves false when the session is gone. */
  tokenRefresh: () => Promise<boolean>
  /** The server ended the session (4403): sign out here. */
  onSessionRevoked: () => void
  onEvent: (frame: LiveEventFrame) => void
  /** The server could not replay a topic: what shows it must be read again. */
  onReset: (topic: string) => void
  onStatus?: (status: LiveStatus) => void
  createSocket?: (url: string) => LiveSocket
  random?: () => number
  setTimer?: (callback: () => void, ms: number) => unknown
  clearTimer?: (handle: unknown) => void
}

export const CLOSE_TOKEN_INVALID = 4401
export const CLOSE_SESSION_REVOKED = 4403
export const RECONNECT_BASE_MS = 1_000
export const RECONNECT_MAX_MS = 30_000
const OPEN = 1

/** The delay before reconnect attempt `attempt` (0-based): full jitter under a doubling cap. */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  const cap = Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** Math.min(attempt, 10))
  return Math.round(cap / 2 + (random() * cap) / 2)
}

/** `ws://host/ws/` or `wss://host/ws/`, following the page's protocol. */
export function liveUrlFor(location: Pick<Location, 'protocol' | 'host'>): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws/`
}

export class LiveClient {
  private readonly options: LiveClientOptions
  private socket: LiveSocket | null = null
  private readonly topics = new Map<string, number>()
  private readonly lastSeq = new Map<string, number>()
  private attempt = 0
  private timer: unknown = null
  private isRunning = false
  private sentToken: string | null = null
  status: LiveStatus = 'idle'

  constructor(options: LiveClientOptions) {
    this.options = options
  }

  /** Between start() and stop() (or a 4403): the client keeps a socket open. */
  get isStarted(): boolean {
    return this.isRunning
  }

  /** Opens the socket (if not already) and keeps it open until stop(). */
  start(): void {
    if (this.isRunning) {
      return
    }
    this.isRunning = true
    this.connect()
  }

  /** Closes the socket and forgets every topic's position (someone else may sign in next). */
  stop(): void {
    this.isRunning = false
    this.timerClear()
    this.lastSeq.clear()
    this.attempt = 0
    const socket = this.socket
    this.socket = null
    if (socket !== null) {
      this.socketDetach(socket)
      socket.close(1000, 'bye')
    }
    this.statusSet('idle')
  }

  /** Closes and opens again at once (the signed-in user changed). */
  restart(): void {
    this.stop()
    this.start()
  }

  /** Asks for `topic` (counted: the subscription ends when every caller has let go). */
  subscribe(topic: string): () => void {
    const count = this.topics.get(topic) ?? 0
    this.topics.set(topic, count + 1)
    if (count === 0 && this.isOpen()) {
      this.send({ op: 'subscribe', topic, after: this.lastSeq.get(topic) ?? null })
    }
    let isDone = false
    return () => {
      if (isDone) {
        return
      }
      isDone = true
      this.release(topic)
    }
  }

  /** The topics asked for now. */
  subscribedTopics(): string[] {
    return [...this.topics.keys()]
  }

  /** Sends the new token on the open socket (after a refresh); a no-op when unchanged or closed. */
  reauthenticate(): void {
    const token = this.options.accessToken()
    if (token === null || token === this.sentToken || !this.isOpen()) {
      return
    }
    this.sentToken = token
    this.send({ op: 'auth', token })
  }

  private release(topic: string): void {
    const count = this.topics.get(topic) ?? 0
    if (count <= 1) {
      this.topics.delete(topic)
      this.lastSeq.delete(topic)
      if (this.isOpen()) {
        this.send({ op: 'unsubscribe', topic })
      }
    } else {
      this.topics.set(topic, count - 1)
    }
  }

  private isOpen(): boolean {
    return this.socket !== null && this.socket.readyState === OPEN && this.status === 'open'
  }

  private connect(): void {
    this.timerClear()
    this.statusSet('connecting')
    const create = this.options.createSocket ?? ((url: string) => new WebSocket(url))
    let socket: LiveSocket
    try {
      socket = create(this.options.url())
    } catch {
      this.reconnectLater()
      return
    }
    this.socket = socket
    socket.onopen = () => this.onOpen(socket)
    socket.onmessage = (event) => this.onMessage(event)
    socket.onclose = (event) => this.onClose(socket, event)
    socket.onerror = () => undefined
  }

  private onOpen(socket: LiveSocket): void {
    if (socket !== this.socket) {
      return
    }
    this.attempt = 0
    const token = this.options.accessToken()
    this.sentToken = token
    if (token !== null) {
      socket.send(JSON.stringify({ op: 'auth', token }))
    }
    this.statusSet('open')
    for (const topic of this.topics.keys()) {
      this.send({ op: 'subscribe', topic, after: this.lastSeq.get(topic) ?? null })
    }
  }

  private onMessage(event: MessageEvent): void {
    let frame: unknown
    try {
      frame = JSON.parse(String(event.data))
    } catch {
      return
    }
    if (typeof frame !== 'object' || frame === null) {
      return
    }
    const message = frame as Record<string, unknown>
    const topic = typeof message.topic === 'string' ? message.topic : null
    switch (message.type) {
      case 'event': {
        if (topic === null || !this.topics.has(topic) || typeof message.seq !== 'number') {
          return
        }
        const last = this.lastSeq.get(topic)
        if (last !== undefined && message.seq <= last) {
          return // a replayed frame already seen
        }
        this.lastSeq.set(topic, message.seq)
        this.options.onEvent(frame as LiveEventFrame)
        return
      }
      case 'subscribed':
        if (topic !== null && typeof message.seq === 'number' && !this.lastSeq.has(topic)) {
          this.lastSeq.set(topic, message.seq)
        }
        return
      case 'reset':
        if (topic !== null && typeof message.seq === 'number') {
          this.lastSeq.set(topic, message.seq)
          this.options.onReset(topic)
        }
        return
    }
  }

  private onClose(socket: LiveSocket, event: CloseEvent): void {
    if (socket !== this.socket) {
      return
    }
    this.socketDetach(socket)
    this.socket = null
    this.statusSet('closed')
    if (!this.isRunning) {
      return
    }
    if (event.code === CLOSE_SESSION_REVOKED) {
      this.isRunning = false
      this.lastSeq.clear()
      this.options.onSessionRevoked()
      return
    }
    if (event.code === CLOSE_TOKEN_INVALID && this.options.accessToken() !== null) {
      void this.options.tokenRefresh().then((isRenewed) => {
        if (!this.isRunning) {
          return
        }
        if (isRenewed) {
          this.connect()
        } else {
          this.reconnectLater()
        }
      })
      return
    }
    this.reconnectLater()
  }

  private reconnectLater(): void {
    if (!this.isRunning) {
      return
    }
    const delay = reconnectDelayMs(this.attempt, this.options.random)
    this.attempt += 1
    const setTimer = this.options.setTimer ?? ((callback: () => void, ms: number) => setTimeout(callback, ms))
    this.timer = setTimer(() => {
      this.timer = null
      if (this.isRunning) {
        this.connect()
      }
    }, delay)
  }

  private timerClear(): void {
    if (this.timer !== null) {
      const clearTimer = this.options.clearTimer ?? ((handle: unknown) => clearTimeout(handle as number))
      clearTimer(this.timer)
      this.timer = null
    }
  }

  private socketDetach(socket: LiveSocket): void {
    socket.onopen = null
    socket.onmessage = null
    socket.onclose = null
    socket.onerror = null
  }

  private send(frame: Record<string, unknown>): void {
    this.socket?.send(JSON.stringify(frame))
  }

  private statusSet(status: LiveStatus): void {
    if (this.status !== status) {
      this.status = status
      this.options.onStatus?.(status)
    }
  }
}
