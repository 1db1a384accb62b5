package dev.outpost.common.wire;

import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Landscape's bpickle encoding ({@code landscape/lib/bpickle.py}) over the value model: none,
 * Boolean, Long or BigInteger, Double, String (text), {@link Bytes}, List, {@link Tuple} and Map.
 */
public final class Bpickle {

  /** The media type the exchange is sent with. */
  public static final String MEDIA_TYPE = "application/octet-stream";

  private Bpickle() {}

  /**
   * Encodes a value; dict keys are written sorted: integers, then text by code point, then bytes.
   * Integer, Short and Byte are accepted as integers and Float as a float, for convenience.
   *
   * @throws IllegalArgumentException for a value outside the model, a dict key that is not text,
   *     bytes or an integer, text with an unpaired surrogate, or nesting deeper than the decoder
   *     accepts
   */
  public static byte[] encode(Object value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    write(out, value, 1);
    return out.toByteArray();
  }

  /** {@link #encode(Object)} into a Buffer. */
  public static Buffer encodeToBuffer(Object value) {
    return Buffer.buffer(encode(value));
  }

  /**
   * Decodes a body holding exactly one value. Dicts keep the order of the wire; lists, tuples and
   * dicts come back unmodifiable; integers are Long when they fit.
   *
   * @throws MalformedPayloadException (400) for any body that is not one well-formed value
   */
  public static Object decode(byte[] body) {
    return BpickleReader.read(body);
  }

  /** {@link #decode(byte[])} from a Buffer. */
  public static Object decode(Buffer body) {
    return decode(body.getBytes());
  }

  private static void write(ByteArrayOutputStream out, Object value, int depth) {
    if (value == null) {
      out.write('n');
    } else if (value instanceof Boolean) {
      ascii(out, (Boolean) value ? "b1" : "b0");
    } else if (Values.isInteger(value)) {
      ascii(out, "i" + Values.normalizeInteger(value) + ";");
    } else if (value instanceof Double || value instanceof Float) {
      ascii(out, "f" + PythonFloat.repr(((Number) value).doubleValue()) + ";");
    } else if (value instanceof String) {
      sized(out, 'u', Utf8.encode((String) value));
    } else if (value instanceof Bytes) {
      sized(out, 's', ((Bytes) value).array());
    } else if (value instanceof List) {
      sequence(out, 'l', (List<?>) value, depth);
    } else if (value instanceof Tuple) {
      sequence(out, 't', ((Tuple) value).items(), depth);
    } else if (value instanceof Map) {
      dict(out, (Map<?, ?>) value, depth);
    } else {
      throw new IllegalArgumentException("bpickle cannot encode a " + Values.typeName(value));
    }
  }

  private static void sequence(ByteArrayOutputStream out, char type, List<?> items, int depth) {
    checkDepth(depth);
    out.write(type);
    for (Object item : items) {
      write(out, item, depth + 1);
    }
    out.write(';');
  }

  private static void dict(ByteArrayOutputStream out, Map<?, ?> dict, int depth) {
    checkDepth(depth);
    out.write('d');
    for (Map.Entry<Object, Object> entry : Values.sortedEntries(dict)) {
      write(out, entry.getKey(), depth + 1);
      write(out, entry.getValue(), depth + 1);
    }
    out.write(';');
  }

  private static void sized(ByteArrayOutputStream out, char type, byte[] content) {
    ascii(out, type + Integer.toString(content.length) + ":");
    out.writeBytes(content);
  }

  private static void ascii(ByteArrayOutputStream out, String text) {
    out.writeBytes(text.getBytes(StandardCharsets.US_ASCII));
  }

  /** What we write must be what we would read back: the same depth limit applies. */
  private static void checkDepth(int depth) {
    if (depth > Values.MAX_DEPTH) {
      throw new IllegalArgumentException("nesting is deeper than " + Values.MAX_DEPTH + " levels");
    }
  }
}
