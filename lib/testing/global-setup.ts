// Placeholder replaced by the foundation work: starts a test database unless TEST_NO_DB=1.
export default async function setup() {
  if (process.env.TEST_NO_DB === '1') return
  throw new Error('test database setup not written yet: run with TEST_NO_DB=1')
}
