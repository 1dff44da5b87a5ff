package dev.ferry.apply;

import java.util.Locale;

/** The kinds of conflict a replica detects, named as in the {@code conflicts} table. */
public enum ConflictType {
  /** An INSERT whose primary key, or the values of another unique key, already exist on the target. */
  INSERT_EXISTS,
  /** An UPDATE whose new values clash with another target row on a unique key (the primary key or another). */
  UPDATE_EXISTS,
  /** An UPDATE whose row is not on the target. */
  UPDATE_MISSING,
  /** A DELETE whose row is not on the target. */
  DELETE_MISSING,
  /** An UPDATE whose row exists but differs from the full old image the source sent. */
  UPDATE_DIFFERS,
  /** A DELETE whose row exists but differs from the full old image the source sent. */
  DELETE_DIFFERS;

  /** The name stored in the {@code conflicts} table and used in messages, e.g. {@code insert_exists}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
