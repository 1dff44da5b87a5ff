package dev.ferry.apply.dialect;

import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.Value;
import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * A target's bulk path for many rows (PostgreSQL: {@code COPY … FROM STDIN}), used where it pays
 * off over row statements: a batch of inserts, a seed's copy streams, an archive load. Rows are in
 * COPY text format (tab-separated, {@code \N} for NULL, escaped), or binary when both sides agree.
 * Stateless and thread-safe; the caller owns the connection and its transaction.
 */
public interface BulkLoader {
  /** A running load into one table: bytes go in as they come, in the format it was opened with. */
  interface Stream {
    /** Sends {@code length} bytes of rows. */
    void write(byte[] data, int offset, int length) throws SQLException;

    /** Ends the load; returns the rows the target took. */
    long end() throws SQLException;

    /** Abandons the load (after a failure elsewhere); never throws. */
    void cancel();
  }

  /** Appends {@code value} to {@code out} in the loader's text format (escaped; NULL as the format spells it). */
  void appendText(StringBuilder out, Value value);

  /** Loads {@code rows} of {@code columns} into {@code table}. */
  void load(Connection c, TableInfo table, List<Column> columns, List<List<Value>> rows) throws SQLException;

  /**
   * Loads COPY text rows read from {@code in} into {@code table}'s {@code columns} (quoted target
   * SQL); returns the rows loaded.
   */
  long loadText(Connection c, String table, List<String> columns, InputStream in) throws SQLException, IOException;

  /** Starts a load into {@code table}'s {@code columns} (quoted target SQL), binary or text. */
  Stream open(Connection c, String table, List<String> columns, boolean binary) throws SQLException;

  /**
   * Whether rows a source of {@code family} sends in binary COPY format load as they are, when the
   * target columns have the source's types.
   */
  boolean takesBinaryFrom(TypeFamily family);

  /**
   * Readies a session for a seed's bulk loads (autocommit off; the caller commits): settings that
   * are safe because the seed's progress row is written afterwards with full durability.
   */
  void prepareSeedSession(Connection c) throws SQLException;
}
