package dev.outpost.server.jobs;

import io.vertx.core.Future;

/** Runs one type of server activity. */
public interface JobHandler {

  /**
   * Runs the job. Called on a worker thread: blocking is allowed, and long work should call {@link
   * JobContext#checkCanceled()} between steps.
   *
   * @return the result text of a success; a failed future fails the activity with its message
   */
  Future<String> run(JobContext context) throws Exception;
}
