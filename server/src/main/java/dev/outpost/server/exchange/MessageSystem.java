package dev.outpost.server.exchange;

import dev.outpost.common.activity.ActivityMessages;
import dev.outpost.common.activity.ActivityType;
import dev.outpost.common.activity.ActivityTypes;
import dev.outpost.common.wire.Bpickle;
import dev.outpost.common.wire.Bytes;
import dev.outpost.common.wire.WireMap;
import dev.outpost.server.account.Secrets;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The message exchange (PROTOCOL.md): registration, sequence numbers in both directions, results
 * in, activities out. Each exchange is one transaction under the computer's row lock, so what the
 * server commits and what it answers always agree.
 */
public final class MessageSystem {

  private static final Logger LOG = LoggerFactory.getLogger(MessageSystem.class);

  /** The most messages one response carries; the rest wait for the next exchange. */
  static final int MAX_MESSAGES_OUT = 100;
  static final Bytes SERVER_API = Bytes.of("3.3");

  private final Pool pool;
  private final Clock clock;
  private final Bytes serverUuid;
  private final MessageReader reader = new MessageReader();

  /** Creates the exchange over the shared pool; {@code serverUuid} is this installation's. */
  public MessageSystem(Pool pool, Clock clock, String serverUuid) {
    this.pool = pool;
    this.clock = clock;
    this.serverUuid = Bytes.of(serverUuid);
  }

  /** Loads this installation's server-uuid. */
  public static Future<String> serverUuid(Pool pool) {
    return pool.query("SELECT value FROM settings WHERE key = 'server-uuid'").execute()
        .map(rows -> rows.iterator().next().getString(0));
  }

  /**
   * Answers one exchange.
   *
   * @param secureId the {@code X-Computer-ID} header, absent before registration
   * @param token the {@code X-Exchange-Token} header
   */
  public Future<Map<String, Object>> exchange(Optional<String> secureId, Optional<String> token,
      WireMap payload) {
    Instant now = clock.instant();
    if (secureId.isEmpty()) {
      return pool.withTransaction(conn -> unregistered(conn, payload, now));
    }
    byte[] idHash = Secrets.hash(secureId.get());
    return pool.withTransaction(conn -> ExchangeStore.lock(conn, idHash)
        .compose(state -> state.isPresent()
            ? registered(conn, state.get(), token, payload, now)
            : Future.succeededFuture(response(List.of(Map.of("type", "unknown-id"))))));
  }

  private Future<Map<String, Object>> unregistered(SqlClient conn, WireMap payload, Instant now) {
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
    return ExchangeStore.account(conn, registration.accountName(),
            Secrets.hash(registration.password()))
        .compose(account -> {
          if (account.isEmpty()) {
            LOG.info("registration refused [account: {}, title: {}]", registration.accountName(),
                registration.title());
            Map<String, Object> answer = response(List.of(
                Map.of("type", "registration", "info", "unknown-account")));
            answer.put("next-expected-sequence", processed);
            return Future.succeededFuture(answer);
          }
          return register(conn, account.get(), registration, payload, processed, now);
        });
  }

  private Future<Map<String, Object>> register(SqlClient conn, long accountId,
      Registration registration, WireMap payload, long nextExpectedIn, Instant now) {
    String secureId = Secrets.generate();
    long outBase = payload.optionalInteger("next-expected-sequence").orElse(0L);
    return ExchangeStore.register(conn, accountId, registration.title(), registration.hostname(),
            registration.tags(), Secrets.hash(secureId), registration.info(), nextExpectedIn,
            outBase, now)
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
          List<byte[]> welcome = List.of(Bpickle.encode(acceptedTypes(ServerTypes.REGISTERED)),
              Bpickle.encode(setId));
          Bookkeeping after = new Bookkeeping(computerId, nextExpectedIn, outBase,
              clientTypes(payload, List.of()));
          return ExchangeStore.enqueue(conn, computerId, welcome, now)
              .compose(queued -> answer(conn, after, now));
        });
  }

  private Future<Map<String, Object>> registered(SqlClient conn, ComputerState state,
      Optional<String> token, WireMap payload, Instant now) {
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
    MessageReader.Incoming incoming =
        reader.read(state.id(), messages.subList(duplicates, messages.size()));
    long clientNext = payload.optionalInteger("next-expected-sequence").orElse(state.outBase());
    Bookkeeping after = new Bookkeeping(state.id(),
        Math.max(state.nextExpectedIn(), sequence + messages.size()),
        clientNext,
        clientTypes(payload, state.clientTypes()));
    return ExchangeStore.applyResults(conn, state.id(), incoming.results(), now)
        .compose(strangers -> {
          if (!strangers.isEmpty()) {
            LOG.warn("results refused: not this computer's activities [computer: {}, ids: {}]",
                state.id(), strangers);
          }
          return ExchangeStore.progress(conn, state.id(), incoming.progress());
        })
        .compose(progressed -> ExchangeStore.record(conn, state.id(), incoming.recordTypes(),
            incoming.recordBodies(), now))
        .compose(recorded -> ExchangeStore.acknowledge(conn, state.id(),
            clientNext - state.outBase()))
        .compose(acked -> serverTypesUpdate(conn, state.id(), payload, now))
        .compose(queued -> answer(conn, after, now));
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

  /** Delivers due activities into the outgoing store, then answers with the store's head. */
  private Future<Map<String, Object>> answer(SqlClient conn, Bookkeeping after, Instant now) {
    long computerId = after.computerId();
    return ExchangeStore.deliver(conn, computerId, now, MAX_MESSAGES_OUT)
        .compose(deliveries -> encodeDeliveries(conn, computerId, deliveries))
        .compose(encoded -> ExchangeStore.enqueue(conn, computerId, encoded, now))
        .compose(queued -> ExchangeStore.pending(conn, computerId, MAX_MESSAGES_OUT))
        .compose(pending -> {
          String token = Secrets.generate();
          return ExchangeStore.save(conn, computerId, after.nextExpectedIn(), after.outBase(),
                  Secrets.hash(token), after.clientTypes(), now)
              .map(saved -> {
                List<Object> messages = new ArrayList<>(pending.size());
                pending.forEach(m -> messages.add(Bpickle.decode(m)));
                Map<String, Object> answer = response(messages);
                answer.put("next-expected-sequence", after.nextExpectedIn());
                answer.put("next-exchange-token", Bytes.of(token));
                answer.put("client-accepted-types-hash",
                    Bytes.of(ServerTypes.digest(after.clientTypes())));
                return answer;
              });
        });
  }

  private Future<List<byte[]>> encodeDeliveries(SqlClient conn, long computerId,
      List<Delivery> deliveries) {
    Future<List<byte[]>> chain = Future.succeededFuture(new ArrayList<>());
    for (Delivery delivery : deliveries) {
      chain = chain.compose(encoded -> message(conn, computerId, delivery).map(message -> {
        encoded.add(Bpickle.encode(message));
        LOG.debug("activity delivered [id: {}, computer: {}]", delivery.activityId(), computerId);
        return encoded;
      }));
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
        ? payload.textList("client-accepted-types") : known;
  }

  /**
   * Queues an accepted-types message when the client's digest is stale and none waits in its
   * outgoing store. One sent and acknowledged long ago does not count: the client lost its copy.
   */
  private static Future<Void> serverTypesUpdate(SqlClient conn, long computerId,
      WireMap payload, Instant now) {
    byte[] ours = ServerTypes.digest(ServerTypes.REGISTERED);
    byte[] theirs = payload.optionalBytes("accepted-types").map(Bytes::toArray).orElse(new byte[0]);
    if (Arrays.equals(theirs, ours)) {
      return Future.succeededFuture();
    }
    return ExchangeStore.pending(conn, computerId, MAX_MESSAGES_OUT)
        .compose(pending -> pending.stream().anyMatch(MessageSystem::isAcceptedTypes)
            ? Future.succeededFuture()
            : ExchangeStore.enqueue(conn, computerId,
                List.of(Bpickle.encode(acceptedTypes(ServerTypes.REGISTERED))), now));
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
