/**
 * Operator commands on the local stack, as a person running dBay would type them:
 * `python3 scripts/devstack manage SERVICE ARGS...` runs a Django service's manage.py with the
 * environment the devstack gives that service (its database, its settings), from the repo root.
 */
import { execFile } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')

const run = promisify(execFile)

export interface ManageResult {
  stdout: string
  stderr: string
  /** The command's exit status (0 on success). */
  exitCode: number
}

/** Runs `scripts/devstack manage <service> <args>`; resolves with its output and exit status. */
export async function devstackManage(service: string, args: readonly string[]): Promise<ManageResult> {
  try {
    const { stdout, stderr } = await run('python3', ['scripts/devstack', 'manage', service, ...args], {
      cwd: REPO_ROOT,
      timeout: 120_000,
    })
    return { stdout, stderr, exitCode: 0 }
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; code?: number | string }
    if (typeof failed.code === 'number') {
      return { stdout: failed.stdout ?? '', stderr: failed.stderr ?? '', exitCode: failed.code }
    }
    throw error
  }
}

/** Gives `username` the staff role (user-service's `set_staff`); effective in their next access token. */
export async function staffRoleGrant(username: string): Promise<void> {
  const result = await devstackManage('user-service', ['set_staff', username])
  if (result.exitCode !== 0 || !result.stdout.includes(`${username} is now staff`)) {
    throw new Error(`set_staff ${username} failed (exit ${result.exitCode}): ${result.stdout}${result.stderr}`)
  }
}

/**
 * Runs wallet-service's reconciliation now (`manage.py reconcile`) and records it for staff.
 * Exit 0: balanced, 1: drift, 2: it could not tell; each is a run the staff page shows.
 */
export async function reconciliationRun(): Promise<number> {
  return (await devstackManage('wallet-service', ['reconcile'])).exitCode
}
