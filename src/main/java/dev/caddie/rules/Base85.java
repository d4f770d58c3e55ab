package dev.caddie.rules;

import java.io.ByteArrayOutputStream;

/** Python's base64.b85encode / b85decode (the RFC 1924 alphabet), which exec wrappers in records use. */
public final class Base85 {
    static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~";
    private static final int[] VALUE = new int[128];

    static {
        java.util.Arrays.fill(VALUE, -1);
        for (int i = 0; i < ALPHABET.length(); i++) VALUE[ALPHABET.charAt(i)] = i;
    }

    private Base85() {}

    public static byte[] decode(String text) {
        String s = text.replaceAll("\\s", "");
        int pad = (5 - s.length() % 5) % 5;
        StringBuilder padded = new StringBuilder(s);
        padded.append("~".repeat(pad));
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length() * 4 / 5 + 4);
        for (int i = 0; i < padded.length(); i += 5) {
            long acc = 0;
            for (int j = 0; j < 5; j++) {
                char c = padded.charAt(i + j);
                int v = c < 128 ? VALUE[c] : -1;
                if (v < 0) throw new IllegalArgumentException("base85: character '" + c + "' at offset " + (i + j) + " is not in Python's b85 alphabet");
                acc = acc * 85 + v;
            }
            if (acc > 0xffffffffL) throw new IllegalArgumentException("base85: group at offset " + i + " overflows 32 bits");
            for (int k = 3; k >= 0; k--) out.write((int) (acc >>> (8 * k)) & 0xff);
        }
        byte[] all = out.toByteArray();
        return java.util.Arrays.copyOf(all, all.length - pad);
    }

    public static String encode(byte[] data) {
        int pad = (4 - data.length % 4) % 4;
        StringBuilder sb = new StringBuilder((data.length + pad) * 5 / 4);
        for (int i = 0; i < data.length + pad; i += 4) {
            long acc = 0;
            for (int k = 0; k < 4; k++) acc = (acc << 8) | (i + k < data.length ? data[i + k] & 0xff : 0);
            char[] chunk = new char[5];
            for (int j = 4; j >= 0; j--) {
                chunk[j] = ALPHABET.charAt((int) (acc % 85));
                acc /= 85;
            }
            sb.append(chunk);
        }
        return sb.substring(0, sb.length() - pad);
    }
}
