package dev.outpost.bench;

/** One benchmark: it starts what it needs, measures, and stops and drops all of it again. */
public interface Benchmark {

  /** The name {@code scripts/bench} knows it by. */
  String name();

  /** Runs it, handing each figure to the report as soon as it is measured. */
  void run(Context ctx, Report report) throws Exception;
}
