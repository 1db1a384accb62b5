package dev.outpost.agent.handlers;

import java.util.LinkedHashMap;
import java.util.Map;

/** The messages that answer operations (PROTOCOL.md section 6). */
public final class Replies {

  /** operation-result status of a failed operation. */
  public static final long FAILED = 5;

  /** operation-result status of a successful operation. */
  public static final long SUCCEEDED = 6;

  /** Script result codes. */
  public static final long TIME_LIMIT = 102;

  public static final long EXIT_CODE = 103;
  public static final long ATTACHMENT = 104;

  /** change-packages-result codes. */
  public static final long PACKAGES_OK = 1;

  public static final long PACKAGES_ERROR = 100;

  private Replies() {}

  /** A SUCCEEDED {@code operation-result}. */
  public static Map<String, Object> succeeded(long operationId, String text) {
    return result(operationId, SUCCEEDED, null, text);
  }

  /** A FAILED {@code operation-result} without a result code. */
  public static Map<String, Object> failed(long operationId, String text) {
    return result(operationId, FAILED, null, text);
  }

  /** A FAILED {@code operation-result} with a result code. */
  public static Map<String, Object> failed(long operationId, long code, String text) {
    return result(operationId, FAILED, code, text);
  }

  /** The {@code change-packages-result} that answers {@code change-packages}. */
  public static Map<String, Object> changePackages(long operationId, long code, String text) {
    Map<String, Object> reply = new LinkedHashMap<>();
    reply.put("type", "change-packages-result");
    reply.put("operation-id", operationId);
    reply.put("result-code", code);
    reply.put("result-text", text);
    return reply;
  }

  /** The {@code resynchronize} message that answers a {@code resynchronize} operation. */
  public static Map<String, Object> resynchronize(long operationId) {
    Map<String, Object> reply = new LinkedHashMap<>();
    reply.put("type", "resynchronize");
    reply.put("operation-id", operationId);
    return reply;
  }

  /** Whether a reply reports success. */
  public static boolean isSuccess(Map<String, Object> reply) {
    Object status = reply.get("status");
    Object code = reply.get("result-code");
    return switch (String.valueOf(reply.get("type"))) {
      case "operation-result" -> status instanceof Number n && n.longValue() == SUCCEEDED;
      case "change-packages-result" -> code instanceof Number n && n.longValue() == PACKAGES_OK;
      default -> true;
    };
  }

  private static Map<String, Object> result(long operationId, long status, Long code, String text) {
    Map<String, Object> reply = new LinkedHashMap<>();
    reply.put("type", "operation-result");
    reply.put("operation-id", operationId);
    reply.put("status", status);
    if (code != null) {
      reply.put("result-code", code);
    }
    reply.put("result-text", text);
    return reply;
  }
}
