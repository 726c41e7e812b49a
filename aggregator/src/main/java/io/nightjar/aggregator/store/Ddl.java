package io.nightjar.aggregator.store;

import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * Derives the store's table definitions from the wire's Arrow schemas, so a shipped batch and its
 * table cannot drift apart: the columns are the schema's fields in order, with DuckDB types
 * (addresses as UHUGEINT, see {@link StoredAddress}; sketches as BLOB; times as TIMESTAMP in UTC).
 */
final class Ddl
{
    private Ddl()
    {
    }

    /** {@code CREATE TABLE IF NOT EXISTS name (...)} for {@code schema}. */
    static String createTable(final String name, final Schema schema)
    {
        final StringJoiner columns = new StringJoiner(", ", "CREATE TABLE IF NOT EXISTS " + name + " (", ")");
        for (final Field f : schema.getFields())
        {
            columns.add(quote(f.getName()) + " " + sqlType(f.getType()) + (f.isNullable() ? "" : " NOT NULL"));
        }
        return columns.toString();
    }

    /**
     * {@code ALTER TABLE name ADD COLUMN IF NOT EXISTS ...} for every field of {@code schema} that a
     * later schema version may have added: brings a table created by an older version up to date, its
     * rows kept. Nullable fields are added as they are (existing rows read NULL; schema version 2
     * added the backscatter detail this way); non-nullable integer fields with {@code DEFAULT 0}
     * (existing rows read 0; version 3 added the bins' capture statistics this way, and DuckDB cannot
     * add a NOT NULL constraint with a column). Other fields have been there since version 1.
     */
    static List<String> addMissingColumns(final String name, final Schema schema)
    {
        final List<String> out = new ArrayList<>();
        for (final Field f : schema.getFields())
        {
            final String add = "ALTER TABLE " + name + " ADD COLUMN IF NOT EXISTS " + quote(f.getName()) + " " + sqlType(f.getType());
            if (f.isNullable())
            {
                out.add(add);
            }
            else if (f.getType() instanceof ArrowType.Int)
            {
                out.add(add + " DEFAULT 0");
            }
        }
        return out;
    }

    static String quote(final String column)
    {
        return '"' + column + '"';
    }

    static String sqlType(final ArrowType type)
    {
        if (type instanceof ArrowType.Utf8)
        {
            return "VARCHAR";
        }
        if (type instanceof ArrowType.Timestamp)
        {
            return "TIMESTAMP";
        }
        if (type instanceof ArrowType.FixedSizeBinary b && b.getByteWidth() == 16)
        {
            return "UHUGEINT";
        }
        if (type instanceof ArrowType.FixedSizeBinary || type instanceof ArrowType.Binary)
        {
            return "BLOB";
        }
        if (type instanceof ArrowType.Int i)
        {
            return switch (i.getBitWidth())
            {
                case 8 -> i.getIsSigned() ? "TINYINT" : "UTINYINT";
                case 16 -> i.getIsSigned() ? "SMALLINT" : "USMALLINT";
                case 32 -> i.getIsSigned() ? "INTEGER" : "UINTEGER";
                default -> i.getIsSigned() ? "BIGINT" : "UBIGINT";
            };
        }
        throw new IllegalArgumentException("no DuckDB type for " + type);
    }
}
