package dev.outpost.bench.support;

import dev.outpost.bench.Figure;
import io.vertx.core.http.HttpMethod;
import java.util.List;

/**
 * The server's heap after a full collection, and its resident memory: measured with a fleet of
 * channels connected and once it has gone, the difference per channel is what a channel costs.
 */
public record ServerMemory(double heapMib, double rssMib) {

  /** Collects the server's garbage ({@code jcmd GC.run}), then reads its heap and RSS. */
  public static ServerMemory of(Http http, OutpostProcess server) throws Exception {
    Process gc =
        new ProcessBuilder("jcmd", String.valueOf(server.pid()), "GC.run")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (gc.waitFor() != 0) {
      throw new IllegalStateException("jcmd GC.run failed for the server");
    }
    Thread.sleep(2_000);
    String metrics = http.await(HttpMethod.GET, "/metrics", null).body().toString();
    double heap = 0;
    for (String line : metrics.split("\n")) {
      if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
        heap += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return new ServerMemory(heap / (1024 * 1024), Procs.rssMib(server.pid()));
  }

  /**
   * The figures of heap (aim ≤ 10 KiB) and RSS per idle channel: {@code connected} with {@code
   * channels} open, over {@code after} the fleet had gone; {@code before} the fleet came, for
   * reference.
   */
  public static List<Figure> perChannel(
      String bench,
      String suffix,
      int channels,
      ServerMemory before,
      ServerMemory connected,
      ServerMemory after) {
    double heapPer = (connected.heapMib() - after.heapMib()) * 1024 / channels;
    double rssPer = (connected.rssMib() - after.rssMib()) * 1024 / channels;
    return List.of(
        Figure.of(bench, "server heap per idle channel" + suffix, "KiB")
            .runs(List.of(heapPer))
            .baseline("-", List.of(heapPer))
            .aim("<= 10 KiB")
            .detail("channels", channels)
            .detail("heap_before_fleet_mib", before.heapMib())
            .detail("heap_connected_mib", connected.heapMib())
            .detail("heap_after_fleet_mib", after.heapMib())
            .build(),
        Figure.of(bench, "server RSS per idle channel" + suffix, "KiB")
            .runs(List.of(rssPer))
            .baseline("-", List.of(rssPer))
            .aim("-")
            .detail("channels", channels)
            .detail("rss_before_fleet_mib", before.rssMib())
            .detail("rss_connected_mib", connected.rssMib())
            .detail("rss_after_fleet_mib", after.rssMib())
            .build());
  }
}
