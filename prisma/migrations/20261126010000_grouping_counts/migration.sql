-- Inventory per classification grouping, kept exact by statement-level
-- triggers in the same transaction as every endpoint write, so the monitor's
-- evaluation reads 10,000 groupings' counts instead of counting 1,000,000
-- endpoints. A grouping's counts are computed when it is created or its tags
-- change (src/db/groupings.ts), under a lock that holds endpoint writers back.

CREATE TABLE "grouping_counts" (
    "grouping_id" UUID NOT NULL,
    "state" "EndpointState" NOT NULL,
    "n" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "grouping_counts_pkey" PRIMARY KEY ("grouping_id", "state")
);

-- allocations per grouping per hour: the allocation rate
CREATE TABLE "grouping_allocations" (
    "grouping_id" UUID NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "n" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "grouping_allocations_pkey" PRIMARY KEY ("grouping_id", "hour")
);

ALTER TABLE "grouping_counts" ADD CONSTRAINT "grouping_counts_grouping_id_fkey" FOREIGN KEY ("grouping_id") REFERENCES "classification_groupings"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "grouping_allocations" ADD CONSTRAINT "grouping_allocations_grouping_id_fkey" FOREIGN KEY ("grouping_id") REFERENCES "classification_groupings"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Which groupings an endpoint's tags satisfy (groupings.tags <@ endpoint tags)
-- is asked on every endpoint write. A GIN index on tags answers with every
-- grouping sharing any tag (thousands, for tags like cap:sms), so each
-- grouping is also filed under its most specific tag, its anchor: an endpoint
-- looks up only the groupings anchored at one of its own tags.
CREATE FUNCTION "grouping_anchor"(tags TEXT[]) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$
  SELECT t FROM unnest(tags) AS t
   ORDER BY array_position(ARRAY['nxx', 'word', 'npa', 'region', 'vanity', 'kind', 'cap', 'quality', 'clean', 'country'],
                           split_part(t, ':', 1)) NULLS LAST, t
   LIMIT 1
$$;
ALTER TABLE "classification_groupings" ADD COLUMN "anchor" TEXT GENERATED ALWAYS AS (grouping_anchor("tags")) STORED;
CREATE INDEX "classification_groupings_anchor_idx" ON "classification_groupings"("anchor");
CREATE INDEX "classification_groupings_tags_idx" ON "classification_groupings" USING GIN ("tags");
-- which unmet searches fall inside a grouping
CREATE INDEX "unmet_searches_tags_idx" ON "unmet_searches" USING GIN ("tags");

CREATE FUNCTION "grouping_counts_apply"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO grouping_counts (grouping_id, state, n)
    SELECT g.id, d.state, sum(d.n)::int
      FROM (SELECT classifier_tags, state, count(*) AS n FROM new_rows GROUP BY 1, 2) d
      CROSS JOIN LATERAL (SELECT id FROM classification_groupings WHERE anchor = ANY(d.classifier_tags) AND tags <@ d.classifier_tags) g
     GROUP BY g.id, d.state
     ORDER BY 1, 2  -- one lock order for every writer: no deadlocks between them
    ON CONFLICT (grouping_id, state) DO UPDATE SET n = grouping_counts.n + EXCLUDED.n;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO grouping_counts (grouping_id, state, n)
    SELECT g.id, d.state, -sum(d.n)::int
      FROM (SELECT classifier_tags, state, count(*) AS n FROM old_rows GROUP BY 1, 2) d
      CROSS JOIN LATERAL (SELECT id FROM classification_groupings WHERE anchor = ANY(d.classifier_tags) AND tags <@ d.classifier_tags) g
     GROUP BY g.id, d.state
     ORDER BY 1, 2
    ON CONFLICT (grouping_id, state) DO UPDATE SET n = grouping_counts.n + EXCLUDED.n;
  ELSE
    WITH changed AS (
      SELECT o.classifier_tags AS otags, o.state AS ostate, n.classifier_tags AS ntags, n.state AS nstate
        FROM old_rows o JOIN new_rows n USING (id)
       WHERE o.state IS DISTINCT FROM n.state OR o.classifier_tags IS DISTINCT FROM n.classifier_tags
    ), d AS (
      SELECT ntags AS tags, nstate AS state, count(*) AS n FROM changed GROUP BY 1, 2
      UNION ALL
      SELECT otags, ostate, -count(*) FROM changed GROUP BY 1, 2
    )
    INSERT INTO grouping_counts (grouping_id, state, n)
    SELECT g.id, d.state, sum(d.n)::int
      FROM d CROSS JOIN LATERAL (SELECT id FROM classification_groupings WHERE anchor = ANY(d.tags) AND tags <@ d.tags) g
     GROUP BY g.id, d.state
    HAVING sum(d.n) <> 0
     ORDER BY 1, 2
    ON CONFLICT (grouping_id, state) DO UPDATE SET n = grouping_counts.n + EXCLUDED.n;

    INSERT INTO grouping_allocations (grouping_id, hour, n)
    SELECT g.id, date_trunc('hour', now()), count(*)::int
      FROM old_rows o JOIN new_rows n USING (id)
      CROSS JOIN LATERAL (SELECT id FROM classification_groupings WHERE anchor = ANY(n.classifier_tags) AND tags <@ n.classifier_tags) g
     WHERE n.state = 'ALLOCATED' AND o.state IS DISTINCT FROM 'ALLOCATED'
     GROUP BY g.id
     ORDER BY 1
    ON CONFLICT (grouping_id, hour) DO UPDATE SET n = grouping_allocations.n + EXCLUDED.n;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "endpoints_grouping_counts_insert" AFTER INSERT ON "endpoints"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "grouping_counts_apply"();
CREATE TRIGGER "endpoints_grouping_counts_update" AFTER UPDATE ON "endpoints"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "grouping_counts_apply"();
CREATE TRIGGER "endpoints_grouping_counts_delete" AFTER DELETE ON "endpoints"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "grouping_counts_apply"();
