package dev.ferry.node.run;

import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.Tag;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What a DBA set on one replica's apply in {@code ferry.yaml} (docs/failover.md, "Operator
 * controls"): where it stops ({@code until}) and how long it holds each transaction back
 * ({@code delay}). Immutable.
 *
 * @param until stop right after this GTID or tag; key {@code replicas[].until}, default none
 * @param delay apply each transaction no earlier than its source commit time plus this; key
 *     {@code replicas[].delay}, default 0 (none)
 */
public record ApplyControls(Optional<Until> until, Duration delay) {
  public static final ApplyControls NONE = new ApplyControls(Optional.empty(), Duration.ZERO);

  public ApplyControls {
    Objects.requireNonNull(until, "until");
    if (delay == null || delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative: " + delay);
    }
  }

  /** Where a replica stops applying: right after a GTID, or right after a tag. */
  public sealed interface Until {
    /**
     * Reads {@code <gtid>} ({@code 0-1-42}) or {@code tag:<name>}.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    static Until parse(String text) {
      String t = text.strip();
      if (t.startsWith("tag:")) {
        return new AtTag(new Tag(t.substring("tag:".length())));
      }
      try {
        return new AtGtid(Gtid.parse(t));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("'" + text + "' is neither a GTID (domain-server-seq, e.g. 0-1-42) nor"
            + " tag:NAME");
      }
    }
  }

  /** Stop right after the transaction with this GTID (in its domain's order). */
  public record AtGtid(Gtid gtid) implements Until {
    @Override
    public String toString() {
      return gtid.toString();
    }
  }

  /** Stop right after the transaction that carries this tag. */
  public record AtTag(Tag tag) implements Until {
    @Override
    public String toString() {
      return "tag:" + tag.name();
    }
  }
}
