-- V010: what each instance cost an hour when it was requested (issue 20), so `spotsh ls` and
-- registry.tests() can show a test's cost so far in dollars without asking the cloud: the zone's
-- spot price at launch and, where the provider knows it, the on-demand price of the same type.
-- Null for instances recorded before, or when the provider could not tell.
ALTER TABLE spotsh.instances ADD COLUMN spot_usd_per_hour numeric(12, 6) CHECK (spot_usd_per_hour >= 0);
ALTER TABLE spotsh.instances ADD COLUMN on_demand_usd_per_hour numeric(12, 6) CHECK (on_demand_usd_per_hour >= 0);
