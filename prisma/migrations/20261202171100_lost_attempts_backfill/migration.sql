-- Apart from 20261202171000 because a new enum value cannot be used in the transaction that adds it.
-- Attempts the sweep closed for a stopped worker were recorded as TRANSIENT with this message.
UPDATE "BatchAttempt" SET outcome = 'LOST'
WHERE outcome = 'TRANSIENT' AND "responseExcerpt" LIKE 'the worker sending this batch stopped before recording the outcome%';

-- Failed sales: only a 400's messages ("Constructor rejected this event: …") are Constructor's refusals.
UPDATE "SaleEvent" SET "failureKind" = CASE
    WHEN "lastError" LIKE 'Gave up after %' OR "lastError" LIKE 'the worker sending this batch stopped%'
      OR "lastError" LIKE 'Cannot be sent: %' OR "lastError" LIKE 'None of the % events can be sent'
      OR "lastError" = 'The batch has no events left to send'
    THEN 'NOT_SENT'::"FailureKind" ELSE 'REFUSED'::"FailureKind" END
WHERE status = 'FAILED';
