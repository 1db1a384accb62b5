package dev.outpost.server;

import static dev.outpost.server.TestSupport.await;

import dev.outpost.common.wire.Bpickle;
import dev.outpost.common.wire.Bytes;
import dev.outpost.common.wire.WireMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A bare protocol peer for tests: it speaks bpickle and lets the test steer every number. */
public final class ProtocolClient {

  private final WebClient http;
  public String secureId;
  public long insecureId;

  /** Sequence number of the next message this client sends. */
  public long sequence;

  /** Sequence number of the next server message this client expects. */
  public long nextExpected;

  public byte[] acceptedTypesDigest = new byte[0];

  /** Sent as {@code client-accepted-types} when set, as the client does while its hash is stale. */
  public List<String> clientTypes;

  /** A client that is not registered yet. */
  public ProtocolClient(WebClient http) {
    this.http = http;
  }

  /**
   * Exchanges the given messages, sent as starting at {@link #sequence}, and counts what came back.
   */
  public WireMap exchange(List<Map<String, Object>> messages) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("server-api", Bytes.of("3.2"));
    payload.put("client-api", Bytes.of("3.8"));
    payload.put("sequence", sequence);
    payload.put("accepted-types", Bytes.of(acceptedTypesDigest));
    payload.put("messages", new ArrayList<Object>(messages));
    payload.put("total-messages", (long) messages.size());
    payload.put("next-expected-sequence", nextExpected);
    if (clientTypes != null) {
      payload.put("client-accepted-types", clientTypes);
    }
    HttpResponse<Buffer> response =
        await(request().sendBuffer(Buffer.buffer(Bpickle.encode(payload))));
    if (response.statusCode() != 200) {
      throw new AssertionError(
          "exchange answered " + response.statusCode() + ": " + response.bodyAsString());
    }
    WireMap answer = WireMap.of(Bpickle.decode(response.body()));
    for (WireMap message : answer.mapList("messages")) {
      nextExpected++;
      if (message.text("type").equals("set-id")) {
        secureId = message.bytes("id").asUtf8();
        insecureId = message.integer("insecure-id");
      }
      if (message.text("type").equals("accepted-types")) {
        acceptedTypesDigest =
            md5(String.join(";", message.textList("types").stream().sorted().toList()));
      }
    }
    answer.optionalInteger("next-expected-sequence").ifPresent(n -> sequence = n);
    return answer;
  }

  /** Registers with the account's name and key, tagged web and prod; returns the answer. */
  public WireMap register(String account, String key, String title) {
    return register(account, key, title, "web,prod");
  }

  /** Registers with the account's name and key and these tags; returns the answer. */
  public WireMap register(String account, String key, String title, String tags) {
    Map<String, Object> register = new LinkedHashMap<>();
    register.put("type", "register");
    register.put("api", Bytes.of("3.2"));
    register.put("timestamp", 0L);
    register.put("account_name", account);
    register.put("registration_password", key);
    register.put("computer_title", title);
    register.put("hostname", title + ".example");
    register.put("tags", tags);
    register.put("vm-info", Bytes.of("kvm"));
    return exchange(List.of(register));
  }

  /**
   * Registers the way {@code landscape-config} does: a bare payload with one underscored register
   * message, whose answer only yields the ids; the numbering of both sides stays where it was.
   */
  public WireMap registerOneShot(String account, String key, String title) {
    Map<String, Object> register = new LinkedHashMap<>();
    register.put("type", "register");
    register.put("access_group", "");
    register.put("account_name", account);
    register.put("computer_title", title);
    register.put("container_info", "");
    register.put("hostname", title + ".example");
    register.put("machine_id", "5923867a-0025-546e-a90a-69220ddce45e");
    register.put("registration_password", key);
    register.put("ubuntu_pro_info", "{}");
    register.put("vm_info", Bytes.of(""));
    Map<String, Object> payload = Map.of("messages", List.of(register));
    HttpResponse<Buffer> response =
        await(request().sendBuffer(Buffer.buffer(Bpickle.encode(payload))));
    WireMap answer = WireMap.of(Bpickle.decode(response.body()));
    for (WireMap message : answer.mapList("messages")) {
      if (message.text("type").equals("set-id")) {
        secureId = message.bytes("id").asUtf8();
        insecureId = message.integer("insecure-id");
      }
    }
    return answer;
  }

  /** A request to the exchange carrying this client's identity, if it has one. */
  public HttpRequest<Buffer> request() {
    HttpRequest<Buffer> request =
        http.post("/message-system").putHeader("Content-Type", "application/octet-stream");
    if (secureId != null) {
      request.putHeader("X-Computer-ID", secureId);
    }
    return request;
  }

  /**
   * Registers a new client with the fixture's account, then exchanges as its client would until it
   * holds every type the server accepts (told of some at the exchange after registering) and has
   * acknowledged all it was sent.
   */
  public static ProtocolClient registered(ServerFixture fx, String title) {
    ProtocolClient client = new ProtocolClient(fx.http);
    client.exchange(List.of());
    client.register(fx.accountName, fx.registrationKey, title);
    return client.settled();
  }

  /**
   * Exchanges until an answer brings no accepted-types, and once more to acknowledge it: a client
   * just registered is told of some types at its next exchange.
   */
  public ProtocolClient settled() {
    for (int i = 0; i < 3; i++) {
      boolean types =
          exchange(List.of()).mapList("messages").stream()
              .anyMatch(m -> m.text("type").equals("accepted-types"));
      if (!types) {
        break;
      }
    }
    return this;
  }

  /** Registers {@code count} clients titled {@code prefix-0}, {@code prefix-1}, and so on. */
  public static List<ProtocolClient> registered(ServerFixture fx, String prefix, int count) {
    return java.util.stream.IntStream.range(0, count)
        .mapToObj(i -> registered(fx, prefix + "-" + i))
        .toList();
  }

  /** An ExecuteScriptRequest for these clients' computers, as the admin API takes it. */
  public static io.vertx.core.json.JsonObject scriptFor(List<ProtocolClient> clients) {
    io.vertx.core.json.JsonArray ids = new io.vertx.core.json.JsonArray();
    clients.forEach(c -> ids.add(c.insecureId));
    return new io.vertx.core.json.JsonObject()
        .put("type", "ExecuteScriptRequest")
        .put("computer_ids", ids)
        .put("parameters", new io.vertx.core.json.JsonObject().put("code", "true"));
  }

  private static byte[] md5(String text) {
    try {
      return java.security.MessageDigest.getInstance("MD5")
          .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An operation-result message. */
  public static Map<String, Object> result(long operationId, long status, long code, String text) {
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("type", "operation-result");
    message.put("api", Bytes.of("3.2"));
    message.put("timestamp", 0L);
    message.put("operation-id", operationId);
    message.put("status", status);
    message.put("result-code", code);
    message.put("result-text", text);
    return message;
  }
}
