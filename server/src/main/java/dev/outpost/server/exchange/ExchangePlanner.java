package dev.outpost.server.exchange;

import dev.outpost.common.wire.Bpickle;
import dev.outpost.common.wire.Bytes;
import dev.outpost.common.wire.StorableText;
import dev.outpost.common.wire.WireMap;
import dev.outpost.server.account.Secrets;
import dev.outpost.server.activity.ActivityOutput;
import dev.outpost.server.activity.ActivityStore;
import dev.outpost.server.activity.AgentResult;
import dev.outpost.server.log.Mdc;
import dev.outpost.server.packages.PackageReport;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exchange's decisions, with no I/O of its own: from a computer's state read under its lock and
 * the payload its client sent, what the exchange writes and how the computer's state moves ({@link
 * Plan}); from what the stores hold afterwards, the answer. The protocol's rules live here
 * (sequence numbers both ways, duplicates and gaps, accepted types, the answer's fields); {@link
 * MessageSystem} carries them out against the stores.
 */
final class ExchangePlanner {

  private static final Logger LOG = LoggerFactory.getLogger(ExchangePlanner.class);

  /** The most messages one response carries; the rest wait for the next exchange. */
  static final int MAX_MESSAGES_OUT = 100;

  static final Bytes SERVER_API = Bytes.of("3.3");
  private static final byte[] SERVER_TYPES_DIGEST = ServerTypes.digest(ServerTypes.REGISTERED);
  private static final Map<String, Object> REGISTRATION_REFUSED =
      Map.of("type", "registration", "info", "unknown-account");

  private final Bytes serverUuid;
  private final MessageReader reader = new MessageReader();

  /** A planner for this installation's server-uuid. */
  ExchangePlanner(String serverUuid) {
    this.serverUuid = Bytes.of(serverUuid);
  }

  /**
   * What a computer's exchange state becomes once this exchange commits.
   *
   * @param nextExpectedIn the sequence number of the next client message expected
   * @param outBase the sequence number of the oldest message left in the outgoing store
   */
  record Bookkeeping(
      long computerId, long nextExpectedIn, long outBase, List<String> clientTypes) {}

  /**
   * What one exchange will write and how the computer's state moves.
   *
   * @param index the exchange's place in its batch
   * @param fresh the messages not seen before, as received
   * @param incoming what they are read as
   * @param acknowledged how many messages of its outgoing store the client has
   * @param typesStale whether the client's accepted-types digest is not ours
   */
  record Plan(
      int index,
      List<Object> fresh,
      MessageReader.Incoming incoming,
      long acknowledged,
      boolean typesStale,
      Bookkeeping after) {

    Plan with(MessageReader.Incoming other) {
      return new Plan(index, fresh, other, acknowledged, typesStale, after);
    }

    long computerId() {
      return after.computerId();
    }
  }

  /** What planned exchanges' messages write, each statement's rows for all of them. */
  record Writes(
      List<AgentResult> results,
      List<ActivityStore.Progress> progress,
      List<ActivityOutput.Chunk> output,
      List<Tagged<ClientMessageStore.Recorded>> recorded,
      List<Tagged<Quarantined>> quarantined,
      List<Tagged<List<PackageReport>>> packages) {

    static Writes of(List<Plan> plans) {
      Writes writes =
          new Writes(
              new ArrayList<>(),
              new ArrayList<>(),
              new ArrayList<>(),
              new ArrayList<>(),
              new ArrayList<>(),
              new ArrayList<>());
      for (Plan plan : plans) {
        long id = plan.computerId();
        MessageReader.Incoming incoming = plan.incoming();
        incoming
            .results()
            .forEach(
                r ->
                    writes
                        .results()
                        .add(new AgentResult(id, r.activityId(), r.status(), r.code(), r.text())));
        incoming
            .progress()
            .forEach(
                p ->
                    writes
                        .progress()
                        .add(new ActivityStore.Progress(id, p.activityId(), p.percent())));
        incoming
            .output()
            .forEach(
                o ->
                    writes
                        .output()
                        .add(new ActivityOutput.Chunk(id, o.activityId(), o.offset(), o.text())));
        for (int i = 0; i < incoming.recordTypes().size(); i++) {
          writes
              .recorded()
              .add(
                  new Tagged<>(
                      id,
                      new ClientMessageStore.Recorded(
                          incoming.recordTypes().get(i), incoming.recordBodies().get(i))));
        }
        incoming.quarantined().forEach(q -> writes.quarantined().add(new Tagged<>(id, q)));
        if (!incoming.packages().isEmpty()) {
          writes.packages().add(new Tagged<>(id, incoming.packages()));
        }
      }
      return writes;
    }
  }

  /**
   * Plans one exchange of a registered computer: the messages past those already seen are read, a
   * payload that skips ahead is not read at all (the client is told where to resume), and the
   * client's acknowledgement and types are taken.
   *
   * @param index the exchange's place in its batch
   * @param token the {@code X-Exchange-Token} the client sent
   */
  Plan plan(int index, ComputerState state, Optional<String> token, WireMap payload) {
    if (token.isPresent()
        && state.exchangeTokenHash().isPresent()
        && !Arrays.equals(Secrets.hash(token.get()), state.exchangeTokenHash().get())) {
      try (var mdc = Mdc.computer(state.id())) {
        LOG.warn(
            "exchange token does not match, the machine may be a clone [computer: {}]", state.id());
      }
    }
    List<Object> messages = payload.optionalList("messages").orElse(List.of());
    long sequence = payload.optionalInteger("sequence").orElse(state.nextExpectedIn());
    if (sequence > state.nextExpectedIn()) {
      // A gap: process nothing and tell the client where to resume.
      try (var mdc = Mdc.computer(state.id())) {
        LOG.info(
            "sequence gap [computer: {}, expected: {}, got: {}]",
            state.id(),
            state.nextExpectedIn(),
            sequence);
      }
      messages = List.of();
      sequence = state.nextExpectedIn();
    }
    int duplicates = (int) Math.min(messages.size(), state.nextExpectedIn() - sequence);
    List<Object> fresh = messages.subList(duplicates, messages.size());
    long clientNext = payload.optionalInteger("next-expected-sequence").orElse(state.outBase());
    byte[] theirTypes =
        payload.optionalBytes("accepted-types").map(Bytes::toArray).orElse(new byte[0]);
    return new Plan(
        index,
        fresh,
        reader.read(state.id(), fresh),
        clientNext - state.outBase(),
        !Arrays.equals(theirTypes, SERVER_TYPES_DIGEST),
        new Bookkeeping(
            state.id(),
            Math.max(state.nextExpectedIn(), sequence + messages.size()),
            clientNext,
            clientTypes(payload, state.clientTypes())));
  }

  /** The plan of one fresh message alone, for writing the messages one at a time. */
  Plan one(Plan plan, Object message) {
    return plan.with(reader.read(plan.computerId(), List.of(message)));
  }

  /**
   * The answer of a registered computer's exchange: the head of its outgoing store, where the
   * client's numbering resumes, the token to send next time, and the digest of its types.
   */
  Map<String, Object> answer(Bookkeeping after, List<byte[]> head, String token) {
    List<Object> messages = new ArrayList<>(head.size());
    head.forEach(m -> messages.add(Bpickle.decode(m)));
    Map<String, Object> answer = response(messages);
    answer.put("next-expected-sequence", after.nextExpectedIn());
    answer.put("next-exchange-token", Bytes.of(token));
    answer.put("client-accepted-types-hash", Bytes.of(ServerTypes.digest(after.clientTypes())));
    return answer;
  }

  /**
   * How far an unregistered client's messages count: landscape-config registers with a bare {@code
   * {"messages": [register]}}, none of the broker's numbered messages, so the broker's first
   * message must still be number 0.
   */
  static long processed(WireMap payload) {
    return payload
        .optionalInteger("sequence")
        .map(sequence -> sequence + messages(payload).size())
        .orElse(0L);
  }

  /** The {@code register} message of an unregistered client's payload, if it sent one. */
  static Optional<WireMap> registerMessage(WireMap payload) {
    return messages(payload).stream()
        .filter(m -> "register".equals(m.optionalText("type").orElse("")))
        .findFirst();
  }

  /** The answer to an unregistered client that did not register: what it may send. */
  Map<String, Object> notRegistering(long processed) {
    Map<String, Object> answer = response(List.of(acceptedTypes(ServerTypes.UNREGISTERED)));
    answer.put("next-expected-sequence", processed);
    return answer;
  }

  /** The answer to a registration whose account or key is wrong. */
  Map<String, Object> registrationRefused(long processed) {
    Map<String, Object> answer = response(List.of(REGISTRATION_REFUSED));
    answer.put("next-expected-sequence", processed);
    return answer;
  }

  /**
   * The messages a computer just registered is first sent: the types go first. set-id makes the
   * client's plugins resynchronize, which drops their session ids until new ones come back; a
   * plugin told of a newly accepted type after that sends its first report (computer-info) on the
   * dropped id, and the client discards it and never sends it again. Told before, the report is
   * sent again after the resynchronization. The reports plugins send only once told, and never
   * again unless something changes, are told of at the next exchange ({@link
   * ServerTypes#AT_REGISTRATION}).
   */
  static List<Tagged<byte[]>> welcome(long computerId, String secureId) {
    Map<String, Object> setId = new LinkedHashMap<>();
    setId.put("type", "set-id");
    setId.put("id", Bytes.of(secureId));
    setId.put("insecure-id", computerId);
    return List.of(
        new Tagged<>(computerId, Bpickle.encode(acceptedTypes(ServerTypes.AT_REGISTRATION))),
        new Tagged<>(computerId, Bpickle.encode(setId)));
  }

  /** The sequence number a registering client gives the first message we send it. */
  static long firstOutgoing(WireMap payload) {
    return payload.optionalInteger("next-expected-sequence").orElse(0L);
  }

  /** The state of a computer registered by this exchange, as it leaves it. */
  static Bookkeeping registered(long computerId, long nextExpectedIn, WireMap payload) {
    return new Bookkeeping(
        computerId, nextExpectedIn, firstOutgoing(payload), clientTypes(payload, List.of()));
  }

  /**
   * Of the computers whose client's types digest is stale, those that need an accepted-types
   * message: one waiting in the outgoing store is enough. One sent and acknowledged long ago does
   * not count: the client lost its copy.
   *
   * @param heads each stale computer's outgoing store, oldest first
   */
  static List<Long> needTypes(List<Long> stale, Map<Long, List<byte[]>> heads) {
    return stale.stream()
        .filter(id -> heads.get(id).stream().noneMatch(ExchangePlanner::isAcceptedTypes))
        .toList();
  }

  /** The accepted-types message of a registered client, encoded. */
  static byte[] acceptedTypesMessage() {
    return Bpickle.encode(acceptedTypes(ServerTypes.REGISTERED));
  }

  /** The answer to an exchange whose secure-id names no registered computer. */
  Map<String, Object> unknownIdAnswer() {
    return response(List.of(Map.of("type", "unknown-id")));
  }

  /** The secure-id an answer gives a computer it registered, if it registered one. */
  static Optional<String> registeredSecureId(Map<String, Object> answer) {
    if (answer.get("messages") instanceof List<?> messages) {
      for (Object message : messages) {
        if (message instanceof Map<?, ?> map
            && "set-id".equals(map.get("type"))
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

  /** The types the client says it accepts; it sends them only while our digest is stale. */
  private static List<String> clientTypes(WireMap payload, List<String> known) {
    return payload.optionalList("client-accepted-types").isPresent()
        ? payload.textList("client-accepted-types").stream().map(StorableText::of).toList()
        : known;
  }

  private static List<WireMap> messages(WireMap payload) {
    return payload.optionalList("messages").isPresent() ? payload.mapList("messages") : List.of();
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
