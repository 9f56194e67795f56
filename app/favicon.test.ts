import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

// Browsers ask for /favicon.ico on every page; Next serves app/favicon.ico there (a 404 logged a console error).
describe('/favicon.ico', () => {
  it('is an icon file Next serves from the app folder', () => {
    const file = path.join(import.meta.dirname, 'favicon.ico')
    expect(fs.existsSync(file)).toBe(true)
    const bytes = fs.readFileSync(file)
    // ICONDIR: reserved 0, type 1 (icon), at least one image
    expect([bytes.readUInt16LE(0), bytes.readUInt16LE(2)]).toEqual([0, 1])
    expect(bytes.readUInt16LE(4)).toBeGreaterThan(0)
  })
})
