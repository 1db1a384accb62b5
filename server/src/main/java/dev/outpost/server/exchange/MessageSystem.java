package dev.outpost.server.exchange;

import dev.outpost.common.wire.Bpickle;
import dev.outpost.common.wire.WireMap;
import dev.outpost.server.activity.ActivityOutput;
import dev.outpost.server.activity.ActivityStore;
import dev.outpost.server.activity.AgentResult;
import dev.outpost.server.activity.DueRule;
import dev.outpost.server.activity.Transitions;
import dev.outpost.server.exchange.ExchangePlanner.Plan;
import dev.outpost.server.exchange.ExchangePlanner.Writes;
import dev.outpost.server.log.Mdc;
import dev.outpost.server.metrics.ServerMetrics;
import dev.outpost.server.packages.PackageReport;
import dev.outpost.server.packages.PackageStore;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The message exchange (PROTOCOL.md): registration, sequence numbers in both directions, results
 * in, activities out. Every exchange commits under its computer's row lock before it is answered,
 * so what the server commits and what it answers always agree. Exchanges of registered computers
 * that arrive while others are being answered are answered together, in one transaction whose every
 * statement serves all of them ({@link ExchangeQueue}).
 *
 * <p>The parts: {@link ExchangePlanner} decides, without I/O, what each exchange writes and
 * answers; this class carries a batch's plans out against the stores ({@link ComputerStateStore},
 * {@link OutgoingStore}, {@link ClientMessageStore}, the activities' {@link Transitions}); {@link
 * Delivery} closes every exchange; {@link Registrar} answers those that name no computer.
 */
public final class MessageSystem {

  private static final Logger LOG = LoggerFactory.getLogger(MessageSystem.class);

  /** The most exchanges answered in one transaction. */
  static final int MAX_BATCH = 128;

  /** The most computers one statement answers pings for. */
  static final int MAX_PING_BATCH = 1_000;

  /** Statements answering pings run at once. */
  static final int PING_BATCHES = 2;

  private final Pool pool;
  private final Clock clock;
  private final ServerMetrics metrics;
  private final ExchangePlanner planner;
  private final Delivery delivery;
  private final Registrar registrar;
  private final ExchangeQueue queue;
  private final PingQueue pings;
  private final int maxOutputChars;

  /**
   * Creates the exchange over the shared pool; {@code serverUuid} is this installation's.
   *
   * @param batches batches of exchanges answered at once, each on a connection of the pool
   * @param waiting how much may wait to be answered
   * @param publicUrl the server's URL as agents reach it, told to scripts where known
   * @param maxOutputChars the characters of a running activity's output kept at most
   * @param maxTags the tags a registering computer keeps at most
   */
  public MessageSystem(
      Pool pool,
      Clock clock,
      String serverUuid,
      ServerMetrics metrics,
      int batches,
      Waiting waiting,
      Optional<String> publicUrl,
      int maxOutputChars,
      int maxTags) {
    this.pool = pool;
    this.maxOutputChars = maxOutputChars;
    this.clock = clock;
    this.metrics = metrics;
    this.planner = new ExchangePlanner(serverUuid);
    this.delivery = new Delivery(planner, publicUrl);
    this.registrar = new Registrar(planner, delivery, maxTags);
    this.queue =
        new ExchangeQueue(this::answerAll, this::answerCarefully, batches, MAX_BATCH, waiting);
    this.pings =
        new PingQueue(
            computers -> OutgoingStore.waiting(pool, computers, clock.instant()),
            PING_BATCHES,
            MAX_PING_BATCH,
            waiting.exchanges());
  }

  /**
   * How much may wait to be answered; past either bound an exchange gets 503 and Retry-After.
   *
   * @param exchanges exchanges taken in and not yet answered, at most; pings too, counted apart
   * @param bytes their payloads' bytes, at most
   */
  public record Waiting(int exchanges, long bytes) {}

  /** Loads this installation's server-uuid. */
  public static Future<String> serverUuid(Pool pool) {
    return pool.query("SELECT value FROM settings WHERE key = 'server-uuid'")
        .execute()
        .map(rows -> rows.iterator().next().getString(0));
  }

  /**
   * Answers one exchange.
   *
   * @param secureIdHash the hash of the {@code X-Computer-ID} header, absent before registration
   * @param token the {@code X-Exchange-Token} header
   * @param bytes the size of the payload as received
   */
  public Future<Map<String, Object>> exchange(
      Optional<byte[]> secureIdHash, Optional<String> token, WireMap payload, long bytes) {
    Timer.Sample sample = Timer.start();
    Future<Map<String, Object>> answer =
        secureIdHash.isEmpty()
            ? PipelinedTransaction.run(pool, tx -> registrar.answer(tx, payload, clock.instant()))
            : queue.submit(new ExchangeQueue.Request(secureIdHash.get(), token, payload, bytes));
    return answer.onComplete(done -> sample.stop(metrics.exchanges()));
  }

  /** The registered computer, not removed, that has this secure-id hash. */
  Future<Optional<Long>> computer(byte[] secureIdHash) {
    return ComputerStateStore.computer(pool, secureIdHash);
  }

  /** Whether a registered computer, not removed, has this secure-id hash. */
  Future<Boolean> registered(byte[] secureIdHash) {
    return ComputerStateStore.registered(pool, secureIdHash);
  }

  /** Whether anything waits for the computer now: what {@code /ping} answers. */
  Future<Boolean> waiting(long computerId) {
    return pings.submit(computerId);
  }

  /** An attachment's content, when it is the computer's with this secure-id hash. */
  Future<Optional<Buffer>> attachment(long id, byte[] secureIdHash) {
    return AttachmentStore.read(pool, id, secureIdHash);
  }

  /** The answer to an exchange whose secure-id names no registered computer. */
  Map<String, Object> unknownIdAnswer() {
    return planner.unknownIdAnswer();
  }

  /** The secure-id an answer gives a computer it registered, if it registered one. */
  static Optional<String> registeredSecureId(Map<String, Object> answer) {
    return ExchangePlanner.registeredSecureId(answer);
  }

  /** Whether an answer refuses a registration for its account name or key. */
  static boolean refusesRegistration(Map<String, Object> answer) {
    return ExchangePlanner.refusesRegistration(answer);
  }

  /** Answers a batch of registered computers' exchanges in one transaction. */
  private Future<List<ExchangeQueue.Outcome>> answerAll(List<ExchangeQueue.Request> batch) {
    metrics.exchangeBatches().record(batch.size());
    Instant now = clock.instant();
    List<byte[]> hashes = batch.stream().map(ExchangeQueue.Request::secureIdHash).toList();
    return PipelinedTransaction.run(
        pool,
        tx ->
            ComputerStateStore.lock(tx.connection(), hashes)
                .compose(states -> answerLocked(tx, batch, states, now)));
  }

  /** Answers a batch once its computers are locked and their states read. */
  private Future<List<ExchangeQueue.Outcome>> answerLocked(
      PipelinedTransaction tx,
      List<ExchangeQueue.Request> batch,
      Map<ByteBuffer, ComputerState> states,
      Instant now) {
    List<ExchangeQueue.Outcome> outcomes = new ArrayList<>(batch.size());
    List<Plan> plans = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      ExchangeQueue.Request request = batch.get(i);
      ComputerState state = states.get(request.computer());
      outcomes.add(null);
      if (state == null) {
        outcomes.set(i, unknownId());
        continue;
      }
      try {
        plans.add(planner.plan(i, state, request.token(), request.payload()));
      } catch (RuntimeException e) {
        outcomes.set(i, ExchangeQueue.Outcome.failed(e));
      }
    }
    return apply(tx, plans, byId(states), now)
        .map(
            answers -> {
              plans.forEach(
                  plan ->
                      outcomes.set(
                          plan.index(),
                          ExchangeQueue.Outcome.answered(answers.get(plan.computerId()))));
              return outcomes;
            });
  }

  private static Map<Long, ComputerState> byId(Map<ByteBuffer, ComputerState> states) {
    Map<Long, ComputerState> byId = new HashMap<>();
    states.values().forEach(state -> byId.put(state.id(), state));
    return byId;
  }

  private ExchangeQueue.Outcome unknownId() {
    return ExchangeQueue.Outcome.answered(unknownIdAnswer());
  }

  /**
   * Answers one exchange that failed alone: each fresh message is written by itself, under a
   * savepoint, and one the database refuses (bad data, a constraint) is quarantined with the
   * database's reason; then the exchange goes on as any other. Any other failure fails it.
   */
  private Future<ExchangeQueue.Outcome> answerCarefully(ExchangeQueue.Request request) {
    Instant now = clock.instant();
    return PipelinedTransaction.run(
        pool,
        tx ->
            ComputerStateStore.lock(tx.connection(), List.of(request.secureIdHash()))
                .compose(
                    states -> {
                      ComputerState state = states.get(request.computer());
                      if (state == null) {
                        return Future.succeededFuture(unknownId());
                      }
                      Plan plan = planner.plan(0, state, request.token(), request.payload());
                      return writeOneByOne(tx.connection(), plan, now)
                          .compose(
                              incoming ->
                                  apply(
                                      tx,
                                      List.of(plan.with(incoming)),
                                      Map.of(state.id(), state),
                                      now))
                          .map(answers -> ExchangeQueue.Outcome.answered(answers.get(state.id())));
                    }));
  }

  /** Writes a plan's fresh messages one at a time; what is left to write is what was refused. */
  private Future<MessageReader.Incoming> writeOneByOne(SqlClient conn, Plan plan, Instant now) {
    long id = plan.computerId();
    List<Quarantined> refused = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (Object raw : plan.fresh()) {
      Plan one = planner.one(plan, raw);
      chain =
          chain
              .compose(done -> conn.query("SAVEPOINT message").execute())
              .compose(done -> write(conn, Writes.of(List.of(one)), now))
              .compose(done -> conn.query("RELEASE SAVEPOINT message").execute())
              .<Void>mapEmpty()
              .recover(
                  failure -> {
                    if (!StoreRefusal.is(failure)) {
                      return Future.failedFuture(failure);
                    }
                    try (var mdc = Mdc.computer(id)) {
                      LOG.warn(
                          "client message quarantined [computer: {}, problem: {}]",
                          id,
                          failure.getMessage());
                    }
                    refused.add(
                        Quarantined.of(raw, "refused by the database: " + failure.getMessage()));
                    return conn.query("ROLLBACK TO SAVEPOINT message").execute().mapEmpty();
                  });
    }
    return chain.map(done -> MessageReader.Incoming.NOTHING.quarantining(refused));
  }

  /**
   * Writes what the planned exchanges brought, each statement for all of them, then answers. The
   * statements that do not depend on each other go to the database without waiting for each other's
   * answers (the connection pipelines them), in the order they must apply.
   */
  private Future<Map<Long, Map<String, Object>>> apply(
      PipelinedTransaction tx, List<Plan> plans, Map<Long, ComputerState> states, Instant now) {
    SqlClient conn = tx.connection();
    if (plans.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    List<Tagged<Long>> acknowledged =
        plans.stream().map(plan -> new Tagged<>(plan.computerId(), plan.acknowledged())).toList();
    List<Long> ids = plans.stream().map(Plan::computerId).toList();
    Writes writes = Writes.of(plans);
    Future<Void> written = write(conn, writes, now);
    Future<Void> acked = OutgoingStore.acknowledge(conn, acknowledged);
    // results touch only delivered activities, the limited groups only undelivered ones
    Future<Set<Long>> limited = DueRule.limited(conn, ids);
    return Future.all(written, acked, limited)
        .compose(
            done ->
                serverTypesUpdate(
                    conn,
                    plans.stream().filter(Plan::typesStale).map(Plan::computerId).toList(),
                    now))
        .compose(
            done ->
                delivery.answer(
                    tx, plans.stream().map(Plan::after).toList(), states, limited.result(), now))
        .onSuccess(answers -> metrics.quarantined().increment(writes.quarantined().size()));
  }

  /**
   * Writes results, progress, output, recorded and quarantined messages, each statement for all;
   * the followers of output are told of the chunks once all is written (and of the ends by the
   * event log's notice of the results' transitions, {@link dev.outpost.server.activity
   * .OutputListener}).
   */
  private Future<Void> write(SqlClient conn, Writes writes, Instant now) {
    Future<List<AgentResult>> strangers = Transitions.applyResults(conn, writes.results(), now);
    Future<Void> progressed = ActivityStore.recordProgress(conn, writes.progress());
    Future<Void> output = ActivityOutput.store(conn, writes.output(), maxOutputChars);
    Future<Void> kept = ClientMessageStore.record(conn, writes.recorded(), now);
    Future<Void> reported = ReportStore.write(conn, writes.recorded(), now);
    Future<Void> set = ClientMessageStore.quarantine(conn, writes.quarantined(), now);
    Future<Void> packaged = packages(conn, writes.packages(), now);
    return Future.all(List.of(strangers, progressed, output, kept, reported, set, packaged))
        .map(
            done -> {
              strangers
                  .result()
                  .forEach(
                      s -> {
                        try (var mdc = Mdc.computer(s.computerId())) {
                          LOG.warn(
                              "result refused: not this computer's activity [computer: {}, id: {}]",
                              s.computerId(),
                              s.activityId());
                        }
                      });
              return null;
            });
  }

  /**
   * Applies each computer's package messages (none in most exchanges: then no statement at all),
   * and queues the package-ids answers they call for, to go out in this exchange's answer.
   */
  private static Future<Void> packages(
      SqlClient conn, List<Tagged<List<PackageReport>>> reports, Instant now) {
    Future<Void> chain = Future.succeededFuture();
    for (Tagged<List<PackageReport>> computer : reports) {
      chain =
          chain.compose(
              done ->
                  PackageStore.apply(conn, computer.computerId(), computer.value(), now)
                      .compose(
                          answers ->
                              OutgoingStore.enqueue(
                                  conn,
                                  answers.stream()
                                      .map(
                                          a ->
                                              new Tagged<>(
                                                  computer.computerId(), Bpickle.encode(a)))
                                      .toList(),
                                  now)));
    }
    return chain;
  }

  /**
   * Queues an accepted-types message for each computer whose client's digest is stale, unless one
   * waits in its outgoing store.
   */
  private static Future<Void> serverTypesUpdate(SqlClient conn, List<Long> stale, Instant now) {
    if (stale.isEmpty()) {
      return Future.succeededFuture();
    }
    return OutgoingStore.pending(conn, stale, ExchangePlanner.MAX_MESSAGES_OUT)
        .compose(
            heads ->
                OutgoingStore.enqueue(
                    conn,
                    ExchangePlanner.needTypes(stale, heads).stream()
                        .map(id -> new Tagged<>(id, ExchangePlanner.acceptedTypesMessage()))
                        .toList(),
                    now));
  }
}
