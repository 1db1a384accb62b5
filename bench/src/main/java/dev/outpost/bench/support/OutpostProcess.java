package dev.outpost.bench.support;

import dev.outpost.bench.Context;
import dev.outpost.server.account.Secrets;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An Outpost server in a process of its own (so that its CPU and memory can be told apart from the
 * load generator's), on a benchmark's database and its own job queue.
 */
public final class OutpostProcess implements AutoCloseable {

  private final ChildProcess process;
  private final int port;
  private final String adminToken;
  private final String registrationKey;
  private final String queue;
  private final String amqpUrl;

  private OutpostProcess(
      ChildProcess process,
      int port,
      String adminToken,
      String registrationKey,
      String queue,
      String amqpUrl) {
    this.process = process;
    this.port = port;
    this.adminToken = adminToken;
    this.registrationKey = registrationKey;
    this.queue = queue;
    this.amqpUrl = amqpUrl;
  }

  /**
   * Starts the server jar, or with {@code noopTypes} the harness's launcher that replaces those
   * types' job handlers by ones that return at once, and waits until its admin API answers: the
   * server listens before it has made its bootstrap account, so health alone is too early.
   *
   * @param env extra {@code OUTPOST_*} settings
   */
  public static OutpostProcess start(
      Context ctx, BenchDatabase db, String label, Map<String, String> env, List<String> noopTypes)
      throws IOException, InterruptedException {
    int port = ChildProcess.freePort();
    String token = Secrets.generate();
    String key = Secrets.generate();
    String queue = "outpost.bench." + db.name();
    Path home = Files.createDirectories(ctx.results().resolve(label + "-home"));
    Map<String, String> all =
        new HashMap<>(
            Map.of(
                "OUTPOST_HTTP_PORT",
                String.valueOf(port),
                "OUTPOST_DB_URL",
                db.url(),
                "OUTPOST_AMQP_URL",
                ctx.config().amqpUrl(),
                "OUTPOST_HOME",
                home.toString(),
                "OUTPOST_ADMIN_TOKEN",
                token,
                "OUTPOST_REGISTRATION_KEY",
                key,
                "OUTPOST_JOBS_QUEUE",
                queue,
                "OUTPOST_LOG_LEVEL",
                "WARN"));
    // HTTPS too, on a port of its own: two servers of a run must not both ask for 8443
    all.put("OUTPOST_HTTPS_PORT", "0");
    all.putAll(env);
    List<String> jvm = ctx.serverJvmOptions(label);
    List<String> command;
    if (noopTypes.isEmpty()) {
      command = ChildProcess.java(jvm, "-jar", ctx.serverJar().toString());
    } else {
      List<String> args =
          new ArrayList<>(List.of("-cp", ctx.classpath(), "dev.outpost.bench.ServeMain"));
      args.addAll(noopTypes);
      command = ChildProcess.java(jvm, args.toArray(String[]::new));
    }
    ChildProcess child =
        ChildProcess.start(label, command, all, ctx.results().resolve(label + ".log"));
    OutpostProcess server =
        new OutpostProcess(child, port, token, key, queue, ctx.config().amqpUrl());
    try {
      waitHealthy(child, port, "/api/v2/activities?limit=1", "Bearer " + token);
    } catch (RuntimeException | InterruptedException e) {
      server.close();
      throw e;
    }
    return server;
  }

  /** Polls {@code path} until it answers 200, for two minutes at most. */
  public static void waitHealthy(ChildProcess child, int port, String path)
      throws InterruptedException {
    waitHealthy(child, port, path, null);
  }

  /** Polls {@code path}, with this Authorization header if any, until it answers 200. */
  private static void waitHealthy(ChildProcess child, int port, String path, String authorization)
      throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      child.checkAlive();
      try {
        HttpRequest.Builder request =
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(2));
        if (authorization != null) {
          request.header("Authorization", authorization);
        }
        HttpResponse<Void> response =
            http.send(request.GET().build(), HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(
        "no answer on port " + port + " after two minutes; see " + child.log());
  }

  public long pid() {
    return process.pid();
  }

  public int port() {
    return port;
  }

  public String adminToken() {
    return adminToken;
  }

  public String registrationKey() {
    return registrationKey;
  }

  /** The process, to check it is alive. */
  public ChildProcess process() {
    return process;
  }

  /** Stops the server and deletes its job queue. */
  @Override
  public void close() throws InterruptedException {
    process.close();
    Amqp.deleteQueue(amqpUrl, queue);
  }
}
