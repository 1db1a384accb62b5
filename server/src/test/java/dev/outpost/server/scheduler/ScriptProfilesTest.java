package dev.outpost.server.scheduler;

import static dev.outpost.server.TestSupport.assertBadRequest;
import static dev.outpost.server.TestSupport.await;
import static dev.outpost.server.TestSupport.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.server.OutpostServer;
import dev.outpost.server.ProtocolClient;
import dev.outpost.server.ServerConfig;
import dev.outpost.server.ServerFixture;
import dev.outpost.server.TestSupport;
import dev.outpost.server.account.AccountStore;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Script profiles firing on the injected clock: each due time once, across server instances,
 * restarts and downtime; one-time and post-enrollment triggers.
 */
@ExtendWith(VertxExtension.class)
class ScriptProfilesTest {

  private static final Instant START = Instant.parse("2030-01-01T00:00:00Z");

  /**
   * Verifies that a profile recurring every minute fires once per minute with two servers sweeping
   * one database, once per minute after a restart, and once when a server comes back after hours
   * down, each firing a group on the computers its tag names.
   */
  @Test
  void aRecurringProfileFiresEachDueTimeOnce(Vertx vertx) {
    // the fixture's own scheduler sweeps once an hour: the sweepers below do the work
    try (ServerFixture fx =
        new ServerFixture(
            vertx,
            Map.of("OUTPOST_ROLE", "api", "OUTPOST_SWEEP_INTERVAL_MS", "3600000"),
            Map.of())) {
      long web1 = tagged(fx, "web-1", "web");
      long web2 = tagged(fx, "web-2", "web");
      tagged(fx, "db-1", "db");
      long profile =
          profile(
              fx,
              new JsonObject()
                  .put("trigger_type", "recurring")
                  .put("start_after", START.toString())
                  .put("interval", "* * * * *")
                  .put("timezone", "Europe/Paris"),
              new JsonArray().add("web"));
      assertThat(fx.get("/script-profiles/" + profile).bodyAsJsonObject().getString("next_fire_at"))
          .isEqualTo("2030-01-01T00:01:00Z");

      List<OutpostServer> two = List.of(sweeper(vertx, fx), sweeper(vertx, fx));
      for (int minute = 1; minute <= 3; minute++) {
        passMinute(fx, profile, minute);
      }
      two.forEach(server -> await(server.close()));

      OutpostServer restarted = sweeper(vertx, fx);
      passMinute(fx, profile, 4);
      await(restarted.close());

      // down from 00:04:30 to 03:04:30: the server that comes back fires once, not 180 times
      fx.clock.set(START.plus(Duration.ofHours(3)).plusSeconds(4 * 60 + 30));
      OutpostServer back = sweeper(vertx, fx);
      eventually(20, () -> firings(fx, profile).size() == 5);
      eventually(
          20,
          () -> nextFireAt(fx, profile).equals(Optional.of(Instant.parse("2030-01-01T03:05:00Z"))));
      assertThat(firings(fx, profile)).hasSize(5);
      await(back.close());

      JsonArray activities =
          fx.get("/script-profiles/" + profile + "/activities")
              .bodyAsJsonObject()
              .getJsonArray("results");
      assertThat(activities).hasSize(5);
      long group = activities.getJsonObject(0).getLong("id");
      JsonObject fired = fx.get("/activities/" + group).bodyAsJsonObject();
      assertThat(fired.getString("type")).isEqualTo("ActivityGroup");
      assertThat(fired.getString("creator")).isEqualTo(AccountStore.BOOTSTRAP_EMAIL);
      assertThat(
              fired.getJsonArray("children").stream()
                  .map(c -> ((JsonObject) c).getLong("computer_id"))
                  .toList())
          .containsExactlyInAnyOrder(web1, web2);
      assertThat(fired.getJsonObject("parameters").getString("code")).isEqualTo("echo fired");
      TestSupport.endActivities(fx.server.pool(), fx.accountId);
    }
  }

  /**
   * Verifies that a one-time profile targeting a computer query fires once, on the computers the
   * query selects, and then has nothing due.
   */
  @Test
  void aOneTimeProfileFiresOnce(Vertx vertx) {
    try (ServerFixture fx = sweeping(vertx)) {
      long computer = tagged(fx, "once-1", "web");
      tagged(fx, "other-1", "web");
      JsonObject body =
          profileBody(
              script(fx),
              new JsonObject()
                  .put("trigger_type", "one_time")
                  .put("timestamp", START.plus(Duration.ofHours(1)).toString()),
              new JsonArray());
      body.remove("tags");
      HttpResponse<Buffer> created = fx.post("/script-profiles", body.put("query", "title:once-*"));
      assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
      assertThat(created.bodyAsJsonObject().getString("query")).isEqualTo("title:once-*");
      long profile = created.bodyAsJsonObject().getLong("id");

      fx.clock.set(START.plus(Duration.ofHours(2)));

      eventually(20, () -> nextFireAt(fx, profile).isEmpty());
      fx.clock.set(START.plus(Duration.ofDays(2)));
      List<Instant> firings = firings(fx, profile);
      assertThat(firings).containsExactly(START.plus(Duration.ofHours(1)));
      JsonArray activities =
          fx.get("/script-profiles/" + profile + "/activities")
              .bodyAsJsonObject()
              .getJsonArray("results");
      assertThat(activities).hasSize(1);
      assertThat(activities.getJsonObject(0).getLong("computer_id")).isEqualTo(computer);
      assertBadRequest(
          fx.post(
              "/script-profiles",
              profileBody(
                  script(fx),
                  new JsonObject()
                      .put("trigger_type", "one_time")
                      .put("timestamp", START.toString()),
                  new JsonArray().add("web"))),
          "future");
      TestSupport.endActivities(fx.server.pool(), fx.accountId);
    }
  }

  /**
   * Verifies that a computer registering after a post-enrollment profile was made is given its
   * script once, and that a profile whose tags it does not carry gives it nothing.
   */
  @Test
  void aPostEnrollmentProfileRunsOnComputersThatRegisterAndMatch(Vertx vertx) {
    try (ServerFixture fx = sweeping(vertx)) {
      JsonObject enrollment =
          new JsonObject().put("trigger_type", "event").put("event_type", "post_enrollment");
      long matching = profile(fx, enrollment, new JsonArray().add("web"));
      long other = profile(fx, enrollment, new JsonArray().add("db"));

      // ProtocolClient registers with the tags web and prod
      ProtocolClient client = ProtocolClient.registered(fx, "enrolled");

      eventually(20, () -> firings(fx, matching).size() == 1);
      JsonArray activities =
          fx.get("/script-profiles/" + matching + "/activities")
              .bodyAsJsonObject()
              .getJsonArray("results");
      assertThat(activities.getJsonObject(0).getLong("computer_id")).isEqualTo(client.insecureId);
      // both profiles were looked at in the transaction that fired the first
      assertThat(firings(fx, other)).isEmpty();
      assertThat(
              await(
                      fx.server
                          .pool()
                          .preparedQuery("SELECT count(*) FROM enrollments WHERE account_id = $1")
                          .execute(Tuple.of(fx.accountId)))
                  .iterator()
                  .next()
                  .getLong(0))
          .isZero();
      TestSupport.endActivities(fx.server.pool(), fx.accountId);
    }
  }

  /** Verifies that malformed profiles are refused by the part at fault. */
  @Test
  void malformedProfilesAreRefusedByName(Vertx vertx) {
    try (ServerFixture fx = new ServerFixture(vertx)) {
      long script = script(fx);
      JsonObject recurring =
          new JsonObject().put("trigger_type", "recurring").put("interval", "61 * * * *");
      assertBadRequest(
          fx.post("/script-profiles", profileBody(script, recurring, new JsonArray().add("a"))),
          "interval");
      recurring.put("interval", "0 3 * * *").put("timezone", "Mars/Olympus");
      assertBadRequest(
          fx.post("/script-profiles", profileBody(script, recurring, new JsonArray().add("a"))),
          "timezone");
      recurring.remove("timezone");
      assertBadRequest(
          fx.post("/script-profiles", profileBody(script, recurring, new JsonArray())), "tags");
      assertBadRequest(
          fx.post(
              "/script-profiles",
              profileBody(script, recurring, new JsonArray().add("a")).put("query", "tag:a")),
          "one of them");
      JsonObject badQuery = profileBody(script, recurring, new JsonArray());
      badQuery.remove("tags");
      assertBadRequest(
          fx.post("/script-profiles", badQuery.put("query", "tag:a AND bogus:1")), "bogus");
      JsonArray many = new JsonArray();
      for (int i = 0; i < 51; i++) {
        many.add("t" + i);
      }
      assertBadRequest(
          fx.post("/script-profiles", profileBody(script, recurring, many)), "at most 50");
      HttpResponse<Buffer> unknown =
          fx.post("/script-profiles", profileBody(9_999_999, recurring, new JsonArray().add("a")));
      assertThat(unknown.statusCode()).isEqualTo(404);
    }
  }

  /** Moves the clock half a minute past {@code minute} and waits for exactly that firing. */
  private static void passMinute(ServerFixture fx, long profile, int minute) {
    fx.clock.set(START.plus(Duration.ofMinutes(minute)).plusSeconds(30));
    Instant next = START.plus(Duration.ofMinutes(minute + 1));
    eventually(20, () -> nextFireAt(fx, profile).equals(Optional.of(next)));
    List<Instant> expected = new ArrayList<>();
    for (int m = 1; m <= minute; m++) {
      expected.add(START.plus(Duration.ofMinutes(m)));
    }
    assertThat(firings(fx, profile)).containsExactlyElementsOf(expected);
  }

  /** A server sweeping the fixture's database every 10 ms on the fixture's clock. */
  private static OutpostServer sweeper(Vertx vertx, ServerFixture fx) {
    return await(
        OutpostServer.start(
            vertx,
            TestSupport.database(),
            TestSupport.amqpUrl(),
            ServerConfig.fromEnv(
                Map.of(
                    "OUTPOST_ROLE", "api",
                    "OUTPOST_JOBS_QUEUE", fx.config.jobs().queue(),
                    "OUTPOST_SWEEP_INTERVAL_MS", "10",
                    "OUTPOST_HTTP_PORT", "0",
                    "OUTPOST_HOME", fx.config.home().toString())),
            fx.clock,
            Map.of()));
  }

  private static ServerFixture sweeping(Vertx vertx) {
    return new ServerFixture(
        vertx, Map.of("OUTPOST_ROLE", "api", "OUTPOST_SWEEP_INTERVAL_MS", "10"), Map.of());
  }

  private static long tagged(ServerFixture fx, String title, String tag) {
    return await(fx.server.computers().add(fx.accountId, title, title, List.of(tag)));
  }

  private static long script(ServerFixture fx) {
    return fx.post("/scripts", new JsonObject().put("title", "fired").put("code", "echo fired"))
        .bodyAsJsonObject()
        .getLong("id");
  }

  private static long profile(ServerFixture fx, JsonObject trigger, JsonArray tags) {
    HttpResponse<Buffer> created =
        fx.post("/script-profiles", profileBody(script(fx), trigger, tags));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    return created.bodyAsJsonObject().getLong("id");
  }

  private static JsonObject profileBody(long script, JsonObject trigger, JsonArray tags) {
    return new JsonObject()
        .put("title", "profile")
        .put("script_id", script)
        .put("tags", tags)
        .put("trigger", trigger);
  }

  /** The due times the profile fired, oldest first. */
  private static List<Instant> firings(ServerFixture fx, long profile) {
    List<Instant> due = new ArrayList<>();
    for (Row row :
        await(
            fx.server
                .pool()
                .preparedQuery(
                    "SELECT due_at FROM script_profile_activities WHERE profile_id = $1"
                        + " ORDER BY due_at")
                .execute(Tuple.of(profile)))) {
      due.add(row.getOffsetDateTime(0).toInstant());
    }
    return due;
  }

  private static Optional<Instant> nextFireAt(ServerFixture fx, long profile) {
    return Optional.ofNullable(
            await(
                    fx.server
                        .pool()
                        .preparedQuery("SELECT next_fire_at FROM script_profiles WHERE id = $1")
                        .execute(Tuple.of(profile)))
                .iterator()
                .next()
                .getOffsetDateTime(0))
        .map(OffsetDateTime::toInstant);
  }
}
