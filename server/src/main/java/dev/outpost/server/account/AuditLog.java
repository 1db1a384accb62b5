package dev.outpost.server.account;

import dev.outpost.common.error.OutpostException;
import dev.outpost.server.query.Expr;
import dev.outpost.server.query.QueryParser;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only log of what administrators did (and who tried to sign in), migration V41: rows
 * are only ever inserted, by this process in the order it was told of them, a batch at a time.
 * Entries waiting to be written are bounded ({@link #MAX_WAITING}); past that an entry is dropped,
 * logged and counted, rather than held without bound while the database does not answer.
 */
public final class AuditLog {

  private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);

  /** Entries waiting to be written, at most. */
  static final int MAX_WAITING = 10_000;

  /** Entries one statement writes, at most. */
  private static final int BATCH = 500;

  /**
   * One entry.
   *
   * @param accountId the account acted in; empty for a failed sign-in that named none
   * @param administratorId who acted (or tried to sign in as), when known
   * @param administrator their email, when known
   * @param tokenId the token or session they came with, when any
   * @param token its name
   * @param source the client's address
   * @param action what was done, such as {@code activity.create} or {@code login.failed}
   * @param method the HTTP method, when a route was called
   * @param path the path called
   * @param status the answer's status
   * @param details what the action named or made
   */
  public record Entry(
      Optional<Long> accountId,
      Instant at,
      Optional<Long> administratorId,
      Optional<String> administrator,
      Optional<Long> tokenId,
      Optional<String> token,
      String source,
      String action,
      Optional<String> method,
      Optional<String> path,
      int status,
      JsonObject details) {

    /** The entry of what a caller did. */
    public static Entry of(
        Admin admin,
        Instant at,
        String source,
        String action,
        String method,
        String path,
        int status,
        JsonObject details) {
      return new Entry(
          Optional.of(admin.accountId()),
          at,
          Optional.of(admin.administratorId()),
          Optional.of(admin.email()),
          Optional.of(admin.tokenId()),
          Optional.of(admin.tokenName()),
          source,
          action,
          Optional.of(method),
          Optional.of(path),
          status,
          details);
    }
  }

  /** An entry as read back, with its place in the log. */
  public record Recorded(long id, Entry entry) {}

  private final Pool pool;
  private final Counter dropped;
  private final ConcurrentLinkedQueue<Entry> waiting = new ConcurrentLinkedQueue<>();
  private final AtomicInteger count = new AtomicInteger();
  private final AtomicBoolean writing = new AtomicBoolean();

  /** Writes through the pool; counts entries it had to drop in {@code dropped}. */
  public AuditLog(Pool pool, Counter dropped) {
    this.pool = pool;
    this.dropped = dropped;
  }

  /** Appends an entry, in the order of the calls; written soon after, never changed. */
  public void record(Entry entry) {
    if (count.incrementAndGet() > MAX_WAITING) {
      count.decrementAndGet();
      dropped.increment();
      LOG.error(
          "audit entry dropped: {} waiting to be written [action: {}, administrator: {}]",
          MAX_WAITING,
          entry.action(),
          entry.administrator().orElse("-"));
      return;
    }
    waiting.add(entry);
    write();
  }

  /** Writes what waits, one batch at a time, unless a batch is being written already. */
  private void write() {
    if (!writing.compareAndSet(false, true)) {
      return;
    }
    List<Tuple> batch = new ArrayList<>();
    for (Entry e = waiting.poll(); e != null; e = batch.size() < BATCH ? waiting.poll() : null) {
      batch.add(tuple(e));
    }
    if (batch.isEmpty()) {
      writing.set(false);
      if (!waiting.isEmpty()) {
        write();
      }
      return;
    }
    pool.preparedQuery(
            """
            INSERT INTO audit_log (account_id, at, administrator_id, administrator, token_id,
                                   token, source, action, method, path, status, details)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
            """)
        .executeBatch(batch)
        .onComplete(
            done -> {
              count.addAndGet(-batch.size());
              if (done.failed()) {
                dropped.increment(batch.size());
                LOG.error(
                    "audit entries not written [count: {}, problem: {}]",
                    batch.size(),
                    done.cause().getMessage());
              }
              writing.set(false);
              if (!waiting.isEmpty()) {
                write();
              }
            });
  }

  /** Whether every entry recorded so far is written (tests wait for it). */
  public boolean idle() {
    return count.get() == 0;
  }

  private static Tuple tuple(Entry e) {
    return Tuple.of(
            e.accountId().orElse(null),
            e.at().atOffset(ZoneOffset.UTC),
            e.administratorId().orElse(null),
            e.administrator().orElse(null),
            e.tokenId().orElse(null),
            e.token().orElse(null),
            e.source(),
            e.action(),
            e.method().orElse(null),
            e.path().orElse(null))
        .addInteger(e.status())
        .addValue(e.details());
  }

  /** The keys the audit query language knows. */
  public enum Key {
    ACTION("action", "action"),
    ADMINISTRATOR("administrator", "administrator"),
    TOKEN("token", "token"),
    SOURCE("source", "source"),
    STATUS("status", "status"),
    PATH("path", "path");

    private final String word;
    private final String column;

    Key(String word, String column) {
      this.word = word;
      this.column = column;
    }
  }

  /** One term of an audit query. */
  public record Term(Key key, String value) implements Expr<Term> {}

  /**
   * Parses an audit query: {@code action:}, {@code administrator:}, {@code token:}, {@code
   * source:}, {@code path:} (each {@code *} standing for any run of characters) and {@code status:}
   * terms, joined as activity queries are.
   */
  public static Optional<Expr<Term>> parse(String text) {
    return QueryParser.parse(
        (key, value) -> {
          Key k = QueryParser.key(Key.values(), x -> x.word, key);
          if (k == Key.STATUS && !value.matches("\\d{3}")) {
            throw OutpostException.badRequest(
                "'status:' takes an HTTP status, not '" + value + "'");
          }
          return new Term(k, value);
        },
        text);
  }

  /**
   * A page of the account's entries the query selects, newest first, before the entry {@code
   * before} when given.
   */
  public Future<List<Recorded>> list(
      long accountId, Optional<Expr<Term>> query, int limit, Optional<Long> before) {
    List<Object> params = new ArrayList<>(List.of(accountId, before.orElse(Long.MAX_VALUE), limit));
    String condition =
        query
            .map(
                q ->
                    Expr.sql(
                        q,
                        Term.class,
                        term -> {
                          if (term.key() == Key.STATUS) {
                            params.add(Integer.parseInt(term.value()));
                            return "status = $" + params.size();
                          }
                          if (term.value().indexOf('*') < 0) {
                            params.add(term.value());
                            return term.key().column + " = $" + params.size();
                          }
                          params.add(like(term.value()));
                          return term.key().column + " LIKE $" + params.size();
                        }))
            .orElse("TRUE");
    return pool.preparedQuery(
            "SELECT * FROM audit_log WHERE account_id = $1 AND id < $2 AND ("
                + condition
                + ") ORDER BY id DESC LIMIT $3")
        .execute(Tuple.from(params))
        .map(
            rows -> {
              List<Recorded> page = new ArrayList<>(rows.size());
              rows.forEach(row -> page.add(recorded(row)));
              return page;
            });
  }

  private static String like(String wanted) {
    return wanted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_").replace('*', '%');
  }

  private static Recorded recorded(Row row) {
    Object details = row.getValue("details");
    return new Recorded(
        row.getLong("id"),
        new Entry(
            Optional.ofNullable(row.getLong("account_id")),
            row.getOffsetDateTime("at").toInstant(),
            Optional.ofNullable(row.getLong("administrator_id")),
            Optional.ofNullable(row.getString("administrator")),
            Optional.ofNullable(row.getLong("token_id")),
            Optional.ofNullable(row.getString("token")),
            row.getString("source"),
            row.getString("action"),
            Optional.ofNullable(row.getString("method")),
            Optional.ofNullable(row.getString("path")),
            row.getInteger("status"),
            details instanceof JsonObject json ? json : new JsonObject()));
  }
}
