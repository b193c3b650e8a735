-- The country regulation manager (src/domain/regulation.ts): rules per
-- country, and optionally per kind of number, that operators set through
-- the API and `ops rules`; every change kept in country_rule_history (who,
-- when, old, new). A null field inherits: from the country's rule for all
-- kinds, then from the global settings (QUARANTINE_NEW, QUARANTINE_AGING).
-- One writer: src/db/country-rules.ts.
CREATE TABLE country_rules (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  country text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  -- null: every kind of number in the country
  kind "EndpointKind",
  version integer NOT NULL DEFAULT 1,
  quarantine_seconds integer CHECK (quarantine_seconds > 0),
  aging_seconds integer CHECK (aging_seconds > 0),
  address_required boolean,
  domestic_only boolean,
  domestic_discount_percent integer CHECK (domestic_discount_percent BETWEEN 0 AND 100),
  max_per_account integer CHECK (max_per_account >= 0),
  -- the country rule only: the kinds that may be sold there (upper case, as endpoints.kind); null: every kind
  kinds_sold text[],
  -- where the rule comes from (the shipped defaults name their source)
  note text,
  updated_by text NOT NULL,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  updated_at timestamptz(3) NOT NULL DEFAULT now()
);
-- one rule per country and kind (and one for the whole country)
CREATE UNIQUE INDEX country_rules_country_key ON country_rules (country) WHERE kind IS NULL;
CREATE UNIQUE INDEX country_rules_country_kind_key ON country_rules (country, kind) WHERE kind IS NOT NULL;

CREATE TABLE country_rule_history (
  id bigserial PRIMARY KEY,
  country text NOT NULL,
  kind "EndpointKind",
  -- the rule's version after the change (the deleted version for a deletion)
  version integer NOT NULL,
  change text NOT NULL CHECK (change IN ('created', 'updated', 'deleted')),
  old jsonb,
  new jsonb,
  actor text NOT NULL,
  at timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX country_rule_history_country_at_idx ON country_rule_history (country, at);

-- Addresses on file for an account (the rules' address requirement), per country.
-- One writer: src/db/addresses.ts.
CREATE TABLE account_addresses (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id text NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  country text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  customer_name text NOT NULL,
  street text NOT NULL,
  locality text NOT NULL,
  region text,
  postal_code text NOT NULL,
  created_at timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX account_addresses_account_country_idx ON account_addresses (account_id, country);

-- The shipped defaults: examples (docs/operations.md#country-rules says where each comes from).
-- US sets no rest period: the FCC's minimum aging (47 CFR 52.15(f)(1)(ii), 45 days) is QUARANTINE_AGING's
-- default already, and the demo and tests shorten that setting for their US numbers
INSERT INTO country_rules (country, kind, kinds_sold, note, updated_by) VALUES
  ('US', NULL, ARRAY['MOBILE', 'FIXED_LINE', 'FIXED_LINE_OR_MOBILE', 'TOLL_FREE', 'SHARED_COST', 'VOIP', 'PERSONAL_NUMBER', 'UAN', 'OTHER', 'SHORT_CODE', 'SIP'],
   'example: 900 (premium-rate) numbers are not resold (pay-per-call services fall under 47 CFR 64 subpart O); aging stays QUARANTINE_AGING (45 days, the FCC minimum of 47 CFR 52.15(f)(1)(ii))', 'migration');
INSERT INTO country_rules (country, kind, kinds_sold, note, updated_by) VALUES
  ('GB', NULL, ARRAY['MOBILE', 'FIXED_LINE', 'FIXED_LINE_OR_MOBILE', 'TOLL_FREE', 'VOIP', 'UAN'],
   'example: premium-rate and personal numbers are not resold (premium-rate services are registered with the Phone-paid Services Authority)', 'migration');
INSERT INTO country_rules (country, kind, address_required, note, updated_by) VALUES
  ('GB', 'FIXED_LINE', true, 'example: geographic numbers go to customers with an address in the UK, as carriers ask for them', 'migration');
INSERT INTO country_rules (country, kind, kinds_sold, note, updated_by) VALUES
  ('DE', NULL, ARRAY['MOBILE', 'FIXED_LINE', 'FIXED_LINE_OR_MOBILE', 'TOLL_FREE'],
   'example: premium-rate (0900) and other service numbers are assigned individually by the Bundesnetzagentur, not resold', 'migration');
INSERT INTO country_rules (country, kind, address_required, domestic_only, domestic_discount_percent, note, updated_by) VALUES
  ('DE', 'FIXED_LINE', true, true, 20,
   'example: Bundesnetzagentur allocation rules for geographic (Ortsnetz) numbers ask for a residence or establishment in the area; offered as a domestic-only number at 20 % off', 'migration');
INSERT INTO country_rule_history (country, kind, version, change, new, actor)
SELECT country, kind, version, 'created',
       jsonb_build_object('quarantineSeconds', quarantine_seconds, 'agingSeconds', aging_seconds, 'addressRequired', address_required,
                          'domesticOnly', domestic_only, 'domesticDiscountPercent', domestic_discount_percent,
                          'maxPerAccount', max_per_account, 'kindsSold', kinds_sold, 'note', note),
       updated_by
  FROM country_rules;
