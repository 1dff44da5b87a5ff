package dev.ferry.node.run;

import dev.ferry.journal.DurableFiles;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.Tag;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * What an operator decided about one replica and what must outlive its process, kept beside the
 * journal it applies: {@code <journal.dir>/replica-<name>.control}, a small text file written with
 * the durable recipe. Holds whether the replica is suspended ({@code ferry suspend}) and where its
 * {@code until: tag:NAME} was found (the tag's GTID), so that a restart stays where it stopped. No
 * file means not suspended, no tag found. Stateless; the last writer wins.
 */
public final class ReplicaControlFile {
  private static final String SUSPENDED = "suspended";
  private static final String TAG = "until-tag";
  private static final String TAG_GTID = "until-tag-gtid";

  private ReplicaControlFile() {
  }

  /**
   * The file's content.
   *
   * @param suspended whether applying is suspended until {@code ferry resume}
   * @param tag the {@code until} tag found in the journal, and the GTID of the transaction carrying it
   */
  public record Content(boolean suspended, Optional<Found> tag) {
    public static final Content NONE = new Content(false, Optional.empty());

    public Content withSuspended(boolean s) {
      return new Content(s, tag);
    }

    public Content withTag(Found found) {
      return new Content(suspended, Optional.of(found));
    }
  }

  /** A tag found in the journal, in the transaction {@code gtid}. */
  public record Found(Tag tag, Gtid gtid) {}

  /** The file of replica {@code replica} of the journal in {@code journalDir}. */
  public static Path of(Path journalDir, String replica) {
    return journalDir.resolve("replica-" + replica + ".control");
  }

  /** The content, {@link Content#NONE} when there is no file. */
  public static Content read(Path journalDir, String replica) throws IOException {
    Path file = of(journalDir, replica);
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return Content.NONE;
    }
    Properties p = new Properties();
    p.load(new StringReader(text));
    try {
      Optional<Found> found = Optional.ofNullable(p.getProperty(TAG))
          .map(t -> new Found(new Tag(t), Gtid.parse(p.getProperty(TAG_GTID, ""))));
      return new Content(Boolean.parseBoolean(p.getProperty(SUSPENDED, "false")), found);
    } catch (IllegalArgumentException e) {
      throw new IOException(file + " is not a replica control file: " + e.getMessage() + "; delete it and set the"
          + " replica's controls again", e);
    }
  }

  /** Writes {@code content} durably. */
  public static void write(Path journalDir, String replica, Content content) throws IOException {
    StringBuilder b = new StringBuilder("# Operator controls of replica " + replica + " (docs/failover.md)\n");
    b.append(SUSPENDED).append('=').append(content.suspended()).append('\n');
    content.tag().ifPresent(f -> b.append(TAG).append('=').append(f.tag().name()).append('\n')
        .append(TAG_GTID).append('=').append(f.gtid()).append('\n'));
    DurableFiles.write(of(journalDir, replica), b.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** Sets whether {@code replica} is suspended, keeping the rest. */
  public static void setSuspended(Path journalDir, String replica, boolean suspended) throws IOException {
    write(journalDir, replica, read(journalDir, replica).withSuspended(suspended));
  }
}
