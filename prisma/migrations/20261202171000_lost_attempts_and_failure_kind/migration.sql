-- An attempt whose worker stopped before recording Constructor's answer is LOST, not a TRANSIENT answer: it burns
-- no retry. A FAILED sale says whose failure it was: REFUSED by Constructor (a 400) or NOT_SENT (we gave up sending:
-- the API kept failing, the worker kept stopping, or the payload could not be built).
ALTER TYPE "AttemptOutcome" ADD VALUE 'LOST';

CREATE TYPE "FailureKind" AS ENUM ('REFUSED', 'NOT_SENT');

ALTER TABLE "SaleEvent" ADD COLUMN "failureKind" "FailureKind";
