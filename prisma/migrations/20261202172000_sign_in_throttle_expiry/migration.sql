-- Throttle rows expire on write (lib/auth/throttle.ts pruneThrottles): each failure deletes a bounded
-- batch of rows past their lifetime, found through this index instead of a scan of every guessed key.
CREATE INDEX "SignInThrottle_lastFailureAt_idx" ON "SignInThrottle"("lastFailureAt");
