/**
 * Reads the mail dBay sent locally. The devstack's SMTP sink writes every message to a Maildir at
 * `<repo>/.devstack/mail` (`$DBAY_DATA_DIR/mail` when that is set); `scripts/mail` reads the same.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
export const MAILDIR = path.join(process.env.DBAY_DATA_DIR ?? path.join(REPO_ROOT, '.devstack'), 'mail')

export interface SentMail {
  file: string
  to: string
  subject: string
  text: string
  links: string[]
}

/** Waits for the newest message to `address` (case-insensitive) delivered at or after `sinceMs`. */
export async function mailWaitFor(
  address: string,
  { sinceMs = 0, timeoutMs = 30_000 }: { sinceMs?: number; timeoutMs?: number } = {},
): Promise<SentMail> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const found = mailNewestTo(address, sinceMs)
    if (found !== null) {
      return found
    }
    if (Date.now() > deadline) {
      throw new Error(`no mail to ${address} in ${MAILDIR} after ${timeoutMs} ms`)
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

export function mailNewestTo(address: string, sinceMs = 0): SentMail | null {
  const files = ['new', 'cur']
    .map((folder) => path.join(MAILDIR, folder))
    .flatMap((folder) => {
      try {
        return readdirSync(folder).map((name) => path.join(folder, name))
      } catch {
        return []
      }
    })
    .map((file) => ({ file, mtimeMs: statSync(file).mtimeMs }))
    .filter(({ mtimeMs }) => mtimeMs >= sinceMs - 1_000)
    .sort((first, second) => second.mtimeMs - first.mtimeMs)

  for (const { file } of files) {
    const message = parseMessage(readFileSync(file))
    const to = message.headers.get('to') ?? ''
    if (to.toLowerCase().includes(address.toLowerCase())) {
      const text = plainText(message)
      return {
        file,
        to,
        subject: message.headers.get('subject') ?? '',
        text,
        links: [...text.matchAll(/https?:\/\/[^\s<>"']+/g)].map((match) => match[0]),
      }
    }
  }
  return null
}

interface MimePart {
  headers: Map<string, string>
  body: Buffer
}

function parseMessage(raw: Buffer): MimePart {
  const text = raw.toString('latin1')
  const split = /\r?\n\r?\n/.exec(text)
  const headerText = split === null ? text : text.slice(0, split.index)
  const bodyStart = split === null ? text.length : split.index + split[0].length
  const headers = new Map<string, string>()
  for (const line of headerText.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':')
    if (colon > 0) {
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim())
    }
  }
  return { headers, body: raw.subarray(Buffer.byteLength(text.slice(0, bodyStart), 'latin1')) }
}

/** The text/plain part (or the first text part), decoded. */
function plainText(part: MimePart): string {
  const contentType = part.headers.get('content-type') ?? 'text/plain'
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1]
  if (/^multipart\//i.test(contentType) && boundary !== undefined) {
    const pieces = part.body
      .toString('latin1')
      .split(`--${boundary}`)
      .slice(1)
      .filter((piece) => !piece.startsWith('--'))
      .map((piece) => parseMessage(Buffer.from(piece.replace(/^\r?\n/, ''), 'latin1')))
    const preferred =
      pieces.find((piece) => /^text\/plain/i.test(piece.headers.get('content-type') ?? 'text/plain')) ??
      pieces[0]
    return preferred === undefined ? '' : plainText(preferred)
  }
  const charset = /charset="?([^";]+)"?/i.exec(contentType)?.[1]?.toLowerCase() ?? 'utf-8'
  const encoding = (part.headers.get('content-transfer-encoding') ?? '7bit').toLowerCase()
  let bytes = part.body
  if (encoding === 'base64') {
    bytes = Buffer.from(part.body.toString('latin1').replace(/\s+/g, ''), 'base64')
  } else if (encoding === 'quoted-printable') {
    bytes = decodeQuotedPrintable(part.body.toString('latin1'))
  }
  return new TextDecoder(charset).decode(bytes)
}

function decodeQuotedPrintable(text: string): Buffer {
  const joined = text.replace(/=\r?\n/g, '')
  const bytes: number[] = []
  for (let index = 0; index < joined.length; index += 1) {
    const hex = joined.slice(index + 1, index + 3)
    if (joined[index] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16))
      index += 2
    } else {
      bytes.push(joined.charCodeAt(index) & 0xff)
    }
  }
  return Buffer.from(bytes)
}
