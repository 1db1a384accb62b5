package dev.outpost.server.exchange;

import static dev.outpost.server.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.common.wire.Bpickle;
import dev.outpost.common.wire.Bytes;
import dev.outpost.common.wire.WireMap;
import dev.outpost.server.ProtocolClient;
import dev.outpost.server.ServerFixture;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Many computers exchanging at once, so that the server answers them in batches: each still gets
 * exactly its own activities, its results land on its own activities, and a group's limits hold
 * across the computers of one batch.
 */
@ExtendWith(VertxExtension.class)
class ConcurrentExchangeTest {

  private static ServerFixture fx;
  private static ExecutorService threads;

  @BeforeAll
  static void start(Vertx vertx) {
    fx = new ServerFixture(vertx);
    threads = Executors.newFixedThreadPool(32);
  }

  @AfterAll
  static void stop() {
    threads.shutdownNow();
    fx.close();
  }

  /** Verifies delivery and results of forty computers exchanging at the same moment. */
  @Test
  void eachOfManyComputersGetsItsOwnActivityAndReportsOnIt() throws Exception {
    List<ProtocolClient> agents = ProtocolClient.registered(fx, "many", 40);
    long group =
        fx.post("/activities", ProtocolClient.scriptFor(agents)).bodyAsJsonObject().getLong("id");

    List<WireMap> answers = all(agents, agent -> agent.exchange(List.of()));

    for (int i = 0; i < agents.size(); i++) {
      long computer = agents.get(i).insecureId;
      List<WireMap> scripts =
          answers.get(i).mapList("messages").stream()
              .filter(m -> m.text("type").equals("execute-script"))
              .toList();
      assertThat(scripts)
          .singleElement()
          .satisfies(
              m -> assertThat(m.integer("operation-id")).isEqualTo(childOf(group, computer)));
    }

    all(
        agents,
        agent ->
            agent.exchange(
                List.of(
                    ProtocolClient.result(
                        childOf(group, agent.insecureId), 6, 0, "done by " + agent.insecureId))));

    JsonArray children = fx.get("/activities/" + group).bodyAsJsonObject().getJsonArray("children");
    assertThat(children).hasSize(agents.size());
    assertThat(children.stream().map(c -> (JsonObject) c))
        .allSatisfy(
            c -> {
              assertThat(c.getString("status")).isEqualTo("succeeded");
              assertThat(c.getString("result_text"))
                  .isEqualTo("done by " + c.getLong("computer_id"));
            });
    // every exchange of a registered computer went through a batch, and the meter counts it
    assertThat(meter("outpost_exchange_batch_sum")).isGreaterThanOrEqualTo(2 * agents.size());
  }

  /** Verifies max_concurrency when every computer of the group exchanges at once. */
  @Test
  void aGroupsConcurrencyLimitHoldsWhenItsComputersExchangeTogether() throws Exception {
    List<ProtocolClient> agents = ProtocolClient.registered(fx, "limited", 12);
    long group =
        fx.post("/activities", ProtocolClient.scriptFor(agents).put("max_concurrency", 3))
            .bodyAsJsonObject()
            .getLong("id");

    List<WireMap> answers = all(agents, agent -> agent.exchange(List.of()));

    long delivered =
        answers.stream()
            .filter(
                a ->
                    a.mapList("messages").stream()
                        .anyMatch(m -> m.text("type").equals("execute-script")))
            .count();
    assertThat(delivered).isEqualTo(3);
    assertThat(
            fx.get("/activities/" + group).bodyAsJsonObject().getJsonArray("children").stream()
                .map(c -> (JsonObject) c)
                .filter(c -> c.getString("status").equals("in-progress")))
        .hasSize(3);
  }

  /** Verifies that a malformed exchange among good ones is refused alone. */
  @Test
  void aMalformedExchangeAmongOthersIsRefusedAlone() throws Exception {
    List<ProtocolClient> agents = ProtocolClient.registered(fx, "mixed", 16);
    ProtocolClient broken = agents.get(7);

    List<Integer> statuses =
        all(
            agents,
            agent -> {
              if (agent != broken) {
                agent.exchange(List.of());
                return 200;
              }
              Map<String, Object> payload =
                  Map.of(
                      "server-api",
                      Bytes.of("3.3"),
                      "sequence",
                      "not a number",
                      "messages",
                      List.of());
              HttpResponse<Buffer> response =
                  await(agent.request().sendBuffer(Buffer.buffer(Bpickle.encode(payload))));
              assertThat(response.bodyAsString()).contains("sequence");
              return response.statusCode();
            });

    assertThat(statuses.get(7)).isEqualTo(400);
    assertThat(statuses).filteredOn(s -> s == 200).hasSize(agents.size() - 1);
  }

  /** Runs one call per agent, all released at the same moment; their results in agent order. */
  private static <T> List<T> all(List<ProtocolClient> agents, Call<T> call) throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    List<Future<T>> running =
        agents.stream()
            .map(
                agent ->
                    threads.submit(
                        (Callable<T>)
                            () -> {
                              go.await();
                              return call.on(agent);
                            }))
            .toList();
    go.countDown();
    List<T> results = new java.util.ArrayList<>();
    for (Future<T> f : running) {
      results.add(f.get());
    }
    return results;
  }

  private interface Call<T> {
    T on(ProtocolClient agent) throws Exception;
  }

  private static double meter(String name) {
    return await(fx.http.get("/metrics").send())
        .bodyAsString()
        .lines()
        .filter(line -> line.startsWith(name + " "))
        .mapToDouble(line -> Double.parseDouble(line.substring(name.length() + 1)))
        .findFirst()
        .orElseThrow();
  }

  private static long childOf(long group, long computer) {
    return fx.get("/activities/" + group).bodyAsJsonObject().getJsonArray("children").stream()
        .map(c -> (JsonObject) c)
        .filter(c -> c.getLong("computer_id") == computer)
        .findFirst()
        .orElseThrow()
        .getLong("id");
  }
}
