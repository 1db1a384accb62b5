package dev.outpost.server.jobs;

import static dev.outpost.server.TestSupport.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.server.ServerFixture;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** SyncPocketRequest through a whole server: creating one, waiting for it, and what it left. */
final class Pockets {

  private static final Set<String> FINAL = Set.of("succeeded", "failed", "canceled");

  private Pockets() {}

  /** Creates a SyncPocketRequest and answers its id. */
  static long sync(ServerFixture fx, String source, String pocket) {
    return fx.post(
            "/activities",
            new JsonObject()
                .put("type", "SyncPocketRequest")
                .put(
                    "parameters", new JsonObject().put("source_url", source).put("pocket", pocket)))
        .bodyAsJsonObject()
        .getLong("id");
  }

  /**
   * Waits for the activity to end and answers it, having checked that its result text names no path
   * of the server's.
   */
  static JsonObject finished(ServerFixture fx, long id) {
    eventually(20, () -> FINAL.contains(activity(fx, id).getString("status")));
    JsonObject activity = activity(fx, id);
    assertThat(activity.getString("result_text"))
        .as(activity.encode())
        .doesNotContain(fx.config.home().toString());
    return activity;
  }

  /** Waits for the activity to fail and answers its result text. */
  static String failure(ServerFixture fx, long id) {
    JsonObject activity = finished(fx, id);
    assertThat(activity.getString("status")).as(activity.encode()).isEqualTo("failed");
    return activity.getString("result_text");
  }

  static JsonObject activity(ServerFixture fx, long id) {
    return fx.get("/activities/" + id).bodyAsJsonObject();
  }

  /** Where the fixture's account keeps the pocket. */
  static Path pocket(ServerFixture fx, String name) {
    return accountPockets(fx).resolve(name);
  }

  /** Asserts that the pocket does not exist and that no sync left a staging directory behind. */
  static void assertNothingKept(ServerFixture fx, String name) {
    assertThat(pocket(fx, name)).doesNotExist();
    assertThat(staged(fx)).isEmpty();
  }

  /** The staging (and replaced) directories in the account's storage. */
  static List<String> staged(ServerFixture fx) {
    Path dir = accountPockets(fx);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path accountPockets(ServerFixture fx) {
    return fx.config.home().resolve("storage/pockets").resolve(Long.toString(fx.accountId));
  }
}
