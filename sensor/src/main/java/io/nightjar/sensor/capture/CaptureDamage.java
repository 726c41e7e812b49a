package io.nightjar.sensor.capture;

/**
 * Where and why a capture file stops being readable.
 *
 * @param file       the file's name as given by the user.
 * @param byteOffset offset of the damaged record or block in the (decompressed) stream, in bytes.
 * @param reason     what is wrong, e.g. "record header claims 70000 bytes, more than the snapshot length 65535".
 * @param packetsBefore complete packets delivered before the damage.
 */
public record CaptureDamage(String file, long byteOffset, String reason, long packetsBefore)
{
    @Override
    public String toString()
    {
        return file + ": damaged at byte offset " + byteOffset + " after " + packetsBefore + " packets: " + reason;
    }
}
