package dev.outpost.server.jobs.handlers;

import dev.outpost.server.computer.ComputerRemoval;
import dev.outpost.server.jobs.JobContext;
import dev.outpost.server.jobs.JobHandler;
import io.vertx.core.Future;

/**
 * RemoveComputerActivity: cancels the computer's unfinished client activities, forgets its identity
 * (its agent gets {@code unknown-id} and may register again as a new computer) and drops its
 * undelivered messages; {@link ComputerRemoval} says how. Its history stays.
 */
public final class RemoveComputerHandler implements JobHandler {

  private final ComputerRemoval removal;

  /** Creates the handler over the removal of computers. */
  public RemoveComputerHandler(ComputerRemoval removal) {
    this.removal = removal;
  }

  @Override
  public Future<String> run(JobContext context) {
    long computerId =
        context
            .job()
            .computerId()
            .orElseThrow(
                () -> new IllegalArgumentException("RemoveComputerActivity names no computer"));
    return removal
        .remove(context.job().accountId(), computerId, "job-handler", context.clock().instant())
        .map(
            canceled ->
                "computer "
                    + computerId
                    + " removed; "
                    + canceled
                    + " unfinished activities canceled");
  }
}
