import { expect, test } from '@playwright/test'

test('home page loads through the gateway and Browse opens from the header', async ({ page }) => {
  await page.goto('/')

  await expect(page).toHaveTitle('dBay — auctions in Dogecoin')
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Bid, win and pay in DOGE.')

  const mainNav = page.getByRole('navigation', { name: 'Main', exact: true })
  for (const label of ['Browse', 'Sell', 'Wallet', 'Messages', 'Sign in']) {
    await expect(mainNav.getByRole('link', { name: label, exact: true })).toBeVisible()
  }
  await page.screenshot({ path: 'test-results/home-desktop.png', fullPage: true })

  await mainNav.getByRole('link', { name: 'Browse', exact: true }).click()

  await expect(page).toHaveURL(/\/browse$/)
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Browse')
  await expect(page).toHaveTitle('Browse · dBay')
})
