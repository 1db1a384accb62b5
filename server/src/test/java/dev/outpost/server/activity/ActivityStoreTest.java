package dev.outpost.server.activity;

import static dev.outpost.server.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.common.activity.ActivityType;
import dev.outpost.common.activity.ActivityTypes;
import dev.outpost.common.activity.Kind;
import dev.outpost.common.activity.Lifecycle;
import dev.outpost.common.activity.Status;
import dev.outpost.common.error.OutpostException;
import dev.outpost.server.TestSupport;
import dev.outpost.server.account.AccountStore;
import dev.outpost.server.computer.ComputerStore;
import dev.outpost.server.db.Database;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The lifecycle as PostgreSQL enforces it, against the real database. */
@ExtendWith(VertxExtension.class)
class ActivityStoreTest {

  private static final ActivityType CLIENT_TYPE =
      ActivityTypes.find("ExecuteScriptRequest").orElseThrow();
  private static final ActivityType SERVER_TYPE =
      ActivityTypes.find("ArchiveRequest").orElseThrow();

  private static Pool pool;
  private static ActivityStore store;
  private static ActivityInserts inserts;
  private static long account;
  private static long computer;

  @BeforeAll
  static void setUp(Vertx vertx) {
    var clock = new TestSupport.SettableClock(Instant.parse("2030-01-01T00:00:00Z"));
    pool = Database.pool(vertx, TestSupport.database(), 8);
    store = new ActivityStore(pool, clock);
    inserts = new ActivityInserts(pool, clock);
    account =
        await(
            new AccountStore(pool, clock)
                .ensureAccount(
                    TestSupport.unique("store"), "key", "admin", TestSupport.unique("token")));
    computer = await(new ComputerStore(pool, clock).add(account, "box", "box.local", List.of()));
  }

  @AfterAll
  static void tearDown() {
    await(pool.close());
  }

  static Stream<Arguments> everyPair() {
    List<Arguments> pairs = new ArrayList<>();
    for (Kind kind : Kind.values()) {
      for (Status from : Status.values()) {
        for (Status to : Status.values()) {
          pairs.add(Arguments.of(kind, from, to));
        }
      }
    }
    return pairs.stream();
  }

  /**
   * Verifies that every legal transition persists and is logged, and every illegal one is refused
   * with a 409 naming both states, leaving the row and its log untouched.
   */
  @ParameterizedTest(name = "{0}: {1} -> {2}")
  @MethodSource("everyPair")
  void enforcesTheLifecycleTable(Kind kind, Status from, Status to) {
    long id = activityIn(kind, from);
    String version = version(id);
    int events = eventCount(id);

    if (Lifecycle.allows(kind, from, to)) {
      TransitionOutcome outcome = await(store.transitionOne(account, id, to, "tester", "because"));

      assertThat(outcome.applied()).isTrue();
      assertThat(outcome.from()).contains(from);
      assertThat(await(store.find(account, id)).status()).isEqualTo(to);
      List<ActivityEvent> log = await(store.events(account, id));
      assertThat(log).hasSize(events + 1);
      ActivityEvent last = log.get(log.size() - 1);
      assertThat(last.from()).contains(from);
      assertThat(last.to()).isEqualTo(to);
      assertThat(last.actor()).isEqualTo("tester");
      assertThat(last.reason()).contains("because");
    } else {
      assertThatThrownBy(() -> await(store.transitionOne(account, id, to, "tester", "because")))
          .isInstanceOf(OutpostException.class)
          .hasMessageContaining(from.wireName())
          .hasMessageContaining(to.wireName())
          .satisfies(e -> assertThat(((OutpostException) e).status()).isEqualTo(409));
      assertThat(await(store.find(account, id)).status()).isEqualTo(from);
      assertThat(version(id)).isEqualTo(version);
      assertThat(eventCount(id)).isEqualTo(events);
    }
  }

  /**
   * Verifies that of 20 concurrent attempts at two conflicting transitions from In Progress (to
   * Succeeded and to Failed), exactly one wins and the log holds exactly one row for it.
   */
  @Test
  void concurrentConflictingTransitionsHaveExactlyOneWinner() {
    long id = activityIn(Kind.CLIENT, Status.IN_PROGRESS);
    List<Future<List<TransitionOutcome>>> attempts = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      Status to = i % 2 == 0 ? Status.SUCCEEDED : Status.FAILED;
      attempts.add(store.transition(account, List.of(id), to, "racer-" + i, null));
    }
    await(Future.join(attempts));

    long winners = attempts.stream().filter(a -> a.result().get(0).applied()).count();
    assertThat(winners).isEqualTo(1);
    Status finalStatus = await(store.find(account, id)).status();
    List<ActivityEvent> fromInProgress =
        await(store.events(account, id)).stream()
            .filter(e -> e.from().equals(Optional.of(Status.IN_PROGRESS)))
            .toList();
    assertThat(fromInProgress)
        .singleElement()
        .satisfies(e -> assertThat(e.to()).isEqualTo(finalStatus));
  }

  /** Verifies that another account can neither see nor move an activity. */
  @Test
  void anotherAccountSeesNothing() {
    long id = activityIn(Kind.SERVER, Status.QUEUED);
    long other = account + 1_000_000;

    assertThatThrownBy(() -> await(store.find(other, id)))
        .satisfies(e -> assertThat(((OutpostException) e).status()).isEqualTo(404));
    assertThatThrownBy(() -> await(store.transitionOne(other, id, Status.CANCELED, "x", null)))
        .satisfies(e -> assertThat(((OutpostException) e).status()).isEqualTo(404));
    assertThat(await(store.find(account, id)).status()).isEqualTo(Status.QUEUED);
  }

  /** Verifies that naming a group moves its children, each by the table. */
  @Test
  void aGroupStandsForItsChildren() {
    long second =
        await(
            new ComputerStore(pool, java.time.Clock.systemUTC())
                .add(account, "box2", null, List.of()));
    Activity group = create(CLIENT_TYPE, Status.QUEUED, List.of(computer, second));
    assertThat(group.isGroup()).isTrue();
    assertThat(group.children()).hasSize(2);
    long first = group.children().get(0).id();
    await(store.transitionOne(account, first, Status.IN_PROGRESS, "tester", null));
    await(store.transitionOne(account, first, Status.SUCCEEDED, "tester", null));

    List<TransitionOutcome> outcomes =
        await(store.transition(account, List.of(group.id()), Status.CANCELED, "tester", null));

    assertThat(outcomes)
        .extracting(TransitionOutcome::id, TransitionOutcome::applied)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(first, false),
            org.assertj.core.groups.Tuple.tuple(group.children().get(1).id(), true));
    assertThat(await(store.find(account, group.id())).status()).isEqualTo(Status.CANCELED);
  }

  /** Brings a new activity to the given state through legal transitions only. */
  private static long activityIn(Kind kind, Status target) {
    ActivityType type = kind == Kind.CLIENT ? CLIENT_TYPE : SERVER_TYPE;
    Status start = target.isStart() ? target : Status.QUEUED;
    List<Long> computers = kind == Kind.CLIENT ? List.of(computer) : List.of();
    long id = create(type, start, computers).id();
    if (!target.isStart()) {
      await(store.transitionOne(account, id, Status.IN_PROGRESS, "tester", null));
      if (target != Status.IN_PROGRESS) {
        await(store.transitionOne(account, id, target, "tester", null));
      }
    }
    return id;
  }

  private static Activity create(ActivityType type, Status start, List<Long> computers) {
    List<ActivityInserts.Target> targets =
        computers.isEmpty()
            ? List.of(new ActivityInserts.Target(Optional.empty(), Optional.empty()))
            : computers.stream()
                .map(c -> new ActivityInserts.Target(Optional.of(c), Optional.empty()))
                .toList();
    long id =
        await(
            inserts.insert(
                new ActivityInserts.Creation(
                    account,
                    "tester",
                    type,
                    start,
                    "test",
                    NewActivity.of(type.name(), computers, new JsonObject()),
                    targets,
                    Optional.empty()),
                absent -> OutpostException.notFound("computers not found: " + absent)));
    return await(store.find(account, id));
  }

  /** The row's version as PostgreSQL keeps it: any write of the row makes a new one. */
  private static String version(long id) {
    return await(
            pool.preparedQuery("SELECT xmin::text FROM activities WHERE id = $1")
                .execute(Tuple.of(id)))
        .iterator()
        .next()
        .getString(0);
  }

  private static int eventCount(long id) {
    return await(store.events(account, id)).size();
  }
}
