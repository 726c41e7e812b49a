package io.nightjar.aggregator.store;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

import java.math.BigInteger;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How the store keeps an address: as a DuckDB {@code UHUGEINT}, the unsigned 128-bit number whose
 * big-endian bytes are the 16 address bytes of the wire (IPv4 as {@code ::ffff:a.b.c.d}). A
 * fixed-width value compresses and compares far better than a 16-byte BLOB ({@code insert-ceiling.sh}:
 * +20-25 % insert rate, 40 % less stored), and keeps the addresses' order, so ranges (a prefix,
 * IPv4 against IPv6) are {@code BETWEEN} two numbers.
 *
 * <p>DuckDB takes such a column from Arrow as a 16-byte fixed-size binary with its extension type
 * {@code arrow.opaque} ({@code uhugeint}, vendor DuckDB; the connection needs
 * {@code arrow_lossless_conversion}), holding the number little-endian: {@link #toStore} writes that
 * copy of a wire column. In SQL results the column reads as a {@link BigInteger} ({@link #read}), and
 * a parameter is bound as the number's text ({@link #PARAMETER}, {@link #bind}: the JDBC driver
 * binds a BigInteger as a signed HUGEINT only) or inlined as a literal.
 */
public final class StoredAddress
{
    /** Arrow field metadata that makes DuckDB read a 16-byte fixed-size binary as UHUGEINT. */
    public static final Map<String, String> UHUGEINT_EXTENSION = Map.of("ARROW:extension:name", "arrow.opaque",
        "ARROW:extension:metadata", "{\"type_name\":\"uhugeint\",\"vendor_name\":\"DuckDB\"}");
    /** The setting a connection needs so that the extension type is honoured. */
    public static final String ARROW_SETTING = "SET arrow_lossless_conversion = true";

    /** SQL: a statement parameter holding an address, bound with {@link #bind}. */
    public static final String PARAMETER = "CAST(? AS UHUGEINT)";

    private StoredAddress()
    {
    }

    /** SQL expression: the address in {@code column} as its 16 network-order bytes (BLOB), NULL for NULL; for exports (Parquet has no 128-bit integer). */
    public static String blob(final String column)
    {
        return "unhex(printf('%032x', " + column + "))";
    }

    /** SQL expression: the UHUGEINT of a 16-byte BLOB (network order) in {@code column}, for migrating older stores. */
    static String fromBlob(final String column)
    {
        return "('0x' || hex(" + column + "))::UHUGEINT";
    }

    /** SQL literal of the number {@code value} (0 to 2^128-1) as a UHUGEINT. */
    static String literal(final BigInteger value)
    {
        return value + "::UHUGEINT";
    }

    /** Binds {@code address} (16 bytes, network order) to a {@link #PARAMETER} at {@code index}. */
    public static void bind(final PreparedStatement ps, final int index, final byte[] address) throws SQLException
    {
        ps.setString(index, number(address).toString());
    }

    /** The address in column {@code column} of the current row (16 bytes, network order), or null. */
    public static byte[] read(final ResultSet rs, final int column) throws SQLException
    {
        final Object o = rs.getObject(column);
        return o == null ? null : bytes((BigInteger)o);
    }

    /** The 16 network-order bytes of {@code value} (0 to 2^128-1). */
    static byte[] bytes(final BigInteger value)
    {
        final byte[] out = new byte[16];
        final byte[] b = value.toByteArray();
        // toByteArray is big-endian and minimal, with a leading 0 when the top bit is set
        final int n = Math.min(b.length, 16);
        System.arraycopy(b, b.length - n, out, 16 - n, n);
        return out;
    }

    /** The number of {@code address} (16 bytes, network order). */
    public static BigInteger number(final byte[] address)
    {
        return new BigInteger(1, address);
    }

    /** {@code schema} with its 16-byte fixed-size binary fields (the addresses) typed for DuckDB as UHUGEINT. */
    public static Schema storeSchema(final Schema wire)
    {
        final List<Field> fields = new ArrayList<>(wire.getFields().size());
        for (final Field f : wire.getFields())
        {
            fields.add(isAddress(f) ? new Field(f.getName(), new FieldType(f.isNullable(), f.getType(), null, UHUGEINT_EXTENSION), null) : f);
        }
        return new Schema(fields, wire.getCustomMetadata());
    }

    /** Whether {@code f} is an address field (16-byte fixed-size binary). */
    static boolean isAddress(final Field f)
    {
        return f.getType() instanceof ArrowType.FixedSizeBinary b && b.getByteWidth() == 16;
    }

    /**
     * A new buffer holding the {@code rows} addresses of {@code in} (a wire column's data: 16
     * network-order bytes each) as little-endian 128-bit numbers, for DuckDB; the caller owns it.
     */
    static ArrowBuf toStore(final ArrowBuf in, final int rows, final BufferAllocator allocator)
    {
        final long bytes = rows * 16L;
        if (rows < 0 || in.capacity() < bytes)
        {
            throw new IllegalArgumentException("an address buffer of " + in.capacity() + " bytes cannot hold " + rows + " rows");
        }
        final ArrowBuf out = allocator.buffer(Math.max(16L, bytes));
        // bounds checked once above, not per access (ArrowBuf checks every getLong/setLong)
        final long from = in.memoryAddress();
        final long to = out.memoryAddress();
        for (long at = 0; at < bytes; at += 16)
        {
            // the first 8 bytes are the number's high half: big-endian in, little-endian out
            final long hi = MemoryUtil.getLong(from + at);
            final long lo = MemoryUtil.getLong(from + at + 8);
            MemoryUtil.putLong(to + at, Long.reverseBytes(lo));
            MemoryUtil.putLong(to + at + 8, Long.reverseBytes(hi));
        }
        return out;
    }

    /** Sets row {@code i} of {@code v} (a store-typed address vector) to {@code address} (16 bytes, network order). */
    static void set(final FixedSizeBinaryVector v, final int i, final byte[] address)
    {
        final byte[] le = new byte[16];
        for (int k = 0; k < 16; k++)
        {
            le[k] = address[15 - k];
        }
        v.set(i, le);
    }
}
