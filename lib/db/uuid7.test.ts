import { describe, expect, it } from 'vitest'
import { uuidv7 } from './uuid7'

describe('uuidv7', () => {
  it('is a version 7 UUID carrying the time, increasing within one millisecond', () => {
    const ids = Array.from({ length: 10_000 }, () => uuidv7(1_790_000_000_000))
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(new Set(ids).size).toBe(ids.length)
    expect([...ids].sort()).toEqual(ids)
    expect(
      Number.parseInt(uuidv7(1_790_000_000_001).replace('-', '').slice(0, 12), 16),
    ).toBeGreaterThanOrEqual(1_790_000_000_001)
  })
})
