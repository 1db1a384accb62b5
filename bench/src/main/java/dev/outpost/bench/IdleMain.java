package dev.outpost.bench;

import io.vertx.core.Vertx;

/**
 * The floor of the agent footprint benchmark: a JVM that starts Vert.x and wakes every 30 seconds
 * to do nothing, as an idle agent pings; what any Vert.x process on this JVM costs.
 */
public final class IdleMain {

  private IdleMain() {}

  public static void main(String[] args) throws InterruptedException {
    Vertx vertx = Vertx.vertx();
    vertx.setPeriodic(30_000, tick -> {});
    Thread.currentThread().join();
  }
}
