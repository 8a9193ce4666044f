import { checkA11y, expect, test } from './fixtures'

test('home page loads through the gateway and Browse opens from the header', async ({ page }) => {
  await page.goto('/')

  await expect(page).toHaveTitle('dBay — auctions in Dogecoin')
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Bid, win and pay in DOGE.')
  await checkA11y(page)

  const mainNav = page.getByRole('navigation', { name: 'Main', exact: true })
  for (const label of ['Browse', 'Sell', 'Wallet', 'Messages', 'Sign in']) {
    await expect(mainNav.getByRole('link', { name: label, exact: true })).toBeVisible()
  }
  await page.screenshot({ path: 'test-results/home-desktop.png', fullPage: true })

  await mainNav.getByRole('link', { name: 'Browse', exact: true }).click()

  await expect(page).toHaveURL(/\/browse$/)
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Browse')
  await expect(page).toHaveTitle('Browse · dBay')
  await checkA11y(page)
})

test('the small-screen menu opens, passes axe, and closes on Escape', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 })
  await page.goto('/')
  const toggle = page.getByRole('button', { name: 'Menu' })

  await toggle.click()
  const menu = page.getByRole('navigation', { name: 'Main menu' })
  await expect(menu.getByRole('link', { name: 'Sign in' })).toBeVisible()
  await checkA11y(page)

  await page.keyboard.press('Escape')
  await expect(menu).toHaveCount(0)
  await expect(toggle).toBeFocused()
})

test('a signed-out visit asks for no session refresh and logs no console error', async ({ page }) => {
  const errors: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error') {
      errors.push(message.text())
    }
  })
  const refreshes: string[] = []
  page.on('request', (request) => {
    if (request.url().includes('/auth/refresh')) {
      refreshes.push(request.url())
    }
  })

  await page.goto('/')
  await expect(page.getByRole('link', { name: 'Sign in' }).first()).toBeVisible()

  expect(refreshes).toEqual([])
  expect(errors).toEqual([])
})
