package dev.outpost.server.computer;

import static dev.outpost.server.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.common.activity.ActivityTypes;
import dev.outpost.common.activity.Status;
import dev.outpost.common.error.OutpostException;
import dev.outpost.server.TestSupport;
import dev.outpost.server.account.AccountStore;
import dev.outpost.server.activity.ActivityInserts;
import dev.outpost.server.activity.NewActivity;
import dev.outpost.server.db.Database;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What each term of a computer query selects, against the real database. */
@ExtendWith(VertxExtension.class)
class ComputerSelectionTest {

  private static final Instant START = Instant.parse("2030-03-01T00:00:00Z");

  private static final TestSupport.SettableClock CLOCK = new TestSupport.SettableClock(START);
  private static Pool pool;
  private static ComputerSelection selection;
  private static long account;
  private static long other;
  private static long web1;
  private static long web2;
  private static long db1;
  private static long odd;
  private static long removed;
  private static long elsewhere;

  /**
   * web-1 (tags web, eu; registered 2030-03-01, exchanged 10 minutes before now, a message
   * waiting), web-2 (web; 03-02, exchanged 3 hours before, an activity due), db-1 (db; 03-03, never
   * exchanged), "odd_%\" (no tags, 03-04), a removed web-3, and another account's web-1.
   */
  @BeforeAll
  static void setUp(Vertx vertx) {
    pool = Database.pool(vertx, TestSupport.database(), 4);
    AccountStore accounts = new AccountStore(pool, CLOCK);
    account =
        await(
            accounts.ensureAccount(
                TestSupport.unique("select"), "key", "admin", TestSupport.unique("token")));
    other =
        await(
            accounts.ensureAccount(
                TestSupport.unique("select"), "key", "admin", TestSupport.unique("token")));
    ComputerStore computers = new ComputerStore(pool, CLOCK);
    web1 = await(computers.add(account, "web-1", "web-1.eu.example", List.of("web", "eu")));
    CLOCK.advance(Duration.ofDays(1));
    web2 = await(computers.add(account, "web-2", "web-2.us.example", List.of("web")));
    CLOCK.advance(Duration.ofDays(1));
    db1 = await(computers.add(account, "db-1", "db-1.eu.example", List.of("db")));
    CLOCK.advance(Duration.ofDays(1));
    odd = await(computers.add(account, "odd_%\\", "odd", List.of()));
    removed = await(computers.add(account, "web-3", "web-3.eu.example", List.of("web")));
    elsewhere = await(computers.add(other, "web-1", "web-1.eu.example", List.of("web")));
    CLOCK.advance(Duration.ofDays(1));
    Instant now = CLOCK.instant();
    exchanged(web1, now.minus(Duration.ofMinutes(10)));
    exchanged(web2, now.minus(Duration.ofHours(3)));
    await(
        pool.preparedQuery("UPDATE computers SET removed_at = $2 WHERE id = $1")
            .execute(Tuple.of(removed, now.atOffset(ZoneOffset.UTC))));
    await(
        pool.preparedQuery(
                "INSERT INTO outgoing_messages (computer_id, message, created_at)"
                    + " VALUES ($1, '\\x00'::bytea, $2)")
            .execute(Tuple.of(web1, now.atOffset(ZoneOffset.UTC))));
    await(
        new ActivityInserts(pool, CLOCK)
            .insert(
                new ActivityInserts.Creation(
                    account,
                    "admin",
                    ActivityTypes.find("ExecuteScriptRequest").orElseThrow(),
                    Status.QUEUED,
                    "due",
                    NewActivity.of(
                        "ExecuteScriptRequest", List.of(web2), new JsonObject().put("code", "id")),
                    List.of(new ActivityInserts.Target(Optional.of(web2), Optional.empty())),
                    Optional.empty()),
                missing -> OutpostException.notFound("missing " + missing)));
    selection = new ComputerSelection(pool, CLOCK, Duration.ofSeconds(5), 100);
  }

  @AfterAll
  static void tearDown() {
    TestSupport.endActivities(pool, account, other);
    await(pool.close());
  }

  /** Verifies what each term selects, alone and combined: the account's registered computers. */
  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "''                                      | web1 web2 db1 odd",
        "id:WEB2                                 | web2",
        "title:web-1                             | web1",
        "title:web-*                             | web1 web2",
        "title:*-1                               | web1 db1",
        "title:WEB-*                             | ''",
        "title:odd_%\\                           | odd",
        "title:odd*                              | odd",
        "title:o__*                              | ''",
        "hostname:*.eu.example                   | web1 db1",
        "hostname:odd                            | odd",
        "tag:web                                 | web1 web2",
        "tag:eu                                  | web1",
        "tag:we                                  | ''",
        "registered-after:2030-03-02             | web2 db1 odd",
        "registered-before:2030-03-02            | web1",
        "registered-after:2030-03-02T00:00:01Z   | db1 odd",
        "registered-after:2d                     | db1 odd",
        "registered-before:3d                    | web1",
        "last-exchange-after:1h                  | web1",
        "last-exchange-after:4h                  | web1 web2",
        "last-exchange-before:1h                 | web2 db1 odd",
        "last-exchange-before:2030-01-01         | db1 odd",
        "pending:true                            | web1 web2",
        "pending:false                           | db1 odd",
        "tag:web OR title:db-*                   | web1 web2 db1",
        "tag:web NOT tag:eu                      | web2",
        "NOT (tag:web OR tag:db)                 | odd",
        "tag:web AND pending:true AND NOT id:WEB1 | web2",
      })
  void eachTermSelectsItsComputers(String query, String expected) {
    List<Long> wanted =
        expected.isBlank()
            ? List.of()
            : List.of(expected.split(" ")).stream().map(ComputerSelectionTest::id).toList();

    assertThat(await(selection.resolve(account, withIds(query)))).containsExactlyElementsOf(wanted);
  }

  /** Verifies that the selection runs in a caller's transaction just as on the pool. */
  @Test
  void resolvesInATransaction() {
    List<Long> ids =
        await(pool.withTransaction(conn -> selection.resolve(conn, account, "tag:web")));

    assertThat(ids).containsExactly(web1, web2);
  }

  /** Verifies that more computers than the target cap is a 400 naming the cap's setting. */
  @Test
  void refusesMoreThanTheTargetCap() {
    ComputerSelection small = new ComputerSelection(pool, CLOCK, Duration.ofSeconds(5), 3);

    assertThat(await(small.resolve(account, "NOT tag:eu"))).containsExactly(web2, db1, odd);
    assertThatThrownBy(() -> await(small.resolve(account, "")))
        .isInstanceOfSatisfying(
            OutpostException.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.getMessage()).contains("more than 3", "OUTPOST_MAX_TARGETS");
            });
  }

  /** Verifies that another account's computers and removed ones are never selected. */
  @Test
  void selectsOnlyTheAccountsRegisteredComputers() {
    assertThat(await(selection.resolve(other, "title:web-*"))).containsExactly(elsewhere);
    assertThat(await(selection.resolve(account, "id:" + removed))).isEmpty();
  }

  private static String withIds(String query) {
    return query.replace("WEB1", Long.toString(web1)).replace("WEB2", Long.toString(web2));
  }

  private static long id(String name) {
    return switch (name) {
      case "web1" -> web1;
      case "web2" -> web2;
      case "db1" -> db1;
      case "odd" -> odd;
      default -> throw new IllegalArgumentException(name);
    };
  }

  private static void exchanged(long computer, Instant at) {
    await(
        pool.preparedQuery("UPDATE computers SET last_exchange_at = $2 WHERE id = $1")
            .execute(Tuple.of(computer, at.atOffset(ZoneOffset.UTC))));
  }
}
