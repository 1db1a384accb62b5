package dev.outpost.server.jobs;

/** Thrown by {@link JobContext#checkCanceled()} once the activity is no longer the handler's. */
public final class JobCanceledException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  JobCanceledException(long activityId) {
    super("activity " + activityId + " was canceled or taken over while running");
  }
}
