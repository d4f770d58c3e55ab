package dev.caddie.loop;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * One loop (or tournament) per workspace at a time: two would propose from the same history, run the same
 * configuration twice and race on the branch. The operating system releases the lock when its process ends,
 * even by kill -9, so a crash never leaves the workspace locked.
 */
public final class LoopLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private LoopLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the workspace's lock, or says who holds it. */
    public static LoopLock acquire(Workspace ws) throws IOException {
        Files.createDirectories(ws.caddieDir());
        Path file = ws.caddieDir().resolve("loop.lock");
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock l;
        try {
            l = ch.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException sameProcess) {
            l = null; // this process already runs a loop here
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        if (l == null) {
            String holder = Files.readString(file, StandardCharsets.UTF_8).strip();
            ch.close();
            throw new IllegalStateException("another Caddie is already running the loop in " + ws.root()
                    + (holder.isEmpty() ? "" : " (" + holder + ")") + "; two at once would run the same candidates twice. Wait for it, or stop it with Ctrl-C");
        }
        ch.truncate(0);
        ch.write(java.nio.ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + ", since " + Instant.now() + "\n").getBytes(StandardCharsets.UTF_8)));
        ch.force(true);
        return new LoopLock(ch, l);
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
