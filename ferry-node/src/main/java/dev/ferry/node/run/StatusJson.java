package dev.ferry.node.run;

import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.GtidSet;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.transport.LinkState;
import java.util.Locale;
import java.util.function.Function;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.ValueSerializer;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.ser.std.ToStringSerializer;

/**
 * The one JSON mapper of status documents: {@code ferry status --json}, the status files node
 * processes write, and (later) the admin API. The JSON form of a {@link NodeStatus} is documented
 * in {@code docs/cli.md}; keys are only ever added, never renamed or removed. Keys follow the
 * order of record components; GTIDs and journal positions are their text forms, times ISO-8601,
 * an absent value {@code null}. Reading ignores keys it does not know (a newer writer's) and reads a
 * count an older writer did not write as 0 (a link's {@code bytes} and {@code reconnects}).
 * Thread-safe.
 */
public final class StatusJson {
  private static final JsonMapper MAPPER = JsonMapper.builder()
      .disable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .addModule(new SimpleModule("ferry-status")
          .addSerializer(Gtid.class, ToStringSerializer.instance)
          .addDeserializer(Gtid.class, new Parsed<>(Gtid::parse))
          .addSerializer(GtidSet.class, ToStringSerializer.instance)
          .addDeserializer(GtidSet.class, new Parsed<>(GtidSet::parse))
          .addSerializer(JournalPosition.class, ToStringSerializer.instance)
          .addDeserializer(JournalPosition.class, new Parsed<>(JournalPosition::parse))
          .addSerializer(LinkState.class, ToStringSerializer.instance)
          .addDeserializer(LinkState.class, new Parsed<>(LinkState::parse)))
      .build();

  private StatusJson() {}

  /** {@code s} as one line of JSON. */
  public static String of(NodeStatus s) {
    return write(s);
  }

  /** Any status document (a {@link NodeStatus} or a record holding one) as one line of JSON. */
  public static String write(Object document) {
    return MAPPER.writeValueAsString(document);
  }

  /**
   * Reads a document {@link #write} wrote.
   *
   * @throws tools.jackson.core.JacksonException when {@code json} is no such document
   */
  public static <T> T read(String json, Class<T> type) {
    return MAPPER.readValue(json, type);
  }

  /**
   * The document in {@code file} ({@code what} names it in an error), empty when there is no such file.
   *
   * @throws IOException when it cannot be read or is no such document, naming the file
   */
  static <T> java.util.Optional<T> readFile(java.nio.file.Path file, Class<T> type, String what)
      throws java.io.IOException {
    if (!java.nio.file.Files.exists(file)) {
      return java.util.Optional.empty();
    }
    try {
      return java.util.Optional.of(read(java.nio.file.Files.readString(file, java.nio.charset.StandardCharsets.UTF_8),
          type));
    } catch (RuntimeException e) {
      throw new java.io.IOException(file + " is not " + what + ": " + e.getMessage(), e);
    }
  }

  /** Seconds with three decimals, as {@code ferry status} always showed them ({@code 0.250}). */
  static final class Seconds extends ValueSerializer<Double> {
    @Override
    public void serialize(Double value, JsonGenerator gen, SerializationContext ctxt) {
      gen.writeNumber(String.format(Locale.ROOT, "%.3f", value));
    }
  }

  /** A value read from its text form by the type's own {@code parse}. */
  private static final class Parsed<T> extends ValueDeserializer<T> {
    private final Function<String, T> parse;

    Parsed(Function<String, T> parse) {
      this.parse = parse;
    }

    @Override
    public T deserialize(JsonParser p, DeserializationContext ctxt) {
      return parse.apply(p.getValueAsString());
    }
  }
}
