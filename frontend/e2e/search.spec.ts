/**
 * The buyer's journey through search, against the real listing-service and search-gateway:
 * a seller lists an auction through the API (draft, a PNG photo made here, publish), then a
 * buyer finds it from the header's search box (suggestion, stemmed word, a typo), narrows the
 * results with a facet kept in the URL, opens the listing, signs in from its Watch button and
 * finds it on the watchlist.
 */
import type { Page } from '@playwright/test'

import { signInWithPassword } from './helpers'
import { checkA11y, expect, test } from './fixtures'
import { accountByApi, expectStatus, listingPublishByApi } from './support/seed'

/** A made-up word no other listing has: letters only, so search treats it as one word. */
function distinctiveWord(): string {
  const letters = 'bcdfghjkmnpqrstvwxz'
  let tail = ''
  for (let index = 0; index < 5; index += 1) {
    tail += letters[Math.floor(Math.random() * letters.length)]
  }
  return `Zorb${tail}`
}

/** The word with one letter changed (one edit: search is typo-tolerant). */
function typoOf(word: string): string {
  const index = word.length - 2
  const replacement = word[index] === 'u' ? 'o' : 'u'
  return `${word.slice(0, index)}${replacement}${word.slice(index + 1)}`
}

const resultCard = (page: Page, title: string) => page.getByRole('article').filter({ hasText: title })

test('a buyer finds a new listing by suggestion, stem and typo, filters it, opens it and watches it', async ({
  page,
  request,
}) => {
  test.setTimeout(120_000)
  const word = distinctiveWord()
  const title = `${word} vintage cameras kit`
  const { account: seller, token: sellerToken } = await accountByApi(request, 'seller')
  const { account: buyer, token: buyerToken } = await accountByApi(request, 'buyer')
  // search-gateway fetches user-service's signing keys on its first signed-in call; right after
  // the stack starts that can answer 503 `jwks_unavailable` (with Retry-After) for a few seconds.
  // One signed-in search first, retried as the API says, keeps that out of the 2 s measured below.
  for (let attempt = 1; ; attempt += 1) {
    const warm = await request.get('/api/v1/search/listings', {
      params: { q: 'camera', limit: '1' },
      headers: { Authorization: `Bearer ${buyerToken}` },
    })
    if (warm.status() !== 503 || attempt === 10) {
      await expectStatus(warm, 200, 'first signed-in search')
      break
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000 * Number(warm.headers()['retry-after'] ?? '1')))
  }
  // Right after the stack starts, listing-service's outbox relay and search-gateway's consumer may
  // still be booting: a first listing, waited for without a clock, shows the pipeline is running.
  const warmUp = await listingPublishByApi(request, sellerToken, `${word} warm-up lens cap`)
  await expect
    .poll(
      async () => {
        const found = await request.get('/api/v1/search/listings', {
          params: { q: `${word} lens cap`, limit: '5' },
          headers: { Authorization: `Bearer ${buyerToken}` },
        })
        return ((await found.json()) as { data?: { listing_id: string }[] }).data?.map((hit) => hit.listing_id) ?? []
      },
      { timeout: 60_000, intervals: [250, 500, 1_000] },
    )
    .toContain(warmUp.id)
  const listing = await listingPublishByApi(request, sellerToken, title)

  // In the index within 2 seconds of publishing. search-gateway keeps anonymous answers in
  // Memcached for 5 s (SEARCH_CACHE_TTL_S), so a page reloaded by a visitor could be served the
  // answer from before the listing; a signed-in search is never cached, so the buyer's polls
  // (every 100 ms, through the gateway) show when the index has it.
  for (;;) {
    const found = await request.get('/api/v1/search/listings', {
      params: { q: 'camera', sort: 'newly_listed', limit: '5' },
      headers: { Authorization: `Bearer ${buyerToken}` },
    })
    await expectStatus(found, 200, 'search')
    const hits = ((await found.json()) as { data: { listing_id: string }[] }).data
    if (hits.some((hit) => hit.listing_id === listing.id)) {
      break
    }
    expect(Date.now() - listing.publishedAt, `"${title}" found by "camera" within 2 s`).toBeLessThan(2_000)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  console.log(`search found the listing ${Date.now() - listing.publishedAt} ms after publishing`)

  // The visitor's results page shows it (reloaded, at most 2 s more, should the first answer be cached).
  await page.goto('/search?q=camera&sort=newly_listed')
  const shownBy = Date.now() + 2_000
  while (!(await resultCard(page, title).isVisible())) {
    expect(Date.now(), `"${title}" on the results page`).toBeLessThan(shownBy)
    await page.waitForTimeout(200)
    await page.reload()
    await page.getByRole('status').filter({ hasText: /result/ }).first().waitFor()
  }
  await checkA11y(page)
  await page.goto('/')

  // The header's search box suggests the title as the word is typed (a listbox, arrow keys).
  await checkA11y(page)
  const searchBox = page.getByRole('combobox', { name: 'Search listings' })
  await searchBox.pressSequentially(word.slice(0, 6).toLowerCase(), { delay: 30 })
  const suggestion = page.getByRole('listbox', { name: 'Suggestions' }).getByRole('option', { name: title })
  await expect(suggestion).toBeVisible()
  await checkA11y(page)
  await searchBox.press('ArrowDown')
  await expect(searchBox).toHaveAttribute('aria-activedescendant', /.+/)
  await searchBox.press('Escape')
  await expect(page.getByRole('listbox', { name: 'Suggestions' })).toBeHidden()

  // "camera" finds "cameras" (stemmed), from the header box.
  await searchBox.fill('camera')
  await searchBox.press('Enter')
  await expect(page).toHaveURL(/\/search\?q=camera$/)
  await page.getByLabel('Sort by').selectOption('newly_listed')
  await expect(page).toHaveURL(/sort=newly_listed/)
  await expect(resultCard(page, title)).toBeVisible()
  await expect(resultCard(page, title).locator('mark').first()).toHaveText(/camera/i)
  await checkA11y(page)

  // A typo of the made-up word still finds it.
  const typo = typoOf(word)
  await searchBox.fill(typo)
  await searchBox.press('Enter')
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Results for “${typo}”`)
  await expect(resultCard(page, title)).toBeVisible()
  await checkA11y(page)

  // A facet narrows the results, lives in the URL, and the back button takes it off.
  const likeNew = page.getByRole('checkbox', { name: /^Like new/ })
  await likeNew.check()
  await expect(page).toHaveURL(/condition=like_new/)
  await expect(resultCard(page, title)).toBeVisible()
  await expect(page.getByRole('checkbox', { name: /^Like new/ })).toBeChecked()
  await checkA11y(page)
  await page.goBack()
  await expect(page).not.toHaveURL(/condition=/)
  await expect(page.getByRole('checkbox', { name: /^Like new/ })).not.toBeChecked()
  await expect(resultCard(page, title)).toBeVisible()

  // The listing page: gallery (zoom opens and Escape closes it), details, specifics, shipping.
  await resultCard(page, title).getByRole('link', { name: title }).click()
  await expect(page).toHaveURL(new RegExp(`/listings/${listing.id}$`))
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title)
  await expect(page).toHaveTitle(`${title} · dBay`)
  const bidding = page.getByRole('region', { name: 'Bidding' })
  await expect(bidding).toContainText('Starting bid')
  await expect(bidding).toContainText('15')
  await expect(bidding).toContainText('0 bids')
  await expect(bidding).toContainText('Buy It Now price')
  await expect(bidding).toContainText(/\d+d \d+h left/)
  await expect(page.getByRole('region', { name: 'Seller' })).toContainText(seller.username)
  await expect(page.getByRole('region', { name: 'Seller' })).toContainText('No ratings yet')
  await expect(page.getByText('Brand', { exact: true })).toBeVisible()
  await expect(page.getByText('Zorblax Optics')).toBeVisible()
  await expect(page.getByText('Standard post')).toBeVisible()
  await expect(page.getByText('Ships to Worldwide')).toBeVisible()
  await expect(page.getByText('Local pickup is available.')).toBeVisible()
  await checkA11y(page)

  const enlarge = page.getByRole('button', { name: 'Enlarge photo 1 of 1' })
  await expect(page.getByRole('img', { name: `${title}, photo 1 of 1` })).toBeVisible()
  await enlarge.click()
  const zoom = page.getByRole('dialog', { name: `${title}, photo 1 of 1` })
  await expect(zoom).toBeVisible()
  await expect(zoom.getByRole('button', { name: 'Close' })).toBeFocused()
  await checkA11y(page)
  await page.keyboard.press('Escape')
  await expect(zoom).toHaveCount(0)
  await expect(enlarge).toBeFocused()

  // Watch: signed out, it asks for sign-in first and comes back to the listing.
  await page.getByRole('button', { name: 'Watch' }).click()
  await expect(page).toHaveURL(/\/sign-in\?next=/)
  await signInWithPassword(page, buyer)
  await expect(page).toHaveURL(new RegExp(`/listings/${listing.id}$`))
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title)
  const watch = page.getByRole('button', { name: 'Watch' })
  await expect(watch).toHaveAttribute('aria-pressed', 'false')
  await watch.click()
  await expect(page.getByRole('button', { name: 'Watching' })).toHaveAttribute('aria-pressed', 'true')
  await checkA11y(page)

  await page.goto('/watchlist')
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Watchlist')
  await expect(resultCard(page, title)).toBeVisible()
  await checkA11y(page)

  // Small screens: 375 px wide, nothing wider than the screen, the search box still there.
  await page.setViewportSize({ width: 375, height: 812 })
  await page.goto(`/listings/${listing.id}`)
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title)
  await expect(page.getByRole('combobox', { name: 'Search listings' })).toBeVisible()
  expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375)
  await checkA11y(page)
  await page.screenshot({ path: 'test-results/search-listing-375.png', fullPage: true })
  await page.goto('/search?q=camera')
  await expect(page.getByRole('button', { name: 'Filters' })).toBeVisible()
  expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375)
  await checkA11y(page)
})
