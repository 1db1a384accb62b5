package dev.outpost.bench.benchmarks;

import dev.outpost.bench.Benchmark;
import dev.outpost.bench.Context;
import dev.outpost.bench.Report;

/** 6. Agent footprint: one idle real agent, and a simulated fleet in one JVM. */
public final class AgentBench implements Benchmark {

  @Override
  public String name() {
    return "agent";
  }

  @Override
  public void run(Context ctx, Report report) {
    throw new UnsupportedOperationException("needs the agent");
  }
}
