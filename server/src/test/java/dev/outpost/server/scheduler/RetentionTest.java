package dev.outpost.server.scheduler;

import static dev.outpost.server.TestSupport.await;
import static dev.outpost.server.TestSupport.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.server.ServerFixture;
import dev.outpost.server.TestSupport;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** An account's retention: the server archives old finished activities by itself, once a day. */
@ExtendWith(VertxExtension.class)
class RetentionTest {

  /**
   * Verifies that setting retention_days makes the server create one ArchiveRequest that day, which
   * archives the activities finished longer ago, and one more the next day.
   */
  @Test
  void retentionArchivesByItselfOnceADay(Vertx vertx) {
    try (ServerFixture fx =
        new ServerFixture(vertx, Map.of("OUTPOST_SWEEP_INTERVAL_MS", "10"), Map.of())) {
      long computer = fx.computer("retained");
      long old =
          fx.post("/activities", TestSupport.script(computer)).bodyAsJsonObject().getLong("id");
      fx.post("/activities/cancel", new JsonObject().put("ids", new JsonArray().add(old)));
      fx.clock.advance(Duration.ofDays(3));

      JsonObject settings =
          await(
                  fx.api(HttpMethod.PATCH, "/account")
                      .sendJsonObject(new JsonObject().put("retention_days", 2)))
              .bodyAsJsonObject();

      assertThat(settings.getInteger("retention_days")).isEqualTo(2);
      eventually(20, () -> archived(fx).contains(old));
      eventually(20, () -> retentionRuns(fx).equals("succeeded"));
      assertThat(ranOn(fx)).isEqualTo(LocalDate.parse("2030-01-04"));
      assertThat(retentionRuns(fx)).isEqualTo("succeeded");

      fx.clock.advance(Duration.ofDays(1));

      eventually(20, () -> retentionRuns(fx).equals("succeeded succeeded"));
      JsonObject stopped =
          await(
                  fx.api(HttpMethod.PATCH, "/account")
                      .sendJsonObject(new JsonObject().putNull("retention_days")))
              .bodyAsJsonObject();
      assertThat(stopped.getValue("retention_days")).isNull();
      TestSupport.endActivities(fx.server.pool(), fx.accountId);
    }
  }

  /** The statuses of the account's retention runs, oldest first. */
  private static String retentionRuns(ServerFixture fx) {
    JsonArray runs =
        fx.get("/activities?query=type:ArchiveRequest%20creator:retention")
            .bodyAsJsonObject()
            .getJsonArray("results");
    StringBuilder statuses = new StringBuilder();
    for (int i = runs.size() - 1; i >= 0; i--) {
      statuses
          .append(statuses.length() == 0 ? "" : " ")
          .append(runs.getJsonObject(i).getString("status"));
    }
    return statuses.toString();
  }

  private static java.util.List<Long> archived(ServerFixture fx) {
    return fx.get("/activities?archived=true").bodyAsJsonObject().getJsonArray("results").stream()
        .map(a -> ((JsonObject) a).getLong("id"))
        .toList();
  }

  private static LocalDate ranOn(ServerFixture fx) {
    return await(
            fx.server
                .pool()
                .preparedQuery("SELECT retention_ran_on FROM accounts WHERE id = $1")
                .execute(Tuple.of(fx.accountId)))
        .iterator()
        .next()
        .getLocalDate(0);
  }
}
