package dev.outpost.server.jobs;

/**
 * A queue message naming an activity to run, with the channel it came on and its delivery tag, by
 * which it is acked or given back.
 */
record JobMessage(long activityId, long channel, long tag) {}
