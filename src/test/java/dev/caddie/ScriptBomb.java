package dev.caddie;

import java.nio.charset.StandardCharsets;

/** A decompression bomb in the shape records ship their scripts: for the tests that Caddie refuses it cleanly. */
public final class ScriptBomb {
    private ScriptBomb() {}

    /** A two-line lzma/base85 exec wrapper whose payload is bytes zeros: a few hundred KB that unpack to far more. */
    public static byte[] bytes(long bytes) throws Exception {
        java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
        try (var out = new org.tukaani.xz.LZMA2Options(1).getOutputStream(new org.tukaani.xz.FinishableWrapperOutputStream(raw))) {
            byte[] zeros = new byte[1 << 20];
            for (long n = 0; n < bytes; n += zeros.length) out.write(zeros);
        }
        return ("import lzma as L,base64 as B\nexec(L.decompress(B.b85decode(\"" + dev.caddie.rules.Base85.encode(raw.toByteArray())
                + "\"),format=L.FORMAT_RAW,filters=[{\"id\":L.FILTER_LZMA2}]))\n").getBytes(StandardCharsets.UTF_8);
    }

}
