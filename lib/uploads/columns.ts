// Compact storage for what a whole file's rows leave until its end: strings kept once and referred to
// by index, and growable typed arrays, so a million line items are numbers the garbage collector
// doesn't have to trace.

/** beyond this many distinct values a column isn't repetitive enough for pooling to pay */
export const MAX_POOLED = 200_000

// Substrings of 13+ characters point into the whole decoded chunk; a copy lets the chunk go.
export function detach(s: string): string {
  return s.length < 13 ? s : ` ${s}`.slice(1)
}

/** Strings stored once and referred to by index; -1 stands for null/empty. */
export class StringTable {
  private readonly values: string[] = []
  private readonly indexes = new Map<string, number>()

  add(s: string | null): number {
    if (s === null || s === '') return -1
    const known = this.indexes.get(s)
    if (known !== undefined) return known
    const i = this.values.length
    const copy = detach(s)
    this.values.push(copy)
    // past this many distinct values a column isn't repetitive: store without the lookup entry
    if (this.indexes.size < MAX_POOLED) this.indexes.set(copy, i)
    return i
  }

  get(i: number): string | null {
    return i < 0 ? null : (this.values[i] ?? null)
  }

  /** whether entry i holds exactly s ('' for -1) */
  is(i: number, s: string): boolean {
    return i < 0 ? s === '' : this.values[i] === s
  }
}

/** A growable typed array: 4 or 8 bytes per slot, without a boxed number per slot. */
export class NumberColumn<T extends Int32Array | Float64Array> {
  length = 0
  constructor(
    public data: T,
    private readonly make: (n: number) => T,
  ) {}

  push(v: number): void {
    if (this.length === this.data.length) {
      // ×1.5, not ×2: less unused room at the end, and less garbage when the old array is let go
      const bigger = this.make(Math.ceil(this.data.length * 1.5))
      bigger.set(this.data)
      this.data = bigger
    }
    this.data[this.length++] = v
  }
}

export const int32Column = () => new NumberColumn(new Int32Array(1024), (n) => new Int32Array(n))
export const float64Column = () => new NumberColumn(new Float64Array(1024), (n) => new Float64Array(n))
