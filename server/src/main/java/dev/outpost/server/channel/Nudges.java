package dev.outpost.server.channel;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.Collection;
import java.util.List;

/**
 * Nudges computers' agents to exchange now, through whichever server instance holds their channels:
 * a notice on {@value Channels#CHANNEL}, sent by the database function {@code nudge_computers}
 * (migration V16), many computers to a notice. Inside a transaction the nudge goes at its commit.
 *
 * <p>Whatever makes a client activity deliverable already nudges, in the database: its creation
 * (reapplied ones too), a move into Queued or Scheduled, a group's child leaving In Progress in a
 * group with a concurrency limit, and a Scheduled activity's time come (the scheduler). A client
 * activity moved from In Progress to Canceled nudges its computer too. This is for anything else
 * that has news for an agent.
 */
public final class Nudges {

  private static final String NUDGE = "SELECT nudge_computers($1::bigint[])";

  private final SqlClient client;

  /** Nudges through this pool or connection. */
  public Nudges(SqlClient client) {
    this.client = client;
  }

  /** Nudges one computer's agent. */
  public Future<Void> nudge(long computerId) {
    return nudge(List.of(computerId));
  }

  /** Nudges these computers' agents. */
  public Future<Void> nudge(Collection<Long> computerIds) {
    if (computerIds.isEmpty()) {
      return Future.succeededFuture();
    }
    return client
        .preparedQuery(NUDGE)
        .execute(Tuple.of(computerIds.toArray(Long[]::new)))
        .mapEmpty();
  }
}
