-- Script profiles: a saved script run on targets when a trigger fires.
CREATE TABLE script_profiles (
  id            bigserial PRIMARY KEY,
  account_id    bigint NOT NULL REFERENCES accounts (id),
  title         text NOT NULL,
  script_id     bigint NOT NULL REFERENCES scripts (id),
  -- targets, one of: every computer of the account, those carrying any of the tags, those a
  -- computer query selects (resolved at each firing)
  all_computers boolean NOT NULL DEFAULT false,
  tags          text[] NOT NULL DEFAULT '{}',
  query         text,
  username      text,
  time_limit    integer,
  trigger_type  text NOT NULL CHECK (trigger_type IN ('one_time', 'recurring', 'event')),
  fire_at       timestamptz,              -- one_time: when
  start_after   timestamptz,              -- recurring: from when
  cron          text,                     -- recurring: a Unix cron expression
  timezone      text,                     -- recurring: the zone the expression is read in
  event_type    text CHECK (event_type IN ('post_enrollment')),
  -- the next due time; claimed (moved on) in the transaction that creates its activities, so a
  -- due time fires once however many servers sweep. NULL: nothing due (events, a one_time
  -- profile that fired, an archived profile)
  next_fire_at  timestamptz,
  last_fired_at timestamptz,
  creator       text NOT NULL,
  created_at    timestamptz NOT NULL,
  archived_at   timestamptz
);
CREATE INDEX script_profiles_account ON script_profiles (account_id, id DESC);
CREATE INDEX script_profiles_due ON script_profiles (account_id, next_fire_at)
  WHERE next_fire_at IS NOT NULL;
CREATE INDEX script_profiles_events ON script_profiles (account_id, event_type)
  WHERE trigger_type = 'event' AND archived_at IS NULL;

-- The activities (a group, or one activity for one computer) each firing created; due_at is the
-- time that fired (a registration's time for post_enrollment), so no time fires twice.
CREATE TABLE script_profile_activities (
  profile_id  bigint NOT NULL REFERENCES script_profiles (id),
  activity_id bigint NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
  due_at      timestamptz NOT NULL,
  computer_id bigint REFERENCES computers (id),      -- post_enrollment: the computer enrolled
  PRIMARY KEY (profile_id, activity_id)
);
CREATE UNIQUE INDEX script_profile_activities_once ON script_profile_activities
  (profile_id, due_at, COALESCE(computer_id, 0));
CREATE INDEX script_profile_activities_newest ON script_profile_activities
  (profile_id, activity_id DESC);

-- Computers registered and not yet given their post_enrollment profiles: written in the
-- registration's transaction, turned into activities (and deleted) by the scheduler's sweep.
CREATE TABLE enrollments (
  computer_id   bigint PRIMARY KEY REFERENCES computers (id),
  account_id    bigint NOT NULL REFERENCES accounts (id),
  registered_at timestamptz NOT NULL
);
CREATE INDEX enrollments_account ON enrollments (account_id, registered_at);
