using System;

namespace RagKernels.Hashing;

/// <summary>
/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320): the checksum of zlib, gzip and PNG, so
/// the Python twin computes it with <c>zlib.crc32</c>. Written by hand because System.IO.Hashing
/// is not available from the package feeds this project builds against; table-driven, one byte
/// per step, which checks a 15 MB index file in a few tens of milliseconds.
/// </summary>
public static class Crc32
{
    private static readonly uint[] s_table = BuildTable();

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int bit = 0; bit < 8; bit++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }
            table[n] = c;
        }
        return table;
    }

    /// <summary>Continues a CRC-32 over <paramref name="data"/>; start with <paramref name="crc"/> = 0
    /// (like <c>zlib.crc32(data, crc)</c>).</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        uint[] table = s_table;
        uint c = ~crc;
        foreach (byte b in data)
        {
            c = table[(c ^ b) & 0xFF] ^ (c >> 8);
        }
        return ~c;
    }

    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);
}
