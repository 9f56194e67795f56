// The client address for throttling and the audit trail. Next sets x-forwarded-for to the socket
// address when no proxy did; behind a proxy the last entry is the one the nearest proxy added.
export function clientAddress(headers: Headers | null | undefined) {
  const forwarded = headers?.get('x-forwarded-for')
  const last = forwarded?.split(',').pop()?.trim()
  const address = last || headers?.get('x-real-ip')?.trim() || 'unknown'
  return address.replace(/^::ffff:/, '').slice(0, 100)
}
