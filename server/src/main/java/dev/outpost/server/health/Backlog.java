package dev.outpost.server.health;

import dev.outpost.common.activity.Status;
import dev.outpost.server.activity.StatusSql;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gauges of the work waiting in the database, read by one query every {@link #INTERVAL} rather than
 * at every scrape, each count stopping at {@link #CAP} rows so that a backlog of millions costs no
 * more to measure than one of a hundred thousand:
 *
 * <ul>
 *   <li>{@code outpost_outbox_depth}: server activities written to the outbox and not yet published
 *       to the job queue; {@code outpost_outbox_age_seconds}: how long the oldest has waited (0
 *       when none)
 *   <li>{@code outpost_scheduler_lag_seconds}: how long past its time the oldest due server
 *       activity still waits Scheduled for the scheduler to queue it (0 when none)
 *   <li>{@code outpost_stale_activities}: client activities delivered and without a result past the
 *       result deadline
 *   <li>{@code outpost_activities_in_progress}: activities In Progress, client and server
 *   <li>{@code outpost_activities{status}}: activities in each state they have not finished in
 *       ({@code queued}, {@code scheduled}, {@code waiting}, {@code blocked}, {@code in-progress}),
 *       each counted through a partial index of that state alone (migration V52, and V11 and V14
 *       for In Progress), so finished activities, however many, cost nothing
 *   <li>{@code outpost_quarantined_messages_kept}: client messages the exchange set aside, kept
 * </ul>
 *
 * They are the installation's figures, the same on every instance scraped. So is the counter {@code
 * outpost_activity_transitions_total{to}}, activities that finished ({@code succeeded}, {@code
 * failed}, {@code canceled}) since this instance started: read from the transition log ({@code
 * activity_events}) in its {@code (xid, id)} order, only up to the oldest transaction still running
 * (as the event log's readers do), so a transition is counted once, after it committed, whichever
 * instance made it; at most {@link #CAP} transitions a reading, the rest at the next.
 */
public final class Backlog {

  /** How often the gauges are read. */
  public static final Duration INTERVAL = Duration.ofSeconds(15);

  /** The most rows one count reads. */
  public static final int CAP = 100_000;

  private static final long READ_TIMEOUT_MS = 2_000;
  private static final Logger LOG = LoggerFactory.getLogger(Backlog.class);
  private static final String QUERY =
      StatusSql.of(
          """
      SELECT
        (SELECT count(*) FROM (SELECT 1 FROM outbox WHERE published_at IS NULL LIMIT $1) o)
          AS outbox_depth,
        (SELECT created_at FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT 1)
          AS outbox_oldest,
        (SELECT min(deliver_after) FROM activities
          WHERE status = {scheduled} AND kind = 'server' AND deliver_after <= $2) AS due_oldest,
        (SELECT count(*) FROM (SELECT 1 FROM activities
          WHERE status = {in-progress} AND kind = 'client' AND delivered_at < $3 LIMIT $1) s)
          AS stale,
        (SELECT count(*) FROM (SELECT 1 FROM activities
          WHERE status = {in-progress} AND kind = 'client' LIMIT $1) r) AS in_progress_client,
        (SELECT count(*) FROM (SELECT 1 FROM activities
          WHERE status = {in-progress} AND kind = 'server' LIMIT $1) r) AS in_progress_server,
        (SELECT count(*) FROM (SELECT 1 FROM activities WHERE status = {queued} LIMIT $1) n)
          AS queued,
        (SELECT count(*) FROM (SELECT 1 FROM activities WHERE status = {scheduled} LIMIT $1) n)
          AS scheduled,
        (SELECT count(*) FROM (SELECT 1 FROM activities WHERE status = {waiting} LIMIT $1) n)
          AS waiting,
        (SELECT count(*) FROM (SELECT 1 FROM activities WHERE status = {blocked} LIMIT $1) n)
          AS blocked,
        (SELECT count(*) FROM (SELECT 1 FROM quarantined_messages LIMIT $1) q) AS quarantined
      """);

  /**
   * The transitions logged after the position ($1, $2) by transactions that have all ended (older
   * than the oldest one running), at most $3, counted by final state, with the last position read
   * and the horizon; $1 NULL reads none, only the horizon.
   */
  private static final String FINISHED =
      StatusSql.of(
          """
      WITH horizon AS (
        SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin
      ), read AS (
        SELECT xid, id, to_status FROM activity_events
         WHERE $1::bigint IS NOT NULL AND (xid, id) > ($1, $2)
           AND xid < (SELECT xmin FROM horizon)
         ORDER BY xid, id LIMIT $3
      ), last AS (
        SELECT xid, id FROM read ORDER BY xid DESC, id DESC LIMIT 1
      )
      SELECT (SELECT xmin FROM horizon) AS xmin,
             (SELECT xid FROM last) AS last_xid, (SELECT id FROM last) AS last_id,
             count(*) AS n,
             count(*) FILTER (WHERE to_status = {succeeded}) AS succeeded,
             count(*) FILTER (WHERE to_status = {failed}) AS failed,
             count(*) FILTER (WHERE to_status = {canceled}) AS canceled
        FROM read
      """);

  /** The states counted by {@code outpost_activities{status}}. */
  private static final List<Status> UNFINISHED =
      List.of(Status.QUEUED, Status.SCHEDULED, Status.WAITING, Status.BLOCKED, Status.IN_PROGRESS);

  /** The states counted by {@code outpost_activity_transitions_total{to}}. */
  private static final List<Status> FINAL =
      List.of(Status.SUCCEEDED, Status.FAILED, Status.CANCELED);

  private final Pool pool;
  private final Clock clock;
  private final Duration resultDeadline;
  private final AtomicLong outboxDepth = new AtomicLong();
  private final AtomicLong outboxAgeMillis = new AtomicLong();
  private final AtomicLong schedulerLagMillis = new AtomicLong();
  private final AtomicLong stale = new AtomicLong();
  private final AtomicLong quarantined = new AtomicLong();
  private final AtomicLong inProgress = new AtomicLong();
  private final Map<Status, AtomicLong> byStatus = new EnumMap<>(Status.class);
  private final Map<Status, Counter> finished = new EnumMap<>(Status.class);
  // where the transition log was last read: after (xid, id); null until the first reading
  private Long logXid;
  private long logId;
  private long readAt = Long.MIN_VALUE / 2;
  private Future<Void> reading;

  /** Registers the gauges; {@link #fresh} reads them. */
  public Backlog(Pool pool, Clock clock, Duration resultDeadline, MeterRegistry registry) {
    this.pool = pool;
    this.clock = clock;
    this.resultDeadline = resultDeadline;
    Gauge.builder("outpost.outbox.depth", outboxDepth, AtomicLong::get)
        .description("server activities in the outbox, not yet published to the job queue")
        .register(registry);
    Gauge.builder("outpost.outbox.age", outboxAgeMillis, millis -> millis.get() / 1000.0)
        .description("how long the oldest server activity in the outbox has waited")
        .baseUnit("seconds")
        .register(registry);
    Gauge.builder("outpost.scheduler.lag", schedulerLagMillis, millis -> millis.get() / 1000.0)
        .description("how long past its time the oldest due server activity waits Scheduled")
        .baseUnit("seconds")
        .register(registry);
    Gauge.builder("outpost.stale.activities", stale, AtomicLong::get)
        .description("client activities delivered and without a result past the deadline")
        .register(registry);
    Gauge.builder("outpost.activities.in.progress", inProgress, AtomicLong::get)
        .description("activities In Progress, client and server")
        .register(registry);
    Gauge.builder("outpost.quarantined.messages.kept", quarantined, AtomicLong::get)
        .description("client messages set aside by the exchange, kept")
        .register(registry);
    for (Status status : UNFINISHED) {
      AtomicLong count = new AtomicLong();
      byStatus.put(status, count);
      Gauge.builder("outpost.activities", count, AtomicLong::get)
          .description("activities not finished, by status")
          .tag("status", status.wireName())
          .register(registry);
    }
    for (Status status : FINAL) {
      finished.put(
          status,
          Counter.builder("outpost.activity.transitions")
              .description("activities that finished, by final state, in the installation")
              .tag("to", status.wireName())
              .register(registry));
    }
  }

  /**
   * Completes once the gauges are at most {@link #INTERVAL} old, reading them when they are older;
   * a reading that fails or takes longer than two seconds leaves the last values (logged).
   */
  public synchronized Future<Void> fresh() {
    long now = clock.millis();
    if (reading != null) {
      return reading;
    }
    if (now - readAt < INTERVAL.toMillis()) {
      return Future.succeededFuture();
    }
    OffsetDateTime at = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
    Future<Void> gauges =
        pool.preparedQuery(QUERY)
            .execute(Tuple.of(CAP, at, at.minus(resultDeadline)))
            .timeout(READ_TIMEOUT_MS, TimeUnit.MILLISECONDS)
            .onSuccess(rows -> read(rows.iterator().next(), at))
            .onFailure(e -> LOG.warn("backlog gauges not read [cause: {}]", e.toString()))
            .<Void>mapEmpty()
            .otherwiseEmpty();
    Future<Void> transitions =
        pool.preparedQuery(FINISHED)
            .execute(Tuple.of(logXid, logId, CAP))
            .timeout(READ_TIMEOUT_MS, TimeUnit.MILLISECONDS)
            .onSuccess(rows -> count(rows.iterator().next()))
            .onFailure(e -> LOG.warn("finished activities not counted [cause: {}]", e.toString()))
            .<Void>mapEmpty()
            .otherwiseEmpty();
    reading = Future.join(gauges, transitions).<Void>mapEmpty().onComplete(done -> done(now));
    return reading;
  }

  private synchronized void done(long startedAt) {
    readAt = startedAt;
    reading = null;
  }

  private void read(Row row, OffsetDateTime now) {
    outboxDepth.set(row.getLong("outbox_depth"));
    outboxAgeMillis.set(millisSince(row.getOffsetDateTime("outbox_oldest"), now));
    schedulerLagMillis.set(millisSince(row.getOffsetDateTime("due_oldest"), now));
    stale.set(row.getLong("stale"));
    quarantined.set(row.getLong("quarantined"));
    long running = row.getLong("in_progress_client") + row.getLong("in_progress_server");
    inProgress.set(running);
    byStatus.get(Status.IN_PROGRESS).set(running);
    for (Status status : UNFINISHED) {
      if (status != Status.IN_PROGRESS) {
        byStatus.get(status).set(row.getLong(status.wireName()));
      }
    }
  }

  private synchronized void count(Row row) {
    if (logXid != null) {
      for (Status status : FINAL) {
        finished.get(status).increment(row.getLong(status.wireName()));
      }
    }
    if (row.getLong("n") < CAP) {
      // everything before the horizon is read: the next reading starts there
      logXid = row.getLong("xmin");
      logId = 0;
    } else {
      logXid = row.getLong("last_xid");
      logId = row.getLong("last_id");
    }
  }

  private static long millisSince(OffsetDateTime then, OffsetDateTime now) {
    return then == null ? 0 : Math.max(0, Duration.between(then, now).toMillis());
  }
}
