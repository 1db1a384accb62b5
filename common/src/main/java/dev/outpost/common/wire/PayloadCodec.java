package dev.outpost.common.wire;

import io.vertx.core.buffer.Buffer;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/** The two encodings of an exchange payload, chosen by the body's media type. */
public enum PayloadCodec {
  BPICKLE(Bpickle.MEDIA_TYPE, Bpickle::encode, Bpickle::decode),
  JSON(JsonCodec.MEDIA_TYPE, JsonCodec::encode, JsonCodec::decode);

  private final String mediaType;
  private final Function<Object, byte[]> encoder;
  private final Function<byte[], Object> decoder;

  PayloadCodec(
      String mediaType, Function<Object, byte[]> encoder, Function<byte[], Object> decoder) {
    this.mediaType = mediaType;
    this.encoder = encoder;
    this.decoder = decoder;
  }

  /**
   * The codec of a {@code Content-Type} header, parameters ignored; nothing for a type neither
   * codec reads. The real client always sends {@code application/octet-stream}.
   */
  public static Optional<PayloadCodec> forContentType(String contentType) {
    if (contentType == null) {
      return Optional.empty();
    }
    int semicolon = contentType.indexOf(';');
    String mediaType =
        (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
            .trim()
            .toLowerCase(Locale.ROOT);
    for (PayloadCodec codec : values()) {
      if (codec.mediaType.equals(mediaType)) {
        return Optional.of(codec);
      }
    }
    return Optional.empty();
  }

  /** The media type a body in this encoding is labelled with. */
  public String mediaType() {
    return mediaType;
  }

  /** Encodes a value of the model; see {@link Bpickle#encode} and {@link JsonCodec#encode}. */
  public byte[] encode(Object value) {
    return encoder.apply(value);
  }

  /** Encodes into a Buffer. */
  public Buffer encodeToBuffer(Object value) {
    return Buffer.buffer(encode(value));
  }

  /**
   * Decodes a body into the model.
   *
   * @throws MalformedPayloadException (400) for a body that is not one well-formed value
   */
  public Object decode(byte[] body) {
    return decoder.apply(body);
  }

  /** Decodes a Buffer. */
  public Object decode(Buffer body) {
    return decode(body.getBytes());
  }
}
