package dev.outpost.server.activity;

import dev.outpost.common.activity.Status;

/**
 * How one job ended, at the attempt its owner ran, for {@link JobTransitions#finish}: Succeeded or
 * Failed, with its result text and the reason its log row gives.
 */
public record JobEnd(
    long activityId, int attempt, Status status, String resultText, String reason) {

  /** Checks that the job ends Succeeded or Failed, the ends a job-handler writes. */
  public JobEnd {
    if (status != Status.SUCCEEDED && status != Status.FAILED) {
      throw new IllegalArgumentException("a job does not end " + status);
    }
  }
}
