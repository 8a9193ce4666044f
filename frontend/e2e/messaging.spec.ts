import type { Page } from '@playwright/test'

import { checkA11y, expect, test } from './fixtures'

import { mainNav, signInWithPassword, type TestAccount } from './helpers'
import { accountByApi, listingPublishByApi } from './support/seed'

/**
 * Buyer and seller in two browser contexts on the real stack: the buyer writes to the seller from
 * the listing page (signing in on the way), the seller's open inbox shows the conversation and
 * the bell counts it without a reload, the chat updates live both ways with a "Seen" receipt, and
 * a message made of HTML shows as its characters.
 *
 * Needs the whole stack (`make up`): messaging-service, notification-service with its live server
 * behind the gateway's /ws/, listing-service (a listing is published through the API).
 */

async function signIn(page: Page, path: string, account: TestAccount): Promise<void> {
  await page.goto(path)
  await expect(page).toHaveURL(/\/sign-in\?next=/)
  await signInWithPassword(page, account)
  await expect(page).toHaveURL(new RegExp(`${path}$`))
}

/** The page's document, as much of it as the check below needs (e2e code has no DOM types). */
interface PageGlobals {
  document: { querySelector: (selector: string) => { textContent: string | null } | null }
}

/** Resolves with the time `text` first shows inside `selector`, checked on every animation frame. */
function textShownAt(page: Page, selector: string, text: string): Promise<number> {
  return page
    .waitForFunction(
      (wanted) =>
        (globalThis as unknown as PageGlobals).document.querySelector(wanted.selector)?.textContent?.includes(wanted.text) ===
        true,
      { selector, text },
      { polling: 'raf', timeout: 15_000 },
    )
    .then(() => Date.now())
}

test('a buyer messages a seller from the listing; the seller sees it live, with the bell count', async ({
  browser,
  request,
}) => {
  test.setTimeout(150_000)
  const { account: seller, token: sellerToken } = await accountByApi(request, 'seller', 'messaging')
  const { account: buyer } = await accountByApi(request, 'buyer', 'messaging')
  const title = `Messaging test camera ${Date.now().toString(36)}`
  const listing = await listingPublishByApi(request, sellerToken, title)

  const sellerContext = await browser.newContext()
  const buyerContext = await browser.newContext()
  const sellerPage = await sellerContext.newPage()
  const buyerPage = await buyerContext.newPage()
  const sellerBell = () => mainNav(sellerPage).getByTestId('notification-bell')
  // When each live event reached the seller's page (to tell the channel's delay from the page's).
  const sellerEventAt = new Map<string, number>()
  sellerPage.on('websocket', (socket) => {
    socket.on('framereceived', ({ payload }) => {
      const name = /"event":\s*"([a-z._]+)"/.exec(String(payload))?.[1]
      if (name !== undefined && !sellerEventAt.has(name)) {
        sellerEventAt.set(name, Date.now())
      }
    })
  })
  let unreadBefore = 0

  await test.step('the seller has the inbox open', async () => {
    await signIn(sellerPage, '/messages', seller)
    await expect(sellerPage.getByRole('heading', { level: 1 })).toHaveText('Messages')
    const counted = await request.get('/api/v1/notifications/unread-count', {
      headers: { Authorization: `Bearer ${sellerToken}` },
    })
    unreadBefore = ((await counted.json()) as { unread_count: number }).unread_count
    await expect(sellerBell()).toHaveAttribute(
      'aria-label',
      unreadBefore === 0 ? 'Notifications' : `Notifications, ${unreadBefore} unread`,
    )
    await checkA11y(sellerPage)
  })

  let conversationPath = ''
  // Unique per run: the accounts are reused, and their inbox keeps earlier runs' conversations.
  const question = `Hello! Does it come with the original lens cap? (${Date.now().toString(36)})`
  let sentAt = 0
  let sellerSawQuestion = Promise.resolve(0)
  await test.step('the buyer presses Contact seller, signs in on the way, and sends a question', async () => {
    await buyerPage.goto(`/listings/${listing.id}`)
    await expect(buyerPage.getByRole('heading', { level: 1 })).toHaveText(title)
    await checkA11y(buyerPage)
    await buyerPage.getByRole('button', { name: 'Contact seller' }).click()
    await expect(buyerPage).toHaveURL(/\/sign-in\?next=/)
    await signInWithPassword(buyerPage, buyer)
    await expect(buyerPage).toHaveURL(new RegExp(`/listings/${listing.id}$`))
    await buyerPage.getByRole('button', { name: 'Contact seller' }).click()
    const compose = buyerPage.getByRole('form', { name: `Message to ${seller.username}` })
    await compose.getByRole('textbox').fill(question)
    await checkA11y(buyerPage)
    const answered = buyerPage.waitForResponse(
      (response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/api/v1/messaging/conversations',
    )
    // Watched on every frame from now (an expect retries at growing intervals, which would be measured).
    sellerSawQuestion = textShownAt(sellerPage, 'main', question)
    sentAt = Date.now()
    await compose.getByRole('button', { name: 'Send message' }).click()
    expect((await answered).status()).toBe(201)
    await expect(buyerPage).toHaveURL(/\/messages\/[^/]+$/)
    conversationPath = new URL(buyerPage.url()).pathname
    await expect(buyerPage.getByRole('log', { name: 'Messages' }).getByRole('listitem')).toHaveCount(1)
    await checkA11y(buyerPage)
  })

  await test.step('the seller’s open inbox shows it without a reload, and the bell counts it', async () => {
    const row = sellerPage.getByRole('list', { name: 'Conversations' }).getByRole('listitem').filter({ hasText: title })
    const shownMs = (await sellerSawQuestion) - sentAt
    await expect(row).toContainText(question)
    const eventMs = (sellerEventAt.get('message.created') ?? Number.NaN) - sentAt
    console.log(
      `message shown in the seller's open inbox ${shownMs} ms after Send was pressed ` +
        `(its message.created event arrived after ${eventMs} ms)`,
    )
    test.info().annotations.push({ type: 'message shown in inbox after send (ms)', description: String(shownMs) })
    await expect(row.getByTestId('conversation-unread')).toContainText('1')
    await expect(sellerBell()).toHaveAttribute('aria-label', `Notifications, ${unreadBefore + 1} unread`, { timeout: 5_000 })
    await checkA11y(sellerPage)
  })

  await test.step('the seller opens the chat: the buyer sees "Seen"; the reply arrives live', async () => {
    await sellerPage.getByRole('list', { name: 'Conversations' }).getByRole('link').filter({ hasText: title }).click()
    await expect(sellerPage).toHaveURL(new RegExp(`${conversationPath}$`))
    await expect(sellerPage.getByRole('log', { name: 'Messages' })).toContainText(question)
    await checkA11y(sellerPage)
    await expect(buyerPage.getByTestId('seen')).toHaveText('Seen', { timeout: 5_000 })

    const composer = sellerPage.getByRole('form', { name: 'Your message' })
    await composer.getByRole('textbox').fill('Yes, and the strap. See /listings/' + listing.id)
    const buyerSawReply = textShownAt(buyerPage, '[role="log"]', 'Yes, and the strap.')
    const answered = sellerPage.waitForResponse(
      (response) => response.request().method() === 'POST' && /\/messages$/.test(new URL(response.url()).pathname),
    )
    const replySentAt = Date.now()
    await composer.getByRole('button', { name: 'Send' }).click()
    expect((await answered).status()).toBe(201)
    const reply = buyerPage.getByRole('log', { name: 'Messages' }).getByRole('listitem').last()
    const deliveredMs = (await buyerSawReply) - replySentAt
    await expect(reply).toContainText('Yes, and the strap.')
    console.log(`reply shown in the buyer's open chat ${deliveredMs} ms after Send was pressed`)
    test.info().annotations.push({ type: 'reply shown in chat after send (ms)', description: String(deliveredMs) })
    expect(deliveredMs).toBeLessThan(1_000)
    await expect(reply.getByRole('link', { name: `/listings/${listing.id}` })).toHaveAttribute('href', `/listings/${listing.id}`)
  })

  await test.step('HTML in a message shows as its characters on the other side', async () => {
    const html = '<b>bold</b><img src=x onerror="document.title=1">'
    const composer = buyerPage.getByRole('form', { name: 'Your message' })
    await composer.getByRole('textbox').fill(html)
    await composer.getByRole('button', { name: 'Send' }).click()
    const last = sellerPage.getByRole('log', { name: 'Messages' }).getByRole('listitem').last()
    await expect(last).toContainText(html, { timeout: 5_000 })
    await expect(last.locator('b, img')).toHaveCount(0)
    await checkA11y(sellerPage)
    await checkA11y(buyerPage)
  })

  await sellerContext.close()
  await buyerContext.close()
})
