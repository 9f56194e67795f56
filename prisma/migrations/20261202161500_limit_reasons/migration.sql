-- The reasons of the table of limits (lib/sales/limits.ts) get groups of their own in the inbox instead of
-- falling into others': a total too large was "Items missing", a return reason "Problem with returnReason",
-- a NUL byte in a customer id "Customer id too long". Labels and help are in lib/sales/reasons.ts.
CREATE OR REPLACE FUNCTION sale_issue_reason(field text, message text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN message ILIKE '%can''t be stored%' THEN 'text-unstorable'
    WHEN field = 'occurredAt' AND message ILIKE '%missing%' THEN 'time-missing'
    WHEN field = 'occurredAt' AND message ILIKE '%future%' THEN 'time-future'
    WHEN field = 'occurredAt' AND message ILIKE '%days ago%' THEN 'time-too-old'
    WHEN field = 'occurredAt' THEN 'time-invalid'
    WHEN field = 'orderId' AND message ILIKE '%missing%' THEN 'order-missing'
    WHEN field = 'orderId' THEN 'order-invalid'
    WHEN field = 'storeId' THEN 'store-missing'
    WHEN field = 'customerId' THEN 'customer-invalid'
    WHEN field = 'returnReason' THEN 'return-reason-invalid'
    WHEN field IN ('revenue', 'refund', 'returnExpenses', 'returnShippingCost', 'returnDropOff') THEN 'amount-invalid'
    WHEN field = 'lineItems' AND message ILIKE 'The items add up to%' THEN 'total-too-large'
    WHEN field = 'lineItems' THEN 'items-missing'
    WHEN field LIKE '%.unitPrice' AND message ILIKE '%missing%' THEN 'price-missing'
    WHEN field LIKE '%.unitPrice' THEN 'price-invalid'
    WHEN field LIKE '%.quantity' AND message ILIKE '%missing%' THEN 'quantity-missing'
    WHEN field LIKE '%.quantity' THEN 'quantity-invalid'
    WHEN field LIKE '%.itemId' AND message ILIKE '%or a name%' THEN 'item-missing'
    WHEN field LIKE '%.role' THEN 'item-role'
    WHEN field LIKE 'lineItems.%' THEN 'item-invalid'
    ELSE 'other:' || coalesce(field, '')
  END
$$;

-- the index over the function's results, rebuilt for the events stored before
REINDEX INDEX "SaleEvent_invalid_reasons_idx";
