package dev.outpost.server.exchange;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;

/** The message types the server accepts from clients, and the digest both sides compare. */
public final class ServerTypes {

  /** What a registered client may send: results, and the reports Outpost records. */
  static final List<String> REGISTERED =
      Stream.of(
              List.of(
                  "add-packages",
                  "change-packages-result",
                  "operation-output",
                  "operation-progress",
                  "operation-result",
                  "packages",
                  "register",
                  "resynchronize",
                  "unknown-package-hashes",
                  "usg-audit"),
              // the computer's reports of itself, kept per computer
              ClientReports.TYPES)
          .flatMap(List::stream)
          .sorted()
          .toList();

  /**
   * What a client is told it may send when it registers: all but the reports its plugins send only
   * when told a type is accepted ({@link ClientReports#SENT_WHEN_ACCEPTED}). Registering makes the
   * client's plugins renew their session ids, and a report sent while they do is dropped by the
   * client for good; the client's next exchange carries the digest of these types, which is stale,
   * so it is told the rest then, once its session ids are settled, and those plugins report.
   */
  static final List<String> AT_REGISTRATION =
      REGISTERED.stream().filter(t -> !ClientReports.SENT_WHEN_ACCEPTED.contains(t)).toList();

  /** What an unregistered client may send. */
  static final List<String> UNREGISTERED = List.of("register");

  private ServerTypes() {}

  /**
   * What a registered client may send, sorted: for load generators whose clients start as told it.
   */
  public static List<String> registered() {
    return REGISTERED;
  }

  /** md5 of the types, sorted and joined with ';', as the Landscape Client computes it. */
  static byte[] digest(Collection<String> types) {
    try {
      String joined = String.join(";", types.stream().sorted().toList());
      return MessageDigest.getInstance("MD5").digest(joined.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has MD5", e);
    }
  }
}
