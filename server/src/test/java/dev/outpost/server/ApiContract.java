package dev.outpost.server;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialects;
import dev.outpost.server.api.OpenApi;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.impl.ClientPhase;
import io.vertx.ext.web.client.impl.HttpContext;
import io.vertx.ext.web.client.impl.WebClientInternal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The OpenAPI document of {@code /api/v2} as a contract the API tests hold the server to: {@link
 * #install} makes a web client check every {@code /api/v2} response it receives against the
 * document (its status described for the method and path, its media type, its JSON body valid by
 * the schema), and fail the request with what does not match. A response the document does not
 * describe fails too.
 */
public final class ApiContract {

  /** The document's id in the schema registry; fragments of it are the schemas. */
  private static final String BASE = "https://outpost.invalid/api/v2/openapi.json";

  private static final String PREFIX = "/api/v2";

  private static final ApiContract INSTANCE = new ApiContract();

  private final JsonObject document;
  private final SchemaRegistry registry;
  private final List<Template> templates;
  private final Map<String, Schema> schemas = new ConcurrentHashMap<>();
  private final ObjectMapper mapper = new ObjectMapper();

  /** A path of the document, as a pattern over request paths. */
  private record Template(String path, Pattern pattern, int parameters) {}

  private ApiContract() {
    String text = OpenApi.document().toString(StandardCharsets.UTF_8);
    document = new JsonObject(text);
    registry =
        SchemaRegistry.withDialect(
            Dialects.getOpenApi31(),
            builder ->
                builder
                    .schemas(Map.of(BASE, text))
                    .schemaRegistryConfig(
                        SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
    List<Template> all = new ArrayList<>();
    for (String path : document.getJsonObject("paths").fieldNames()) {
      String regex = Pattern.quote(PREFIX + path).replaceAll("\\{[^}/]+}", "\\\\E[^/]+\\\\Q");
      all.add(
          new Template(
              path, Pattern.compile(regex), path.length() - path.replace("{", "").length()));
    }
    // a literal path before a template it also matches: /activities/parents before /{id}
    all.sort(Comparator.comparingInt(Template::parameters));
    templates = List.copyOf(all);
  }

  /** The contract of the server's own document. */
  public static ApiContract get() {
    return INSTANCE;
  }

  /** The document, parsed. */
  public JsonObject document() {
    return document.copy();
  }

  /** Makes the client check each {@code /api/v2} response it receives against the document. */
  public static WebClient install(WebClient client) {
    ((WebClientInternal) client).addInterceptor(ApiContract::intercept);
    return client;
  }

  private static void intercept(HttpContext<?> ctx) {
    if (ctx.phase() != ClientPhase.DISPATCH_RESPONSE) {
      ctx.next();
      return;
    }
    String path = ctx.request().uri();
    int query = path.indexOf('?');
    path = query < 0 ? path : path.substring(0, query);
    // as the server routes it: /api/v2/reports/../../x is /x
    path = normalized(path);
    if (!path.startsWith(PREFIX + "/")) {
      ctx.next();
      return;
    }
    Optional<String> broken;
    try {
      broken = INSTANCE.check(ctx.request().method(), path, ctx.response());
    } catch (RuntimeException e) {
      broken = Optional.of("could not be checked: " + e);
    }
    if (broken.isPresent()) {
      ctx.fail(
          new AssertionError(
              ctx.request().method()
                  + " "
                  + path
                  + " answered "
                  + ctx.response().statusCode()
                  + " as the OpenAPI document does not describe: "
                  + broken.get()));
    } else {
      ctx.next();
    }
  }

  /** What in the response breaks the contract, if anything. */
  public Optional<String> check(HttpMethod method, String path, HttpResponse<?> response) {
    Template template =
        templates.stream()
            .filter(t -> t.pattern().matcher(path).matches())
            .filter(t -> operation(t, method) != null)
            .findFirst()
            .orElse(null);
    if (template == null) {
      return Optional.of("no operation for the method and path");
    }
    String pointer =
        "#/paths/" + escape(template.path()) + "/" + method.name().toLowerCase(Locale.ROOT);
    JsonObject responses = operation(template, method).getJsonObject("responses");
    String status = Integer.toString(response.statusCode());
    String key = responses.containsKey(status) ? status : status.charAt(0) + "XX";
    JsonObject described = responses.getJsonObject(key);
    if (described == null) {
      return Optional.of("status " + status + " is not among " + responses.fieldNames());
    }
    pointer += "/responses/" + key;
    if (described.containsKey("$ref")) {
      pointer = described.getString("$ref");
      described = resolve(pointer);
    }
    JsonObject content = described.getJsonObject("content");
    String type =
        Optional.ofNullable(response.getHeader("Content-Type"))
            .map(t -> t.split(";")[0].strip().toLowerCase(Locale.ROOT))
            .orElse(null);
    Buffer body = body(response);
    if (content == null) {
      return body == null || body.length() == 0
          ? Optional.empty()
          : Optional.of("a body where none is described");
    }
    if (type == null || !content.containsKey(type)) {
      return Optional.of("media type " + type + " is not among " + content.fieldNames());
    }
    if (!type.equals("application/json") || body == null) {
      return Optional.empty();
    }
    Schema schema =
        schemas.computeIfAbsent(
            pointer + "/content/application~1json/schema",
            at -> registry.getSchema(SchemaLocation.of(BASE + at)));
    JsonNode node;
    try {
      node = mapper.readTree(body.getBytes());
    } catch (RuntimeException e) {
      return Optional.of("the body is not JSON: " + e.getMessage());
    }
    List<Error> errors = schema.validate(node);
    if (errors.isEmpty()) {
      return Optional.empty();
    }
    String shown = body.length() > 2000 ? body.getString(0, 2000) + "..." : body.toString();
    return Optional.of(errors + " in " + shown);
  }

  private JsonObject operation(Template template, HttpMethod method) {
    return document
        .getJsonObject("paths")
        .getJsonObject(template.path())
        .getJsonObject(method.name().toLowerCase(Locale.ROOT));
  }

  private JsonObject resolve(String ref) {
    Object at = document;
    for (String part : ref.substring(2).split("/")) {
      at = ((JsonObject) at).getValue(part.replace("~1", "/").replace("~0", "~"));
    }
    return (JsonObject) at;
  }

  private static Buffer body(HttpResponse<?> response) {
    Object body = response.body();
    if (body instanceof Buffer buffer) {
      return buffer;
    }
    if (body instanceof JsonObject json) {
      return json.toBuffer();
    }
    if (body instanceof JsonArray json) {
      return json.toBuffer();
    }
    if (body instanceof String text) {
      return Buffer.buffer(text);
    }
    return null;
  }

  private static String normalized(String path) {
    try {
      return new java.net.URI(path).normalize().getRawPath();
    } catch (java.net.URISyntaxException e) {
      return path;
    }
  }

  /** A path as one JSON-pointer token. */
  static String escape(String path) {
    return path.replace("~", "~0").replace("/", "~1");
  }
}
