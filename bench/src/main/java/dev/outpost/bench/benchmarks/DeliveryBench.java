package dev.outpost.bench.benchmarks;

import dev.outpost.bench.Benchmark;
import dev.outpost.bench.Context;
import dev.outpost.bench.Report;

/** 5. Delivery latency: activity created until the agent has it. */
public final class DeliveryBench implements Benchmark {

  @Override
  public String name() {
    return "delivery";
  }

  @Override
  public void run(Context ctx, Report report) {
    throw new UnsupportedOperationException("needs the agent");
  }
}
