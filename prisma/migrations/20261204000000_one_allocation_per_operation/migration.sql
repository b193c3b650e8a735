-- One allocation operation allocates one endpoint. An allocate update's id is
-- `<operation>:allocate`, and the history row of the transition it made names
-- it; a second endpoint allocated by the same operation (its first attempt's
-- update applied late, after the request had moved on to another candidate)
-- is refused by this index, in the transition's own statement
-- (src/db/endpoints.ts transition), whatever order the two land in.
CREATE UNIQUE INDEX "endpoint_history_allocate_operation_key"
    ON "endpoint_history" ("operation")
 WHERE "to_state" = 'ALLOCATED' AND "operation" LIKE '%:allocate';
