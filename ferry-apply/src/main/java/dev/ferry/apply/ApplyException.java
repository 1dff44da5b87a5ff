package dev.ferry.apply;

import dev.ferry.journal.model.Gtid;
import java.util.Optional;

/**
 * A replica stopped: a transaction could not be applied (a conflict under the {@code stop}
 * policy, a schema sequence barrier, a DDL the target cannot take, a fatal SQL error, or transient
 * errors that outlasted the retries). Nothing of the failed transaction is committed; the target's
 * progress row still points before it, so a restart retries it.
 */
public class ApplyException extends Exception {
  private final transient Gtid gtid;

  public ApplyException(String message, Gtid gtid, Throwable cause) {
    super(message, cause);
    this.gtid = gtid;
  }

  /** The transaction that could not be applied, if the failure belongs to one. */
  public Optional<Gtid> gtid() {
    return Optional.ofNullable(gtid);
  }
}
