package dev.outpost.server.jobs.handlers;

import dev.outpost.server.activity.ActivityArchive;
import dev.outpost.server.jobs.JobContext;
import dev.outpost.server.jobs.JobHandler;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;

/**
 * ArchiveRequest: moves the account's finished activities older than {@code older_than_days} (and
 * their transition logs) into the archive tables; {@link ActivityArchive} says how.
 */
public final class ArchiveHandler implements JobHandler {

  private final ActivityArchive archive;

  /** Creates the handler over the archive. */
  public ArchiveHandler(ActivityArchive archive) {
    this.archive = archive;
  }

  @Override
  public Future<String> run(JobContext context) {
    int days = context.job().parameters().getInteger("older_than_days");
    Instant cutoff = context.clock().instant().minus(Duration.ofDays(days));
    return archive
        .archive(context.job().accountId(), cutoff)
        .map(
            archived ->
                "archived "
                    + archived.activities()
                    + " activities and "
                    + archived.events()
                    + " events finished before "
                    + cutoff
                    + ", and deleted "
                    + archived.computerEvents()
                    + " computer events");
  }
}
