package dev.outpost.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** The admin API over HTTP: JSON in and out, the token on every call, errors as exceptions. */
final class Api {

  static final ObjectMapper JSON = new ObjectMapper();

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final String base;
  private final String token;
  private final HttpClient http;

  /** The API at {@code url} (the server's root, or its /api/v2), called with {@code token}. */
  Api(String url, String token) {
    String root = url.replaceAll("/+$", "");
    this.base = root.endsWith("/api/v2") ? root : root + "/api/v2";
    this.token = token;
    this.http =
        HttpClient.newBuilder()
            // HTTP/1.1 outright: over plain http the JDK would offer an h2c upgrade first
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /** A failure the server answered with ({@code {"error", "message"}}), or no answer at all. */
  static final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;

    Failure(int status, String message) {
      super(message);
      this.status = status;
    }
  }

  JsonNode get(String path) {
    return send("GET", path, null);
  }

  JsonNode get(String path, Map<String, ?> query) {
    return send("GET", path + query(query), null);
  }

  JsonNode post(String path, JsonNode body) {
    return send("POST", path, body);
  }

  JsonNode patch(String path, JsonNode body) {
    return send("PATCH", path, body);
  }

  /** A new JSON object to fill in as a request's body. */
  static ObjectNode object() {
    return JSON.createObjectNode();
  }

  /** {@code ?a=1&b=x} of the given parameters, those that are null left out. */
  static String query(Map<String, ?> parameters) {
    StringBuilder query = new StringBuilder();
    for (var parameter : parameters.entrySet()) {
      if (parameter.getValue() == null) {
        continue;
      }
      query
          .append(query.length() == 0 ? '?' : '&')
          .append(parameter.getKey())
          .append('=')
          .append(URLEncoder.encode(parameter.getValue().toString(), StandardCharsets.UTF_8));
    }
    return query.toString();
  }

  /** Parameters in the order given, for {@link #get(String, Map)}. */
  static Map<String, Object> params(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }

  private JsonNode send(String method, String path, JsonNode body) {
    if (token == null || token.isBlank()) {
      throw new Failure(
          0, "no token: give --token, set OUTPOST_TOKEN, or write token=... in the config file");
    }
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(TIMEOUT)
            .header("Authorization", "Bearer " + token)
            .header("Accept", "application/json");
    if (body == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request
          .header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
    }
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new Failure(0, "no answer from " + base + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failure(0, "interrupted");
    }
    JsonNode answer = parse(response.body());
    if (response.statusCode() >= 400) {
      String message =
          answer != null && answer.hasNonNull("message")
              ? answer.get("message").asText()
              : "HTTP " + response.statusCode();
      throw new Failure(response.statusCode(), message + " (" + response.statusCode() + ")");
    }
    return answer == null ? JSON.nullNode() : answer;
  }

  private static JsonNode parse(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      return null;
    }
  }
}
