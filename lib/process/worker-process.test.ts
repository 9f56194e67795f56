import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { workerMemory, workerProcess } from './worker-process'

// How a worker process is started: its memory flags, and settings that cannot work together refused by name.

describe('the worker process', () => {
  it('starts with the heap limit WORKER_HEAP_MB sets', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-worker-args-'))
    const script = path.join(dir, 'heap.ts')
    fs.writeFileSync(
      script,
      "import v8 from 'node:v8'\nconsole.log(v8.getHeapStatistics().heap_size_limit)\n",
    )
    try {
      const worker = workerProcess({ WORKER_HEAP_MB: '400' }, script)
      const r = spawnSync(process.execPath, worker.args, {
        encoding: 'utf8',
        env: { ...process.env, ...worker.env },
      })
      expect(r.stderr).toBe('')
      const limitMb = Number(r.stdout.trim()) / 1024 / 1024
      // V8 adds the young generation to the old space's limit
      expect(limitMb).toBeGreaterThanOrEqual(400)
      expect(limitMb).toBeLessThan(440)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it('defaults fit together: the per-read budget is below the heap limit', () => {
    const m = workerMemory({})
    expect(m.jobHeapMb).toBeLessThan(m.heapMb)
  })

  it('refuses a per-read budget at or above the heap limit, naming it', () => {
    expect(() => workerMemory({ WORKER_HEAP_MB: '512', UPLOAD_JOB_HEAP_MB: '1024' })).toThrow(
      /UPLOAD_JOB_HEAP_MB: must be below WORKER_HEAP_MB \(512\)/,
    )
    expect(() => workerMemory({ WORKER_HEAP_MB: 'lots' })).toThrow(/WORKER_HEAP_MB/)
  })
})
