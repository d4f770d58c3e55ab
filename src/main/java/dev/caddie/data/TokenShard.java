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

    /** Receives a shard's tokens block by block: {@code tokens[0..n)} is valid for the call only. */
    @FunctionalInterface
    public interface BlockConsumer {
        void accept(char[] tokens, int n) throws IOException;
    }

    /**
     * Streams a shard in blocks of up to a million tokens after checking its header, so a pass over
     * many gigabytes of shards holds one block at a time. Returns the token count.
     */
    public static long stream(Path file, BlockConsumer consumer) throws IOException {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
            long size = ch.size();
            int count = header(file, size, ch);
            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 21).order(ByteOrder.LITTLE_ENDIAN);
            char[] block = new char[1 << 20];
            long pos = HEADER_BYTES, end = HEADER_BYTES + 2L * count;
            while (pos < end) {
                buf.clear();
                buf.limit((int) Math.min(buf.capacity(), end - pos));
                while (buf.hasRemaining()) {
                    int r = ch.read(buf, pos + buf.position());
                    if (r < 0) throw new IOException(file + ": ended early at byte " + (pos + buf.position()));
                }
                buf.flip();
                int n = buf.remaining() / 2;
                buf.asCharBuffer().get(block, 0, n);
                consumer.accept(block, n);
                pos += 2L * n;
            }
            return count;
        }
    }

    private static int header(Path file, long size, java.nio.channels.FileChannel ch) throws IOException {
        if (size < HEADER_BYTES)
            throw new IOException(file + ": " + size + " bytes is shorter than the 1024-byte shard header");
        ByteBuffer h = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        while (h.hasRemaining()) if (ch.read(h, h.position()) < 0) throw new IOException(file + ": cannot read the header");
        int magic = h.getInt(0), version = h.getInt(4), count = h.getInt(8);
        if (magic != MAGIC)
            throw new IOException(file + ": header magic is " + magic + ", expected " + MAGIC + " (not a token shard)");
        if (version != VERSION)
            throw new IOException(file + ": shard version " + version + " is not supported; expected " + VERSION);
        long expected = HEADER_BYTES + 2L * count;
        if (count < 0 || expected != size)
            throw new IOException(file + ": header says " + count + " tokens (" + expected + " bytes) but the file has " + size + " bytes");
        return count;
    }

    /** Reads a shard, checking its header against its length; errors name the file and what was expected. */
    public static char[] read(Path file) throws IOException {
        long size = Files.size(file);
        int count;
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
            count = header(file, size, ch);
        }
        byte[] bytes = Files.readAllBytes(file);
        char[] tokens = new char[count];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).position(HEADER_BYTES).slice().order(ByteOrder.LITTLE_ENDIAN).asCharBuffer().get(tokens);
        return tokens;
    }
}
