package dev.caddie.rules;

/** The fp8 e4m3 format (OCP "FN" variant: bias 7, no infinities, largest finite 448), round to nearest even. */
final class Fp8 {
    private Fp8() {}

    static byte encode(float x) {
        int sign = x < 0 || (x == 0 && 1 / x < 0) ? 0x80 : 0;
        double a = Math.min(Math.abs(x), 448);
        if (a < Math.scalb(1.0, -10)) return (byte) sign; // below half the smallest subnormal (2^-9)
        int e = Math.getExponent(a);
        int code;
        if (e < -6) {
            int m = (int) Math.rint(a / Math.scalb(1.0, -9)); // subnormal: m x 2^-9
            code = m >= 8 ? (1 << 3) : m;
        } else {
            int m = (int) Math.rint((a / Math.scalb(1.0, e) - 1) * 8);
            if (m == 8) { m = 0; e++; }
            code = ((e + 7) << 3) | m;
            code = Math.min(code, 0x7e); // 0x7f is NaN
        }
        return (byte) (sign | code);
    }

    static float decode(byte b) {
        int v = b & 0x7f, e = v >> 3, m = v & 7;
        double a = e == 0 ? m * Math.scalb(1.0, -9) : (1 + m / 8.0) * Math.scalb(1.0, e - 7);
        return (float) ((b & 0x80) != 0 ? -a : a);
    }
}
