package dev.ferry.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;

class SqlErrorTextTest {
  @Test
  void namesTheColumnsForPostgresParameters() {
    SQLException e = new SQLException("invalid input syntax for type integer: \"abc\"\n"
        + "  Where: unnamed portal parameter $2 = '...'", "22P02");
    assertThat(SqlErrorText.describe(e, List.of("id", "balance")))
        .isEqualTo("[22P02] invalid input syntax for type integer: \"abc\"\n  Where: column balance = '...'");
    assertThat(SqlErrorText.describe(e, List.of())).contains("parameter $2");
  }

  @Test
  void showsTheCodeWhenThereIsNoState() {
    assertThat(SqlErrorText.describe(new SQLException("database is locked", null, 5))).isEqualTo("[code 5] database is locked");
  }
}
