-- The countries with AVAILABLE endpoints (the Twilio face's AvailablePhoneNumbers.json):
-- read one country at a time down this index (a loose index scan), never the whole shelf.
CREATE INDEX "endpoints_available_country_idx" ON "endpoints" ("country") WHERE "state" = 'AVAILABLE' AND "country" IS NOT NULL;
