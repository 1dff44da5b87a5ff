package dev.ferry.capture.postgres;

import java.util.List;

/**
 * The small {@value #SCHEMA} schema Ferry installs on a PostgreSQL source: the schema sequence and
 * the DDL event triggers that emit each DDL command as a transactional logical message
 * ({@code ferry.ddl}) at its place in the WAL. Nothing touches user tables.
 *
 * <p>Message content: six UTF-8 fields separated by NUL bytes (which PostgreSQL text never
 * contains): the new schema sequence in decimal, the {@code search_path}, the client's query
 * string ({@code current_query()}, which holds every statement of a multi-statement simple query),
 * the command tags of the query string's top-level DDL events so far (comma-separated, this one
 * last; empty when nested), {@code standard_conforming_strings}, and the PL/pgSQL context below
 * the trigger (empty at top level; else the function, {@code DO} block or procedure the DDL ran
 * in). {@link DdlMessage} turns it into the DDL's own statement. The tags live in the session
 * setting {@code ferry.ddl_events}, keyed by {@code statement_timestamp()} (one value for all
 * statements of a simple-query message) and the query's hash; it is a session setting changed
 * transactionally, so a ROLLBACK forgets the events it undid. Every top-level event is counted,
 * also the ones skipped below, because the matching counts statements. Messages of an older
 * Ferry (three fields, the command last) are still read.
 * The triggers ignore commands on Ferry's own objects (so setup does not replicate itself): the
 * {@code sql_drop} trigger marks a drop of a {@code _ferry} object for the transaction, and the
 * {@code ddl_command_end} trigger skips commands whose objects all live in {@code _ferry} or are
 * publications and subscriptions (replication plumbing of this source, not its schema), and
 * everything while setup runs (transaction-local {@code ferry.installing}). The DDL function has
 * no {@code SET search_path} of its own, so it reports the caller's.
 *
 * <p>{@code _ferry.slot} records the LSN at which setup created each slot (its consistent point);
 * capture compares it with the journal's last transaction to notice a slot replaced by setup.
 *
 * <p>Why {@code _ferry} and not {@code ferry}: with the default {@code search_path}
 * ({@code "$user", public}) a role named {@code ferry} — the name the README suggests — would
 * create its unqualified tables in a schema named {@code ferry}. Every role may use the schema and
 * the sequence (a non-superuser's DDL fires the trigger, which takes the next schema sequence) and
 * read {@code _ferry.slot} (capture runs as a replication role that is no superuser); nothing in
 * the schema is secret, and only its owner can change the slot table or the functions.
 */
final class FerrySchema {
  static final String DDL_PREFIX = "ferry.ddl";
  /** The schema of Ferry's own objects, on the source and on PostgreSQL replicas. */
  static final String SCHEMA = "_ferry";

  private FerrySchema() {
  }

  static final List<String> INSTALL = List.of(
      "SELECT set_config('ferry.installing', 'on', true)",
      "CREATE SCHEMA IF NOT EXISTS _ferry",
      "CREATE SEQUENCE IF NOT EXISTS _ferry.schema_sequence",
      "CREATE TABLE IF NOT EXISTS _ferry.slot (slot_name text PRIMARY KEY, created_lsn pg_lsn NOT NULL, "
          + "created_at timestamptz NOT NULL DEFAULT now())",
      "GRANT USAGE ON SCHEMA _ferry TO PUBLIC",
      "GRANT USAGE, SELECT ON SEQUENCE _ferry.schema_sequence TO PUBLIC",
      "GRANT SELECT ON _ferry.slot TO PUBLIC",
      """
      CREATE OR REPLACE FUNCTION _ferry.on_sql_drop() RETURNS event_trigger
      LANGUAGE plpgsql SET search_path = pg_catalog AS $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_event_trigger_dropped_objects()
                       WHERE schema_name IS DISTINCT FROM '_ferry'
                         AND object_identity IS DISTINCT FROM '_ferry'
                         AND object_type NOT IN ('publication', 'publication relation',
                                                 'publication namespace', 'subscription')) THEN
          PERFORM set_config('ferry.skip_ddl', 'on', true);
        END IF;
      END $$""",
      """
      CREATE OR REPLACE FUNCTION _ferry.on_ddl_command_end() RETURNS event_trigger
      LANGUAGE plpgsql AS $$
      DECLARE
        next_seq bigint;
        stack text;
        nested boolean;
        query_key text;
        events text := '';
      BEGIN
        GET DIAGNOSTICS stack = PG_CONTEXT;
        -- One line of context: called by the client's statement itself; more: inside a function.
        nested := pg_catalog.strpos(stack, E'\\n') > 0;
        IF NOT nested THEN
          query_key := pg_catalog.statement_timestamp()::text || ' ' || pg_catalog.md5(pg_catalog.current_query());
          events := coalesce(pg_catalog.current_setting('ferry.ddl_events', true), '');
          IF pg_catalog.split_part(events, '|', 1) = query_key THEN
            events := events || ',' || tg_tag;
          ELSE
            events := query_key || '|' || tg_tag;
          END IF;
          PERFORM pg_catalog.set_config('ferry.ddl_events', events, false);
          events := pg_catalog.split_part(events, '|', 2);
        END IF;
        IF coalesce(current_setting('ferry.installing', true), '') = 'on' THEN
          RETURN;
        END IF;
        IF coalesce(current_setting('ferry.skip_ddl', true), '') = 'on' THEN
          PERFORM set_config('ferry.skip_ddl', '', true);
          RETURN;
        END IF;
        IF EXISTS (SELECT 1 FROM pg_event_trigger_ddl_commands())
           AND NOT EXISTS (SELECT 1 FROM pg_event_trigger_ddl_commands()
                           WHERE schema_name IS DISTINCT FROM '_ferry'
                             AND object_identity IS DISTINCT FROM '_ferry'
                             AND object_type NOT IN ('publication', 'publication relation',
                                                     'publication namespace', 'subscription')) THEN
          RETURN;
        END IF;
        next_seq := nextval('_ferry.schema_sequence');
        PERFORM pg_logical_emit_message(true, 'ferry.ddl',
            convert_to(next_seq::text, 'UTF8') || '\\x00'::bytea
            || convert_to(current_setting('search_path'), 'UTF8') || '\\x00'::bytea
            || convert_to(current_query(), 'UTF8') || '\\x00'::bytea
            || convert_to(events, 'UTF8') || '\\x00'::bytea
            || convert_to(current_setting('standard_conforming_strings'), 'UTF8') || '\\x00'::bytea
            || convert_to(CASE WHEN nested THEN pg_catalog.substr(stack, pg_catalog.strpos(stack, E'\\n') + 1)
                               ELSE '' END, 'UTF8'));
      END $$""",
      "DROP EVENT TRIGGER IF EXISTS ferry_sql_drop",
      "CREATE EVENT TRIGGER ferry_sql_drop ON sql_drop EXECUTE FUNCTION _ferry.on_sql_drop()",
      "DROP EVENT TRIGGER IF EXISTS ferry_ddl_command_end",
      "CREATE EVENT TRIGGER ferry_ddl_command_end ON ddl_command_end EXECUTE FUNCTION _ferry.on_ddl_command_end()");

  static final List<String> REMOVE = List.of(
      "DROP EVENT TRIGGER IF EXISTS ferry_ddl_command_end",
      "DROP EVENT TRIGGER IF EXISTS ferry_sql_drop",
      "DROP SCHEMA IF EXISTS _ferry CASCADE");
}
