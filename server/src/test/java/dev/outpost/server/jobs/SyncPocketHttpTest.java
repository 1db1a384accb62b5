package dev.outpost.server.jobs;

import static dev.outpost.server.TestSupport.await;
import static dev.outpost.server.TestSupport.eventually;
import static dev.outpost.server.jobs.Pockets.activity;
import static dev.outpost.server.jobs.Pockets.assertNothingKept;
import static dev.outpost.server.jobs.Pockets.failure;
import static dev.outpost.server.jobs.Pockets.finished;
import static dev.outpost.server.jobs.Pockets.pocket;
import static dev.outpost.server.jobs.Pockets.sync;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.server.ServerFixture;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * SyncPocketRequest from http repositories: only to allowed addresses, redirects included, streamed
 * within the byte and file caps, stopped by the idle and total timeouts and by a cancel, and all or
 * nothing. The repositories are Vert.x servers on loopback addresses, of which the server allows
 * one (127.0.0.1).
 */
@ExtendWith(VertxExtension.class)
class SyncPocketHttpTest {

  private static Vertx vertx;

  /** 127.0.0.1 allowed, small caps, a 1 s idle timeout and a 2 s sync timeout. */
  private static ServerFixture fx;

  private final List<Repo> repos = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start(Vertx shared) {
    vertx = shared;
    fx =
        new ServerFixture(
            vertx,
            Map.of(
                "OUTPOST_OUTBOUND_ALLOW_PRIVATE",
                "127.0.0.1",
                "OUTPOST_POCKET_MAX_BYTES",
                "1000",
                "OUTPOST_POCKET_MAX_FILES",
                "5",
                "OUTPOST_OUTBOUND_IDLE_TIMEOUT_SECONDS",
                "1",
                "OUTPOST_POCKET_TIMEOUT_SECONDS",
                "2",
                // renewals (a third of this) tell a handler of a cancel; longer than the clock is
                // moved
                "OUTPOST_JOBS_LEASE_SECONDS",
                "5"),
            Map.of());
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  @AfterEach
  void closeRepos() {
    repos.forEach(repo -> await(repo.server.close()));
  }

  /**
   * Verifies that an http repository on an allowed address is mirrored (its index, then every file
   * it names, through a redirect), with the Host header of the URL; that an answer other than 200
   * fails naming it; and that an index naming a file outside the pocket is refused.
   */
  @Test
  void mirrorsAnHttpRepositoryOnAnAllowedAddress() {
    String index =
        "Package: hello\nFilename: pool/h/hello.deb\n\n"
            + "Package: world\nFilename: pool/w/world.deb\n";
    Repo repo =
        repo(
            "127.0.0.1",
            req -> {
              switch (req.path()) {
                case "/repo/Packages" -> req.response().end(index);
                case "/repo/pool/h/hello.deb" ->
                    req.response()
                        .setStatusCode(302)
                        .putHeader("Location", "/files/hello.deb")
                        .end();
                case "/files/hello.deb" -> req.response().end("hello bytes");
                case "/repo/pool/w/world.deb" -> req.response().end("world bytes");
                case "/escape/Packages" -> req.response().end("Filename: ../../escape.deb\n");
                default -> req.response().setStatusCode(404).end();
              }
            });

    JsonObject done = finished(fx, sync(fx, repo.url("/repo/"), "http-main"));

    assertThat(done.getString("status")).as(done.encode()).isEqualTo("succeeded");
    assertThat(done.getString("result_text"))
        .isEqualTo(
            "mirrored 3 files (" + (index.length() + 22) + " bytes) into pocket 'http-main'");
    assertThat(pocket(fx, "http-main").resolve("pool/h/hello.deb")).hasContent("hello bytes");
    assertThat(pocket(fx, "http-main").resolve("pool/w/world.deb")).hasContent("world bytes");
    assertThat(pocket(fx, "http-main").resolve("Packages")).hasContent(index);
    assertThat(repo.hosts).containsOnly("127.0.0.1:" + repo.port());

    assertThat(failure(fx, sync(fx, repo.url("/nothing"), "http-none")))
        .isEqualTo("GET " + repo.url("/nothing/Packages") + " answered 404");
    assertThat(failure(fx, sync(fx, repo.url("/escape"), "http-escape")))
        .isEqualTo("the index names a file outside the pocket: '../../escape.deb'");
    assertThat(repo.requests("/escape.deb")).isZero();
    assertNothingKept(fx, "http-none");
    assertNothingKept(fx, "http-escape");
  }

  /**
   * Verifies that each redirect is checked as the first request was: one to an address not allowed
   * is refused before that address hears of it, one to another scheme is refused, and a chain
   * longer than five fails.
   */
  @Test
  void redirectsAreCheckedAndBounded() {
    Repo other = repo("127.0.0.2", req -> req.response().end("Filename: a.deb\n"));
    Repo repo =
        repo(
            "127.0.0.1",
            req -> {
              String location =
                  switch (req.path()) {
                    case "/private/Packages" -> other.url("/repo/Packages");
                    case "/ftp/Packages" -> "ftp://127.0.0.1/repo/Packages";
                    default -> req.path();
                  };
              req.response()
                  .setStatusCode(req.path().startsWith("/loop") ? 307 : 301)
                  .putHeader("Location", location)
                  .end();
            });

    assertThat(failure(fx, sync(fx, repo.url("/private"), "redirected")))
        .isEqualTo(
            "address 127.0.0.2 of host '127.0.0.2' is not public (loopback);"
                + " set OUTPOST_OUTBOUND_ALLOW_PRIVATE to allow it");
    assertThat(failure(fx, sync(fx, repo.url("/ftp"), "redirected")))
        .isEqualTo("'ftp://127.0.0.1/repo/Packages' is not an http(s) URL");
    assertThat(failure(fx, sync(fx, repo.url("/loop"), "redirected")))
        .isEqualTo("GET " + repo.url("/loop/Packages") + " was redirected more than 5 times");

    assertThat(other.total()).isZero();
    assertThat(repo.requests("/loop/Packages")).isEqualTo(6);
    assertNothingKept(fx, "redirected");
  }

  /**
   * Verifies that the byte cap holds whether the length is announced or not (the body is counted as
   * it streams), that the file cap holds before any file the index names is fetched, and that a
   * failed sync leaves no pocket.
   */
  @Test
  void theByteAndFileCapsFailTheSync() {
    Repo repo =
        repo(
            "127.0.0.1",
            req -> {
              switch (req.path()) {
                case "/announced/Packages" -> req.response().end("#".repeat(1001));
                case "/streamed/Packages" -> {
                  HttpServerResponse response = req.response().setChunked(true);
                  for (int i = 0; i < 6; i++) {
                    response.write("#".repeat(200));
                  }
                  response.end();
                }
                case "/many/Packages" ->
                    req.response()
                        .end(
                            "Filename: 1.deb\nFilename: 2.deb\nFilename: 3.deb\nFilename: 4.deb\nFilename: 5.deb\n");
                default -> req.response().end("x");
              }
            });

    assertThat(failure(fx, sync(fx, repo.url("/announced"), "capped")))
        .isEqualTo("the source holds more than 1000 bytes (OUTPOST_POCKET_MAX_BYTES)");
    assertThat(failure(fx, sync(fx, repo.url("/streamed"), "capped")))
        .isEqualTo("the source holds more than 1000 bytes (OUTPOST_POCKET_MAX_BYTES)");
    assertThat(failure(fx, sync(fx, repo.url("/many"), "capped")))
        .isEqualTo("the source holds more than 5 files (OUTPOST_POCKET_MAX_FILES)");

    assertThat(repo.total()).isEqualTo(3);
    assertNothingKept(fx, "capped");
  }

  /** Verifies that a server that stops sending mid-body fails the sync on the idle timeout. */
  @Test
  void aStalledServerFailsOnTheIdleTimeout() {
    AtomicBoolean closed = new AtomicBoolean();
    Repo repo =
        repo(
            "127.0.0.1",
            req -> {
              req.response().closeHandler(v -> closed.set(true));
              req.response().setChunked(true).write("Package: stalled\n");
            });

    assertThat(failure(fx, sync(fx, repo.url("/stall"), "stalled")))
        .isEqualTo(
            "GET "
                + repo.url("/stall/Packages")
                + ": nothing came from '127.0.0.1' for"
                + " 1 s (OUTPOST_OUTBOUND_IDLE_TIMEOUT_SECONDS)");
    eventually(5, closed::get);
    assertNothingKept(fx, "stalled");
  }

  /**
   * Verifies that a server that never stops sending, a little at a time, fails the sync once its
   * time (on the server's clock) is up, and that the transfer is cut.
   */
  @Test
  void aTricklingServerFailsOnTheSyncTimeout() {
    AtomicBoolean closed = new AtomicBoolean();
    Repo repo = repo("127.0.0.1", trickle(closed));
    long id = sync(fx, repo.url("/trickle"), "trickled");
    eventually(10, () -> repo.total() == 1);

    fx.clock.set(fx.clock.instant().plus(Duration.ofSeconds(3)));

    assertThat(failure(fx, id))
        .isEqualTo("the sync did not finish within 2 s (OUTPOST_POCKET_TIMEOUT_SECONDS)");
    eventually(5, closed::get);
    assertNothingKept(fx, "trickled");
  }

  /**
   * Verifies that canceling a sync under way cuts the transfer, deletes what it staged, and ends
   * the job without writing an outcome over the cancel.
   */
  @Test
  void aCancelCutsTheTransferAndEndsTheJob() {
    AtomicBoolean closed = new AtomicBoolean();
    Repo repo = repo("127.0.0.1", trickle(closed));
    long id = sync(fx, repo.url("/trickle"), "canceled");
    eventually(10, () -> repo.total() == 1);

    fx.post("/activities/cancel", new JsonObject().put("ids", new JsonArray().add(id)));

    eventually(10, closed::get);
    eventually(10, () -> Pockets.staged(fx).isEmpty());
    assertThat(activity(fx, id).getString("status")).isEqualTo("canceled");
    assertNothingKept(fx, "canceled");
    assertThat(fx.get("/activities/" + id + "/events").bodyAsJsonObject().getJsonArray("results"))
        .extracting(e -> ((JsonObject) e).getString("to"))
        .containsExactly("queued", "in-progress", "canceled");
  }

  /**
   * Verifies that an activity's own execution timeout, which the scheduler enforces, cuts the
   * transfer as a cancel does, and that the failure is the scheduler's.
   */
  @Test
  void anExecutionTimeoutCutsTheTransfer() {
    AtomicBoolean closed = new AtomicBoolean();
    Repo repo = repo("127.0.0.1", trickle(closed));
    long id =
        fx.post(
                "/activities",
                new JsonObject()
                    .put("type", "SyncPocketRequest")
                    .put("execution_timeout", 1)
                    .put(
                        "parameters",
                        new JsonObject()
                            .put("source_url", repo.url("/trickle"))
                            .put("pocket", "timed-out")))
            .bodyAsJsonObject()
            .getLong("id");
    eventually(10, () -> repo.total() == 1);

    // past the activity's timeout, short of the sync's own (2 s)
    fx.clock.set(fx.clock.instant().plus(Duration.ofMillis(1500)));

    assertThat(failure(fx, id)).contains("timeout");
    eventually(10, closed::get);
    eventually(10, () -> Pockets.staged(fx).isEmpty());
    assertNothingKept(fx, "timed-out");
  }

  /** A response that sends two bytes every 100 ms, for ever, until its connection closes. */
  private static Handler<HttpServerRequest> trickle(AtomicBoolean closed) {
    return req -> {
      HttpServerResponse response = req.response().setChunked(true);
      long timer = vertx.setPeriodic(100, tick -> response.write("#\n"));
      response.closeHandler(
          v -> {
            vertx.cancelTimer(timer);
            closed.set(true);
          });
    };
  }

  private Repo repo(String address, Handler<HttpServerRequest> handler) {
    Repo repo = new Repo(address);
    repo.server =
        await(
            vertx
                .createHttpServer()
                .requestHandler(
                    req -> {
                      repo.hosts.add(req.authority().toString());
                      repo.requests
                          .computeIfAbsent(req.path(), p -> new AtomicInteger())
                          .incrementAndGet();
                      handler.handle(req);
                    })
                .listen(0, address));
    repos.add(repo);
    return repo;
  }

  /** A repository server on one address, counting the requests it got by path. */
  private static final class Repo {
    final String address;
    final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    final List<String> hosts = new CopyOnWriteArrayList<>();
    HttpServer server;

    Repo(String address) {
      this.address = address;
    }

    int port() {
      return server.actualPort();
    }

    String url(String path) {
      return "http://" + address + ":" + port() + path;
    }

    int requests(String path) {
      AtomicInteger count = requests.get(path);
      return count == null ? 0 : count.get();
    }

    int total() {
      return requests.values().stream().mapToInt(AtomicInteger::get).sum();
    }
  }
}
