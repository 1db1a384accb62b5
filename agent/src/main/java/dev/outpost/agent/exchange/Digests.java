package dev.outpost.agent.exchange;

import dev.outpost.common.wire.Bytes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;

/** The md5 digest both sides compare message type lists by. */
final class Digests {

  private Digests() {}

  /** md5 of the types, sorted and joined with ';', as the Landscape Client computes it. */
  static Bytes types(Collection<String> types) {
    try {
      String joined = String.join(";", types.stream().sorted().toList());
      return Bytes.of(
          MessageDigest.getInstance("MD5").digest(joined.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has MD5", e);
    }
  }
}
