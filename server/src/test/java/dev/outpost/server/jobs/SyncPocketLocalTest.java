package dev.outpost.server.jobs;

import static dev.outpost.server.jobs.Pockets.assertNothingKept;
import static dev.outpost.server.jobs.Pockets.failure;
import static dev.outpost.server.jobs.Pockets.finished;
import static dev.outpost.server.jobs.Pockets.pocket;
import static dev.outpost.server.jobs.Pockets.sync;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.server.ServerFixture;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * SyncPocketRequest from local directories: only under the operator's pocket roots, links resolved
 * before every check, within the byte and file caps, and all or nothing. One server per class:
 * every server on the test database runs any account's jobs, so servers set up otherwise must not
 * run side by side.
 */
@ExtendWith(VertxExtension.class)
class SyncPocketLocalTest {

  @TempDir static Path root;
  @TempDir static Path outside;

  /** A server whose pocket root is {@link #root}, with small caps. */
  private static ServerFixture fx;

  @BeforeAll
  static void start(Vertx vertx) {
    fx =
        new ServerFixture(
            vertx,
            Map.of(
                "OUTPOST_POCKET_ROOTS",
                root.toString(),
                "OUTPOST_POCKET_MAX_BYTES",
                "1000",
                "OUTPOST_POCKET_MAX_FILES",
                "5"),
            Map.of());
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  /**
   * Verifies that a directory under a root (by path or file: URL, links inside the roots followed)
   * is mirrored with progress, that the result names the pocket and no server path, and that
   * syncing the pocket again replaces it whole.
   */
  @Test
  void mirrorsADirectoryUnderARoot() throws IOException {
    Path main = Files.createDirectories(root.resolve("main/pool"));
    Files.writeString(root.resolve("main/hello_1.0_all.deb"), "deb one");
    Files.writeString(main.resolve("world_2.0_all.deb"), "deb two");
    Files.createSymbolicLink(main.resolve("again.deb"), root.resolve("main/hello_1.0_all.deb"));

    JsonObject done = finished(fx, sync(fx, root.resolve("main").toString(), "local-main"));

    assertThat(done.getString("status")).as(done.encode()).isEqualTo("succeeded");
    assertThat(done.getInteger("progress")).isEqualTo(100);
    assertThat(done.getString("result_text"))
        .isEqualTo("mirrored 3 files (21 bytes) into pocket 'local-main'");
    assertThat(pocket(fx, "local-main").resolve("pool/world_2.0_all.deb")).hasContent("deb two");
    assertThat(pocket(fx, "local-main").resolve("pool/again.deb")).hasContent("deb one");

    Path next = Files.createDirectories(root.resolve("next"));
    Files.writeString(next.resolve("only.deb"), "only");
    JsonObject again = finished(fx, sync(fx, next.toUri().toString(), "local-main"));

    assertThat(again.getString("status")).as(again.encode()).isEqualTo("succeeded");
    assertThat(pocket(fx, "local-main").resolve("only.deb")).hasContent("only");
    assertThat(pocket(fx, "local-main").resolve("pool")).doesNotExist();
    assertThat(Pockets.staged(fx)).isEmpty();
  }

  /**
   * Verifies that a source outside the roots, however written (path, file: URL, dot-dot), fails
   * naming the source and copies nothing.
   */
  @Test
  void aSourceOutsideTheRootsFailsAndCopiesNothing() throws IOException {
    Files.writeString(outside.resolve("credentials"), "secret");
    Files.createDirectories(root.resolve("inside"));

    for (String source :
        new String[] {
          outside.toString(),
          outside.toUri().toString(),
          root + "/inside/../../" + outside.getFileName(),
          "file:/etc",
          "/etc",
          "/nonexistent/dir"
        }) {
      assertThat(failure(fx, sync(fx, source, "outside")))
          .isEqualTo(
              "source '" + source + "' is outside the allowed pocket roots (OUTPOST_POCKET_ROOTS)");
    }
    assertNothingKept(fx, "outside");
  }

  /**
   * Verifies that links leading out of the roots are refused, whether the source itself, a file in
   * it or a directory in it is the link, and that nothing is copied, not even the files beside the
   * link.
   */
  @Test
  void aLinkOutOfTheRootsIsRefused() throws IOException {
    Files.writeString(outside.resolve("credentials"), "secret");
    Path escape = Files.createSymbolicLink(root.resolve("escape"), outside);
    Path fileLink = Files.createDirectories(root.resolve("file-link"));
    Files.writeString(fileLink.resolve("a.deb"), "a");
    Files.createSymbolicLink(fileLink.resolve("credentials"), outside.resolve("credentials"));
    Path dirLink = Files.createDirectories(root.resolve("dir-link"));
    Files.writeString(dirLink.resolve("a.deb"), "a");
    Files.createSymbolicLink(dirLink.resolve("data"), outside);

    assertThat(failure(fx, sync(fx, escape.toString(), "escape")))
        .isEqualTo(
            "source '"
                + escape
                + "' is outside the allowed pocket roots"
                + " (OUTPOST_POCKET_ROOTS)");
    assertThat(failure(fx, sync(fx, fileLink.toString(), "file-link")))
        .isEqualTo(
            "source entry 'credentials' links outside the allowed pocket roots (OUTPOST_POCKET_ROOTS)");
    assertThat(failure(fx, sync(fx, dirLink.toString(), "dir-link")))
        .isEqualTo(
            "source entry 'data' links outside the allowed pocket roots (OUTPOST_POCKET_ROOTS)");
    assertNothingKept(fx, "escape");
    assertNothingKept(fx, "file-link");
    assertNothingKept(fx, "dir-link");
  }

  /** Verifies that schemes other than http(s) and file, and relative paths, are refused by name. */
  @Test
  void otherSchemesAndRelativePathsAreRefused() {
    assertThat(failure(fx, sync(fx, "ftp://mirror.example/ubuntu", "ftp")))
        .isEqualTo(
            "source 'ftp://mirror.example/ubuntu' uses the scheme 'ftp'; a source is an http(s) URL"
                + " or a local directory under the allowed pocket roots");
    assertThat(failure(fx, sync(fx, "jar:file:/srv/a.jar!/", "jar")))
        .startsWith("source 'jar:file:/srv/a.jar!/' uses the scheme 'jar'");
    assertThat(failure(fx, sync(fx, "file://server/share", "unc")))
        .isEqualTo("source 'file://server/share' is not a usable file: URL");
    assertThat(failure(fx, sync(fx, "mirror/ubuntu", "relative")))
        .isEqualTo("source 'mirror/ubuntu' is neither an http(s) URL nor an absolute directory");
    assertThat(Pockets.staged(fx)).isEmpty();
  }

  /**
   * Verifies that a source holding more bytes or more files than the caps fails naming the cap,
   * leaves no pocket, and leaves an earlier sync of the same pocket as it was.
   */
  @Test
  void theByteAndFileCapsFailTheSyncAndKeepTheOldPocket() throws IOException {
    Path big = Files.createDirectories(root.resolve("big"));
    Files.write(big.resolve("large.deb"), new byte[1001]);
    Path many = Files.createDirectories(root.resolve("many"));
    for (int i = 0; i < 6; i++) {
      Files.writeString(many.resolve(i + ".deb"), "x");
    }
    Path small = Files.createDirectories(root.resolve("small"));
    Files.writeString(small.resolve("small.deb"), "small");

    assertThat(failure(fx, sync(fx, big.toString(), "capped")))
        .isEqualTo("the source holds more than 1000 bytes (OUTPOST_POCKET_MAX_BYTES)");
    assertThat(failure(fx, sync(fx, many.toString(), "capped")))
        .isEqualTo("the source holds more than 5 files (OUTPOST_POCKET_MAX_FILES)");
    assertNothingKept(fx, "capped");

    assertThat(finished(fx, sync(fx, small.toString(), "kept")).getString("status"))
        .isEqualTo("succeeded");
    failure(fx, sync(fx, big.toString(), "kept"));
    assertThat(pocket(fx, "kept").resolve("small.deb")).hasContent("small");
    assertThat(Pockets.staged(fx)).isEmpty();
  }
}
