package dev.outpost.agent;

import static dev.outpost.server.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.server.EventStream;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A running script's output reaches the server while it runs, through the real agent. */
@ExtendWith(VertxExtension.class)
class LiveOutputTest {

  private static AgentFixture fx;
  private static long computer;
  private static Vertx vertx;

  @TempDir static Path dataDir;

  @TempDir Path scratch;

  @BeforeAll
  static void start(Vertx v) {
    vertx = v;
    fx = new AgentFixture(v);
    computer = AgentFixture.computerOf(fx.start(fx.config(dataDir, "live-output")));
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  /**
   * Verifies that a follower sees a script's first line while the script still waits (it goes on
   * only once the test saw it), then every line once and in order, and that the stream ends with
   * the activity, whose result text is the whole output as before.
   */
  @Test
  void aFollowerSeesTheOutputWhileTheScriptRunsAndToItsEnd() {
    Path go = scratch.resolve("go");
    long id =
        fx.script(
            computer,
            String.join(
                "\n",
                "echo 'line 1 ②'",
                "while [ ! -e " + go + " ]; do sleep 0.05; done",
                "for i in 2 3 4 5 6 7 8; do echo \"line $i\"; sleep 0.1; done"),
            600);
    EventStream stream =
        EventStream.open(vertx, fx.server, "/activities/" + id + "/output?follow=true");

    await().atMost(AgentFixture.PATIENCE).until(() -> stream.body().contains("line 1 ②"));
    assertThat(fx.activity(id).getString("status")).isEqualTo("in-progress");
    touch(go);
    String body = await(stream.ended());

    String expected = "line 1 ②\nline 2\nline 3\nline 4\nline 5\nline 6\nline 7\nline 8\n";
    StringBuilder followed = new StringBuilder();
    long next = 0;
    for (JsonObject event : EventStream.events(body, "output")) {
      assertThat(event.getLong("offset")).isEqualTo(next);
      followed.append(event.getString("text"));
      next = event.getLong("next_offset");
    }
    assertThat(followed.toString()).isEqualTo(expected);
    assertThat(EventStream.events(body, "end")).hasSize(1);
    JsonObject done = fx.awaitFinal(id);
    assertThat(done.getString("status")).isEqualTo("succeeded");
    assertThat(done.getString("result_text")).isEqualTo(expected);
    JsonObject read = fx.server.get("/activities/" + id + "/output?offset=0").bodyAsJsonObject();
    assertThat(read.getString("text")).isEqualTo(expected);
    assertThat(read.getBoolean("complete")).isTrue();
    assertThat(List.of(read.getBoolean("truncated"))).containsExactly(false);
  }

  private static void touch(Path file) {
    try {
      Files.writeString(file, "go");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
