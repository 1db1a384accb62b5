package dev.outpost.common.wire;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The same value model as JSON text, for Outpost's own agent. Lossy by design: bytes are written as
 * their UTF-8 text, tuples as arrays and integer dict keys as decimal text.
 */
public final class JsonCodec {

  /** The media type of a JSON exchange. */
  public static final String MEDIA_TYPE = "application/json";

  private static final String ENCODING = "JSON";

  /** Two values for one key would mean two things; both directions refuse them. */
  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          // a value takes at most two tokens (a name and a scalar, or a start and an end)
          .streamReadConstraints(
              StreamReadConstraints.builder().maxTokenCount(2L * Values.MAX_VALUES).build())
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(StreamWriteFeature.STRICT_DUPLICATE_DETECTION)
          .build();

  private JsonCodec() {}

  /**
   * Encodes a value as UTF-8 JSON with dict keys sorted as bpickle sorts them.
   *
   * @throws IllegalArgumentException for a value outside the model, a float that is not finite, two
   *     keys that read the same as text, or nesting deeper than the decoder accepts
   */
  public static byte[] encode(Object value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator generator = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
      write(generator, value, 1);
    } catch (IOException e) {
      // the sink is in memory: only the generator's own checks fail here
      throw new IllegalArgumentException("cannot encode as JSON: " + e.getMessage(), e);
    }
    return out.toByteArray();
  }

  /** {@link #encode(Object)} into a Buffer. */
  public static Buffer encodeToBuffer(Object value) {
    return Buffer.buffer(encode(value));
  }

  /**
   * Decodes a body holding exactly one JSON value: objects to Map (in document order), arrays to
   * List, integers to Long (BigInteger beyond), other numbers to Double.
   *
   * @throws MalformedPayloadException (400) for anything that is not one well-formed value
   */
  public static Object decode(byte[] body) {
    if (body.length == 0) {
      throw MalformedPayloadException.at(ENCODING, 0, "the payload is empty");
    }
    try (JsonParser parser = FACTORY.createParser(body)) {
      if (parser.nextToken() == null) {
        throw MalformedPayloadException.at(ENCODING, body.length, "the payload holds no value");
      }
      Object value = read(parser, 1);
      if (parser.nextToken() != null) {
        throw malformed(parser.currentTokenLocation(), "trailing data after the top value");
      }
      return value;
    } catch (JsonProcessingException e) {
      throw malformed(e.getLocation(), e.getOriginalMessage());
    } catch (IOException e) {
      // the source is in memory: this is the encoding detection refusing the bytes
      throw MalformedPayloadException.at(
          ENCODING, MalformedPayloadException.NO_OFFSET, e.getMessage());
    }
  }

  /** {@link #decode(byte[])} from a Buffer. */
  public static Object decode(Buffer body) {
    return decode(body.getBytes());
  }

  private static Object read(JsonParser parser, int depth) throws IOException {
    JsonToken token = parser.currentToken();
    if (token == null) {
      throw malformed(parser.currentLocation(), "the payload ends inside a value");
    }
    switch (token) {
      case START_OBJECT:
        return object(parser, depth);
      case START_ARRAY:
        return array(parser, depth);
      case VALUE_STRING:
        return text(parser.getText());
      case VALUE_NUMBER_INT:
        return parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
            ? Values.integer(parser.getBigIntegerValue())
            : (Object) parser.getLongValue();
      case VALUE_NUMBER_FLOAT:
        return floating(parser);
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return null;
      default:
        throw malformed(parser.currentTokenLocation(), "unexpected token " + token);
    }
  }

  private static Map<Object, Object> object(JsonParser parser, int depth) throws IOException {
    checkDepth(parser, depth);
    Map<Object, Object> object = new LinkedHashMap<>();
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String key = text(parser.currentName());
      parser.nextToken();
      if (object.put(key, read(parser, depth + 1)) != null) {
        throw malformed(
            parser.currentTokenLocation(),
            "two keys read as '" + key + "' once their unpaired surrogates are replaced");
      }
    }
    return Collections.unmodifiableMap(object);
  }

  private static List<Object> array(JsonParser parser, int depth) throws IOException {
    checkDepth(parser, depth);
    List<Object> array = new ArrayList<>();
    while (parser.nextToken() != JsonToken.END_ARRAY) {
      array.add(read(parser, depth + 1));
    }
    return Collections.unmodifiableList(array);
  }

  /**
   * A JSON escape can spell half a surrogate pair, which nothing can store or forward: it becomes
   * U+FFFD, as an agent's output is kept rather than its whole exchange refused.
   */
  private static String text(String text) {
    return Utf8.wellFormed(text);
  }

  private static Double floating(JsonParser parser) throws IOException {
    double value = parser.getDoubleValue();
    if (Double.isInfinite(value)) {
      throw malformed(parser.currentTokenLocation(), "number is beyond the range of a float");
    }
    return value;
  }

  private static void checkDepth(JsonParser parser, int depth) {
    if (depth > Values.MAX_DEPTH) {
      throw malformed(
          parser.currentTokenLocation(), "nesting is deeper than " + Values.MAX_DEPTH + " levels");
    }
  }

  private static MalformedPayloadException malformed(JsonLocation location, String problem) {
    long offset = location == null ? MalformedPayloadException.NO_OFFSET : location.getByteOffset();
    return MalformedPayloadException.at(ENCODING, offset, problem);
  }

  private static void write(JsonGenerator out, Object value, int depth) throws IOException {
    if (value == null) {
      out.writeNull();
    } else if (value instanceof Boolean) {
      out.writeBoolean((Boolean) value);
    } else if (Values.isInteger(value)) {
      Object integer = Values.normalizeInteger(value);
      if (integer instanceof Long) {
        out.writeNumber((Long) integer);
      } else {
        out.writeNumber((BigInteger) integer);
      }
    } else if (value instanceof Double || value instanceof Float) {
      out.writeNumber(finite(((Number) value).doubleValue()));
    } else if (value instanceof String) {
      out.writeString(wellFormed((String) value));
    } else if (value instanceof Bytes) {
      out.writeString(lossyText((Bytes) value));
    } else if (value instanceof List) {
      array(out, (List<?>) value, depth);
    } else if (value instanceof Tuple) {
      array(out, ((Tuple) value).items(), depth);
    } else if (value instanceof Map) {
      object(out, (Map<?, ?>) value, depth);
    } else {
      throw new IllegalArgumentException("JSON cannot encode a " + Values.typeName(value));
    }
  }

  private static void array(JsonGenerator out, List<?> items, int depth) throws IOException {
    checkDepth(depth);
    out.writeStartArray();
    for (Object item : items) {
      write(out, item, depth + 1);
    }
    out.writeEndArray();
  }

  private static void object(JsonGenerator out, Map<?, ?> map, int depth) throws IOException {
    checkDepth(depth);
    out.writeStartObject();
    for (Map.Entry<Object, Object> entry : Values.sortedEntries(map)) {
      out.writeFieldName(keyText(entry.getKey()));
      write(out, entry.getValue(), depth + 1);
    }
    out.writeEndObject();
  }

  /** JSON names are text: bytes give their UTF-8 reading, integers their digits. */
  private static String keyText(Object key) {
    return key instanceof Bytes ? lossyText((Bytes) key) : wellFormed(key.toString());
  }

  /** Refuses what bpickle refuses: Jackson would escape a lone surrogate and carry it on. */
  private static String wellFormed(String text) {
    if (!Utf8.isWellFormed(text)) {
      throw new IllegalArgumentException("text has an unpaired surrogate and no UTF-8 form");
    }
    return text;
  }

  /** Bytes that are not UTF-8 get U+FFFD for each bad sequence: JSON has no raw bytes. */
  private static String lossyText(Bytes bytes) {
    return new String(bytes.array(), StandardCharsets.UTF_8);
  }

  private static double finite(double value) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException("JSON has no " + value);
    }
    return value;
  }

  private static void checkDepth(int depth) {
    if (depth > Values.MAX_DEPTH) {
      throw new IllegalArgumentException("nesting is deeper than " + Values.MAX_DEPTH + " levels");
    }
  }
}
