package dev.outpost.agent.simulate;

import static dev.outpost.server.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.agent.AgentFixture;
import dev.outpost.agent.config.Intervals;
import dev.outpost.server.TestSupport;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Load tests against a real server: the open model, reports, shards and their merge. */
@ExtendWith(VertxExtension.class)
class SimulatedLoadTest {

  private static AgentFixture fx;

  @BeforeAll
  static void start(Vertx vertx) {
    fx = new AgentFixture(vertx);
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  /**
   * Verifies that the open model makes exactly the exchanges its schedule makes due, every one
   * timed, and that the report's three files are written and read back.
   */
  @Test
  void openModelMakesItsScheduledExchangesAndReportsThem(Vertx vertx, @TempDir Path dir)
      throws Exception {
    LoadReport report =
        run(vertx, TestSupport.unique("open"), 8, RateProfile.hold(10, 3), Shard.ALL);

    assertThat(report.totals().target()).isEqualTo(30);
    assertThat(report.totals().errors()).isZero();
    assertThat(report.totals().exchanges()).isEqualTo(30);
    assertThat(report.histogram().getTotalCount()).isEqualTo(30);
    assertThat(report.totals().registered()).isEqualTo(8);
    assertThat(report.seconds().stream().mapToLong(LoadReport.Second::target).sum()).isEqualTo(30);
    assertThat(report.seconds().stream().mapToLong(LoadReport.Second::exchanges).sum())
        .isEqualTo(30);

    Path html = report.write(dir, "report");
    LoadReport back = LoadReport.read(dir.resolve("report.json"));
    assertThat(back.totals()).isEqualTo(report.totals());
    assertThat(back.histogram().getTotalCount()).isEqualTo(30);
    String page = Files.readString(html);
    assertThat(page).contains("<svg").contains("exchanges the schedule made due");
    assertThat(Files.readAllLines(dir.resolve("report.csv"))).hasSize(report.seconds().size() + 1);
    assertThat(new JsonObject(Files.readString(dir.resolve("report.json"))).getString("format"))
        .isEqualTo(LoadReport.FORMAT);
  }

  /**
   * Verifies that two shards of a run, merged, count what the same run in one process counts: the
   * exchanges due, made, and timed, and the agents.
   */
  @Test
  void shardsMergedCountAsOneRun(Vertx vertx) {
    RateProfile profile = RateProfile.hold(10, 2);
    LoadReport whole = run(vertx, TestSupport.unique("whole"), 8, profile, Shard.ALL);

    String prefix = TestSupport.unique("shard");
    var first = Fleet.start(vertx, config(prefix, 8, profile, new Shard(1, 2)), Clock.systemUTC());
    var second = Fleet.start(vertx, config(prefix, 8, profile, new Shard(2, 2)), Clock.systemUTC());
    LoadReport merged = LoadReport.merge(List.of(finish(await(first)), finish(await(second))));

    assertThat(merged.totals().target()).isEqualTo(whole.totals().target()).isEqualTo(20);
    assertThat(merged.totals().exchanges() + merged.totals().errors())
        .isEqualTo(whole.totals().exchanges() + whole.totals().errors());
    assertThat(merged.histogram().getTotalCount()).isEqualTo(whole.histogram().getTotalCount());
    assertThat(merged.run().agents()).isEqualTo(whole.run().agents()).isEqualTo(8);
    assertThat(merged.run().shards()).containsExactly("1/2", "2/2");
  }

  /**
   * Verifies that the reports a Landscape Client sends reach the server: the types it accepts are
   * stored, the others, sent all the same, are let through without an error or a quarantine; and
   * that without send-unaccepted those are not sent.
   */
  @Test
  void reportsReachTheServerWhichKeepsWhatItAccepts(Vertx vertx) {
    Scenario scenario =
        Scenario.parse(
            """
            reports:
              send-unaccepted: true
              computer-info: {}
              distribution-info: {}
              hardware-info: {bytes: 20000}
              users: {users: 10, groups: 10}
              packages: {installed: 300, available: 5000}
            """,
            "reports.yaml",
            FleetConfigBuilder.QUICK);
    String prefix = TestSupport.unique("reports");
    Fleet fleet = await(Fleet.start(vertx, closed(prefix, 3, scenario), Clock.systemUTC()));
    Scenario polite =
        new Scenario(
            "polite",
            0,
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            scenario.reports(),
            false,
            scenario.handlers());
    Fleet holding =
        await(
            Fleet.start(vertx, closed(TestSupport.unique("polite"), 2, polite), Clock.systemUTC()));
    try {
      await()
          .atMost(AgentFixture.PATIENCE)
          .until(
              () ->
                  recorded(prefix, "computer-info") == 3
                      && recorded(prefix, "distribution-info") == 3
                      && recorded(prefix, "users") == 3);
      await().atMost(AgentFixture.PATIENCE).until(() -> holding.stats().reportsSent().size() == 3);
      assertThat(fleet.stats().reportsSent())
          .containsExactlyInAnyOrderEntriesOf(
              Map.of(
                  "computer-info", 3L,
                  "distribution-info", 3L,
                  "hardware-info", 3L,
                  "users", 3L,
                  "packages", 3L));
      long sent = fleet.stats().exchanges();
      await().atMost(AgentFixture.PATIENCE).until(() -> fleet.stats().exchanges() > sent + 6);
      assertThat(fleet.stats().errors()).isZero();
      assertThat(quarantined(prefix)).isZero();
      LoadReport report = holding.report();
      // hardware-info is never accepted; users is told accepted only at the exchange after
      // registration (as the Landscape Client's plugins need it), so a polite agent that reports at
      // registration may hold it then, as the client does
      assertThat(report.totals().reportsNotAccepted().keySet())
          .contains("hardware-info")
          .isSubsetOf("hardware-info", "users");
    } finally {
      await(fleet.stop());
      await(holding.stop());
    }
  }

  private static long recorded(String prefix, String type) {
    return count(
        "SELECT count(DISTINCT m.computer_id) FROM computer_reports m"
            + " JOIN computers c ON c.id = m.computer_id WHERE c.title LIKE $1 AND m.type = $2",
        Tuple.of(prefix + "-%", type));
  }

  private static long quarantined(String prefix) {
    return count(
        "SELECT count(*) FROM quarantined_messages q JOIN computers c ON c.id = q.computer_id"
            + " WHERE c.title LIKE $1",
        Tuple.of(prefix + "-%"));
  }

  private static long count(String sql, Tuple args) {
    Row row = await(fx.server.server.pool().preparedQuery(sql).execute(args)).iterator().next();
    return row.getLong(0);
  }

  private static LoadReport run(
      Vertx vertx, String prefix, int agents, RateProfile profile, Shard shard) {
    return finish(
        await(Fleet.start(vertx, config(prefix, agents, profile, shard), Clock.systemUTC())));
  }

  private static LoadReport finish(Fleet fleet) {
    try {
      await().atMost(AgentFixture.PATIENCE).until(() -> fleet.finished().isComplete());
    } finally {
      await(fleet.stop());
    }
    return fleet.report();
  }

  private static FleetConfig config(String prefix, int agents, RateProfile profile, Shard shard) {
    return fleet(prefix, agents).open(profile).shard(shard).build();
  }

  private static FleetConfig closed(String prefix, int agents, Scenario scenario) {
    return fleet(prefix, agents).scenario(scenario).build();
  }

  private static FleetConfigBuilder fleet(String prefix, int agents) {
    return FleetConfigBuilder.fleet(fx, prefix, agents)
        .intervals(
            new Intervals(Duration.ofMillis(500), Duration.ofMillis(100), Duration.ofSeconds(2)))
        .rampUp(Duration.ofMillis(500));
  }
}
