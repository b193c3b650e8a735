-- The call router gets a scope of its own: POST /v1/traffic and GET
-- /v1/routes/{address} take router (and operator) keys; platform keys, which
-- act for tenants, are refused there. (The value is not used in this
-- transaction, as PostgreSQL requires of a value added inside one.)
ALTER TYPE "ApiKeyScope" ADD VALUE IF NOT EXISTS 'ROUTER';
