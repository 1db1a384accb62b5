package dev.outpost.server.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.common.activity.Status;
import dev.outpost.common.wire.Bpickle;
import dev.outpost.common.wire.Bytes;
import dev.outpost.common.wire.WireMap;
import dev.outpost.server.ProtocolClient;
import dev.outpost.server.account.Secrets;
import dev.outpost.server.activity.AgentResult;
import dev.outpost.server.exchange.ExchangePlanner.Bookkeeping;
import dev.outpost.server.exchange.ExchangePlanner.Plan;
import dev.outpost.server.exchange.ExchangePlanner.Writes;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The exchange's planner driven by plain inputs, without a database: a computer's state and a
 * payload in, the writes, the state it leaves and the answer out.
 */
class ExchangePlannerTest {

  private static final ExchangePlanner PLANNER = new ExchangePlanner("uuid-1");
  private static final byte[] OUR_TYPES = ServerTypes.digest(ServerTypes.REGISTERED);

  /**
   * Verifies that only the messages past those already processed are read: GIVEN a computer
   * expecting message 5, WHEN its client sends messages 3 to 6, THEN 3 and 4 are repeats, 5 and 6
   * are read (a result and a progress report), and message 7 is expected next.
   */
  @Test
  void readsOnlyTheMessagesNotSeenBefore() {
    WireMap payload = payload(3, List.of(result(101), result(102), result(103), progress(104, 40)));

    Plan plan = PLANNER.plan(0, state(7, 5, 0, List.of()), Optional.empty(), payload);

    assertThat(plan.fresh()).hasSize(2);
    assertThat(plan.incoming().results())
        .extracting(OperationResult::activityId)
        .containsExactly(103L);
    assertThat(plan.incoming().progress())
        .extracting(MessageReader.Progress::percent)
        .containsExactly(40);
    assertThat(plan.after().nextExpectedIn()).isEqualTo(7);
  }

  /**
   * Verifies that a payload that skips ahead is not read at all: GIVEN a computer expecting message
   * 5, WHEN its client sends from 9, THEN nothing is read and 5 is still expected, so the client
   * resumes there.
   */
  @Test
  void aPayloadThatSkipsAheadIsNotRead() {
    Plan plan =
        PLANNER.plan(
            0, state(7, 5, 0, List.of()), Optional.empty(), payload(9, List.of(result(101))));

    assertThat(plan.fresh()).isEmpty();
    assertThat(plan.incoming().results()).isEmpty();
    assertThat(plan.after().nextExpectedIn()).isEqualTo(5);
  }

  /**
   * Verifies that the client's next-expected-sequence acknowledges the oldest messages of its
   * outgoing store: GIVEN a store whose oldest message is number 10, WHEN the client expects 13,
   * THEN three are acknowledged and 13 becomes the oldest; without it, none are.
   */
  @Test
  void theClientsNextExpectedSequenceAcknowledgesOutgoingMessages() {
    Plan acked =
        PLANNER.plan(
            0,
            state(7, 5, 10, List.of()),
            Optional.empty(),
            payload(5, List.of(), Map.of("next-expected-sequence", 13L)));
    Plan silent =
        PLANNER.plan(0, state(7, 5, 10, List.of()), Optional.empty(), payload(5, List.of()));

    assertThat(acked.acknowledged()).isEqualTo(3);
    assertThat(acked.after().outBase()).isEqualTo(13);
    assertThat(silent.acknowledged()).isZero();
    assertThat(silent.after().outBase()).isEqualTo(10);
  }

  /**
   * Verifies that a client whose accepted-types digest is not the server's is noticed, and that the
   * types a client accepts are kept until it sends others.
   */
  @Test
  void theTypesDigestsAreComparedAndTheClientsTypesKept() {
    ComputerState state = state(7, 5, 0, List.of("resynchronize"));

    Plan upToDate =
        PLANNER.plan(
            0,
            state,
            Optional.empty(),
            payload(5, List.of(), Map.of("accepted-types", Bytes.of(OUR_TYPES))));
    Plan stale =
        PLANNER.plan(
            0,
            state,
            Optional.empty(),
            payload(
                5,
                List.of(),
                Map.of("client-accepted-types", List.of("execute-script", "set-id"))));

    assertThat(upToDate.typesStale()).isFalse();
    assertThat(upToDate.after().clientTypes()).containsExactly("resynchronize");
    assertThat(stale.typesStale()).isTrue();
    assertThat(stale.after().clientTypes()).containsExactly("execute-script", "set-id");
  }

  /**
   * Verifies that a batch's plans become one set of writes, each row tagged with its computer:
   * results, progress, reports kept for the record, and a message that cannot be read set aside
   * with its reason while the rest of its exchange is read.
   */
  @Test
  void aBatchsPlansBecomeOneSetOfWritesTaggedByComputer() {
    Map<String, Object> unreadable = new LinkedHashMap<>(result(202));
    unreadable.put("status", "done");
    Map<String, Object> report = Map.of("type", "computer-info", "hostname", "web-2");
    Plan first =
        PLANNER.plan(
            0,
            state(7, 0, 0, List.of()),
            Optional.empty(),
            payload(0, List.of(result(101), progress(102, 50))));
    Plan second =
        PLANNER.plan(
            1,
            state(8, 0, 0, List.of()),
            Optional.empty(),
            payload(0, List.of(unreadable, report, result(203))));

    Writes writes = Writes.of(List.of(first, second));

    assertThat(writes.results())
        .extracting(AgentResult::computerId, AgentResult::activityId, AgentResult::status)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(7L, 101L, Status.SUCCEEDED),
            org.assertj.core.groups.Tuple.tuple(8L, 203L, Status.SUCCEEDED));
    assertThat(writes.progress())
        .singleElement()
        .satisfies(p -> assertThat(p.computerId()).isEqualTo(7));
    assertThat(writes.recorded())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.computerId()).isEqualTo(8);
              assertThat(r.value().type()).isEqualTo("computer-info");
              assertThat(r.value().body().getString("hostname")).isEqualTo("web-2");
            });
    assertThat(writes.quarantined())
        .singleElement()
        .satisfies(
            q -> {
              assertThat(q.computerId()).isEqualTo(8);
              assertThat(q.value().type()).isEqualTo("operation-result");
              assertThat(q.value().reason()).contains("status");
            });
  }

  /**
   * Verifies that a message written alone, after its batch failed, is planned as its exchange's
   * only message.
   */
  @Test
  void aMessageAloneIsPlannedByItself() {
    Plan plan =
        PLANNER.plan(
            0,
            state(7, 0, 0, List.of()),
            Optional.empty(),
            payload(0, List.of(result(101), result(102))));

    Plan one = PLANNER.one(plan, plan.fresh().get(1));

    assertThat(one.incoming().results())
        .extracting(OperationResult::activityId)
        .containsExactly(102L);
    assertThat(one.after()).isEqualTo(plan.after());
  }

  /**
   * Verifies the answer of a registered computer: its store's head in order, where its numbering
   * resumes, the token for the next exchange and the digest of the types it accepts.
   */
  @Test
  void theAnswerCarriesTheHeadWhereToResumeAndTheNextToken() {
    Bookkeeping after = new Bookkeeping(7, 12, 3, List.of("execute-script"));
    List<byte[]> head =
        List.of(Bpickle.encode(Map.of("type", "first")), Bpickle.encode(Map.of("type", "second")));

    WireMap answer = WireMap.of(PLANNER.answer(after, head, "token-1"));

    assertThat(answer.bytes("server-api").asUtf8()).isEqualTo("3.3");
    assertThat(answer.bytes("server-uuid").asUtf8()).isEqualTo("uuid-1");
    assertThat(answer.mapList("messages"))
        .extracting(m -> m.text("type"))
        .containsExactly("first", "second");
    assertThat(answer.integer("next-expected-sequence")).isEqualTo(12);
    assertThat(answer.bytes("next-exchange-token").asUtf8()).isEqualTo("token-1");
    assertThat(answer.bytes("client-accepted-types-hash").toArray())
        .isEqualTo(ServerTypes.digest(List.of("execute-script")));
  }

  /**
   * Verifies what an unregistered client is told: the broker's messages count from their sequence,
   * landscape-config's bare registration counts for nothing, and a client that does not register
   * may send only a registration.
   */
  @Test
  void anUnregisteredClientIsToldWhatItMaySend() {
    WireMap numbered = payload(4, List.of(Map.of("type", "register"), Map.of("type", "x")));
    WireMap bare = WireMap.of(Map.of("messages", List.of(Map.of("type", "register"))));

    assertThat(ExchangePlanner.processed(numbered)).isEqualTo(6);
    assertThat(ExchangePlanner.processed(bare)).isZero();
    assertThat(ExchangePlanner.registerMessage(bare)).isPresent();
    assertThat(ExchangePlanner.registerMessage(payload(0, List.of()))).isEmpty();
    WireMap told = WireMap.of(PLANNER.notRegistering(6));
    assertThat(told.integer("next-expected-sequence")).isEqualTo(6);
    assertThat(told.mapList("messages"))
        .singleElement()
        .satisfies(m -> assertThat(m.textList("types")).containsExactly("register"));
    assertThat(ExchangePlanner.refusesRegistration(PLANNER.registrationRefused(0))).isTrue();
    assertThat(ExchangePlanner.refusesRegistration(PLANNER.notRegistering(0))).isFalse();
  }

  /**
   * Verifies that a computer just registered is sent the types it may send before its ids, and that
   * the secure-id is found in its answer.
   */
  @Test
  void theWelcomeAcceptsTheTypesBeforeItSetsTheId() {
    List<Tagged<byte[]>> welcome = ExchangePlanner.welcome(7, "secure-1");
    Bookkeeping after = ExchangePlanner.registered(7, 1, payload(0, List.of()));

    Map<String, Object> answer =
        PLANNER.answer(after, welcome.stream().map(Tagged::value).toList(), "token-1");

    assertThat(welcome).extracting(Tagged::computerId).containsOnly(7L);
    assertThat(WireMap.of(answer).mapList("messages"))
        .extracting(m -> m.text("type"))
        .containsExactly("accepted-types", "set-id");
    assertThat(WireMap.of(answer).mapList("messages").get(1).integer("insecure-id")).isEqualTo(7);
    assertThat(ExchangePlanner.registeredSecureId(answer)).contains("secure-1");
    assertThat(after.outBase()).isZero();
  }

  /**
   * Verifies that the types are queued again only for a computer with none waiting in its outgoing
   * store.
   */
  @Test
  void theTypesAreQueuedAgainOnlyWhereNoneWait() {
    Map<Long, List<byte[]>> heads =
        Map.of(
            1L, List.of(ExchangePlanner.acceptedTypesMessage()),
            2L, List.of(Bpickle.encode(Map.of("type", "execute-script"))),
            3L, List.of());

    assertThat(ExchangePlanner.needTypes(List.of(1L, 2L, 3L), heads)).containsExactly(2L, 3L);
  }

  /**
   * Verifies that a token that does not match the one last given is no reason to refuse: the
   * exchange is planned as any other (the server only logs a possible clone).
   */
  @Test
  void aTokenThatDoesNotMatchIsPlannedAsAnyOther() {
    ComputerState state =
        new ComputerState(
            7,
            0,
            0,
            Optional.of(Secrets.hash("given")),
            List.of(),
            "c-7",
            List.of(),
            ComputerState.Intervals.CURRENT);

    Plan plan = PLANNER.plan(0, state, Optional.of("another"), payload(0, List.of(result(9))));

    assertThat(plan.incoming().results()).hasSize(1);
  }

  private static ComputerState state(
      long id, long nextExpectedIn, long outBase, List<String> clientTypes) {
    return new ComputerState(
        id,
        nextExpectedIn,
        outBase,
        Optional.empty(),
        clientTypes,
        "c-" + id,
        List.of(),
        ComputerState.Intervals.CURRENT);
  }

  private static WireMap payload(long sequence, List<Map<String, Object>> messages) {
    return payload(sequence, messages, Map.of());
  }

  private static WireMap payload(
      long sequence, List<Map<String, Object>> messages, Map<String, Object> more) {
    Map<String, Object> payload = new HashMap<>(more);
    payload.put("sequence", sequence);
    payload.put("messages", List.copyOf(messages));
    return WireMap.of(payload);
  }

  private static Map<String, Object> result(long activityId) {
    return ProtocolClient.result(activityId, 6, 0, "ok");
  }

  private static Map<String, Object> progress(long activityId, long percent) {
    return Map.of("type", "operation-progress", "operation-id", activityId, "progress", percent);
  }
}
