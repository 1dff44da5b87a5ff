package dev.ferry.transport;

import dev.ferry.journal.SegmentFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link SegmentListing} of a directory holding sealed segments (a journal, an archive
 * directory), with each segment's SHA-256 computed once and remembered by file name and size
 * (sealed segments never change; digests of files no longer there are forgotten at the next
 * listing). Thread-safe.
 */
public final class SegmentDigests {
  private final Map<String, String> known = new ConcurrentHashMap<>();

  /** Remembers the digests a listing already states (an archive's previous listing). */
  public void remember(SegmentListing listing) {
    for (SegmentListing.Entry e : listing.entries()) {
      known.put(key(e.name(), e.size()), e.sha256());
    }
  }

  /** The listing of the sealed segments in {@code dir} now, as belonging to {@code journal}. */
  public SegmentListing listing(Path dir, UUID journal) throws IOException {
    List<Path> sealed = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      for (Path file : stream) {
        if (SegmentFiles.isSealedSegment(file)) {
          sealed.add(file);
        }
      }
    }
    sealed.sort(Comparator.comparingLong(p -> SegmentFiles.sealedNumber(p).orElseThrow()));
    List<SegmentListing.Entry> entries = new ArrayList<>(sealed.size());
    long last = -1;
    for (Path file : sealed) {
      OptionalLong number = SegmentFiles.sealedNumber(file);
      long size;
      try {
        size = Files.size(file);
      } catch (NoSuchFileException e) {
        continue; // purged while we looked
      }
      if (number.getAsLong() == last || size == 0) {
        continue; // two names for one number cannot come from a journal; list the first
      }
      last = number.getAsLong();
      entries.add(new SegmentListing.Entry(file.getFileName().toString(), size, sha256(file, size)));
    }
    // Forget purged segments, so the memory held is that of the directory's listing.
    java.util.Set<String> listed = new java.util.HashSet<>();
    entries.forEach(e -> listed.add(key(e.name(), e.size())));
    known.keySet().retainAll(listed);
    return new SegmentListing(journal, entries);
  }

  /** The SHA-256 of the sealed segment {@code file} of {@code size} bytes, computed once. */
  public String sha256(Path file, long size) throws IOException {
    String key = key(file.getFileName().toString(), size);
    String hex = known.get(key);
    if (hex == null) {
      hex = sha256(file);
      known.put(key, hex);
    }
    return hex;
  }

  /** The SHA-256 of {@code file}'s bytes in lower-case hex. */
  public static String sha256(Path file) throws IOException {
    MessageDigest digest = newDigest();
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** The SHA-256 of {@code bytes} in lower-case hex. */
  public static String sha256(byte[] bytes) {
    return HexFormat.of().formatHex(newDigest().digest(bytes));
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static String key(String name, long size) {
    return name + " " + size;
  }
}
