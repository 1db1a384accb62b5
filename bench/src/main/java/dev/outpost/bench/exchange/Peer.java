package dev.outpost.bench.exchange;

import dev.outpost.common.wire.Bpickle;
import dev.outpost.common.wire.Bytes;
import dev.outpost.common.wire.WireMap;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One simulated computer as the load generator drives it: just enough of the agent's side of the
 * protocol to exchange correctly (sequence numbers both ways, the accepted-types digest, the
 * exchange token), answering every activity it receives with a successful result at its next
 * exchange. Used by one request at a time.
 */
public final class Peer {

  private final long computerId;
  private final String secureId;

  /** Sequence number of the first message in {@link #unacknowledged}. */
  private long sequence;

  private long nextExpected;
  private byte[] acceptedTypes = new byte[0];
  private Bytes token;
  private final List<Map<String, Object>> unacknowledged = new ArrayList<>();

  /** A computer registered with this secure id. */
  public Peer(long computerId, String secureId) {
    this.computerId = computerId;
    this.secureId = secureId;
  }

  public long computerId() {
    return computerId;
  }

  public String secureId() {
    return secureId;
  }

  /** The exchange token of the last answer, or null. */
  public String token() {
    return token == null ? null : token.asUtf8();
  }

  /** Starts with the digest of the server's accepted types, as a client that was told them. */
  void knowServerTypes(List<String> types) {
    acceptedTypes = md5(String.join(";", types.stream().sorted().toList()));
  }

  /** How many results this peer sends with its next exchange. */
  public int pendingResults() {
    return unacknowledged.size();
  }

  /** The body of the next exchange. */
  public Buffer payload() {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("server-api", Bytes.of("3.3"));
    payload.put("client-api", Bytes.of("3.8"));
    payload.put("sequence", sequence);
    payload.put("accepted-types", Bytes.of(acceptedTypes));
    payload.put("messages", new ArrayList<Object>(unacknowledged));
    payload.put("total-messages", (long) unacknowledged.size());
    payload.put("next-expected-sequence", nextExpected);
    return Bpickle.encodeToBuffer(payload);
  }

  /**
   * Takes in an answer: drops what the server acknowledged, counts the messages it sent, and queues
   * a result for each activity among them.
   *
   * @return the activities received
   */
  public int absorb(Buffer body) {
    WireMap answer = WireMap.of(Bpickle.decode(body));
    long acknowledged = answer.optionalInteger("next-expected-sequence").orElse(sequence);
    int done = (int) Math.max(0, Math.min(unacknowledged.size(), acknowledged - sequence));
    unacknowledged.subList(0, done).clear();
    sequence = acknowledged;
    answer.optionalBytes("next-exchange-token").ifPresent(t -> token = t);
    int activities = 0;
    for (WireMap message : answer.mapList("messages")) {
      nextExpected++;
      String type = message.text("type");
      if (type.equals("accepted-types")) {
        acceptedTypes = md5(String.join(";", message.textList("types").stream().sorted().toList()));
      }
      if (message.has("operation-id")) {
        activities++;
        unacknowledged.add(result(message.integer("operation-id")));
      }
    }
    return activities;
  }

  private static Map<String, Object> result(long operationId) {
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("type", "operation-result");
    message.put("api", Bytes.of("3.3"));
    message.put("timestamp", System.currentTimeMillis() / 1000);
    message.put("operation-id", operationId);
    message.put("status", 6L);
    message.put("result-code", 0L);
    message.put("result-text", "ok");
    return message;
  }

  private static byte[] md5(String text) {
    try {
      return MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
