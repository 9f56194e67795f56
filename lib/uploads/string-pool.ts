// One copy of each repeated cell value (SKUs, names, customers), found without cutting the cell out
// of the decoded text first: a hit allocates nothing.

const MAX_ENTRIES = 1 << 17

function hashRange(text: string, start: number, end: number): number {
  let h = 0x811c9dc5
  for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return h
}

// A fresh copy: a substring of 13+ characters would otherwise keep the whole decoded chunk alive.
function copyOf(s: string): string {
  return s.length < 13 ? s : ` ${s}`.slice(1)
}

export class StringPool {
  private keys: (string | undefined)[] = new Array(1024)
  private hashes = new Int32Array(1024)
  private mask = 1023
  private size = 0

  /** The pooled copy of text[start, end); '' is returned as null. */
  internRange(text: string, start: number, end: number): string | null {
    const length = end - start
    if (length === 0) return null
    const h = hashRange(text, start, end)
    let i = h & this.mask
    for (;;) {
      const key = this.keys[i]
      if (key === undefined) break
      if (this.hashes[i] === h && key.length === length && text.startsWith(key, start)) return key
      i = (i + 1) & this.mask
    }
    const value = copyOf(text.slice(start, end))
    // a file of all-different values gains nothing from pooling: stop growing
    if (this.size < MAX_ENTRIES) {
      this.keys[i] = value
      this.hashes[i] = h
      if (++this.size * 2 > this.keys.length) this.grow()
    }
    return value
  }

  intern(value: string): string | null {
    return this.internRange(value, 0, value.length)
  }

  private grow(): void {
    const oldKeys = this.keys
    const oldHashes = this.hashes
    const n = oldKeys.length * 2
    this.keys = new Array(n)
    this.hashes = new Int32Array(n)
    this.mask = n - 1
    for (let j = 0; j < oldKeys.length; j++) {
      const key = oldKeys[j]
      if (key === undefined) continue
      let i = oldHashes[j]! & this.mask
      while (this.keys[i] !== undefined) i = (i + 1) & this.mask
      this.keys[i] = key
      this.hashes[i] = oldHashes[j]!
    }
  }
}
