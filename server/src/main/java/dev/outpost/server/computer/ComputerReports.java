package dev.outpost.server.computer;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The reports computers' agents sent and the exchange kept for the record. */
public final class ComputerReports {

  /** A computer's latest report of one type. */
  public record Report(long computerId, String title, Instant receivedAt, JsonObject body) {}

  private final Pool pool;

  /** Creates the store over the shared pool. */
  public ComputerReports(Pool pool) {
    this.pool = pool;
  }

  /**
   * The latest {@code usg-audit} of each of the account's computers that sent one, by computer id;
   * of the chosen computers only, when given.
   */
  public Future<List<Report>> latestUsgAudits(long accountId, Optional<List<Long>> computerIds) {
    Long[] ids = computerIds.map(chosen -> chosen.toArray(Long[]::new)).orElse(null);
    return pool.preparedQuery(
            """
            SELECT DISTINCT ON (c.id) c.id, c.title, m.received_at, m.body
              FROM computers c JOIN client_messages m ON m.computer_id = c.id
             WHERE c.account_id = $1 AND m.type = 'usg-audit'
               AND ($2::bigint[] IS NULL OR c.id = ANY($2))
             ORDER BY c.id, m.id DESC
            """)
        .execute(Tuple.tuple().addLong(accountId).addArrayOfLong(ids))
        .map(
            rows -> {
              List<Report> reports = new ArrayList<>(rows.size());
              for (Row row : rows) {
                reports.add(
                    new Report(
                        row.getLong("id"),
                        row.getString("title"),
                        row.getOffsetDateTime("received_at").toInstant(),
                        (JsonObject) row.getValue("body")));
              }
              return reports;
            });
  }
}
