package dev.outpost.server.api;

import static dev.outpost.server.TestSupport.await;
import static dev.outpost.server.TestSupport.script;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.server.ProtocolClient;
import dev.outpost.server.ServerFixture;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class MetricsTest {

  /**
   * Verifies that /metrics answers without a token in Prometheus's format, counting what happened.
   */
  @Test
  void exposesServerAndJvmMeters(Vertx vertx) {
    try (ServerFixture fx = new ServerFixture(vertx)) {
      ProtocolClient agent = ProtocolClient.registered(fx, "metered");
      fx.post("/activities", script(agent.insecureId));
      agent.exchange(List.of());

      var response = await(fx.http.get("/metrics").send());

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.getHeader("Content-Type")).startsWith("text/plain");
      String text = response.bodyAsString();
      assertThat(text)
          .containsPattern("outpost_exchanges_seconds_count [1-9]")
          .contains("outpost_created_activities_total{kind=\"client\"} 1.0")
          .contains("jvm_memory_used_bytes");
    }
  }
}
