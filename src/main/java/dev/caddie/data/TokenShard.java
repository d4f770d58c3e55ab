package dev.caddie.data;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** The challenge's token shard: 256 little-endian int32 header (magic, version, count), then uint16 tokens. */
public final class TokenShard {
    public static final int MAGIC = 20240520;
    public static final int VERSION = 1;
    public static final int HEADER_BYTES = 256 * 4;

    private TokenShard() {}

    /** Writes tokens (each 0..65535) as one shard file, replacing it atomically. */
    public static void write(Path file, char[] tokens, int from, int to) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(HEADER_BYTES + 2 * (to - from)).order(ByteOrder.LITTLE_ENDIAN);
        buf.putInt(0, MAGIC).putInt(4, VERSION).putInt(8, to - from);
        buf.position(HEADER_BYTES);
        for (int i = from; i < to; i++) buf.putChar(tokens[i]);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            out.write(buf.array());
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** Reads a shard, checking its header against its length; errors name the file and what was expected. */
    public static char[] read(Path file) throws IOException {
        long size = Files.size(file);
        if (size < HEADER_BYTES)
            throw new IOException(file + ": " + size + " bytes is shorter than the 1024-byte shard header");
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int magic = buf.getInt(0), version = buf.getInt(4), count = buf.getInt(8);
        if (magic != MAGIC)
            throw new IOException(file + ": header magic is " + magic + ", expected " + MAGIC + " (not a token shard)");
        if (version != VERSION)
            throw new IOException(file + ": shard version " + version + " is not supported; expected " + VERSION);
        long expected = HEADER_BYTES + 2L * count;
        if (count < 0 || expected != size)
            throw new IOException(file + ": header says " + count + " tokens (" + expected + " bytes) but the file has " + size + " bytes");
        char[] tokens = new char[count];
        buf.position(HEADER_BYTES);
        buf.asCharBuffer().get(tokens);
        return tokens;
    }
}
