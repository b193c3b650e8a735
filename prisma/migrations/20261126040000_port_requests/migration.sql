-- Port requests in both directions: the other carrier is the losing one for a
-- port-in and the gaining one for a port-out; the outcome's reason is kept.
ALTER TABLE "port_requests" ADD COLUMN "gaining_carrier" TEXT;
ALTER TABLE "port_requests" ADD COLUMN "endpoint_id" UUID;
CREATE INDEX "port_requests_account_id_idx" ON "port_requests"("account_id");
