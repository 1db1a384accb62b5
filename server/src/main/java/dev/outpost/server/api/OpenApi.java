package dev.outpost.server.api;

import dev.outpost.server.account.Permission;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The OpenAPI 3.1 document of {@code /api/v2}, served at {@code GET /api/v2/openapi.json} to
 * anyone: it describes the API, holds nothing of an account, and tools read it before they have a
 * token. The tests keep it true: every route the router has is in it and every one it names is on
 * the router, and every response the API tests receive is checked against its schemas.
 */
public final class OpenApi {

  /** Where the document lies among the server's resources. */
  public static final String RESOURCE = "/api/openapi.json";

  /** Where the server serves it. */
  public static final String PATH = "/api/v2/openapi.json";

  private static final Buffer DOCUMENT = load();

  private OpenApi() {}

  /** The document's bytes, as the server sends them. */
  public static Buffer document() {
    return DOCUMENT.copy();
  }

  /**
   * Mounts the document's route; ahead of the admin API's token check, it needs no token, and it
   * says so as every route of the API declares what it asks.
   */
  public static void gate(Router router) {
    router
        .get(PATH)
        .putMetadata(Access.PERMISSION, Permission.PUBLIC)
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("Content-Type", "application/json")
                    .putHeader("Cache-Control", "max-age=300")
                    .end(DOCUMENT));
  }

  private static Buffer load() {
    try (InputStream in = OpenApi.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("the server's jar lacks " + RESOURCE);
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }
}
