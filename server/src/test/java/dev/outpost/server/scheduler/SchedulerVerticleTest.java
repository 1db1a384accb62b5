package dev.outpost.server.scheduler;

import static dev.outpost.server.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The scheduler's timer, and its stop. */
@ExtendWith(VertxExtension.class)
class SchedulerVerticleTest {

  /**
   * Verifies that a stop waits for the pass under way and starts none after it: the server closes
   * the pool right after, and a pass still running failed with "Pool closed" (a warning in every
   * orderly stop that met one).
   */
  @Test
  void aStopWaitsForThePassUnderWay(Vertx vertx) throws Exception {
    Promise<Integer> pass = Promise.promise();
    CountDownLatch started = new CountDownLatch(1);
    AtomicInteger passes = new AtomicInteger();
    SchedulerVerticle verticle =
        new SchedulerVerticle(
            () -> {
              passes.incrementAndGet();
              started.countDown();
              return pass.future();
            },
            10,
            new SimpleMeterRegistry().counter("moved"));
    String id = await(vertx.deployVerticle(verticle));
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

    List<String> events = new CopyOnWriteArrayList<>();
    Future<Void> stopped = vertx.undeploy(id).onComplete(done -> events.add("stopped"));
    // a stop that did not wait would be over long before the pass ends
    vertx.setTimer(
        200,
        timer -> {
          events.add("pass ended");
          pass.complete(0);
        });

    await(stopped);
    assertThat(events).containsExactly("pass ended", "stopped");
    assertThat(passes).hasValue(1);
  }
}
