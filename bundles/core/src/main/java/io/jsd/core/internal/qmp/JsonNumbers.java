package io.jsd.core.internal.qmp;

import java.math.BigInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * Number tokens to values as qemu's parser does: an integer is an int64 if it fits, else a uint64,
 * else a double (strtod). Linear in the token's length however many digits it has: only a bounded
 * prefix of the digits reaches a library conversion.
 */
final class JsonNumbers {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    /** Significant digits kept: beyond 800 a decimal's nearest double no longer depends on them, save a sticky last digit. */
    private static final int MAX_DIGITS = 800;

    private JsonNumbers() {}

    /** An INTEGER token (JSON grammar: -?(0|[1-9][0-9]*)). */
    static JsonNode integer(String s) {
        int digits = s.length() - (s.startsWith("-") ? 1 : 0);
        if (digits <= 18) return F.numberNode(Long.parseLong(s));
        if (digits <= 20) {
            BigInteger v = new BigInteger(s);
            if (v.bitLength() < 64) return F.numberNode(v.longValue());
            if (v.signum() > 0 && v.compareTo(UINT64_MAX) <= 0) return F.numberNode(v);
        }
        return F.numberNode(toDouble(s));
    }

    /** A number token (JSON grammar) as strtod reads it, in time linear in its length. */
    static double toDouble(String s) {
        if (s.length() <= MAX_DIGITS) return Double.parseDouble(s);
        boolean negative = s.startsWith("-");
        int i = negative ? 1 : 0;
        int e = s.length();
        int ePos = Math.max(s.indexOf('e'), s.indexOf('E'));
        if (ePos >= 0) e = ePos;
        StringBuilder digits = new StringBuilder(MAX_DIGITS + 1);
        long pointShift = 0; // how many of the kept digits' places are before the decimal point beyond those kept
        boolean afterPoint = false;
        boolean sticky = false;
        boolean leading = true;
        long leadingZerosAfterPoint = 0;
        for (; i < e; i++) {
            char c = s.charAt(i);
            if (c == '.') {
                afterPoint = true;
                continue;
            }
            if (leading && c == '0') {
                if (afterPoint) leadingZerosAfterPoint++;
                continue;
            }
            leading = false;
            if (digits.length() < MAX_DIGITS) {
                digits.append(c);
                if (afterPoint) pointShift--;
            } else {
                if (c != '0') sticky = true;
                if (!afterPoint) pointShift++;
            }
        }
        if (digits.isEmpty()) return negative ? -0.0 : 0.0;
        if (sticky) digits.append('1');
        long exp = pointShift - leadingZerosAfterPoint - (sticky ? 1 : 0);
        if (ePos >= 0) {
            String es = s.substring(ePos + 1);
            boolean eNeg = es.startsWith("-");
            String ed = es.replaceFirst("^[+-]", "").replaceFirst("^0+(?=.)", "");
            long ev = ed.length() > 12 ? 1_000_000_000_000L : Long.parseLong(ed);
            exp += eNeg ? -ev : ev;
        }
        if (exp > 100_000) return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        if (exp < -100_000) return negative ? -0.0 : 0.0;
        return Double.parseDouble((negative ? "-" : "") + digits + "e" + exp);
    }
}
