-- Foreign keys checked once per statement instead of once per row, on PostgreSQL 18 and later.
--
-- Storing a file of 1,000,000 line items in 250,000 orders ran 1,750,000 key checks, one per row (line item →
-- event, search row → event, event → store, event → upload): 7 of the commit's 28 s. Each check is a query
-- of its own that also writes a lock on the row it found. On PostgreSQL 18 the constraints stay declared (so
-- the schema still says what references what) but NOT ENFORCED, and the triggers below do their work in
-- bulk: after each statement one query looks for a key no row has and for referenced rows another transaction
-- wrote; only those are then locked (as the key check would: another transaction could delete them before ours
-- commits; rows this transaction wrote need no lock, nobody else sees them) and the keys checked again. The
-- referential actions (cascade, set null, restrict) are one statement per statement. On older servers the constraints stay enforced as they were and nothing below is created.

-- A referenced row for every key the statement's rows name. TG_ARGV: referencing column, referenced table,
-- constraint name. One query answers both questions for the keys at once: is one missing, and does one name
-- a row this transaction did not write. Only then are those rows locked, and the check repeated after the
-- lock: a row deleted meanwhile is then missing (read committed: the repeat sees what was committed).
CREATE FUNCTION fk_statement_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  col text := TG_ARGV[0];
  parent text := TG_ARGV[1];
  missing text;
  others boolean;
BEGIN
  EXECUTE format(
    'SELECT min(n.k::text) FILTER (WHERE p.id IS NULL), coalesce(bool_or(p.xmin <> pg_current_xact_id()::xid), false)
     FROM (SELECT DISTINCT %1$I AS k FROM new_rows WHERE %1$I IS NOT NULL) n LEFT JOIN %2$I p ON p.id = n.k',
    col, parent) INTO missing, others;
  IF missing IS NULL AND others THEN
    EXECUTE format(
      'SELECT count(*) FROM (SELECT 1 FROM %2$I p WHERE p.id IN (SELECT %1$I FROM new_rows)
         AND p.xmin <> pg_current_xact_id()::xid FOR KEY SHARE OF p) locked', col, parent);
    EXECUTE format(
      'SELECT min(n.k::text) FROM (SELECT DISTINCT %1$I AS k FROM new_rows WHERE %1$I IS NOT NULL) n
       WHERE NOT EXISTS (SELECT 1 FROM %2$I p WHERE p.id = n.k)', col, parent) INTO missing;
  END IF;
  IF missing IS NOT NULL THEN
    RAISE foreign_key_violation USING
      MESSAGE = format('insert or update on table "%s" violates foreign key constraint "%s"', TG_TABLE_NAME, TG_ARGV[2]),
      DETAIL = format('Key (%s)=(%s) is not present in table "%s".', col, missing, parent),
      CONSTRAINT = TG_ARGV[2], TABLE = TG_TABLE_NAME, COLUMN = col;
  END IF;
  RETURN NULL;
END $$;

-- The same for one row whose key an UPDATE changed (a column list and transition tables do not go together).
CREATE FUNCTION fk_row_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  col text := TG_ARGV[0];
  parent text := TG_ARGV[1];
  k uuid;
  found boolean;
BEGIN
  EXECUTE format('SELECT ($1).%I', col) INTO k USING NEW;
  IF k IS NULL THEN RETURN NULL; END IF;
  EXECUTE format('SELECT true FROM %I p WHERE p.id = $1 FOR KEY SHARE OF p', parent) INTO found USING k;
  IF found IS NULL THEN
    RAISE foreign_key_violation USING
      MESSAGE = format('insert or update on table "%s" violates foreign key constraint "%s"', TG_TABLE_NAME, TG_ARGV[2]),
      DETAIL = format('Key (%s)=(%s) is not present in table "%s".', col, k, parent),
      CONSTRAINT = TG_ARGV[2], TABLE = TG_TABLE_NAME, COLUMN = col;
  END IF;
  RETURN NULL;
END $$;

-- Ids are never changed; the keys' ON UPDATE CASCADE had nothing to do, and a changed id would orphan rows.
CREATE FUNCTION fk_refuse_id_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE foreign_key_violation USING MESSAGE = format('the id of a row of "%s" cannot change', TG_TABLE_NAME);
END $$;

-- Referential actions of a deleted event, store or upload.
CREATE FUNCTION fk_sale_event_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "LineItem" li USING deleted_rows d WHERE li."eventId" = d.id;
  DELETE FROM "SaleEventSearch" s USING deleted_rows d WHERE s."eventId" = d.id;
  RETURN NULL;
END $$;

CREATE FUNCTION fk_store_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM "SaleEvent" e JOIN deleted_rows d ON e."storeId" = d.id) THEN
    RAISE foreign_key_violation USING
      MESSAGE = 'update or delete on table "Store" violates foreign key constraint "SaleEvent_storeId_fkey" on table "SaleEvent"',
      CONSTRAINT = 'SaleEvent_storeId_fkey', TABLE = 'SaleEvent';
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION fk_upload_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "SaleEvent" e SET "uploadId" = NULL FROM deleted_rows d WHERE e."uploadId" = d.id;
  RETURN NULL;
END $$;

DO $$
BEGIN
  IF current_setting('server_version_num')::int < 180000 THEN
    RETURN;
  END IF;
  -- EXECUTE: older servers cannot even parse NOT ENFORCED
  EXECUTE 'ALTER TABLE "LineItem" ALTER CONSTRAINT "LineItem_eventId_fkey" NOT ENFORCED';
  EXECUTE 'ALTER TABLE "SaleEventSearch" ALTER CONSTRAINT "SaleEventSearch_eventId_fkey" NOT ENFORCED';
  EXECUTE 'ALTER TABLE "SaleEvent" ALTER CONSTRAINT "SaleEvent_storeId_fkey" NOT ENFORCED';
  EXECUTE 'ALTER TABLE "SaleEvent" ALTER CONSTRAINT "SaleEvent_uploadId_fkey" NOT ENFORCED';

  CREATE TRIGGER "LineItem_fk_insert" AFTER INSERT ON "LineItem" REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION fk_statement_check('eventId', 'SaleEvent', 'LineItem_eventId_fkey');
  CREATE TRIGGER "LineItem_fk_update" AFTER UPDATE OF "eventId" ON "LineItem"
    FOR EACH ROW WHEN (OLD."eventId" IS DISTINCT FROM NEW."eventId")
    EXECUTE FUNCTION fk_row_check('eventId', 'SaleEvent', 'LineItem_eventId_fkey');

  -- search rows are inserted only by the trigger that copies them from the events the same statement inserted
  -- (migration 20261128005311_search_apart): they name existing events by construction, and a check of 250,000
  -- of them was 0.4 s of a large commit. A changed event id is still checked.
  CREATE TRIGGER "SaleEventSearch_fk_update" AFTER UPDATE OF "eventId" ON "SaleEventSearch"
    FOR EACH ROW WHEN (OLD."eventId" IS DISTINCT FROM NEW."eventId")
    EXECUTE FUNCTION fk_row_check('eventId', 'SaleEvent', 'SaleEventSearch_eventId_fkey');

  CREATE TRIGGER "SaleEvent_fk_store_insert" AFTER INSERT ON "SaleEvent" REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION fk_statement_check('storeId', 'Store', 'SaleEvent_storeId_fkey');
  CREATE TRIGGER "SaleEvent_fk_upload_insert" AFTER INSERT ON "SaleEvent" REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION fk_statement_check('uploadId', 'Upload', 'SaleEvent_uploadId_fkey');
  CREATE TRIGGER "SaleEvent_fk_store_update" AFTER UPDATE OF "storeId" ON "SaleEvent"
    FOR EACH ROW WHEN (OLD."storeId" IS DISTINCT FROM NEW."storeId")
    EXECUTE FUNCTION fk_row_check('storeId', 'Store', 'SaleEvent_storeId_fkey');
  CREATE TRIGGER "SaleEvent_fk_upload_update" AFTER UPDATE OF "uploadId" ON "SaleEvent"
    FOR EACH ROW WHEN (OLD."uploadId" IS DISTINCT FROM NEW."uploadId")
    EXECUTE FUNCTION fk_row_check('uploadId', 'Upload', 'SaleEvent_uploadId_fkey');

  CREATE TRIGGER "SaleEvent_fk_deleted" AFTER DELETE ON "SaleEvent" REFERENCING OLD TABLE AS deleted_rows
    FOR EACH STATEMENT EXECUTE FUNCTION fk_sale_event_deleted();
  CREATE TRIGGER "Store_fk_deleted" AFTER DELETE ON "Store" REFERENCING OLD TABLE AS deleted_rows
    FOR EACH STATEMENT EXECUTE FUNCTION fk_store_deleted();
  CREATE TRIGGER "Upload_fk_deleted" AFTER DELETE ON "Upload" REFERENCING OLD TABLE AS deleted_rows
    FOR EACH STATEMENT EXECUTE FUNCTION fk_upload_deleted();

  CREATE TRIGGER "SaleEvent_id_unchanged" BEFORE UPDATE OF id ON "SaleEvent"
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION fk_refuse_id_change();
  CREATE TRIGGER "Store_id_unchanged" BEFORE UPDATE OF id ON "Store"
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION fk_refuse_id_change();
  CREATE TRIGGER "Upload_id_unchanged" BEFORE UPDATE OF id ON "Upload"
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION fk_refuse_id_change();
END $$;
