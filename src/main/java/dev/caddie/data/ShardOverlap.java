package dev.caddie.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Data-level contamination between training and validation shards. Each side is split into
 * documents (at a BOS token, or fixed windows when the data has none); every validation document
 * is hashed, and so is a fixed sample of its K-token shingles. One streaming pass over the training
 * shards then finds validation documents that occur there exactly and the share of validation
 * shingles that occur there at all (near-duplicates, boilerplate). Memory is the validation side's
 * hashes, whatever the size of the training side.
 */
public final class ShardOverlap {

    /** @param bos token that starts (or ends) a document; negative for fixed windows of {@code window} tokens */
    public record Options(int bos, int window, int shingle, int sampleEvery, int examples) {
        public Options {
            if (shingle < 4) throw new IllegalArgumentException("shingle length must be at least 4 tokens, got " + shingle);
            if (sampleEvery < 1 || Integer.bitCount(sampleEvery) != 1) throw new IllegalArgumentException("shingle sampling must be a power of two, got " + sampleEvery);
            if (window < 16) throw new IllegalArgumentException("window must be at least 16 tokens, got " + window);
        }
    }

    /** A validation document found in training: where each is. */
    public record Example(int valDoc, Path valFile, long valOffset, int length, Path trainFile, long trainOffset, char[] head) {}

    public record Report(long valTokens, long trainTokens, int valDocs, int exactDocs, long valShingles, long shinglesFound, boolean windows,
                         List<Example> examples, long trainBytes, long nanos) {
        public double exactFraction() { return valDocs == 0 ? 0 : exactDocs / (double) valDocs; }

        public double shingleFraction() { return valShingles == 0 ? 0 : shinglesFound / (double) valShingles; }
    }

    private final Options opt;
    private final LongIndex docs = new LongIndex();
    private final LongIndex shingles = new LongIndex();
    private final List<long[]> docWhere = new ArrayList<>(); // per val doc: file index, offset, length
    private final List<Path> valFiles = new ArrayList<>();
    private boolean[] docFound = new boolean[0];
    private boolean[] shingleFound = new boolean[0];
    private BitFilter filter;
    private final List<Example> examples = new ArrayList<>();
    private int exact;

    public ShardOverlap(Options opt) { this.opt = opt; }

    public Report run(List<Path> val, List<Path> train) throws IOException {
        long t0 = System.nanoTime();
        long valTokens = 0;
        boolean windows = opt.bos() < 0;
        if (!windows && !containsToken(val, opt.bos())) windows = true; // no BOS in the data: windows it is
        final boolean useWindows = windows;
        for (Path f : val) {
            int fi = valFiles.size();
            valFiles.add(f);
            Splitter s = new Splitter(useWindows, (hash, start, len, head) -> {
                if (docs.add(hash) >= 0) docWhere.add(new long[]{fi, start, len});
            }, (h, pos) -> shingles.add(h));
            valTokens += TokenShard.stream(f, s::feed);
            s.finish();
        }
        docFound = new boolean[docs.size()];
        shingleFound = new boolean[shingles.size()];
        filter = new BitFilter(shingles);
        long trainTokens = 0, trainBytes = 0;
        for (Path f : train) {
            Splitter s = new Splitter(useWindows, (hash, start, len, head) -> {
                int i = docs.indexOf(hash);
                if (i >= 0 && !docFound[i]) {
                    docFound[i] = true;
                    exact++;
                    if (examples.size() < opt.examples()) {
                        long[] w = docWhere.get(i);
                        examples.add(new Example(i, valFiles.get((int) w[0]), w[1], (int) w[2], f, start, head));
                    }
                }
            }, (h, pos) -> {
                // A 2 MB bit filter of the validation shingles answers most misses from cache; the
                // table (tens of MB) is probed only on a filter hit.
                if (!filter.mightContain(h)) return;
                int i = shingles.indexOf(h);
                if (i >= 0) shingleFound[i] = true;
            });
            trainTokens += TokenShard.stream(f, s::feed);
            s.finish();
            trainBytes += java.nio.file.Files.size(f);
        }
        long found = 0;
        for (boolean b : shingleFound) if (b) found++;
        return new Report(valTokens, trainTokens, docs.size(), exact, shingles.size(), found, useWindows, List.copyOf(examples), trainBytes, System.nanoTime() - t0);
    }

    private static boolean containsToken(List<Path> files, int token) throws IOException {
        boolean[] seen = {false};
        for (Path f : files) {
            TokenShard.stream(f, (b, n) -> {
                if (seen[0]) return;
                for (int i = 0; i < n; i++) if (b[i] == token) { seen[0] = true; return; }
            });
            if (seen[0]) return true;
        }
        return false;
    }

    interface DocSink { void doc(long hash, long start, int length, char[] head); }

    interface ShingleSink { void shingle(long hash, long pos); }

    /** Cuts a token stream into documents and sampled shingles across block boundaries. */
    private final class Splitter {
        private final boolean windows;
        private final DocSink docSink;
        private final ShingleSink shingleSink;
        private final long pow; // B^(K-1) for the rolling hash
        private final char[] ring;
        private final char[] head = new char[16];
        private long pos, docStart, docHash = FNV_OFFSET, roll;
        private int docLen, ringAt;
        private final long sampleMask;

        Splitter(boolean windows, DocSink docSink, ShingleSink shingleSink) {
            this.windows = windows;
            this.docSink = docSink;
            this.shingleSink = shingleSink;
            this.ring = new char[opt.shingle()];
            long p = 1;
            for (int i = 1; i < opt.shingle(); i++) p *= BASE;
            this.pow = p;
            this.sampleMask = opt.sampleEvery() - 1;
        }

        void feed(char[] b, int n) {
            for (int i = 0; i < n; i++) {
                char t = b[i];
                if (!windows && t == opt.bos()) {
                    endDoc();
                    docStart = pos + 1;
                    pos++;
                    continue;
                }
                if (docLen < head.length) head[docLen] = t;
                docHash = (docHash ^ t) * FNV_PRIME;
                int k = opt.shingle();
                if (docLen >= k) roll -= ring[ringAt] * pow;
                roll = roll * BASE + t;
                ring[ringAt] = t;
                if (++ringAt == k) ringAt = 0;
                docLen++;
                if (docLen >= k) {
                    long h = mix(roll);
                    if ((h & sampleMask) == 0) shingleSink.shingle(h, pos);
                }
                pos++;
                if (windows && docLen == opt.window()) {
                    endDoc();
                    docStart = pos;
                }
            }
        }

        void finish() { endDoc(); }

        private void endDoc() {
            if (docLen > 0) docSink.doc(mix(docHash ^ docLen), docStart, docLen, Arrays.copyOf(head, Math.min(docLen, head.length)));
            docHash = FNV_OFFSET;
            docLen = 0;
            ringAt = 0;
            roll = 0;
        }
    }

    private static final long FNV_OFFSET = 0xcbf29ce484222325L, FNV_PRIME = 0x100000001b3L, BASE = 0x9E3779B97F4A7C15L | 1;

    /** splitmix64's finaliser: the polynomial and FNV hashes have weak low bits, sampling uses them. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** One bit per hash bucket, sized to about 16 bits per member (at most 2^27 bits): no false negatives. */
    static final class BitFilter {
        private final long[] bits;
        private final int shift;

        BitFilter(LongIndex members) {
            int log = Math.max(16, Math.min(27, 64 - Long.numberOfLeadingZeros(Math.max(1, members.size()) * 16L)));
            bits = new long[1 << (log - 6)];
            shift = 64 - log;
            members.forEach(k -> {
                int b = (int) (k >>> shift);
                bits[b >>> 6] |= 1L << b;
            });
        }

        boolean mightContain(long k) {
            int b = (int) (k >>> shift);
            return (bits[b >>> 6] & (1L << b)) != 0;
        }
    }

    /** An open-addressing set of longs that numbers its members in insertion order. */
    static final class LongIndex {
        private long[] keys = new long[1 << 12];
        private int[] ids = new int[1 << 12];
        private boolean zero;
        private int zeroId;
        private int size;

        /** The member's number, or -1 when it was already there. */
        int add(long k) {
            if (k == 0) {
                if (zero) return -1;
                zero = true;
                zeroId = size;
                return size++;
            }
            if (size * 2 >= keys.length) grow();
            int i = slot(k);
            if (keys[i] == k) return -1;
            keys[i] = k;
            ids[i] = size;
            return size++;
        }

        int indexOf(long k) {
            if (k == 0) return zero ? zeroId : -1;
            int i = slot(k);
            return keys[i] == k ? ids[i] : -1;
        }

        int size() { return size; }

        void forEach(java.util.function.LongConsumer c) {
            if (zero) c.accept(0);
            for (long k : keys) if (k != 0) c.accept(k);
        }

        private int slot(long k) {
            int mask = keys.length - 1;
            int i = (int) (k ^ (k >>> 32)) & mask;
            while (keys[i] != 0 && keys[i] != k) i = (i + 1) & mask;
            return i;
        }

        private void grow() {
            long[] ok = keys;
            int[] oi = ids;
            keys = new long[ok.length * 2];
            ids = new int[ok.length * 2];
            for (int j = 0; j < ok.length; j++) {
                if (ok[j] == 0) continue;
                int i = slot(ok[j]);
                keys[i] = ok[j];
                ids[i] = oi[j];
            }
        }
    }
}
