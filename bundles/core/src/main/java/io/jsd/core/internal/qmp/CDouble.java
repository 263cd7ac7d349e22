package io.jsd.core.internal.qmp;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/** A double as qemu prints it in QMP output: C's {@code printf("%.17g")} ("inf", "1500", "1.8446744073709552e+19"). */
final class CDouble {
    private static final int PRECISION = 17;

    private CDouble() {}

    static String format(double d) {
        if (Double.isNaN(d)) return "nan";
        if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
        if (d == 0) return 1 / d < 0 ? "-0" : "0";
        BigDecimal v = new BigDecimal(d).round(new MathContext(PRECISION, RoundingMode.HALF_EVEN));
        int exp = v.precision() - v.scale() - 1;
        StringBuilder digits = new StringBuilder(v.unscaledValue().abs().toString());
        while (digits.length() < PRECISION) digits.append('0');
        StringBuilder out = new StringBuilder(d < 0 ? "-" : "");
        if (exp < -4 || exp >= PRECISION) {
            out.append(digits.charAt(0)).append(fraction(digits.substring(1)));
            out.append('e').append(exp < 0 ? '-' : '+');
            int a = Math.abs(exp);
            if (a < 10) out.append('0');
            out.append(a);
        } else if (exp >= 0) {
            out.append(digits, 0, exp + 1).append(fraction(digits.substring(exp + 1)));
        } else {
            out.append('0').append(fraction("0".repeat(-exp - 1) + digits));
        }
        return out.toString();
    }

    /** ".ddd" without trailing zeros, or "" (as %g without '#'). */
    private static String fraction(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '0') end--;
        return end == 0 ? "" : "." + s.substring(0, end);
    }
}
