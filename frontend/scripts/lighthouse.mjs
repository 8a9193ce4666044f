/**
 * Lighthouse on the built app's public pages, mobile and desktop, as one table.
 *
 *   node scripts/lighthouse.mjs --seller USERNAME [--base http://127.0.0.1:3000] [--min 95] [--only /,/sell]
 *
 * Measures what the gateway serves (`python3 scripts/devstack up --skip-install` builds the app
 * and starts it on :3000), so compression and cache headers count. Runs Lighthouse 12 through
 * `npx --yes lighthouse@12.8.2` rather than as a devDependency: it brings puppeteer, Sentry and
 * a hundred more packages that `npm ci` would install in every CI job for a check run by hand.
 * Chrome is the system Chromium (CHROME_PATH, default /usr/bin/chromium); nothing is downloaded
 * but the npm package. Prints a Markdown table and exits 1 if any score is below --min.
 * Pages run one at a time: a loaded machine lowers performance scores.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const LIGHTHOUSE = 'lighthouse@12.8.2'
const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo']

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`)
  return at === -1 ? fallback : process.argv[at + 1]
}

const base = option('base', 'http://127.0.0.1:3000').replace(/\/$/, '')
const minimum = Number(option('min', '95'))
const seller = option('seller', process.env.LIGHTHOUSE_SELLER ?? '')
const chromePath = process.env.CHROME_PATH ?? '/usr/bin/chromium'

const pages = [
  '/',
  '/sign-in',
  '/register',
  '/forgot-password',
  '/browse',
  '/search',
  '/sell',
  ...(seller === '' ? [] : [`/sellers/${encodeURIComponent(seller)}`]),
  '/no-such-page',
]
const only = option('only', '')
const selected = only === '' ? pages : pages.filter((page) => only.split(',').includes(page))
if (seller === '') {
  console.error('No --seller USERNAME (or LIGHTHOUSE_SELLER): the seller page is left out.')
}

const scratch = mkdtempSync(join(tmpdir(), 'dbay-lighthouse-'))
const rows = []
let isBelow = false
try {
  for (const page of selected) {
    for (const formFactor of ['mobile', 'desktop']) {
      const report = join(scratch, 'report.json')
      const args = [
        '--yes',
        LIGHTHOUSE,
        `${base}${page}`,
        '--quiet',
        '--output=json',
        `--output-path=${report}`,
        `--only-categories=${CATEGORIES.join(',')}`,
        '--chrome-flags=--headless=new --no-sandbox --disable-gpu',
        ...(formFactor === 'desktop' ? ['--preset=desktop'] : []),
      ]
      // A gateway restarting under a shared stack refuses a run now and then: try up to 3 times.
      let run
      for (let attempt = 1; attempt <= 3; attempt += 1) {
        run = spawnSync('npx', args, { env: { ...process.env, CHROME_PATH: chromePath }, encoding: 'utf8' })
        if (run.status === 0) {
          break
        }
        console.error(`${page} ${formFactor}: attempt ${attempt} failed: ${run.stderr.trim().split('\n')[0]}`)
        spawnSync('sleep', ['20'])
      }
      if (run.status !== 0) {
        throw new Error(`lighthouse failed on ${page} (${formFactor})`)
      }
      const result = JSON.parse(readFileSync(report, 'utf8'))
      const scores = CATEGORIES.map((category) => Math.round((result.categories[category]?.score ?? 0) * 100))
      isBelow ||= scores.some((score) => score < minimum)
      // The weighted audits that cost points, to say what to fix.
      const below = CATEGORIES.flatMap((category) =>
        (result.categories[category]?.auditRefs ?? [])
          .filter((ref) => ref.weight > 0)
          .map((ref) => result.audits[ref.id])
          .filter((audit) => audit.score !== null && audit.score < 0.9)
          .map((audit) => audit.id),
      )
      rows.push({ page, formFactor, scores, below })
      console.error(`${page} ${formFactor}: ${scores.join(' / ')}`)
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true })
}

console.log(`| page | form factor | ${CATEGORIES.join(' | ')} | audits below 0.9 |`)
console.log(`|---|---|${CATEGORIES.map(() => '---:').join('|')}|---|`)
for (const row of rows) {
  console.log(`| ${row.page} | ${row.formFactor} | ${row.scores.join(' | ')} | ${row.below.join(', ')} |`)
}
if (isBelow) {
  console.error(`\nSome score is below ${minimum}.`)
  process.exitCode = 1
}
