// Preloaded into every child process: exit when the orchestrator is gone (even after a SIGKILL),
// so no process is ever left behind.
const parent = process.ppid
setInterval(() => {
  try {
    process.kill(parent, 0)
    if (process.ppid !== parent) throw new Error('reparented')
  } catch {
    process.exit(0)
  }
}, 1000).unref()
