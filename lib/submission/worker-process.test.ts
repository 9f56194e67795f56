import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'

// The worker process's guard against graphile-worker's one unhandled rejection during a database outage (seen in
// `npm run chaos`: the worker exited with "Error occurred whilst returning jobs from local queue to database
// queue: connect ECONNREFUSED"), in a real node process: that error is logged, any other still ends the process.

function runWith(rejection: string) {
  const script = `
    import { surviveQueueHandBackErrors } from './lib/submission/worker.ts'
    surviveQueueHandBackErrors((level, msg) => console.log(level, msg))
    Promise.reject(new Error(${JSON.stringify(rejection)}))
    setTimeout(() => { console.log('still running'); process.exit(0) }, 500)`
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, TEST_NO_DB: '1' },
  })
}

describe('the worker process', () => {
  it('keeps running when graphile-worker cannot hand jobs back to a database that is gone', () => {
    const r = runWith(
      'Error occurred whilst returning jobs from local queue to database queue: connect ECONNREFUSED 127.0.0.1:5432',
    )
    expect(r.stdout).toContain('the stopped job queue could not hand its jobs back')
    expect(r.stdout).toContain('still running')
    expect(r.status).toBe(0)
  }, 60_000)

  it('still ends on any other unhandled rejection', () => {
    const r = runWith('something else went wrong')
    expect(r.stdout).not.toContain('still running')
    expect(r.stderr).toContain('something else went wrong')
    expect(r.status).toBe(1)
  }, 60_000)
})
