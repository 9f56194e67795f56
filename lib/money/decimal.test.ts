import { describe, expect, it } from 'vitest'
import {
  AMBIGUOUS_AMOUNT,
  AmountReader,
  canonicalDecimal,
  compareDecimal,
  divideDecimal,
  INVALID_AMOUNT,
  sumLineTotals,
} from './decimal'

describe('AmountReader.read', () => {
  const cases: [string, string | null | symbol][] = [
    ['', null],
    ['12', '12'],
    ['12.00', '12'],
    ['12.50', '12.5'],
    ['0012.50', '12.5'],
    ['0.25', '0.25'],
    ['-5.00', '-5'],
    ['(5.00)', '-5'],
    ['5.00-', '-5'],
    ['−5,00', '-5'],
    ['$12.00', '12'],
    ['-$12.00', '-12'],
    ['$-12.00', '-12'],
    ['12.00 EUR', '12'],
    ['EUR 12.00', '12'],
    ['€ 12,50', '12.5'],
    ['12,50 €', '12.5'],
    ['1,234.56', '1234.56'],
    ['1.234,56', '1234.56'],
    ['1234,56', '1234.56'],
    ['1 234,56', '1234.56'],
    ["1'234.50", '1234.5'],
    ['1\u00a0234,50', '1234.5'],
    ['1,234,567', '1234567'],
    ['1.234.567', '1234567'],
    ['1.234.567,8', '1234567.8'],
    ['0,125', '0.125'],
    ['.5', '0.5'],
    ['-0.00', '0'],
    ['1,234', AMBIGUOUS_AMOUNT],
    ['1.234', AMBIGUOUS_AMOUNT],
    ['-1.234', AMBIGUOUS_AMOUNT],
    ['abc', INVALID_AMOUNT],
    ['12abc', INVALID_AMOUNT],
    ['1e5', INVALID_AMOUNT],
    ['1.2.3,4,5', INVALID_AMOUNT],
    ['12/03', INVALID_AMOUNT],
    ['5-3', INVALID_AMOUNT],
    ['1,23,456.7', INVALID_AMOUNT],
  ]
  it.each(cases)('%j → %j', (raw, expected) => {
    expect(new AmountReader().read(raw)).toBe(expected)
  })

  it('counts unambiguous cells as votes for the file’s separator', () => {
    const r = new AmountReader()
    for (const v of ['12,50', '3,99', '1.234,00', '7']) r.read(v)
    expect(r.read('1.234')).toBe(AMBIGUOUS_AMOUNT)
    expect([r.commaVotes, r.pointVotes, r.ambiguous]).toEqual([3, 0, 1])
    expect(r.decide('.')).toBe(',')
    expect(r.resolve('1.234', ',')).toBe('1234')
    expect(r.resolve('1,234', ',')).toBe('1.234')
    expect(r.resolve('1,234', '.')).toBe('1234')
    expect(r.resolve('1.234', '.')).toBe('1.234')
  })

  it('falls back when the votes are even', () => {
    expect(new AmountReader().decide(',')).toBe(',')
  })
})

describe('decimal arithmetic', () => {
  it('writes canonical decimals', () => {
    expect(canonicalDecimal(false, '000', '000')).toBe('0')
    expect(canonicalDecimal(true, '0', '0')).toBe('0')
    expect(canonicalDecimal(true, '010', '500')).toBe('-10.5')
  })

  it('divides exactly, rounding half away from zero to 4 places', () => {
    expect(divideDecimal('12', 2, 4)).toBe('6')
    expect(divideDecimal('10', 3, 4)).toBe('3.3333')
    expect(divideDecimal('20', 3, 4)).toBe('6.6667')
    expect(divideDecimal('-20', 3, 4)).toBe('-6.6667')
    expect(divideDecimal('0.00005', 1, 4)).toBe('0.0001')
  })

  it('compares', () => {
    expect(compareDecimal('12.5', '12.50')).toBe(0)
    expect(compareDecimal('-1', '0.5')).toBe(-1)
    expect(compareDecimal('100', '99.9999')).toBe(1)
  })

  it('sums price × quantity exactly, also beyond double precision', () => {
    expect(
      sumLineTotals([
        { unitPrice: '0.1', quantity: 3 },
        { unitPrice: '0.2', quantity: 1 },
        { unitPrice: null, quantity: 1 },
      ]),
    ).toBe('0.5')
    expect(sumLineTotals([{ unitPrice: '99999999999999.9999', quantity: 10000 }])).toBe('999999999999999999')
    expect(sumLineTotals([])).toBe('0')
  })
})
