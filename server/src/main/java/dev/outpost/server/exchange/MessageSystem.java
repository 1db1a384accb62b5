package dev.outpost.server.exchange;

import dev.outpost.common.activity.ActivityMessages;
import dev.outpost.common.activity.ActivityType;
import dev.outpost.common.activity.ActivityTypes;
import dev.outpost.common.wire.Bpickle;
import dev.outpost.common.wire.Bytes;
import dev.outpost.common.wire.StorableText;
import dev.outpost.common.wire.WireMap;
import dev.outpost.server.account.Secrets;
import dev.outpost.server.exchange.ExchangeStore.Tagged;
import dev.outpost.server.metrics.ServerMetrics;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The message exchange (PROTOCOL.md): registration, sequence numbers in both directions, results
 * in, activities out. Every exchange commits under its computer's row lock before it is
 * answered, so what the server commits and what it answers always agree. Exchanges of
 * registered computers that arrive while others are being answered are answered together, in
 * one transaction whose every statement serves all of them ({@link ExchangeQueue}).
 */
public final class MessageSystem {

  private static final Logger LOG = LoggerFactory.getLogger(MessageSystem.class);

  /** The most messages one response carries; the rest wait for the next exchange. */
  static final int MAX_MESSAGES_OUT = 100;
  static final Bytes SERVER_API = Bytes.of("3.3");
  /** The most exchanges answered in one transaction. */
  static final int MAX_BATCH = 128;
  private static final byte[] SERVER_TYPES_DIGEST = ServerTypes.digest(ServerTypes.REGISTERED);
  private static final Map<String, Object> REGISTRATION_REFUSED =
      Map.of("type", "registration", "info", "unknown-account");

  private final Pool pool;
  private final Clock clock;
  private final Bytes serverUuid;
  private final MessageReader reader = new MessageReader();
  private final ServerMetrics metrics;
  private final ExchangeQueue queue;

  /**
   * Creates the exchange over the shared pool; {@code serverUuid} is this installation's.
   *
   * @param batches batches of exchanges answered at once, each on a connection of the pool
   * @param waiting how much may wait to be answered
   */
  public MessageSystem(Pool pool, Clock clock, String serverUuid, ServerMetrics metrics,
      int batches, Waiting waiting) {
    this.pool = pool;
    this.clock = clock;
    this.serverUuid = Bytes.of(serverUuid);
    this.metrics = metrics;
    this.queue = new ExchangeQueue(this::answerAll, this::answerCarefully, batches, MAX_BATCH,
        waiting);
  }

  /**
   * How much may wait to be answered; past either bound an exchange gets 503 and Retry-After.
   *
   * @param exchanges exchanges taken in and not yet answered, at most
   * @param bytes their payloads' bytes, at most
   */
  public record Waiting(int exchanges, long bytes) {
  }

  /** Loads this installation's server-uuid. */
  public static Future<String> serverUuid(Pool pool) {
    return pool.query("SELECT value FROM settings WHERE key = 'server-uuid'").execute()
        .map(rows -> rows.iterator().next().getString(0));
  }

  /**
   * Answers one exchange.
   *
   * @param secureIdHash the hash of the {@code X-Computer-ID} header, absent before registration
   * @param token the {@code X-Exchange-Token} header
   * @param bytes the size of the payload as received
   */
  public Future<Map<String, Object>> exchange(Optional<byte[]> secureIdHash,
      Optional<String> token, WireMap payload, long bytes) {
    Timer.Sample sample = Timer.start();
    Future<Map<String, Object>> answer = secureIdHash.isEmpty()
        ? PipelinedTransaction.run(pool, tx -> unregistered(tx, payload, clock.instant()))
        : queue.submit(new ExchangeQueue.Request(secureIdHash.get(), token, payload, bytes));
    return answer.onComplete(done -> sample.stop(metrics.exchanges()));
  }

  private Future<Map<String, Object>> unregistered(PipelinedTransaction tx, WireMap payload,
      Instant now) {
    List<WireMap> messages = payload.optionalList("messages").isPresent()
        ? payload.mapList("messages") : List.of();
    // landscape-config registers with a bare {"messages": [register]}: that message is none of
    // the broker's numbered ones, so the broker's first message must still be number 0.
    long processed = payload.optionalInteger("sequence")
        .map(sequence -> sequence + messages.size())
        .orElse(0L);
    Optional<WireMap> register = messages.stream()
        .filter(m -> "register".equals(m.optionalText("type").orElse(""))).findFirst();
    if (register.isEmpty()) {
      Map<String, Object> answer = response(List.of(acceptedTypes(ServerTypes.UNREGISTERED)));
      answer.put("next-expected-sequence", processed);
      return Future.succeededFuture(answer);
    }
    Registration registration = Registration.read(register.get());
    return ExchangeStore.account(tx.connection(), registration.accountName(),
            Secrets.hash(registration.password()))
        .compose(account -> {
          if (account.isEmpty()) {
            LOG.info("registration refused [account: {}, title: {}]", registration.accountName(),
                registration.title());
            Map<String, Object> answer = response(List.of(REGISTRATION_REFUSED));
            answer.put("next-expected-sequence", processed);
            return Future.succeededFuture(answer);
          }
          return register(tx, account.get(), registration, payload, processed, now);
        });
  }

  private Future<Map<String, Object>> register(PipelinedTransaction tx, long accountId,
      Registration registration, WireMap payload, long nextExpectedIn, Instant now) {
    String secureId = Secrets.generate();
    long outBase = payload.optionalInteger("next-expected-sequence").orElse(0L);
    return ExchangeStore.register(tx.connection(), accountId, registration.title(),
            registration.hostname(), registration.tags(), Secrets.hash(secureId),
            registration.info(), nextExpectedIn, outBase, now)
        .compose(computerId -> {
          LOG.info("computer registered [id: {}, account: {}, title: {}]", computerId,
              registration.accountName(), registration.title());
          Map<String, Object> setId = new LinkedHashMap<>();
          setId.put("type", "set-id");
          setId.put("id", Bytes.of(secureId));
          setId.put("insecure-id", computerId);
          // The types go first. set-id makes the client's plugins resynchronize, which drops
          // their session ids until new ones come back; a plugin told of a newly accepted type
          // after that sends its first report (computer-info) on the dropped id, and the client
          // discards it and never sends it again. Told before, the report is sent again after
          // the resynchronization.
          List<Tagged<byte[]>> welcome = List.of(
              new Tagged<>(computerId, Bpickle.encode(acceptedTypes(ServerTypes.REGISTERED))),
              new Tagged<>(computerId, Bpickle.encode(setId)));
          Bookkeeping after = new Bookkeeping(computerId, nextExpectedIn, outBase,
              clientTypes(payload, List.of()));
          // a computer registered in this transaction has no activities yet, so no limited ones
          return ExchangeStore.enqueue(tx.connection(), welcome, now)
              .compose(queued -> answer(tx, List.of(after), Set.of(), now))
              .map(answers -> answers.get(computerId));
        });
  }

  /** Answers a batch of registered computers' exchanges in one transaction. */
  private Future<List<ExchangeQueue.Outcome>> answerAll(List<ExchangeQueue.Request> batch) {
    metrics.exchangeBatches().record(batch.size());
    Instant now = clock.instant();
    List<byte[]> hashes = batch.stream().map(ExchangeQueue.Request::secureIdHash).toList();
    return PipelinedTransaction.run(pool, tx -> ExchangeStore.lock(tx.connection(), hashes)
        .compose(states -> answerLocked(tx, batch, states, now)));
  }

  /** Answers a batch once its computers are locked and their states read. */
  private Future<List<ExchangeQueue.Outcome>> answerLocked(PipelinedTransaction tx,
      List<ExchangeQueue.Request> batch, Map<ByteBuffer, ComputerState> states, Instant now) {
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
        plans.add(plan(i, state, request.token(), request.payload()));
      } catch (RuntimeException e) {
        outcomes.set(i, ExchangeQueue.Outcome.failed(e));
      }
    }
    return apply(tx, plans, now).map(answers -> {
      plans.forEach(plan -> outcomes.set(plan.index(),
          ExchangeQueue.Outcome.answered(answers.get(plan.after().computerId()))));
      return outcomes;
    });
  }

  private ExchangeQueue.Outcome unknownId() {
    return ExchangeQueue.Outcome.answered(unknownIdAnswer());
  }

  /** The answer to an exchange whose secure-id names no registered computer. */
  Map<String, Object> unknownIdAnswer() {
    return response(List.of(Map.of("type", "unknown-id")));
  }

  /** The secure-id an answer gives a computer it registered, if it registered one. */
  static Optional<String> registeredSecureId(Map<String, Object> answer) {
    if (answer.get("messages") instanceof List<?> messages) {
      for (Object message : messages) {
        if (message instanceof Map<?, ?> map && "set-id".equals(map.get("type"))
            && map.get("id") instanceof Bytes id) {
          return Optional.of(id.asUtf8());
        }
      }
    }
    return Optional.empty();
  }

  /** Whether an answer refuses a registration for its account name or key. */
  static boolean refusesRegistration(Map<String, Object> answer) {
    return answer.get("messages") instanceof List<?> messages
        && messages.contains(REGISTRATION_REFUSED);
  }

  /**
   * Answers one exchange that failed alone: each fresh message is written by itself, under a
   * savepoint, and one the database refuses (bad data, a constraint) is quarantined with the
   * database's reason; then the exchange goes on as any other. Any other failure fails it.
   */
  private Future<ExchangeQueue.Outcome> answerCarefully(ExchangeQueue.Request request) {
    Instant now = clock.instant();
    return PipelinedTransaction.run(pool, tx -> ExchangeStore.lock(tx.connection(),
            List.of(request.secureIdHash()))
        .compose(states -> {
          ComputerState state = states.get(request.computer());
          if (state == null) {
            return Future.succeededFuture(unknownId());
          }
          Plan plan = plan(0, state, request.token(), request.payload());
          return writeOneByOne(tx.connection(), plan, now)
              .compose(incoming -> apply(tx, List.of(plan.with(incoming)), now))
              .map(answers -> ExchangeQueue.Outcome.answered(answers.get(state.id())));
        }));
  }

  /** Writes a plan's fresh messages one at a time; what is left to write is what was refused. */
  private Future<MessageReader.Incoming> writeOneByOne(SqlClient conn, Plan plan, Instant now) {
    long id = plan.after().computerId();
    List<Quarantined> refused = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (Object raw : plan.fresh()) {
      MessageReader.Incoming one = reader.read(id, List.of(raw));
      chain = chain
          .compose(done -> conn.query("SAVEPOINT message").execute())
          .compose(done -> write(conn, Writes.of(List.of(plan.with(one))), now))
          .compose(done -> conn.query("RELEASE SAVEPOINT message").execute())
          .<Void>mapEmpty()
          .recover(failure -> {
            if (!StoreRefusal.is(failure)) {
              return Future.failedFuture(failure);
            }
            LOG.warn("client message quarantined [computer: {}, problem: {}]", id,
                failure.getMessage());
            refused.add(Quarantined.of(raw, "refused by the database: " + failure.getMessage()));
            return conn.query("ROLLBACK TO SAVEPOINT message").execute().mapEmpty();
          });
    }
    return chain.map(done -> MessageReader.Incoming.NOTHING.quarantining(refused));
  }

  /**
   * What one exchange will write and how the computer's state moves, worked out from the state
   * read under its lock and the payload, before anything is written.
   *
   * @param index the exchange's place in its batch
   * @param fresh the messages not seen before, as received
   * @param incoming what they are read as
   * @param acknowledged how many messages of its outgoing store the client has
   * @param typesStale whether the client's accepted-types digest is not ours
   */
  private record Plan(int index, List<Object> fresh, MessageReader.Incoming incoming,
      long acknowledged, boolean typesStale, Bookkeeping after) {

    Plan with(MessageReader.Incoming other) {
      return new Plan(index, fresh, other, acknowledged, typesStale, after);
    }
  }

  private Plan plan(int index, ComputerState state, Optional<String> token, WireMap payload) {
    if (token.isPresent() && state.exchangeTokenHash().isPresent()
        && !Arrays.equals(Secrets.hash(token.get()), state.exchangeTokenHash().get())) {
      LOG.warn("exchange token does not match, the machine may be a clone [computer: {}]",
          state.id());
    }
    List<Object> messages = payload.optionalList("messages").orElse(List.of());
    long sequence = payload.optionalInteger("sequence").orElse(state.nextExpectedIn());
    if (sequence > state.nextExpectedIn()) {
      // A gap: process nothing and tell the client where to resume.
      LOG.info("sequence gap [computer: {}, expected: {}, got: {}]", state.id(),
          state.nextExpectedIn(), sequence);
      messages = List.of();
      sequence = state.nextExpectedIn();
    }
    int duplicates = (int) Math.min(messages.size(), state.nextExpectedIn() - sequence);
    List<Object> fresh = messages.subList(duplicates, messages.size());
    MessageReader.Incoming incoming = reader.read(state.id(), fresh);
    long clientNext = payload.optionalInteger("next-expected-sequence").orElse(state.outBase());
    byte[] theirTypes = payload.optionalBytes("accepted-types").map(Bytes::toArray)
        .orElse(new byte[0]);
    return new Plan(index, fresh, incoming, clientNext - state.outBase(),
        !Arrays.equals(theirTypes, SERVER_TYPES_DIGEST),
        new Bookkeeping(state.id(),
            Math.max(state.nextExpectedIn(), sequence + messages.size()),
            clientNext,
            clientTypes(payload, state.clientTypes())));
  }

  /**
   * Writes what the planned exchanges brought, each statement for all of them, then answers.
   * The statements that do not depend on each other go to the database without waiting for
   * each other's answers (the connection pipelines them), in the order they must apply.
   */
  private Future<Map<Long, Map<String, Object>>> apply(PipelinedTransaction tx, List<Plan> plans,
      Instant now) {
    SqlClient conn = tx.connection();
    if (plans.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    List<Tagged<Long>> acknowledged = plans.stream()
        .map(plan -> new Tagged<>(plan.after().computerId(), plan.acknowledged()))
        .toList();
    List<Long> ids = plans.stream().map(plan -> plan.after().computerId()).toList();
    Writes writes = Writes.of(plans);
    Future<Void> written = write(conn, writes, now);
    Future<Void> acked = ExchangeStore.acknowledge(conn, acknowledged);
    // results touch only delivered activities, the limited groups only undelivered ones
    Future<Set<Long>> limited = ExchangeStore.limited(conn, ids);
    return Future.all(written, acked, limited)
        .compose(done -> serverTypesUpdate(conn, plans.stream().filter(Plan::typesStale)
            .map(plan -> plan.after().computerId()).toList(), now))
        .compose(done -> answer(tx, plans.stream().map(Plan::after).toList(),
            limited.result(), now))
        .onSuccess(answers -> writes.quarantined().forEach(
            q -> metrics.quarantined().increment()));
  }

  /** What the planned exchanges' messages write, each list tagged by computer. */
  private record Writes(List<Tagged<OperationResult>> results,
      List<Tagged<MessageReader.Progress>> progress,
      List<Tagged<ExchangeStore.Recorded>> recorded,
      List<Tagged<Quarantined>> quarantined) {

    static Writes of(List<Plan> plans) {
      Writes writes = new Writes(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
          new ArrayList<>());
      for (Plan plan : plans) {
        long id = plan.after().computerId();
        MessageReader.Incoming incoming = plan.incoming();
        incoming.results().forEach(r -> writes.results().add(new Tagged<>(id, r)));
        incoming.progress().forEach(p -> writes.progress().add(new Tagged<>(id, p)));
        for (int i = 0; i < incoming.recordTypes().size(); i++) {
          writes.recorded().add(new Tagged<>(id, new ExchangeStore.Recorded(
              incoming.recordTypes().get(i), incoming.recordBodies().get(i))));
        }
        incoming.quarantined().forEach(q -> writes.quarantined().add(new Tagged<>(id, q)));
      }
      return writes;
    }
  }

  /** Writes results, progress, recorded and quarantined messages, each statement for all. */
  private static Future<Void> write(SqlClient conn, Writes writes, Instant now) {
    Future<List<Tagged<Long>>> strangers = ExchangeStore.applyResults(conn, writes.results(), now);
    Future<Void> progressed = ExchangeStore.progress(conn, writes.progress());
    Future<Void> kept = ExchangeStore.record(conn, writes.recorded(), now);
    Future<Void> set = ExchangeStore.quarantine(conn, writes.quarantined(), now);
    return Future.all(strangers, progressed, kept, set).map(done -> {
      strangers.result().forEach(s -> LOG.warn(
          "result refused: not this computer's activity [computer: {}, id: {}]",
          s.computerId(), s.value()));
      return null;
    });
  }

  /**
   * What a computer's exchange state becomes once this exchange commits.
   *
   * @param nextExpectedIn the sequence number of the next client message expected
   * @param outBase the sequence number of the oldest message left in the outgoing store
   */
  private record Bookkeeping(long computerId, long nextExpectedIn, long outBase,
      List<String> clientTypes) {
  }

  /**
   * Delivers due activities into the computers' outgoing stores, then answers each with its
   * store's head. Storing the new messages, reading the heads back, saving the computers' state
   * and committing go to the database together: it runs them in order.
   *
   * @param limited the computers with children due in a group with limits, already locked
   * @return the answers by computer id
   */
  private Future<Map<Long, Map<String, Object>>> answer(PipelinedTransaction tx,
      List<Bookkeeping> afters, Set<Long> limited, Instant now) {
    SqlClient conn = tx.connection();
    List<Long> ids = afters.stream().map(Bookkeeping::computerId).toList();
    return ExchangeStore.deliver(conn, ids, limited, now, MAX_MESSAGES_OUT)
        .compose(deliveries -> encodeDeliveries(conn, deliveries))
        .compose(encoded -> {
          Map<Long, String> tokens = new HashMap<>();
          List<ExchangeStore.Saved> saved = new ArrayList<>(afters.size());
          for (Bookkeeping after : afters) {
            String token = Secrets.generate();
            tokens.put(after.computerId(), token);
            saved.add(new ExchangeStore.Saved(after.computerId(), after.nextExpectedIn(),
                after.outBase(), Secrets.hash(token), after.clientTypes()));
          }
          Future<Void> queued = ExchangeStore.enqueue(conn, encoded, now);
          Future<Map<Long, List<byte[]>>> pending =
              ExchangeStore.pending(conn, ids, MAX_MESSAGES_OUT);
          Future<Void> stored = ExchangeStore.save(conn, saved, now);
          Future<Void> committed = tx.commit();
          return Future.all(queued, pending, stored, committed).map(done -> {
            Map<Long, Map<String, Object>> answers = new HashMap<>();
            for (Bookkeeping after : afters) {
              List<byte[]> head = pending.result().get(after.computerId());
              List<Object> messages = new ArrayList<>(head.size());
              head.forEach(m -> messages.add(Bpickle.decode(m)));
              Map<String, Object> answer = response(messages);
              answer.put("next-expected-sequence", after.nextExpectedIn());
              answer.put("next-exchange-token", Bytes.of(tokens.get(after.computerId())));
              answer.put("client-accepted-types-hash",
                  Bytes.of(ServerTypes.digest(after.clientTypes())));
              answers.put(after.computerId(), answer);
            }
            return answers;
          });
        });
  }

  private Future<List<Tagged<byte[]>>> encodeDeliveries(SqlClient conn,
      Map<Long, List<Delivery>> deliveries) {
    Future<List<Tagged<byte[]>>> chain = Future.succeededFuture(new ArrayList<>());
    for (Map.Entry<Long, List<Delivery>> computer : deliveries.entrySet()) {
      long computerId = computer.getKey();
      for (Delivery delivery : computer.getValue()) {
        chain = chain.compose(encoded -> message(conn, computerId, delivery).map(message -> {
          encoded.add(new Tagged<>(computerId, Bpickle.encode(message)));
          LOG.debug("activity delivered [id: {}, computer: {}]", delivery.activityId(),
              computerId);
          return encoded;
        }));
      }
    }
    return chain;
  }

  /** The message for one activity; script attachments are stored and sent as ids to fetch. */
  private Future<Map<String, Object>> message(SqlClient conn, long computerId, Delivery delivery) {
    ActivityType type = ActivityTypes.find(delivery.type()).orElseThrow();
    JsonObject parameters = delivery.parameters().copy();
    JsonObject attachments = parameters.getJsonObject("attachments");
    if (attachments == null || attachments.isEmpty()) {
      return Future.succeededFuture(ActivityMessages.build(type, delivery.activityId(), parameters));
    }
    Map<String, Object> ids = new LinkedHashMap<>();
    Future<Void> stored = Future.succeededFuture();
    for (String name : attachments.fieldNames()) {
      byte[] content = String.valueOf(attachments.getValue(name)).getBytes(StandardCharsets.UTF_8);
      stored = stored.compose(done -> ExchangeStore.attach(conn, computerId,
              delivery.activityId(), name, content)
          .map(id -> {
            ids.put(name, id);
            return null;
          }));
    }
    return stored.map(done -> {
      Map<String, Object> message = ActivityMessages.build(type, delivery.activityId(),
          parameters);
      message.put("attachments", ids);
      return message;
    });
  }

  /** The types the client says it accepts; it sends them only while our digest is stale. */
  private static List<String> clientTypes(WireMap payload, List<String> known) {
    return payload.optionalList("client-accepted-types").isPresent()
        ? payload.textList("client-accepted-types").stream().map(StorableText::of).toList()
        : known;
  }

  /**
   * Queues an accepted-types message for each computer whose client's digest is stale, unless
   * one waits in its outgoing store. One sent and acknowledged long ago does not count: the
   * client lost its copy.
   */
  private static Future<Void> serverTypesUpdate(SqlClient conn, List<Long> stale, Instant now) {
    if (stale.isEmpty()) {
      return Future.succeededFuture();
    }
    return ExchangeStore.pending(conn, stale, MAX_MESSAGES_OUT).compose(pending -> {
      byte[] update = Bpickle.encode(acceptedTypes(ServerTypes.REGISTERED));
      return ExchangeStore.enqueue(conn, stale.stream()
          .filter(id -> pending.get(id).stream().noneMatch(MessageSystem::isAcceptedTypes))
          .map(id -> new Tagged<>(id, update))
          .toList(), now);
    });
  }

  private static boolean isAcceptedTypes(byte[] message) {
    return Bpickle.decode(message) instanceof Map<?, ?> map
        && "accepted-types".equals(map.get("type"));
  }

  private static Map<String, Object> acceptedTypes(List<String> types) {
    return Map.of("type", "accepted-types", "types", types);
  }

  private Map<String, Object> response(List<Object> messages) {
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("server-api", SERVER_API);
    answer.put("server-uuid", serverUuid);
    answer.put("messages", messages);
    return answer;
  }
}
