package dev.ferry.apply.dialect.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.LogicalType;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** Text values become SQLite values by their column's logical type, whatever the source calls the type. */
class SqliteValuesTest {
  @Test
  void textConvertsByLogicalTypeNotByTypeName() throws Exception {
    assertStored(new Column("n", "bigint unsigned", 0, LogicalType.INT64), "42", "integer", "42");
    assertStored(new Column("n", "INT", 0, LogicalType.ofSqliteDeclared("INT")), "-7", "integer", "-7");
    assertStored(new Column("b", "tinyint(1)", 0, LogicalType.BOOLEAN), "t", "integer", "1");
    assertStored(new Column("f", "DOUBLE", 0, LogicalType.FLOAT64), "1.5", "real", "1.5");
    assertStored(new Column("f", "float8", 701, LogicalType.FLOAT64), "NaN", "text", "NaN");
    assertStored(new Column("x", "bytea", 17, LogicalType.BYTES), "\\x00ff", "blob", null);
    assertStored(new Column("x", "timestamp(3) with time zone", 1184, LogicalType.TIMESTAMPTZ),
        "2024-03-01 01:00:00+01", "text", "2024-03-01 00:00:00+00");
    assertStored(new Column("d", "numeric(12,4)", 1700, LogicalType.DECIMAL), "12.5000", "text", "12.5000");
    assertStored(new Column("u", "integer", 23, LogicalType.OTHER), "42x", "text", "42x");
  }

  @Test
  void textInASqliteBlobColumnStaysText() throws Exception {
    assertStored(new Column("x", "BLOB", 0, LogicalType.ofSqliteDeclared("BLOB")), "plain words", "text", "plain words");
  }

  @Test
  void textThatIsNotANumberOfANumericTypeIsRefusedNamingTheColumn() {
    assertThatThrownBy(() -> assertStored(new Column("n", "integer", 23, LogicalType.INT32), "abc", "", ""))
        .isInstanceOf(SQLException.class).hasMessageContaining("'abc' of n (integer) is not an integer");
    assertThatThrownBy(() -> assertStored(new Column("f", "DOUBLE", 0, LogicalType.FLOAT64), "abc", "", ""))
        .isInstanceOf(SQLException.class).hasMessageContaining("'abc' of f (DOUBLE) is not a number");
  }

  private static void assertStored(Column column, String text, String typeof, String value) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite::memory:"); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE t (v)");
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO t VALUES (?)")) {
        SqliteValues.bindText(ps, 1, text, column);
        ps.executeUpdate();
      }
      try (ResultSet rs = st.executeQuery("SELECT typeof(v), CASE WHEN typeof(v) = 'blob' THEN NULL ELSE v END FROM t")) {
        rs.next();
        assertThat(rs.getString(1)).as("storage class of %s as %s", text, column).isEqualTo(typeof);
        assertThat(rs.getString(2)).as("%s as %s", text, column).isEqualTo(value);
      }
    }
  }
}
