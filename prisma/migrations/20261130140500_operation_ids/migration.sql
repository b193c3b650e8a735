-- The request that wrote a port request or a provider (its operation id,
-- derived from the Idempotency-Key): a retry after the API process died finds
-- the row its first attempt wrote instead of writing a second one.
ALTER TABLE "port_requests" ADD COLUMN "operation_id" TEXT;
CREATE UNIQUE INDEX "port_requests_operation_id_key" ON "port_requests"("operation_id");
ALTER TABLE "providers" ADD COLUMN "operation_id" TEXT;
CREATE UNIQUE INDEX "providers_operation_id_key" ON "providers"("operation_id");
