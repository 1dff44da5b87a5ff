package dev.ferry.apply;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Opens connections to the target database. The applier owns and closes every connection it gets
 * and asks for a new one after a lost connection. Called from the applier's thread only.
 */
@FunctionalInterface
public interface ConnectionSource {
  /** A new, open connection; never null. */
  Connection connect() throws SQLException;
}
