package dev.ferry.transport;

import dev.ferry.journal.SegmentFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * The listing of a journal's sealed segments, the one document a replica needs besides the
 * segments themselves to pull a journal over HTTP: Ferry's server answers it at
 * {@code <base>/segments.list}, and the {@code Archiver} writes it as the file {@code segments.list}
 * into an archive directory, so any static file server holding that directory serves it too.
 * This class owns its format. Immutable.
 *
 * <pre>
 * ferry-segments 1                                  format and version
 * journal 341c5f0e-…                                the journal's UUID
 * 00000000000000000001-00000000000000000412.seg 65712 9f86d0…   one line per sealed segment:
 * 00000000000000000002-00000000000000000388.seg 65530 2c26b4…   file name, size in bytes, SHA-256
 * </pre>
 *
 * Lines end with {@code \n}; the text is ASCII. Segments are listed by increasing number (there
 * may be gaps: purged or not yet archived). A segment's file name says its number and record
 * count ({@link SegmentFiles}); its SHA-256 (64 lower-case hex digits) is what a downloaded copy
 * must have, and what Ferry's server sends as the segment's {@code ETag}.
 *
 * @param journal the journal's UUID
 * @param entries the sealed segments, by increasing number
 */
public record SegmentListing(UUID journal, List<Entry> entries) {
  /** Its name in an archive directory and under a server's base URL. */
  public static final String FILE_NAME = "segments.list";
  /** The longest listing a reader takes (about 400,000 segments). */
  public static final int MAX_BYTES = 64 << 20;
  /** The largest segment a listing may name (a segment is read whole into memory). */
  public static final long MAX_SEGMENT_BYTES = Integer.MAX_VALUE - 64;
  private static final String MAGIC = "ferry-segments 1";
  private static final HexFormat HEX = HexFormat.of();

  /**
   * One sealed segment.
   *
   * @param name its file name, as {@link SegmentFiles#sealedName} spells it
   * @param size its length in bytes
   * @param sha256 the SHA-256 of its bytes, 64 lower-case hex digits
   */
  public record Entry(String name, long size, String sha256) {
    public Entry {
      Objects.requireNonNull(name, "name");
      if (numberOf(name).isEmpty()) {
        throw new IllegalArgumentException("not a sealed segment's file name: " + name);
      }
      if (size <= 0 || size > MAX_SEGMENT_BYTES) {
        throw new IllegalArgumentException("segment size out of range: " + size);
      }
      if (!isSha256(sha256)) {
        throw new IllegalArgumentException("not a SHA-256 in hex: " + sha256);
      }
    }

    /** The segment's number, from its name. */
    public long number() {
      return numberOf(name).orElseThrow();
    }

    /** The number of records its name says it holds. */
    public long records() {
      return SegmentFiles.sealedRecordCount(Path.of(name)).orElseThrow();
    }
  }

  public SegmentListing {
    Objects.requireNonNull(journal, "journal");
    entries = List.copyOf(entries);
    for (int i = 1; i < entries.size(); i++) {
      if (entries.get(i).number() <= entries.get(i - 1).number()) {
        throw new IllegalArgumentException("segments not listed by increasing number: " + entries.get(i).name()
            + " after " + entries.get(i - 1).name());
      }
    }
  }

  /** The text of the listing, UTF-8 (ASCII). */
  public byte[] encode() {
    StringBuilder b = new StringBuilder(64 + entries.size() * 132);
    b.append(MAGIC).append('\n').append("journal ").append(journal).append('\n');
    for (Entry e : entries) {
      b.append(e.name()).append(' ').append(e.size()).append(' ').append(e.sha256()).append('\n');
    }
    return b.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * Reads a listing's text.
   *
   * @param where names the document in errors (its URL or path)
   * @throws ListingException naming {@code where}, the line and what is wrong, for anything but a
   *     listing in this format
   */
  public static SegmentListing parse(byte[] text, String where) throws ListingException {
    if (text.length > MAX_BYTES) {
      throw new ListingException(where, 0, "is " + text.length + " bytes, more than the " + MAX_BYTES + " a listing may have");
    }
    List<String> lines = lines(text, where);
    if (lines.isEmpty() || !lines.getFirst().equals(MAGIC)) {
      throw new ListingException(where, 1, "does not start with '" + MAGIC + "' (not a Ferry segment listing?)");
    }
    if (lines.size() < 2 || !lines.get(1).startsWith("journal ")) {
      throw new ListingException(where, 2, "expected 'journal <UUID>'");
    }
    UUID journal = uuid(lines.get(1).substring("journal ".length()), where);
    List<Entry> entries = new ArrayList<>(Math.min(lines.size(), 1024));
    for (int i = 2; i < lines.size(); i++) {
      Entry e = entry(lines.get(i), where, i + 1);
      if (!entries.isEmpty() && e.number() <= entries.getLast().number()) {
        throw new ListingException(where, i + 1, "segment " + e.number() + " is listed after segment "
            + entries.getLast().number() + " (segments must be listed by increasing number)");
      }
      entries.add(e);
    }
    return new SegmentListing(journal, entries);
  }

  private static List<String> lines(byte[] text, String where) throws ListingException {
    List<String> lines = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < text.length; i++) {
      byte c = text[i];
      if (c == '\n') {
        lines.add(new String(text, start, i - start, StandardCharsets.US_ASCII));
        start = i + 1;
      } else if (c < 0x20 || c > 0x7e) {
        throw new ListingException(where, lines.size() + 1, "byte 0x" + HEX.toHexDigits(c) + " at offset " + i
            + " (a listing is printable ASCII text)");
      }
    }
    if (start != text.length) {
      throw new ListingException(where, lines.size() + 1, "the last line does not end with a newline (cut short?)");
    }
    return lines;
  }

  private static UUID uuid(String text, String where) throws ListingException {
    try {
      UUID id = UUID.fromString(text);
      if (!id.toString().equals(text)) {
        throw new IllegalArgumentException(text);
      }
      return id;
    } catch (IllegalArgumentException e) {
      throw new ListingException(where, 2, "'" + abbreviate(text) + "' is not a journal UUID");
    }
  }

  private static Entry entry(String line, String where, int lineNumber) throws ListingException {
    String[] parts = line.split(" ", -1);
    if (parts.length != 3) {
      throw new ListingException(where, lineNumber, "expected '<segment file> <size> <sha256>', got '"
          + abbreviate(line) + "'");
    }
    if (numberOf(parts[0]).isEmpty()) {
      throw new ListingException(where, lineNumber, "'" + abbreviate(parts[0]) + "' is not a sealed segment's name");
    }
    long size;
    try {
      size = parts[1].length() > 12 ? -1 : Long.parseLong(parts[1]);
    } catch (NumberFormatException e) {
      size = -1;
    }
    if (size <= 0 || size > MAX_SEGMENT_BYTES || !parts[1].equals(Long.toString(size))) {
      throw new ListingException(where, lineNumber, "size '" + abbreviate(parts[1]) + "' of " + parts[0]
          + " is not a number of bytes from 1 to " + MAX_SEGMENT_BYTES);
    }
    if (!isSha256(parts[2])) {
      throw new ListingException(where, lineNumber, "'" + abbreviate(parts[2]) + "' of " + parts[0]
          + " is not a SHA-256 (64 lower-case hex digits)");
    }
    return new Entry(parts[0], size, parts[2]);
  }

  private static OptionalLong numberOf(String name) {
    if (name.isEmpty() || name.length() > 64 || name.indexOf('/') >= 0 || name.indexOf('\\') >= 0) {
      return OptionalLong.empty();
    }
    try {
      return SegmentFiles.sealedNumber(Path.of(name));
    } catch (InvalidPathException e) {
      return OptionalLong.empty();
    }
  }

  private static boolean isSha256(String s) {
    if (s == null || s.length() != 64) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return true;
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }

  /** A document that is not a segment listing, or not a well-formed one. */
  public static final class ListingException extends IOException {
    private final int line;

    public ListingException(String where, int line, String problem) {
      super(where + (line > 0 ? ":" + line : "") + ": " + problem);
      this.line = line;
    }

    /** The line at fault (1 is the first), or 0 for the document as a whole. */
    public int line() {
      return line;
    }
  }
}
