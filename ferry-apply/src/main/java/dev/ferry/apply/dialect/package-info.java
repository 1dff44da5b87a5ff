/**
 * What differs between target databases, as a {@link dev.ferry.apply.dialect.Dialect} composed of
 * small parts: {@link dev.ferry.apply.dialect.SqlSyntax} (quoting, upsert, row locator),
 * {@link dev.ferry.apply.dialect.ValueBinding}, {@link dev.ferry.apply.dialect.TargetCatalog}, an
 * optional {@link dev.ferry.apply.dialect.BulkLoader}, the error classifier of {@code ferry-sql} and
 * Ferry's {@link dev.ferry.apply.dialect.ControlTables}, plus the capabilities the applier asks
 * about. Each database's parts live in a package of their own ({@code .postgres}, {@code .sqlite});
 * {@link dev.ferry.apply.dialect.Dialect#of} is the one place that picks one. Code outside these
 * packages asks a dialect's parts, never which database it is.
 */
package dev.ferry.apply.dialect;
