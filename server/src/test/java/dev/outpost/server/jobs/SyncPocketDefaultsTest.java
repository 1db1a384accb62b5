package dev.outpost.server.jobs;

import static dev.outpost.server.TestSupport.await;
import static dev.outpost.server.jobs.Pockets.assertNothingKept;
import static dev.outpost.server.jobs.Pockets.failure;
import static dev.outpost.server.jobs.Pockets.sync;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.server.ServerFixture;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * SyncPocketRequest on a server left to its defaults: no local source at all, and no request to an
 * address that is not public.
 */
@ExtendWith(VertxExtension.class)
class SyncPocketDefaultsTest {

  private static ServerFixture fx;

  @BeforeAll
  static void start(Vertx vertx) {
    fx = new ServerFixture(vertx);
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  /** Verifies that with no pocket roots, a local directory fails however it is named. */
  @Test
  void noLocalSourceIsTakenWithoutRoots(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("credentials"), "secret");

    for (String source : new String[] {dir.toString(), dir.toUri().toString(), "file:/etc"}) {
      assertThat(failure(fx, sync(fx, source, "local")))
          .isEqualTo(
              "source '"
                  + source
                  + "' is outside the allowed pocket roots (OUTPOST_POCKET_ROOTS names none)");
    }
    assertNothingKept(fx, "local");
  }

  /**
   * Verifies that a repository on loopback is refused before any request, by address or by a name
   * resolving to it, the failure naming the address, the host and the setting.
   */
  @Test
  void aPrivateAddressIsRefusedBeforeAnyRequest(Vertx vertx) {
    AtomicInteger requests = new AtomicInteger();
    HttpServer repo =
        await(
            vertx
                .createHttpServer()
                .requestHandler(
                    req -> {
                      requests.incrementAndGet();
                      req.response().end("Filename: a.deb\n");
                    })
                .listen(0, "127.0.0.1"));
    try {
      String url = "http://127.0.0.1:" + repo.actualPort() + "/repo";
      assertThat(failure(fx, sync(fx, url, "private")))
          .isEqualTo(
              "address 127.0.0.1 of host '127.0.0.1' is not public (loopback);"
                  + " set OUTPOST_OUTBOUND_ALLOW_PRIVATE to allow it");
      assertThat(
              failure(fx, sync(fx, "http://localhost:" + repo.actualPort() + "/repo", "private")))
          .contains(" of host 'localhost' is not public (loopback");

      assertThat(requests).hasValue(0);
      assertNothingKept(fx, "private");
    } finally {
      await(repo.close());
    }
  }
}
