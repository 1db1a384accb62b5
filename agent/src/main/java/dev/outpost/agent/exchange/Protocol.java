package dev.outpost.agent.exchange;

import dev.outpost.agent.state.AgentStore;
import dev.outpost.agent.state.ExchangeState;
import dev.outpost.agent.state.Identity;
import dev.outpost.agent.state.JournalEntry;
import dev.outpost.agent.state.StoredMessage;
import dev.outpost.agent.state.StoredState;
import dev.outpost.common.activity.ActivityMessages;
import dev.outpost.common.error.OutpostException;
import dev.outpost.common.wire.Bytes;
import dev.outpost.common.wire.StorableText;
import dev.outpost.common.wire.WireMap;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's side of the message exchange, written once for the real agent and the simulated ones:
 * identity, sequence numbers both ways, the outbox, the operation journal, building each payload
 * and applying each response. It does no I/O of its own but through its {@link AgentStore}, and is
 * used from one context.
 */
public final class Protocol {

  private static final Logger LOG = LoggerFactory.getLogger(Protocol.class);

  /** The most messages one payload carries, as in the Landscape Client. */
  static final int MAX_MESSAGES = 100;

  static final String CLIENT_API = "3.8";

  /**
   * Server messages the protocol itself handles; a {@code cancel-operation} (Outpost's own) is
   * handed on as a cancel of the operation it names.
   */
  static final List<String> OWN_TYPES =
      List.of(
          "accepted-types",
          ActivityMessages.CANCEL_OPERATION,
          "registration",
          "set-id",
          "set-intervals",
          "unknown-id");

  /** An operation the server sent, accepted into the journal and waiting for its handler. */
  public record Received(long operationId, String type, WireMap message) {}

  /**
   * What a response changed.
   *
   * @param operations the operations to run now, in order
   * @param urgent whether the next exchange should come soon: messages wait on either side, or the
   *     agent can register now
   * @param cancels the operation-ids the server canceled, to be stopped if they still run
   * @param repliesDelivered how many replies the server acknowledged
   */
  public record Outcome(
      List<Received> operations,
      List<Long> cancels,
      boolean urgent,
      boolean registered,
      int repliesDelivered) {}

  private final AgentStore store;
  private final Registration registration;
  private final Clock clock;
  private final List<String> clientTypes;
  private final Bytes clientTypesDigest;
  private final Outbox outbox;
  private final Journal journal;

  /** Read by other threads (tests, status) as well. */
  private volatile Optional<Identity> identity;

  private long nextExpected;
  private String serverApi;
  private List<String> acceptedTypes;
  private Optional<Bytes> clientTypesHash;
  private Map<String, Long> serverIntervals;
  private Optional<String> exchangeToken = Optional.empty();

  private Protocol(
      AgentStore store,
      StoredState state,
      Registration registration,
      Collection<String> handledTypes,
      Clock clock,
      int journalSize) {
    this.store = store;
    this.registration = registration;
    this.clock = clock;
    TreeSet<String> types = new TreeSet<>(OWN_TYPES);
    types.addAll(handledTypes);
    this.clientTypes = Shared.of(List.copyOf(types));
    this.clientTypesDigest = Shared.of(Digests.types(clientTypes));
    ExchangeState exchange = state.exchange();
    this.outbox =
        new Outbox(
            store, exchange.sequence(), exchange.firstMessage(), state.pending(), state.held());
    this.journal = new Journal(store, journalSize, state.journal());
    this.identity = state.identity();
    this.nextExpected = exchange.nextExpected();
    this.serverApi = Shared.of(exchange.serverApi());
    this.acceptedTypes = Shared.of(exchange.acceptedTypes());
    this.clientTypesHash = Shared.of(exchange.clientTypesHash());
    this.serverIntervals = Shared.of(exchange.serverIntervals());
  }

  /**
   * Loads the agent's state from its store.
   *
   * @param handledTypes the message types the agent's handlers take
   * @param journalSize how many finished operations to remember at least
   */
  public static Future<Protocol> load(
      AgentStore store,
      Registration registration,
      Collection<String> handledTypes,
      Clock clock,
      int journalSize) {
    return store
        .load()
        .map(state -> new Protocol(store, state, registration, handledTypes, clock, journalSize));
  }

  /** What the agent registers with. */
  public Registration registration() {
    return registration;
  }

  /** The identity, once registered. */
  public Optional<Identity> identity() {
    return identity;
  }

  /** How many messages wait for the server to acknowledge them. */
  public int pending() {
    return outbox.size();
  }

  /** What {@code set-intervals} set, in seconds by its keys. */
  public Map<String, Long> serverIntervals() {
    return serverIntervals;
  }

  /** The message types the agent tells the server it accepts, sorted. */
  public List<String> clientTypes() {
    return clientTypes;
  }

  /** The journal entry of an operation. */
  public Optional<JournalEntry> operation(long operationId) {
    return journal.find(operationId);
  }

  /**
   * Settles operations a previous run left without a reply: one whose reply reached the outbox is
   * marked done; the others are returned, for the caller to answer.
   */
  public Future<List<JournalEntry>> interrupted() {
    List<JournalEntry> unanswered = new ArrayList<>();
    Future<Void> settled = Future.succeededFuture();
    for (JournalEntry entry : journal.running()) {
      Optional<StoredMessage> reply = outbox.reply(entry.operationId());
      if (reply.isPresent()) {
        Map<String, Object> body = new LinkedHashMap<>(reply.get().message());
        body.remove("api");
        body.remove("timestamp");
        settled =
            settled.compose(
                v -> journal.finish(entry.operationId(), entry.type(), body, clock.instant()));
      } else {
        unanswered.add(entry);
      }
    }
    return settled.map(unanswered);
  }

  /** Builds the next payload, first queueing a {@code register} message when one is due. */
  public Future<Payload> prepare() {
    return registerIfDue().map(v -> payload());
  }

  /** Applies the response to a payload: acknowledgments, server messages, new operations. */
  public Future<Outcome> apply(Payload sent, WireMap response) {
    long next =
        response.optionalInteger("next-expected-sequence").orElse(outbox.sequence() + sent.sent());
    Outbox.Acknowledgment ack = outbox.acknowledge(next, sent.sent());
    response.optionalText("server-api").ifPresent(api -> serverApi = Shared.of(api));
    clientTypesHash = Shared.of(response.optionalBytes("client-accepted-types-hash"));
    exchangeToken = response.optionalText("next-exchange-token");
    List<WireMap> messages = response.mapList("messages");
    Reaction reaction = new Reaction();
    Future<Void> chain = ack.ancient() ? resynchronize(next) : Future.succeededFuture();
    for (WireMap message : messages) {
      chain = chain.compose(v -> receive(message, reaction));
    }
    return chain
        .compose(v -> saveExchange())
        .compose(v -> outbox.forget(ack.removed()))
        .compose(v -> journal.prune(outbox::carries))
        .map(
            v ->
                new Outcome(
                    List.copyOf(reaction.operations),
                    List.copyOf(reaction.cancels),
                    outbox.size() > 0
                        || messages.size() >= MAX_MESSAGES
                        || registrationDue(reaction),
                    identity.isPresent(),
                    (int) ack.removed().stream().filter(m -> m.operationId().isPresent()).count()));
  }

  /** Records an operation's reply, its text made storable, queueing it for the server. */
  public Future<Void> finish(long operationId, String type, Map<String, Object> reply) {
    Map<String, Object> storable = StorableText.message(reply);
    return outbox
        .add(stamp(storable), acceptedTypes)
        .compose(v -> journal.finish(operationId, type, storable, clock.instant()));
  }

  /**
   * Queues a report of the agent's own, when the server accepts its type or {@code
   * evenIfNotAccepted} (then it is sent all the same, for seeing what the server does with it).
   *
   * @return whether it was queued
   */
  public Future<Boolean> report(Map<String, Object> message, boolean evenIfNotAccepted) {
    String type = String.valueOf(message.get("type"));
    if (acceptedTypes.contains(type)) {
      return outbox.add(stamp(message), acceptedTypes).map(true);
    }
    if (!evenIfNotAccepted) {
      return Future.succeededFuture(false);
    }
    List<String> accepted = new ArrayList<>(acceptedTypes);
    accepted.add(type);
    return outbox.add(stamp(message), accepted).map(true);
  }

  /**
   * Queues a chunk of a running operation's output, when the server accepts {@code
   * operation-output}: a server that does not (the Landscape server) gets the output with the
   * result only, and nothing is held for it.
   *
   * @return whether the chunk was queued
   */
  public Future<Boolean> output(long operationId, long offset, String text) {
    if (!acceptedTypes.contains(ActivityMessages.OPERATION_OUTPUT)) {
      return Future.succeededFuture(false);
    }
    Map<String, Object> chunk = new LinkedHashMap<>();
    chunk.put("type", ActivityMessages.OPERATION_OUTPUT);
    chunk.put("operation-id", operationId);
    chunk.put("offset", offset);
    chunk.put("text", text);
    return outbox.add(stamp(chunk), acceptedTypes).map(true);
  }

  /** Records the process an operation runs in, for a restarted agent to find. */
  public Future<Void> processStarted(long operationId, JournalEntry.ChildProcess process) {
    return journal.started(operationId, process);
  }

  /** What one response brought, gathered while its messages are read. */
  private static final class Reaction {
    final List<Received> operations = new ArrayList<>();
    final List<Long> cancels = new ArrayList<>();
    boolean refused;
  }

  private Future<Void> registerIfDue() {
    if (identity.isPresent() || !acceptedTypes.contains("register") || outbox.has("register")) {
      return Future.succeededFuture();
    }
    LOG.info(
        "registering [account: {}, title: {}]", registration.accountName(), registration.title());
    Map<String, Object> register = new LinkedHashMap<>();
    register.put("type", "register");
    register.put("account_name", registration.accountName());
    register.put("computer_title", registration.title());
    register.put("hostname", registration.hostname());
    register.put("registration_password", registration.key().orElse(null));
    register.put("tags", registration.tags().orElse(null));
    register.put("container-info", Bytes.empty());
    register.put("vm-info", Bytes.empty());
    return outbox.add(stamp(register), acceptedTypes);
  }

  private Payload payload() {
    Map<String, Object> body = new LinkedHashMap<>();
    List<Map<String, Object>> batch = outbox.batch(MAX_MESSAGES);
    body.put("server-api", Bytes.of(serverApi));
    body.put("client-api", Bytes.of(CLIENT_API));
    body.put("sequence", outbox.sequence());
    body.put("accepted-types", Digests.types(acceptedTypes));
    body.put("messages", new ArrayList<Object>(batch));
    body.put("total-messages", (long) outbox.size());
    body.put("next-expected-sequence", nextExpected);
    if (!clientTypesHash.equals(Optional.of(clientTypesDigest))) {
      body.put("client-accepted-types", clientTypes);
    }
    // used once: a crash before the answer means exchanging without one, as the client does
    Optional<String> token = exchangeToken;
    exchangeToken = Optional.empty();
    return new Payload(body, batch.size(), identity.map(Identity::secureId), token, serverApi);
  }

  private Future<Void> receive(WireMap message, Reaction reaction) {
    nextExpected++;
    try {
      String type = message.text("type");
      return switch (type) {
        case "set-id" -> setId(message);
        case "unknown-id" -> unknownId(message);
        case "registration" -> {
          LOG.error(
              "registration refused [account: {}, info: {}]",
              registration.accountName(),
              message.optionalText("info").orElse("none"));
          reaction.refused = true;
          yield Future.succeededFuture();
        }
        case "accepted-types" -> {
          acceptedTypes = Shared.of(List.copyOf(new TreeSet<>(message.textList("types"))));
          LOG.debug("server accepts [types: {}]", acceptedTypes);
          yield outbox.release(acceptedTypes);
        }
        case "set-intervals" -> setIntervals(message);
        case ActivityMessages.CANCEL_OPERATION -> {
          // not an operation of its own: it names one, and stopping it twice is harmless
          reaction.cancels.add(message.integer("operation-id"));
          yield Future.succeededFuture();
        }
        default -> operation(type, message, reaction);
      };
    } catch (OutpostException e) {
      LOG.warn("malformed server message skipped [problem: {}]", e.getMessage());
      return Future.succeededFuture();
    }
  }

  private Future<Void> setId(WireMap message) {
    identity =
        Optional.of(new Identity(message.bytes("id").asUtf8(), message.integer("insecure-id")));
    LOG.info("registered [insecure-id: {}]", identity.get().insecureId());
    return store.saveIdentity(identity);
  }

  private Future<Void> unknownId(WireMap message) {
    LOG.warn(
        "the server does not know this agent, registering again [clone-of: {}]",
        message.optionalText("clone-of").orElse("none"));
    identity = Optional.empty();
    return store.saveIdentity(identity);
  }

  private Future<Void> setIntervals(WireMap message) {
    Map<String, Long> set = new LinkedHashMap<>(serverIntervals);
    for (String key : List.of("exchange", "urgent-exchange", "ping")) {
      message.optionalInteger(key).filter(s -> s > 0).ifPresent(s -> set.put(key, s));
    }
    serverIntervals = Shared.of(Map.copyOf(set));
    LOG.info("intervals set by the server [seconds: {}]", serverIntervals);
    return Future.succeededFuture();
  }

  private Future<Void> operation(String type, WireMap message, Reaction reaction) {
    Optional<Long> operationId = message.optionalInteger("operation-id");
    if (operationId.isEmpty()) {
      LOG.debug("server message without operation-id ignored [type: {}]", type);
      return Future.succeededFuture();
    }
    long id = operationId.get();
    Optional<JournalEntry> seen = journal.find(id);
    if (seen.isPresent()) {
      LOG.info(
          "operation received again, not run again [id: {}, state: {}, reply waiting: {}]",
          id,
          seen.get().state(),
          outbox.carries(id));
      return Future.succeededFuture();
    }
    reaction.operations.add(new Received(id, type, message));
    return journal.begin(id, type, clock.instant());
  }

  /**
   * The server asked for messages that are gone (it lost data): tell it to resynchronise, and send
   * again the replies the journal remembers, which the server may have lost too.
   */
  private Future<Void> resynchronize(long next) {
    LOG.warn(
        "the server asked for messages already acknowledged, resynchronizing [sequence: {}]", next);
    Future<Void> chain = outbox.add(stamp(Map.of("type", "resynchronize")), acceptedTypes);
    for (JournalEntry entry : journal.done()) {
      if (!outbox.carries(entry.operationId()) && entry.reply().isPresent()) {
        chain = chain.compose(v -> outbox.add(stamp(entry.reply().get()), acceptedTypes));
      }
    }
    return chain;
  }

  private boolean registrationDue(Reaction reaction) {
    return identity.isEmpty() && !reaction.refused && acceptedTypes.contains("register");
  }

  private Future<Void> saveExchange() {
    return store.saveExchange(
        new ExchangeState(
            outbox.sequence(),
            outbox.firstMessage(),
            nextExpected,
            serverApi,
            acceptedTypes,
            clientTypesHash,
            serverIntervals));
  }

  /**
   * The message as it is stored and sent: its text storable, with the API it is written for and its
   * time. Every message reaches the outbox through here.
   */
  private Map<String, Object> stamp(Map<String, Object> message) {
    Map<String, Object> stamped = StorableText.message(message);
    stamped.put("api", Bytes.of(serverApi));
    stamped.put("timestamp", clock.instant().getEpochSecond());
    return stamped;
  }
}
