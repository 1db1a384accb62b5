package dev.outpost.server.console;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The web console: static files (HTML, one stylesheet, JavaScript modules) from the classpath's
 * {@code console/} folder, the page at {@code /} and the rest under {@code /console/}. The pages
 * talk to the admin API with the token they were given; nothing here reads the database or sees a
 * token. Every answer carries a Content-Security-Policy that allows only this origin's scripts,
 * styles and connections (no inline script or style, no frame around it).
 */
public final class Console {

  /** What the console's pages may load and do: only this origin's files, never in a frame. */
  static final String POLICY =
      String.join(
          "; ",
          "default-src 'none'",
          "script-src 'self'",
          "style-src 'self'",
          "img-src 'self'",
          "connect-src 'self'",
          "form-action 'self'",
          "base-uri 'none'",
          "frame-ancestors 'none'");

  private final StaticHandler files =
      StaticHandler.create("console")
          .setIndexPage("index.html")
          .setDirectoryListing(false)
          .setIncludeHidden(false)
          // a new server version brings new files: the browser asks each time, the files are small
          .setCachingEnabled(false)
          .setDefaultContentEncoding("UTF-8");

  /** Mounts the console's routes; the admin API's routes come first and keep their paths. */
  public void mount(Router router) {
    for (String path : new String[] {"/", "/console/*"}) {
      router
          .route(path)
          .method(HttpMethod.GET)
          .method(HttpMethod.HEAD)
          .handler(Console::headers)
          .handler(files);
    }
  }

  private static void headers(RoutingContext ctx) {
    ctx.response()
        .putHeader("Content-Security-Policy", POLICY)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("X-Frame-Options", "DENY")
        .putHeader("Referrer-Policy", "no-referrer")
        .putHeader("Cache-Control", "no-cache");
    ctx.next();
  }
}
