using System;

namespace RagKernels.Bm25;

/// <summary>
/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320): the value of Python's
/// <c>zlib.crc32</c>, used as the checksum of BM25 index files. Written by hand because
/// System.IO.Hashing is not on this project's package mirror; a table-driven byte loop is
/// fast enough for files written once and read once.
/// </summary>
public static class Bm25Crc32
{
    private static readonly uint[] s_table = BuildTable();

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint[] table = s_table;
        uint crc = 0xFFFF_FFFF;
        foreach (byte b in data)
        {
            crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }
        return ~crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1;
            }
            table[i] = c;
        }
        return table;
    }
}
