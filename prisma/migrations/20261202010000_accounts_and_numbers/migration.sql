-- Accounts are deactivated (their numbers released after a grace period by a
-- workflow per deactivation), and an account keeps its own settings for the
-- numbers it holds in a table of their own (one writer: src/db/number-settings.ts),
-- off the endpoints row the workflows compare-and-set.
ALTER TABLE accounts ADD COLUMN deactivated_at timestamptz(3);
ALTER TABLE accounts ADD COLUMN release_after timestamptz(3);
ALTER TABLE accounts ADD COLUMN released_at timestamptz(3);

CREATE TABLE number_settings (
  endpoint_id uuid PRIMARY KEY REFERENCES endpoints(id) ON DELETE CASCADE,
  account_id text NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  friendly_name text,
  voice_url text,
  voice_method text,
  voice_fallback_url text,
  voice_fallback_method text,
  sms_url text,
  sms_method text,
  sms_fallback_url text,
  sms_fallback_method text,
  status_callback text,
  status_callback_method text,
  updated_at timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX number_settings_account_id_friendly_name_idx ON number_settings (account_id, friendly_name);
