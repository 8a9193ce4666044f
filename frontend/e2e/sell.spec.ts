import { deflateSync, crc32 } from 'node:zlib'

import type { Page } from '@playwright/test'

import { checkA11y, expect, test } from './fixtures'
import { accountRegister, emailVerifyFromMail, signInWithPassword, testAccountNew } from './helpers'

/**
 * The seller's journey through the real stack: a new user starts a listing at /sell (category from
 * the searchable picker), adds two photos (one with the file picker, one dropped on the page),
 * reorders them with the keyboard-accessible buttons, writes the details (after a try that shows
 * every missing field at once), sets an auction with a Buy It Now price and sees what they would
 * receive after the fee, saves and leaves, comes back to the draft from My listings, adds
 * shipping, publishes, and finds the listing under My listings → Active and at /listings/<id>.
 *
 * Needs the stack (`make up`: gateway, user-service with its mail worker, listing-service with its
 * photo worker) and a fresh `npm run build`.
 */

/** A `size`×`size` PNG of one colour (RGB), made here: no fixture files. */
function pngBytes(size: number, rgb: [number, number, number]): Buffer {
  const row = Buffer.alloc(1 + size * 3)
  for (let x = 0; x < size; x += 1) {
    row.set(rgb, 1 + x * 3)
  }
  const raw = Buffer.concat(Array.from({ length: size }, () => row))
  const chunk = (type: string, data: Buffer): Buffer => {
    const length = Buffer.alloc(4)
    length.writeUInt32BE(data.length)
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(body))
    return Buffer.concat([length, body, crc])
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(size, 0)
  header.writeUInt32BE(size, 4)
  header.set([8, 2, 0, 0, 0], 8) // 8-bit RGB, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

/** Drops a file on `selector` the way a browser does: a drop event carrying a DataTransfer. */
async function fileDrop(page: Page, selector: string, name: string, bytes: Buffer): Promise<void> {
  // A string, as the browser tests are type-checked without the DOM library.
  const dataTransfer = await page.evaluateHandle(`(() => {
    const binary = atob(${JSON.stringify(bytes.toString('base64'))})
    const data = new Uint8Array(binary.length)
    for (let index = 0; index < binary.length; index += 1) {
      data[index] = binary.charCodeAt(index)
    }
    const transfer = new DataTransfer()
    transfer.items.add(new File([data], ${JSON.stringify(name)}, { type: 'image/png' }))
    return transfer
  })()`)
  await page.dispatchEvent(selector, 'dragover', { dataTransfer })
  await page.dispatchEvent(selector, 'drop', { dataTransfer })
}

/** The photo ids in the order the form shows them. */
async function photoOrder(page: Page): Promise<string[]> {
  return page
    .getByRole('list', { name: 'Your photos' })
    .getByRole('listitem')
    .evaluateAll((items) => items.map((item) => item.getAttribute('data-photo-id') ?? ''))
}

/** No part of the page is wider than the viewport (nothing to scroll sideways). */
async function expectNoSidewaysScroll(page: Page): Promise<void> {
  const widths = await page.evaluate<{ scroll: number; viewport: number }>(
    '({ scroll: document.documentElement.scrollWidth, viewport: window.innerWidth })',
  )
  expect(widths.scroll).toBeLessThanOrEqual(widths.viewport)
}

interface LeafCategory {
  id: string
  name: string
}

test('a seller lists an auction with photos, saves the draft, comes back and publishes it', async ({ page }) => {
  test.setTimeout(180_000)
  const account = testAccountNew('seller')
  const registeredAt = await accountRegister(page, account)
  await emailVerifyFromMail(page, account, registeredAt)

  // Signed out, /sell asks to sign in, and comes back after.
  await page.goto('/sell')
  await expect(page.getByRole('heading', { level: 2, name: 'Sign in to sell' })).toBeVisible()
  await checkA11y(page)
  await page.getByRole('main').getByRole('link', { name: 'Sign in', exact: true }).click()
  await signInWithPassword(page, account)
  await expect(page).toHaveURL(/\/sell$/)

  // Step 1: the category, found by a word of its name.
  const tree = (await (await page.request.get('/api/v1/listings/categories')).json()) as {
    data: { name: string; children: LeafCategory[] }[]
  }
  const leaf = tree.data.flatMap((group) => group.children).find((candidate) => /^[A-Za-z]{4,}/.test(candidate.name))
  expect(leaf, 'a leaf category with a word to search for').toBeDefined()
  const category = leaf as LeafCategory
  await expect(page.getByRole('radio').first()).toBeVisible()
  await checkA11y(page)
  await page.getByRole('button', { name: 'Start listing' }).click()
  await expect(page.getByText('Choose a category for your item.')).toBeVisible()
  await page.getByLabel('Find a category').fill(category.name.split(/\s+/)[0] ?? category.name)
  await page.getByRole('radio', { name: category.name, exact: true }).check()
  await page.getByRole('button', { name: 'Start listing' }).click()

  // Step 2: photos. One through the file picker, one dropped on the drop zone.
  await expect(page).toHaveURL(/\/sell\/[0-9a-f-]{36}\?step=photos$/)
  const listingId = /\/sell\/([0-9a-f-]{36})/.exec(page.url())?.[1] ?? ''
  await expect(page.getByRole('heading', { name: 'Step 2 of 6: Photos' })).toBeVisible()
  await page.getByLabel('Choose photos').setInputFiles({ name: 'red.png', mimeType: 'image/png', buffer: pngBytes(240, [200, 30, 30]) })
  await fileDrop(page, '[data-testid="photo-drop-zone"]', 'blue.png', pngBytes(260, [30, 30, 200]))
  const photos = page.getByRole('list', { name: 'Your photos' }).getByRole('listitem')
  await expect(photos).toHaveCount(2)
  // The thumbnails are made in the background: "Processing…" until the page's poll sees them.
  await expect(page.getByRole('img', { name: 'Photo 2 of 2' })).toBeVisible({ timeout: 30_000 })
  await expect(page.getByRole('img', { name: 'Photo 1 of 2' })).toBeVisible()
  await checkA11y(page)

  // Reorder by dragging the first photo onto the second, then back with the keyboard-accessible buttons.
  const [first, second] = await photoOrder(page)
  await photos.nth(0).dragTo(photos.nth(1))
  await expect(page.getByRole('status').filter({ hasText: 'Photo moved to position 2 of 2.' })).toBeAttached()
  expect(await photoOrder(page)).toEqual([second, first])
  await page.getByRole('button', { name: 'Move photo 2 earlier' }).click()
  await expect(page.getByRole('status').filter({ hasText: 'Photo moved to position 1 of 2.' })).toBeAttached()
  expect(await photoOrder(page)).toEqual([first, second])
  // Focus stays with the moved photo, on its other move button (it is now first).
  await expect(page.getByRole('button', { name: 'Move photo 1 later' })).toBeFocused()

  await page.getByRole('button', { name: 'Save and continue' }).click()

  // Step 3: details (focus starts at the step's heading). Submitting it empty shows every problem at once.
  await expect(page.getByRole('heading', { name: 'Step 3 of 6: Details' })).toBeFocused()
  await page.getByRole('button', { name: 'Save and continue' }).click()
  await expect(page.getByText('Enter a title.')).toBeVisible()
  await expect(page.getByText('Choose the item\'s condition.')).toBeVisible()
  await expect(page.getByText('Describe the item.')).toBeVisible()
  await expect(page.getByLabel('Title')).toBeFocused()
  await checkA11y(page)
  const title = `Shiba camera ${account.suffix}`
  await page.getByLabel('Title').fill(title)
  await page.getByLabel('Condition').selectOption({ label: 'Like new' })
  await page.getByLabel('Description').fill('Works well; the strap is included.')
  await page.getByRole('button', { name: 'Save and continue' }).click()

  // Step 4: an auction with Buy It Now; bad prices first, all shown together.
  await expect(page.getByRole('heading', { name: 'Step 4 of 6: Format and price' })).toBeVisible()
  await page.getByLabel('Start price (DOGE)').fill('ten')
  await page.getByLabel('Reserve price (DOGE) (optional)').fill('0.000000001')
  await page.getByLabel('Buy It Now price (DOGE) (optional)').fill('-3')
  await page.getByRole('button', { name: 'Save and continue' }).click()
  await expect(page.getByText('Enter the price as a number of DOGE, for example 12.5.')).toBeVisible()
  await expect(page.getByText('DOGE amounts have at most 8 decimal places.')).toBeVisible()
  await expect(page.getByText('A price cannot be negative.')).toBeVisible()
  await checkA11y(page)

  await page.getByLabel('Start price (DOGE)').fill('10')
  await page.getByLabel('Reserve price (DOGE) (optional)').fill('')
  await page.getByLabel('Buy It Now price (DOGE) (optional)').fill('25.5')
  await page.getByLabel('Duration').selectOption({ label: '7 days' })
  const fees = (await (await page.request.get('/api/v1/listings/fees')).json()) as { final_value_fee_bps: number }
  const priceKoinu = 2_550_000_000n
  const receiveKoinu = priceKoinu - (priceKoinu * BigInt(fees.final_value_fee_bps)) / 10_000n
  await expect(page.getByTestId('fee-you-receive').locator('data')).toHaveAttribute('value', receiveKoinu.toString())

  // Save and leave: the draft waits under My listings → Drafts.
  await page.getByRole('button', { name: 'Save and finish later' }).click()
  await expect(page).toHaveURL(/\/my-listings\?tab=drafts$/)
  const draftRow = page.getByRole('listitem').filter({ hasText: title })
  await expect(draftRow).toBeVisible()
  await expect(draftRow.getByText('Draft', { exact: true })).toBeVisible()
  await checkA11y(page)

  // Back to the draft: the review says what is still missing.
  await draftRow.getByRole('link', { name: `Continue ${title}` }).click()
  await expect(page).toHaveURL(new RegExp(`/sell/${listingId}$`))
  await expect(page.getByRole('radio', { name: category.name, exact: true })).toBeChecked()
  await checkA11y(page)
  await page.getByRole('navigation', { name: 'Steps' }).getByRole('link', { name: /Review/ }).click()
  await expect(page.getByText('Before you can publish, add:')).toBeVisible()
  await expect(page.getByText('shipping or local pickup')).toBeVisible()
  await expect(page.getByRole('button', { name: 'Publish listing' })).toBeDisabled()
  await checkA11y(page)
  await page.getByRole('button', { name: 'go to Shipping' }).first().click()

  // Step 5: shipping and location.
  await expect(page.getByRole('heading', { name: 'Step 5 of 6: Shipping' })).toBeVisible()
  await page.getByLabel('Service 1 (optional)').fill('Standard post')
  await page.getByLabel('Price 1 (DOGE) (optional)').fill('5')
  await page.getByLabel('Ships to 1 (optional)').fill('WORLDWIDE')
  await page.getByLabel('Country code').fill('de')
  await page.getByLabel('City (optional)').fill('Berlin')
  await checkA11y(page)
  await page.getByRole('button', { name: 'Save and continue' }).click()

  // Step 6: review, the fee again (also at phone width), publish.
  await expect(page.getByRole('heading', { name: 'Step 6 of 6: Review' })).toBeVisible()
  await expect(page.getByRole('definition').filter({ hasText: title })).toBeVisible()
  await expect(page.getByTestId('fee-you-receive').locator('data')).toHaveAttribute('value', receiveKoinu.toString())
  await checkA11y(page)
  await page.setViewportSize({ width: 375, height: 800 })
  await expect(page.getByRole('button', { name: 'Publish listing' })).toBeVisible()
  await expectNoSidewaysScroll(page)
  await page.setViewportSize({ width: 1280, height: 800 })
  await page.getByRole('button', { name: 'Publish listing' }).click()

  await expect(page).toHaveURL(new RegExp(`/my-listings\\?tab=active&published=${listingId}$`))
  await expect(page.getByText('Your listing is live.')).toBeVisible()
  const activeRow = page.getByRole('listitem').filter({ hasText: title })
  await expect(activeRow.getByText('Active', { exact: true })).toBeVisible()
  await expect(activeRow.getByText('0 views')).toBeVisible()
  await expect(activeRow.getByText('0 watchers')).toBeVisible()
  await expect(activeRow.getByText(/^(6|7) days left$/)).toBeVisible()
  await checkA11y(page)

  // What the API now says about it (the public read: no reserve, the seller's photo order).
  const listing = (await (await page.request.get(`/api/v1/listings/${listingId}`)).json()) as {
    status: string
    format: string
    title: string
    price_koinu: string
    buy_it_now_koinu: string
    photos: { id: string; position: number }[]
    shipping_options: { service: string; price_koinu: string; ships_to: string[] }[]
    location: { country: string; city: string }
  }
  expect(listing.status).toBe('active')
  expect(listing.format).toBe('auction')
  expect(listing.title).toBe(title)
  expect(listing.price_koinu).toBe('1000000000')
  expect(listing.buy_it_now_koinu).toBe('2550000000')
  expect([...listing.photos].sort((a, b) => a.position - b.position).map((photo) => photo.id)).toEqual([first, second])
  expect(listing.shipping_options).toEqual([{ service: 'Standard post', price_koinu: '500000000', ships_to: ['WORLDWIDE'] }])
  expect(listing.location).toMatchObject({ country: 'DE', city: 'Berlin' })

  // Phone width: the list and the form fit without sideways scrolling.
  await page.setViewportSize({ width: 375, height: 800 })
  await expect(activeRow).toBeVisible()
  await expectNoSidewaysScroll(page)
  await checkA11y(page)
  await page.setViewportSize({ width: 1280, height: 800 })

  // The listing's own page.
  await activeRow.getByRole('link', { name: title, exact: true }).click()
  await expect(page).toHaveURL(new RegExp(`/listings/${listingId}$`))
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible()
  await checkA11y(page)
})
