-- An endpoint leaving the shelf for a release order: it enters RELEASING
-- through its own workflow before its carrier is asked to take it back, so
-- nothing allocates or reserves it meanwhile, and a number an account took
-- since the order was planned is never released.
ALTER TYPE "EndpointState" ADD VALUE 'RELEASING';
