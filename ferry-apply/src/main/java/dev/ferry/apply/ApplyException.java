package dev.ferry.apply;

import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.Side;
import dev.ferry.journal.model.Sided;
import java.util.Optional;

/**
 * A replica stopped: a transaction could not be applied (a conflict under the {@code stop}
 * policy, a schema sequence barrier, a DDL the target cannot take, a fatal SQL error, or transient
 * errors that outlasted the retries). Nothing of the failed transaction is committed; the target's
 * progress row still points before it, so a restart retries it. The message starts with the
 * replica's {@link Side} ({@code [replica r1] …}), which {@link #side()} carries as a value.
 */
public class ApplyException extends Exception implements Sided {
  private final transient Side side;
  private final transient Gtid gtid;

  /** A failure of replica {@code side}; the message is {@code side}'s prefix, then {@code message}. */
  public ApplyException(Side side, String message, Gtid gtid, Throwable cause) {
    super(side.prefix(message), cause);
    this.side = side;
    this.gtid = gtid;
  }

  /** A failure that belongs to no replica yet (the message is taken as it is). */
  public ApplyException(String message, Gtid gtid, Throwable cause) {
    super(message, cause);
    this.side = null;
    this.gtid = gtid;
  }

  /** The transaction that could not be applied, if the failure belongs to one. */
  public Optional<Gtid> gtid() {
    return Optional.ofNullable(gtid);
  }

  @Override
  public Optional<Side> side() {
    return Optional.ofNullable(side);
  }
}
