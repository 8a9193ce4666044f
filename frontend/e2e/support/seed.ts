/**
 * Data the browser tests set up through the API rather than the pages: accounts (reused across
 * runs, since user-service allows 10 sign-ups an hour from one address) and published listings
 * (a draft, a PNG photo made here, publish).
 */
import { randomUUID } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { deflateSync } from 'node:zlib'

import { expect, type APIRequestContext } from '@playwright/test'

import { testAccountNew, type TestAccount } from '../helpers'

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k += 1) {
    c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  }
  return c >>> 0
})

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff
  for (const byte of bytes) {
    crc = (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8)
  }
  return (crc ^ 0xffffffff) >>> 0
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(typeAndData))
  return Buffer.concat([length, typeAndData, crc])
}

/** A 320×240 RGB PNG: a gold frame around a grey field (photos need 200 px on the short side). */
export function pngPhoto(width = 320, height = 240): Buffer {
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header.writeUInt8(8, 8) // bit depth
  header.writeUInt8(2, 9) // truecolour
  const rows: Buffer[] = []
  for (let y = 0; y < height; y += 1) {
    const row = Buffer.alloc(1 + width * 3)
    for (let x = 0; x < width; x += 1) {
      const isFrame = x < 16 || y < 16 || x >= width - 16 || y >= height - 16
      row.set(isFrame ? [0xe5, 0xb3, 0x2b] : [0x8a, 0x8a, 0x8a], 1 + x * 3)
    }
    rows.push(row)
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(Buffer.concat(rows))),
    pngChunk('IEND', Buffer.alloc(0)),
  ])
}

/** Fails with the request, status and body when a call does not answer `expected`. */
export async function expectStatus(
  response: Awaited<ReturnType<APIRequestContext['get']>>,
  expected: number,
  what: string,
): Promise<void> {
  if (response.status() !== expected) {
    throw new Error(`${what}: ${response.url()} answered ${response.status()}: ${await response.text()}`)
  }
}

/**
 * Accounts this test made before, per gateway: user-service allows 10 sign-ups an hour from one
 * address, and every browser test registers from 127.0.0.1, so a rerun signs its accounts in
 * again instead of registering new ones (a fresh stack, where they do not exist, registers).
 */
const GATEWAY = process.env.E2E_BASE_URL ?? 'http://127.0.0.1:3000'

type SavedAccounts = Record<string, Partial<Record<string, TestAccount>>>

function accountsFile(spec: string): string {
  return path.join(tmpdir(), `dbay-e2e-${spec}-accounts.json`)
}

function savedAccounts(spec: string): SavedAccounts {
  try {
    return JSON.parse(readFileSync(accountsFile(spec), 'utf8')) as SavedAccounts
  } catch {
    return {}
  }
}

/** Signs in through user-service's API; null when the account does not exist (any more). */
export async function accessTokenFor(request: APIRequestContext, account: TestAccount): Promise<string | null> {
  const signedIn = await request.post('/api/v1/user/auth/login', {
    data: { login: account.username, password: account.password },
    timeout: 30_000,
  })
  if (signedIn.status() === 401) {
    return null
  }
  await expectStatus(signedIn, 200, 'sign in')
  return ((await signedIn.json()) as { access_token: string }).access_token
}

/**
 * A spec's `role` account (registered through the API if needed, else signed in again: see
 * above) and an access token. `spec` names the file the accounts are kept in, per spec.
 */
export async function accountByApi(
  request: APIRequestContext,
  role: string,
  spec = 'search',
): Promise<{ account: TestAccount; token: string }> {
  const saved = savedAccounts(spec)
  const known = saved[GATEWAY]?.[role]
  const knownToken = known === undefined ? null : await accessTokenFor(request, known)
  if (known !== undefined && knownToken !== null) {
    return { account: known, token: knownToken }
  }
  const account = testAccountNew(`e2e_${role}`)
  const registered = await request.post('/api/v1/user/auth/register', {
    data: { email: account.email, username: account.username, password: account.password },
    timeout: 30_000,
  })
  await expectStatus(registered, 202, 'register')
  const token = await accessTokenFor(request, account)
  if (token === null) {
    throw new Error(`sign in: ${account.username} was registered but user-service refused the password`)
  }
  writeFileSync(accountsFile(spec), JSON.stringify({ ...saved, [GATEWAY]: { ...saved[GATEWAY], [role]: account } }))
  return { account, token }
}

export interface PublishedListing {
  id: string
  title: string
  publishedAt: number
}

/** The seller's side through listing-service: draft, one photo, publish. */
export async function listingPublishByApi(request: APIRequestContext, token: string, title: string): Promise<PublishedListing> {
  const auth = { Authorization: `Bearer ${token}` }
  const categories = await request.get('/api/v1/listings/categories')
  await expectStatus(categories, 200, 'categories')
  const tree = (await categories.json()) as { data: { id: string; children: { id: string; name: string }[] }[] }
  const cameras = tree.data.flatMap((top) => top.children).find((leaf) => /camera/i.test(leaf.name))
  const leaf = cameras ?? tree.data[0]?.children[0]
  expect(leaf, 'a leaf category').toBeDefined()

  const draftBody = {
    title,
    description: 'Three film cameras from the seventies with their lenses, cleaned and tested.',
    category_id: leaf?.id,
    condition: 'like_new',
    format: 'auction',
    start_price_koinu: '1500000000',
    buy_it_now_koinu: '9000000000',
    duration_days: 7,
    item_specifics: [
      { name: 'Brand', value: 'Zorblax Optics' },
      { name: 'Film format', value: '35 mm' },
    ],
    shipping_options: [{ service: 'Standard post', price_koinu: '250000000', ships_to: ['WORLDWIDE'] }],
    local_pickup: true,
    location: { country: 'DE', city: 'Berlin', postal_code: '10115' },
  }
  // Like the warm-up in the test: a 503 (signing keys still loading) changed nothing; the same
  // Idempotency-Key makes the retry safe anyway.
  const idempotencyKey = randomUUID()
  const draftCreate = () =>
    request.post('/api/v1/listings/drafts', { headers: { ...auth, 'Idempotency-Key': idempotencyKey }, data: draftBody })
  let draft = await draftCreate()
  for (let attempt = 1; draft.status() === 503 && attempt < 10; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 1_000 * Number(draft.headers()['retry-after'] ?? '1')))
    draft = await draftCreate()
  }
  await expectStatus(draft, 201, 'create draft')
  const id = ((await draft.json()) as { listing_id: string }).listing_id

  const photo = await request.post(`/api/v1/listings/${id}/photos`, {
    headers: auth,
    multipart: { file: { name: 'cameras.png', mimeType: 'image/png', buffer: pngPhoto() } },
  })
  await expectStatus(photo, 201, 'upload photo')

  const published = await request.post(`/api/v1/listings/${id}/publish`, { headers: auth, data: {} })
  await expectStatus(published, 200, 'publish')
  return { id, title, publishedAt: Date.now() }
}
