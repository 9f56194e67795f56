-- What leaves for Constructor as a shopper's id (lib/customers/customer-id.ts): sent as stored (default),
-- pseudonymised with HMAC-SHA-256 under a write-only secret (encrypted at rest like the token), or not sent.
CREATE TYPE "CustomerIdPolicy" AS ENUM ('AS_IS', 'PSEUDONYMISE', 'OMIT');

ALTER TABLE "ConstructorConnection"
  ADD COLUMN "customerIdPolicy" "CustomerIdPolicy" NOT NULL DEFAULT 'AS_IS',
  ADD COLUMN "customerIdSecretCiphertext" TEXT,
  ADD COLUMN "customerIdSecretSetAt" TIMESTAMPTZ(3);
