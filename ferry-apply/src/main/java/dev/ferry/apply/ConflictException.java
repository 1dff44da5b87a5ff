package dev.ferry.apply;

import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.Side;
import dev.ferry.journal.model.TableId;

/** A conflict stopped the replica (policy {@link ConflictPolicy#STOP}). */
public final class ConflictException extends ApplyException {
  private final ConflictType type;
  private final transient TableId table;
  private final String key;

  public ConflictException(Side side, String message, Gtid gtid, ConflictType type, TableId table, String key) {
    super(side, message, gtid, null);
    this.type = type;
    this.table = table;
    this.key = key;
  }

  public ConflictType type() {
    return type;
  }

  public TableId table() {
    return table;
  }

  /** The row's key as text, e.g. {@code (id=42)}. */
  public String key() {
    return key;
  }
}
