package dev.ferry.apply.dialect;

/**
 * A DDL statement a target cannot take from its source (another database's SQL it does not map,
 * a type outside its mapping): found before anything of the transaction is applied. Carries the
 * table the statement names (empty when Ferry could not read one) and why.
 */
public final class UnmappableDdlException extends Exception {
  private static final long serialVersionUID = 1L;
  private final String table;

  public UnmappableDdlException(String table, String reason) {
    super(reason);
    this.table = table;
  }

  /** The table the statement names as the source spelled it, or empty. */
  public String table() {
    return table;
  }
}
