package dev.outpost.agent.exchange;

import static dev.outpost.server.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.agent.handlers.Replies;
import dev.outpost.agent.state.AgentStore;
import dev.outpost.agent.state.FileStore;
import dev.outpost.agent.state.JournalEntry;
import dev.outpost.agent.state.MemoryStore;
import dev.outpost.common.wire.Bpickle;
import dev.outpost.common.wire.Bytes;
import dev.outpost.common.wire.WireMap;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The protocol core against scripted server responses: sequence numbers, journal, identity. */
@ExtendWith(VertxExtension.class)
class ProtocolTest {

  /** What the Outpost server accepts from a registered client. */
  static final List<String> REGISTERED =
      List.of(
          "change-packages-result",
          "computer-info",
          "distribution-info",
          "operation-result",
          "register",
          "resynchronize",
          "usg-audit");

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC);
  private static final Registration REGISTRATION =
      new Registration(
          "standalone", Optional.of("key"), "web-1", "web-1.example", Optional.empty());

  @TempDir Path dir;

  /**
   * Verifies that the agent registers as the Landscape Client does: an empty first exchange with
   * the md5 of no types, the register message once the server accepts it, then the ids of set-id.
   */
  @Test
  void registersAsTheLandscapeClientDoes() {
    Protocol protocol = load(MemoryStore.INSTANCE);

    Payload first = await(protocol.prepare());
    assertThat(first.body())
        .containsEntry("sequence", 0L)
        .containsEntry("next-expected-sequence", 0L)
        .containsEntry("messages", List.of())
        .containsEntry(
            "accepted-types",
            Bytes.of(HexFormat.of().parseHex("d41d8cd98f00b204e9800998ecf8427e")));
    assertThat(first.body().get("client-accepted-types"))
        .asList()
        .contains("execute-script", "set-id", "unknown-id")
        .isSorted();
    assertThat(first.secureId()).isEmpty();

    Protocol.Outcome told = await(protocol.apply(first, response(0, acceptedTypes("register"))));
    assertThat(told.urgent()).isTrue();
    assertThat(told.registered()).isFalse();

    Payload register = await(protocol.prepare());
    assertThat(register.body()).containsEntry("next-expected-sequence", 1L);
    assertThat(messages(register))
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.text("type")).isEqualTo("register");
              assertThat(m.text("account_name")).isEqualTo("standalone");
              assertThat(m.text("registration_password")).isEqualTo("key");
              assertThat(m.text("computer_title")).isEqualTo("web-1");
            });

    Protocol.Outcome welcomed =
        await(
            protocol.apply(
                register,
                response(1, setId("secret", 5), acceptedTypes(REGISTERED.toArray(String[]::new)))));
    assertThat(welcomed.registered()).isTrue();

    Payload next = await(protocol.prepare());
    assertThat(next.secureId()).contains("secret");
    assertThat(next.body())
        .containsEntry("sequence", 1L)
        .containsEntry("next-expected-sequence", 3L)
        .containsEntry("messages", List.of());
  }

  /**
   * Verifies that an operation-id received again after it completed is not run again, and that its
   * stored result is sent again only while the server has not acknowledged it.
   */
  @Test
  void anOperationReceivedAgainIsNotRunAgain() {
    Protocol protocol = registered(MemoryStore.INSTANCE);
    Payload poll = await(protocol.prepare());
    Protocol.Outcome delivered = await(protocol.apply(poll, response(1, script(7))));
    assertThat(delivered.operations())
        .extracting(Protocol.Received::operationId)
        .containsExactly(7L);
    await(protocol.finish(7, "execute-script", Replies.succeeded(7, "hello")));

    // the response carrying our result was lost: the server acknowledges nothing, repeats the op
    Payload withResult = await(protocol.prepare());
    assertThat(messages(withResult)).extracting(m -> m.integer("operation-id")).containsExactly(7L);
    Protocol.Outcome repeated = await(protocol.apply(withResult, response(1, script(7))));
    assertThat(repeated.operations()).isEmpty();

    Payload again = await(protocol.prepare());
    assertThat(again.body()).containsEntry("sequence", 1L);
    assertThat(messages(again)).extracting(m -> m.integer("operation-id")).containsExactly(7L);
    Protocol.Outcome acknowledged = await(protocol.apply(again, response(2, script(7))));
    assertThat(acknowledged.operations()).isEmpty();
    assertThat(acknowledged.repliesDelivered()).isEqualTo(1);

    assertThat(messages(await(protocol.prepare()))).isEmpty();
    assertThat(protocol.operation(7)).hasValueSatisfying(e -> assertThat(e.running()).isFalse());
  }

  /** Verifies that unknown-id makes the agent forget its identity and register again. */
  @Test
  void registersAgainWhenTheServerForgotIt() {
    Protocol protocol = registered(MemoryStore.INSTANCE);

    await(protocol.apply(await(protocol.prepare()), response(1, Map.of("type", "unknown-id"))));

    Payload payload = await(protocol.prepare());
    assertThat(protocol.identity()).isEmpty();
    assertThat(payload.secureId()).isEmpty();
    assertThat(messages(payload)).extracting(m -> m.text("type")).containsExactly("register");
  }

  /**
   * Verifies that a next-expected-sequence below what the server acknowledged makes the agent
   * resynchronise: it renumbers from there, sends resynchronize and the journal's results again.
   */
  @Test
  void resynchronizesWhenTheServerLostMessages() {
    Protocol protocol = registered(MemoryStore.INSTANCE);
    await(protocol.apply(await(protocol.prepare()), response(1, script(7))));
    await(protocol.finish(7, "execute-script", Replies.succeeded(7, "hello")));
    await(protocol.apply(await(protocol.prepare()), response(2)));

    await(protocol.apply(await(protocol.prepare()), response(0)));

    Payload payload = await(protocol.prepare());
    assertThat(payload.body()).containsEntry("sequence", 0L);
    assertThat(messages(payload))
        .extracting(m -> m.text("type"))
        .containsExactly("resynchronize", "operation-result");
  }

  /** Verifies that a message of a type the server does not accept waits until it does. */
  @Test
  void holdsMessagesTheServerDoesNotAccept() {
    Protocol protocol = registered(MemoryStore.INSTANCE);
    await(
        protocol.apply(
            await(protocol.prepare()), response(1, script(7), acceptedTypes("register"))));

    await(protocol.finish(7, "execute-script", Replies.succeeded(7, "hello")));
    Payload held = await(protocol.prepare());
    assertThat(messages(held)).isEmpty();

    await(protocol.apply(held, response(1, acceptedTypes(REGISTERED.toArray(String[]::new)))));
    assertThat(messages(await(protocol.prepare())))
        .extracting(m -> m.integer("operation-id"))
        .containsExactly(7L);
  }

  /**
   * Verifies that the agent follows what a response sets: the exchange token, used once; the
   * intervals of set-intervals; the client types, sent only while the server's hash differs.
   */
  @Test
  void followsTokenIntervalsAndClientTypes() {
    Protocol protocol = registered(MemoryStore.INSTANCE);
    Map<String, Object> answer =
        new LinkedHashMap<>(
            rawResponse(1, Map.of("type", "set-intervals", "exchange", 1200L, "ping", 45L)));
    answer.put("next-exchange-token", Bytes.of("token-1"));
    answer.put("client-accepted-types-hash", Digests.types(protocol.clientTypes()));

    await(protocol.apply(await(protocol.prepare()), wire(answer)));

    assertThat(protocol.serverIntervals())
        .containsEntry("exchange", 1200L)
        .containsEntry("ping", 45L);
    Payload next = await(protocol.prepare());
    assertThat(next.token()).contains("token-1");
    assertThat(next.body()).doesNotContainKey("client-accepted-types");
    assertThat(await(protocol.prepare()).token()).isEmpty();
  }

  /**
   * Verifies that a restarted agent finds an operation left running reported interrupted, and one
   * whose reply was already queued settled with that reply.
   */
  @Test
  void aRestartFindsTheOperationsLeftRunning(Vertx vertx) {
    FileStore store = FileStore.in(vertx, dir);
    Protocol before = registered(store);
    await(before.apply(await(before.prepare()), response(1, script(7), script(8))));
    await(before.processStarted(7, new JournalEntry.ChildProcess(99999, CLOCK.instant())));
    await(before.finish(8, "execute-script", Replies.succeeded(8, "done")));
    await(store.close());

    Protocol after = load(FileStore.in(vertx, dir));
    List<JournalEntry> interrupted = await(after.interrupted());

    assertThat(interrupted)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.operationId()).isEqualTo(7);
              assertThat(e.process()).map(JournalEntry.ChildProcess::pid).contains(99999L);
            });
    assertThat(after.operation(8)).hasValueSatisfying(e -> assertThat(e.running()).isFalse());
    assertThat(after.identity()).isPresent();
  }

  /**
   * Verifies that a reply with text PostgreSQL cannot store (NUL) or that has no UTF-8 form (an
   * unpaired surrogate) is kept and sent with those characters replaced, and so is a message an
   * older agent left in its outbox.
   */
  @Test
  void repliesGoOutWithTheirTextMadeStorable(Vertx vertx) {
    FileStore store = FileStore.in(vertx, dir);
    Protocol protocol = registered(store);
    await(protocol.apply(await(protocol.prepare()), response(1, script(7))));

    await(protocol.finish(7, "execute-script", Replies.succeeded(7, "a\0b\ud800c")));

    assertThat(messages(await(protocol.prepare())))
        .singleElement()
        .satisfies(m -> assertThat(m.text("result-text")).isEqualTo("a\ufffdb\ufffdc"));
    assertThat(protocol.operation(7).orElseThrow().reply())
        .hasValueSatisfying(
            reply -> assertThat(reply).containsEntry("result-text", "a\ufffdb\ufffdc"));

    await(store.addMessage(100, Replies.succeeded(8, "left\0behind"), false));
    await(store.close());
    Protocol after = load(FileStore.in(vertx, dir));
    assertThat(messages(await(after.prepare())))
        .extracting(m -> m.text("result-text"))
        .containsExactly("a\ufffdb\ufffdc", "left\ufffdbehind");
  }

  /**
   * Verifies that the agent says it accepts cancel-operation, and that one is handed on as a cancel
   * of the operation it names, never run as an operation of its own.
   */
  @Test
  void aCancelIsHandedOnAndNotRunAsAnOperation() {
    Protocol protocol = registered(MemoryStore.INSTANCE);
    assertThat(protocol.clientTypes()).contains("cancel-operation");
    await(protocol.apply(await(protocol.prepare()), response(1, script(7))));

    Protocol.Outcome canceled =
        await(
            protocol.apply(
                await(protocol.prepare()),
                response(1, Map.of("type", "cancel-operation", "operation-id", 7L))));

    assertThat(canceled.cancels()).containsExactly(7L);
    assertThat(canceled.operations()).isEmpty();
    assertThat(protocol.operation(7)).hasValueSatisfying(e -> assertThat(e.running()).isTrue());
  }

  /**
   * Verifies that output goes only to a server that accepts operation-output, held for none, and
   * that a chunk of output waiting in the outbox is no reply: the operation still counts as
   * unanswered for a restarted agent.
   */
  @Test
  void outputGoesOnlyToAServerThatTakesItAndIsNoReply() {
    Protocol protocol = registered(MemoryStore.INSTANCE);
    await(protocol.apply(await(protocol.prepare()), response(1, script(7))));

    assertThat(await(protocol.output(7, 0, "refused"))).isFalse();
    assertThat(messages(await(protocol.prepare()))).isEmpty();

    List<String> withOutput = new java.util.ArrayList<>(REGISTERED);
    withOutput.add("operation-output");
    await(
        protocol.apply(
            await(protocol.prepare()),
            response(1, acceptedTypes(withOutput.toArray(String[]::new)))));
    assertThat(await(protocol.output(7, 0, "taken"))).isTrue();

    assertThat(messages(await(protocol.prepare())))
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.text("type")).isEqualTo("operation-output");
              assertThat(m.integer("offset")).isZero();
              assertThat(m.text("text")).isEqualTo("taken");
            });
    assertThat(await(protocol.interrupted()))
        .extracting(JournalEntry::operationId)
        .containsExactly(7L);
  }

  private static Protocol load(AgentStore store) {
    return await(
        Protocol.load(store, REGISTRATION, List.of("execute-script", "resynchronize"), CLOCK, 10));
  }

  /** A protocol that registered: sequence 1, next expected 3. */
  private static Protocol registered(AgentStore store) {
    Protocol protocol = load(store);
    await(protocol.apply(await(protocol.prepare()), response(0, acceptedTypes("register"))));
    await(
        protocol.apply(
            await(protocol.prepare()),
            response(1, setId("secret", 5), acceptedTypes(REGISTERED.toArray(String[]::new)))));
    return protocol;
  }

  @SafeVarargs
  private static WireMap response(long nextExpected, Map<String, Object>... messages) {
    return wire(rawResponse(nextExpected, messages));
  }

  @SafeVarargs
  private static Map<String, Object> rawResponse(
      long nextExpected, Map<String, Object>... messages) {
    Map<String, Object> response = new LinkedHashMap<>();
    response.put("server-api", Bytes.of("3.3"));
    response.put("server-uuid", Bytes.of("uuid"));
    response.put("messages", List.of((Object[]) messages));
    response.put("next-expected-sequence", nextExpected);
    return response;
  }

  /** As it would arrive: through bpickle. */
  private static WireMap wire(Map<String, Object> response) {
    return WireMap.of(Bpickle.decode(Bpickle.encode(response)));
  }

  private static Map<String, Object> acceptedTypes(String... types) {
    return Map.of("type", "accepted-types", "types", List.of(types));
  }

  private static Map<String, Object> setId(String secureId, long insecureId) {
    return Map.of("type", "set-id", "id", Bytes.of(secureId), "insecure-id", insecureId);
  }

  private static Map<String, Object> script(long operationId) {
    return Map.of("type", "execute-script", "operation-id", operationId, "code", "echo hi");
  }

  private static List<WireMap> messages(Payload payload) {
    return wire(payload.body()).mapList("messages");
  }
}
