package io.nightjar.aggregator.store;

import io.nightjar.wire.schema.Addresses;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class StoredAddressTest
{
    @Test
    void addressesRoundTripThroughTheirNumbersIncludingTheTopBit()
    {
        final Random rnd = new Random(7);
        for (int i = 0; i < 1000; i++)
        {
            final byte[] a = new byte[16];
            rnd.nextBytes(a);
            if (i == 0)
            {
                java.util.Arrays.fill(a, (byte)0xFF);
            }
            else if (i == 1)
            {
                java.util.Arrays.fill(a, (byte)0);
            }
            assertThat(StoredAddress.bytes(StoredAddress.number(a))).containsExactly(a);
        }
        assertThat(StoredAddress.number(Addresses.parse("192.0.2.7"))).isEqualTo(BigInteger.valueOf(0xFFFF_C000_0207L));
    }

    @Test
    void theStoreCopyIsTheNumberLittleEndian()
    {
        final byte[] a = Addresses.parse("2001:db8::8:800:200c:417a");
        final byte[] b = Addresses.parse("10.1.2.3");
        try (RootAllocator alloc = new RootAllocator(); ArrowBuf wire = alloc.buffer(32))
        {
            wire.setBytes(0, a);
            wire.setBytes(16, b);
            try (ArrowBuf stored = StoredAddress.toStore(wire, 2, alloc))
            {
                for (int row = 0; row < 2; row++)
                {
                    final byte[] expected = row == 0 ? a : b;
                    for (int k = 0; k < 16; k++)
                    {
                        assertThat(stored.getByte(row * 16L + k)).as("row %d byte %d", row, k).isEqualTo(expected[15 - k]);
                    }
                }
            }
        }
    }

    @Test
    void literalsParametersAndTheBlobFormAgreeInDuckDb() throws Exception
    {
        final byte[] a = Addresses.parse("fe80::1:2:3:4");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement())
        {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + StoredAddress.literal(StoredAddress.number(a)) + " = " + StoredAddress.PARAMETER + ", "
                + StoredAddress.blob(StoredAddress.literal(StoredAddress.number(a))) + ", " + StoredAddress.literal(StoredAddress.number(a))))
            {
                StoredAddress.bind(ps, 1, a);
                try (ResultSet rs = ps.executeQuery())
                {
                    rs.next();
                    assertThat(rs.getBoolean(1)).isTrue();
                    assertThat(rs.getBytes(2)).containsExactly(a);
                    assertThat(StoredAddress.read(rs, 3)).containsExactly(a);
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT " + StoredAddress.fromBlob("'\\xFE\\x80\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x01\\x00\\x02\\x00\\x03\\x00\\x04'::BLOB")))
            {
                rs.next();
                assertThat(StoredAddress.read(rs, 1)).containsExactly(a);
            }
        }
    }
}
