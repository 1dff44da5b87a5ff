package dev.ferry.apply.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.BatchUpdateException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class SqlStatesTest {
  @Test
  void classifiesBySqlStateInOnePlace() {
    assertThat(SqlStates.classify(new SQLException("x", "40001"))).isEqualTo(SqlStates.Kind.RETRYABLE);
    assertThat(SqlStates.classify(new SQLException("x", "40P01"))).isEqualTo(SqlStates.Kind.RETRYABLE);
    assertThat(SqlStates.classify(new SQLException("x", "55P03"))).isEqualTo(SqlStates.Kind.RETRYABLE);
    assertThat(SqlStates.classify(new SQLException("x", "08006"))).isEqualTo(SqlStates.Kind.CONNECTION_LOST);
    assertThat(SqlStates.classify(new SQLException("x", "57P01"))).isEqualTo(SqlStates.Kind.CONNECTION_LOST);
    assertThat(SqlStates.classify(new SQLException("x", "23505"))).isEqualTo(SqlStates.Kind.CONSTRAINT);
    assertThat(SqlStates.classify(new SQLException("x", "42P01"))).isEqualTo(SqlStates.Kind.FATAL);
    assertThat(SqlStates.classify(new SQLException("x"))).isEqualTo(SqlStates.Kind.FATAL);
  }

  @Test
  void looksThroughBatchExceptionsToTheCause() {
    BatchUpdateException batch = new BatchUpdateException("batch entry 3 failed", "XX000", new int[0]);
    batch.setNextException(new SQLException("deadlock detected", "40P01"));
    assertThat(SqlStates.classify(batch)).isEqualTo(SqlStates.Kind.RETRYABLE);
    assertThat(SqlStates.describe(batch)).isEqualTo("[40P01] deadlock detected");
  }
}
