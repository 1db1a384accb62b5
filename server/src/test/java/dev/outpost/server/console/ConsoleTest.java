package dev.outpost.server.console;

import static dev.outpost.server.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.server.ServerFixture;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The console's files as the server serves them, and what its sources may not do: the headers that
 * keep a page from running anything but its own files, and no HTML built from text.
 */
@ExtendWith(VertxExtension.class)
class ConsoleTest {

  /** Every file of the console. */
  static final List<String> FILES =
      List.of(
          "index.html",
          "console.css",
          "app.js",
          "api.js",
          "dom.js",
          "activities.js",
          "computers.js",
          "run.js",
          "scripts.js");

  private static ServerFixture fx;

  @BeforeAll
  static void start(Vertx vertx) {
    fx = new ServerFixture(vertx);
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  /**
   * Verifies that the page at / and the files under /console/ come with a policy that allows only
   * the server's own scripts, styles and connections and no framing, and without a token.
   */
  @Test
  void pagesComeWithAStrictPolicy() {
    HttpResponse<Buffer> page = await(fx.http.get("/").send());

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.getHeader("Content-Type")).startsWith("text/html");
    assertThat(page.bodyAsString()).contains("<script type=\"module\" src=\"/console/app.js\">");
    String policy = page.getHeader("Content-Security-Policy");
    assertThat(policy)
        .contains("default-src 'none'", "script-src 'self'", "frame-ancestors 'none'")
        .doesNotContain("unsafe");
    assertThat(page.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");

    for (String file : FILES) {
      HttpResponse<Buffer> served = await(fx.http.get("/console/" + file).send());
      assertThat(served.statusCode()).as(file).isEqualTo(200);
      assertThat(served.getHeader("Content-Security-Policy")).as(file).isEqualTo(policy);
      assertThat(served.bodyAsString()).as(file).isEqualTo(source(file));
    }
    assertThat(await(fx.http.get("/console/app.js").send()).getHeader("Content-Type"))
        .startsWith("text/javascript");
  }

  /** Verifies that what is not a console file is a 404, and the API still wants its token. */
  @Test
  void nothingElseIsServed() {
    for (String path :
        List.of(
            "/console/missing.js",
            "/console/../logback.xml",
            "/console/%2e%2e/logback.xml",
            "/logback.xml")) {
      assertThat(await(fx.http.get(path).send()).statusCode()).as(path).isEqualTo(404);
    }
    assertThat(await(fx.http.get("/api/v2/activities").send()).statusCode()).isEqualTo(401);
  }

  /**
   * Verifies the rules of the sources: no inline script or style in the page, no HTML parsed from
   * text in the scripts (text goes into text nodes), and the whole console within 200 KB before
   * compression.
   */
  @Test
  void theSourcesBuildNoHtmlFromText() {
    String page = source("index.html");
    assertThat(Pattern.compile("<script(?![^>]*\\bsrc=)").matcher(page).find()).isFalse();
    assertThat(page).doesNotContainPattern("(?i)\\sstyle=|\\son[a-z]+=");
    long bytes = 0;
    for (String file : FILES) {
      String text = source(file);
      bytes += text.getBytes(StandardCharsets.UTF_8).length;
      if (file.endsWith(".js")) {
        assertThat(text)
            .as(file)
            .doesNotContain(
                "innerHTML",
                "outerHTML",
                "insertAdjacentHTML",
                "document.write",
                "eval(",
                "new Function",
                "setAttribute('style'",
                "DOMParser",
                "createContextualFragment");
      }
    }
    assertThat(bytes).isLessThan(200 * 1024);
  }

  private static String source(String file) {
    try (InputStream in =
        ConsoleTest.class.getClassLoader().getResourceAsStream("console/" + file)) {
      assertThat(in).as(file).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
