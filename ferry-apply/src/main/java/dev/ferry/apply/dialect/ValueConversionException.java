package dev.ferry.apply.dialect;

import java.sql.SQLException;

/**
 * A source value the target's {@link ValueBinding} cannot convert to what the target stores (an
 * integer column's text that is no integer). Ferry's own finding, not the database's: it carries no
 * SQLSTATE, so no classifier reads it as anything but a stop; callers that need to tell it apart do
 * so by type.
 */
public final class ValueConversionException extends SQLException {
  private static final long serialVersionUID = 1L;

  public ValueConversionException(String message) {
    super(message);
  }

  public ValueConversionException(String message, Throwable cause) {
    super(message, cause);
  }
}
