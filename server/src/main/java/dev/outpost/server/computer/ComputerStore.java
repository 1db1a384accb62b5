package dev.outpost.server.computer;

import dev.outpost.common.error.OutpostException;
import dev.outpost.server.ServerConfig;
import dev.outpost.server.activity.DueRule;
import dev.outpost.server.activity.Page;
import dev.outpost.server.db.TimedReads;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Computers of an account. */
public final class ComputerStore {

  /**
   * Pending: messages written and not yet acknowledged, plus the activities the computer may be
   * given now ({@link DueRule}), at the time {@code now} (SQL of a parameter).
   */
  private static String columns(String now) {
    return """
        c.id, c.title, c.hostname, c.tags, c.registered_at, c.last_exchange_at,
        (SELECT count(*) FROM outgoing_messages o WHERE o.computer_id = c.id)
          + """
        + DueRule.count("c.id", now)
        + " AS pending";
  }

  private static final String COLUMNS = columns("$3");

  private final Pool pool;
  private final Clock clock;
  private final TimedReads reads;

  /** Creates a store over the shared pool, listings under the default query timeout. */
  public ComputerStore(Pool pool, Clock clock) {
    this(pool, clock, Duration.ofMillis(ServerConfig.Limits.defaults().queryTimeoutMs()));
  }

  /**
   * Creates a store over the shared pool; a listing's statement runs for at most {@code
   * queryTimeout} (zero: no limit).
   */
  public ComputerStore(Pool pool, Clock clock, Duration queryTimeout) {
    this.pool = pool;
    this.clock = clock;
    this.reads = new TimedReads(pool, queryTimeout);
  }

  /** The reports of the computers of this store, their users and groups. */
  public ComputerInventory inventory() {
    return new ComputerInventory(pool, this);
  }

  /** Adds a computer to an account and returns its id. */
  public Future<Long> add(long accountId, String title, String hostname, List<String> tags) {
    return pool.preparedQuery(
            """
            INSERT INTO computers (account_id, title, hostname, tags, registered_at)
            VALUES ($1, $2, $3, $4, $5) RETURNING id
            """)
        .execute(
            Tuple.of(
                accountId,
                title,
                hostname,
                tags.toArray(String[]::new),
                OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC)))
        .map(rows -> rows.iterator().next().getLong(0));
  }

  /**
   * Lists the account's registered computers the query selects, one page: {@code limit} of them by
   * id from the page's cursor, after skipping {@code offset}, with the cursor of the next page and,
   * when asked, the count of all matches. Each statement runs under the query timeout.
   */
  public Future<Page<Computer>> list(long accountId, ComputerQuery query, ComputerPage page) {
    Instant now = clock.instant();
    List<Object> params = new ArrayList<>(List.of(accountId));
    String where =
        " FROM computers c WHERE c.account_id = $1 AND c.removed_at IS NULL AND "
            + new ComputerQuerySql(params, now).condition(query);
    Future<Optional<Long>> count =
        page.count()
            ? reads.countUpTo(where, params, Page.COUNT_CAP).map(Optional::of)
            : Future.succeededFuture(Optional.empty());
    List<Object> pageParams = new ArrayList<>(params);
    pageParams.add(now.atOffset(ZoneOffset.UTC));
    StringBuilder sql =
        new StringBuilder("SELECT ").append(columns("$" + pageParams.size())).append(where);
    page.before()
        .or(page::after)
        .ifPresent(
            cursor -> {
              pageParams.add(cursor);
              sql.append(page.newestFirst() ? " AND c.id < $" : " AND c.id > $")
                  .append(pageParams.size());
            });
    // one more than the page tells whether there is a next one
    pageParams.add(page.limit() + 1);
    pageParams.add(page.offset());
    sql.append(" ORDER BY c.id")
        .append(page.newestFirst() ? " DESC" : "")
        .append(" LIMIT $")
        .append(pageParams.size() - 1)
        .append(" OFFSET $")
        .append(pageParams.size());
    Future<List<Computer>> rows =
        reads
            .run(conn -> conn.preparedQuery(sql.toString()).execute(Tuple.from(pageParams)))
            .map(
                found -> {
                  List<Computer> computers = new ArrayList<>(found.size());
                  found.forEach(row -> computers.add(map(row)));
                  return computers;
                });
    return Future.all(count, rows)
        .map(done -> Page.of(page.limit(), count.result(), rows.result(), Computer::id));
  }

  /** One computer of the account; 404 when the account has none such. */
  public Future<Computer> find(long accountId, long id) {
    return pool.preparedQuery(
            "SELECT "
                + COLUMNS
                + " FROM computers c WHERE c.account_id = $1 AND c.id = $2 AND c.removed_at IS NULL")
        .execute(Tuple.of(accountId, id, now()))
        .map(
            rows -> {
              if (rows.size() == 0) {
                throw OutpostException.notFound("computer " + id + " not found");
              }
              return map(rows.iterator().next());
            });
  }

  /**
   * A computer's quarantined messages, newest first, those before the id {@code before} when given;
   * 404 when the account has no such computer.
   */
  public Future<List<QuarantinedMessage>> quarantined(
      long accountId, long computerId, int limit, Optional<Long> before) {
    return find(accountId, computerId)
        .compose(
            computer ->
                pool.preparedQuery(
                        """
            SELECT id, received_at, type, reason, message, size FROM quarantined_messages
             WHERE computer_id = $1 AND ($3::bigint IS NULL OR id < $3)
             ORDER BY id DESC LIMIT $2
            """)
                    .execute(Tuple.of(computerId, limit, before.orElse(null)))
                    .map(
                        rows -> {
                          List<QuarantinedMessage> messages = new ArrayList<>(rows.size());
                          rows.forEach(
                              row ->
                                  messages.add(
                                      new QuarantinedMessage(
                                          row.getLong("id"),
                                          row.getOffsetDateTime("received_at").toInstant(),
                                          row.getString("type"),
                                          row.getString("reason"),
                                          row.getString("message"),
                                          row.getInteger("size"))));
                          return messages;
                        }));
  }

  private OffsetDateTime now() {
    return clock.instant().atOffset(ZoneOffset.UTC);
  }

  private static Computer map(Row row) {
    return new Computer(
        row.getLong("id"),
        row.getString("title"),
        Optional.ofNullable(row.getString("hostname")),
        Arrays.asList(row.getArrayOfStrings("tags")),
        row.getOffsetDateTime("registered_at").toInstant(),
        Optional.ofNullable(row.getOffsetDateTime("last_exchange_at"))
            .map(OffsetDateTime::toInstant),
        row.getLong("pending"));
  }
}
